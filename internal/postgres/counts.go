package postgres

import (
	"context"
	"fmt"

	"github.com/newstrace/newstrace"
)

// Counts returns the store's sizes in one read. count(*) scans in
// PostgreSQL (no row count is kept), which is fine at a metrics scrape's pace.
func (db *DB) Counts(ctx context.Context) (newstrace.StoreCounts, error) {
	var c newstrace.StoreCounts
	err := db.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM documents),
		(SELECT count(*) FROM stories),
		(SELECT count(*) FROM sources),
		(SELECT count(*) FROM feeds),
		(SELECT count(*) FROM feeds WHERE failure_count > 0)`).
		Scan(&c.Documents, &c.Stories, &c.Sources, &c.Feeds, &c.FailingFeeds)
	if err != nil {
		return c, fmt.Errorf("count store: %w", err)
	}
	return c, nil
}
