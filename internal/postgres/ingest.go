package postgres

import (
	"context"
	"fmt"

	"github.com/newstrace/newstrace"
)

var _ newstrace.IngestStore = (*DB)(nil)

const qSeenFileKey = `SELECT EXISTS (SELECT 1 FROM sightings WHERE feed_id IS NULL AND entry_key = $1 AND entry_key <> '')`

// SeenFileKey reports whether a file or WARC record sighting has entryKey.
func (db *DB) SeenFileKey(ctx context.Context, entryKey string) (bool, error) {
	var seen bool
	if err := db.pool.QueryRow(ctx, qSeenFileKey, entryKey).Scan(&seen); err != nil {
		return false, fmt.Errorf("seen file key %q: %w", entryKey, err)
	}
	return seen, nil
}
