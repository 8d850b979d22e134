package pipeline

import (
	"context"
	"fmt"

	"github.com/newstrace/newstrace/internal/feed"
)

// droppedNotice says, for the Sources page, that a feed broke the entry limit.
func droppedNotice(p *feed.Parsed) string {
	kept := len(p.Entries)
	return fmt.Sprintf("feed lists %d entries, over the limit of %d entries per poll: the other %d were dropped",
		kept+p.Dropped, kept, p.Dropped)
}

// entryFailed records a failed entry (its page too large, too slow, not an
// article) as the feed's last error, so the Sources page shows it. The
// feed's poll state (failures, backoff, next poll) is left alone: the feed
// itself answered; the next good poll clears the message.
func (p *Pipeline) entryFailed(ctx context.Context, feedID int64, cause error) {
	f, err := p.store.Feed(ctx, feedID)
	if err != nil {
		return
	}
	f.LastError, f.LastErrorAt = oneLine(cause.Error()), p.now()
	if err := p.store.UpdateFeed(ctx, f); err != nil {
		p.log.Warn("record entry error", "feed_id", feedID, "err", err)
	}
}
