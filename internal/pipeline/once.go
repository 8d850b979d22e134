package pipeline

import (
	"context"
	"errors"
	"fmt"
)

// Summary counts what a synchronous poll round did.
type Summary struct {
	Feeds, Failed, NotModified, Entries, Stored, Duplicates, EntryErrors int
}

func (s Summary) String() string {
	return fmt.Sprintf("poll: %d feeds (%d failed, %d not modified), %d new entries: %d stored, %d already known, %d failed",
		s.Feeds, s.Failed, s.NotModified, s.Entries, s.Stored, s.Duplicates, s.EntryErrors)
}

// PollDue polls every due feed and processes its new entries, in this
// process and synchronously (`newstrace poll --once`). A failing feed or
// entry is counted and logged; it does not stop the round.
func (p *Pipeline) PollDue(ctx context.Context) (Summary, error) {
	var sum Summary
	feeds, err := p.store.DueFeeds(ctx, p.now(), 100000)
	if err != nil {
		return sum, fmt.Errorf("list due feeds: %w", err)
	}
	for _, f := range feeds {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		sum.Feeds++
		res, err := p.PollFeed(ctx, f.ID)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return sum, err
			}
			sum.Failed++
			continue
		}
		if res.NotModified {
			sum.NotModified++
		}
		for _, e := range res.Entries {
			sum.Entries++
			saved, err := p.ProcessEntry(ctx, res.Feed, e)
			switch {
			case err != nil:
				if errors.Is(err, context.Canceled) {
					return sum, err
				}
				sum.EntryErrors++
				p.log.Warn("entry failed", "feed_id", f.ID, "url", e.URL, "err", err)
				p.entryFailed(ctx, f.ID, err)
			case saved.Created:
				sum.Stored++
			default:
				sum.Duplicates++
			}
		}
	}
	return sum, nil
}
