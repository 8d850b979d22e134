package newstrace

import "context"

// StoreCounts sizes what the store holds, for metrics.
type StoreCounts struct {
	Documents    int `json:"documents"`
	Stories      int `json:"stories"`
	Sources      int `json:"sources"`
	Feeds        int `json:"feeds"`
	FailingFeeds int `json:"failing_feeds"` // feeds whose last poll failed
}

// CountStore answers metrics scrapes.
type CountStore interface {
	// Counts returns the store's sizes in one cheap read.
	Counts(ctx context.Context) (StoreCounts, error)
}
