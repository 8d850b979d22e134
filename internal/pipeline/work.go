package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/newstrace/newstrace/internal/feed"
)

// Work adapts the pipeline to the job runner: jobs carry entries as JSON.
type Work struct{ P *Pipeline }

// DueFeeds lists the ids of feeds due at now.
func (w Work) DueFeeds(ctx context.Context, now time.Time) ([]int64, error) {
	feeds, err := w.P.store.DueFeeds(ctx, now, 1000)
	if err != nil {
		return nil, fmt.Errorf("list due feeds: %w", err)
	}
	ids := make([]int64, len(feeds))
	for i, f := range feeds {
		ids[i] = f.ID
	}
	return ids, nil
}

// PollFeed polls one feed and returns its new entries as job payloads.
func (w Work) PollFeed(ctx context.Context, feedID int64) ([]json.RawMessage, error) {
	res, err := w.P.PollFeed(ctx, feedID)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, 0, len(res.Entries))
	for _, e := range res.Entries {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encode entry %s: %w", e.Key, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// ProcessEntry stores one entry of a feed.
func (w Work) ProcessEntry(ctx context.Context, feedID int64, raw json.RawMessage) error {
	var e feed.Entry
	if err := json.Unmarshal(raw, &e); err != nil {
		return fmt.Errorf("decode entry of feed %d: %w", feedID, err)
	}
	f, err := w.P.store.Feed(ctx, feedID)
	if err != nil {
		return fmt.Errorf("process entry %s: %w", e.Key, err)
	}
	_, err = w.P.ProcessEntry(ctx, f, e)
	if err != nil && ctx.Err() == nil {
		w.P.entryFailed(ctx, f.ID, err)
	}
	return err
}
