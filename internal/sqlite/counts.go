package sqlite

import (
	"context"
	"fmt"

	"github.com/newstrace/newstrace"
)

// Counts returns the store's sizes in one read.
func (db *DB) Counts(ctx context.Context) (newstrace.StoreCounts, error) {
	var c newstrace.StoreCounts
	err := db.reader.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM documents),
		(SELECT COUNT(*) FROM stories),
		(SELECT COUNT(*) FROM sources),
		(SELECT COUNT(*) FROM feeds),
		(SELECT COUNT(*) FROM feeds WHERE failure_count > 0)`).
		Scan(&c.Documents, &c.Stories, &c.Sources, &c.Feeds, &c.FailingFeeds)
	if err != nil {
		return c, fmt.Errorf("count store: %w", err)
	}
	return c, nil
}
