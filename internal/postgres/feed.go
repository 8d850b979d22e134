package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
)

const feedColumns = `id, source_id, url, title, site_url, folder, etag, last_modified,
	last_polled_at, next_poll_at, failure_count, last_error, last_error_at, created_at`

// LIMIT NULL (no limit) when limitOffset says all.
const qDueFeeds = `SELECT ` + feedColumns + ` FROM feeds WHERE next_poll_at <= $1 ORDER BY next_poll_at, id LIMIT $2`

// CreateFeed inserts f, filling f.ID, f.SourceID and f.CreatedAt; a taken
// URL is ECONFLICT, also when another process inserts it at the same moment.
func (db *DB) CreateFeed(ctx context.Context, f *newstrace.Feed) error {
	if f == nil || strings.TrimSpace(f.URL) == "" {
		return newstrace.Errorf(newstrace.EINVALID, "feed URL required")
	}
	out := *f
	err := db.write(ctx, func(tx pgx.Tx) error {
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM feeds WHERE url = $1)`, out.URL).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return newstrace.Errorf(newstrace.ECONFLICT, "feed already exists: %s", out.URL)
		}
		if out.SourceID == 0 {
			src, err := db.ensureSource(ctx, tx, newstrace.Source{Name: out.SourceName(), SiteURL: out.SiteURL})
			if err != nil {
				return fmt.Errorf("ensure source: %w", err)
			}
			out.SourceID = src.ID
		}
		if out.CreatedAt.IsZero() {
			out.CreatedAt = db.now()
		}
		out.CreatedAt = stored(out.CreatedAt)
		out.LastPolledAt, out.NextPollAt, out.LastErrorAt = stored(out.LastPolledAt), stored(out.NextPollAt), stored(out.LastErrorAt)
		// ON CONFLICT waits for a concurrent insert of the URL and then does
		// nothing: no row back is the conflict, with no aborted transaction.
		err := tx.QueryRow(ctx, `INSERT INTO feeds (source_id, url, title, site_url, folder, etag, last_modified,
			last_polled_at, next_poll_at, failure_count, last_error, last_error_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (url) DO NOTHING RETURNING id`,
			out.SourceID, out.URL, out.Title, out.SiteURL, out.Folder, out.ETag, out.LastModified,
			nullTime(out.LastPolledAt), out.NextPollAt, out.FailureCount, out.LastError,
			nullTime(out.LastErrorAt), out.CreatedAt).Scan(&out.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return newstrace.Errorf(newstrace.ECONFLICT, "feed already exists: %s", out.URL)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create feed %s: %w", f.URL, err)
	}
	*f = out
	return nil
}

// Feed returns the feed with id.
func (db *DB) Feed(ctx context.Context, id int64) (newstrace.Feed, error) {
	f, err := scanFeed(db.pool.QueryRow(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return newstrace.Feed{}, newstrace.Errorf(newstrace.ENOTFOUND, "feed %d not found", id)
	} else if err != nil {
		return newstrace.Feed{}, fmt.Errorf("get feed %d: %w", id, err)
	}
	return f, nil
}

// FeedByURL returns the feed subscribed at u.
func (db *DB) FeedByURL(ctx context.Context, u string) (newstrace.Feed, error) {
	f, err := scanFeed(db.pool.QueryRow(ctx, `SELECT `+feedColumns+` FROM feeds WHERE url = $1`, u))
	if errors.Is(err, pgx.ErrNoRows) {
		return newstrace.Feed{}, newstrace.Errorf(newstrace.ENOTFOUND, "feed %s not found", u)
	} else if err != nil {
		return newstrace.Feed{}, fmt.Errorf("get feed %s: %w", u, err)
	}
	return f, nil
}

// Feeds lists every feed by folder, then title, then URL (bytewise, as SQLite sorts).
func (db *DB) Feeds(ctx context.Context) ([]newstrace.Feed, error) {
	rows, _ := db.pool.Query(ctx, `SELECT `+feedColumns+` FROM feeds
		ORDER BY folder COLLATE "C", title COLLATE "C", url COLLATE "C"`)
	fs, err := scanAll(rows, scanFeed)
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	return fs, nil
}

// DueFeeds lists feeds due at now, the longest overdue first; limit <= 0 means all.
func (db *DB) DueFeeds(ctx context.Context, now time.Time, limit int) ([]newstrace.Feed, error) {
	lim, _ := limitOffset(limit, 0, -1)
	rows, _ := db.pool.Query(ctx, qDueFeeds, now, lim)
	fs, err := scanAll(rows, scanFeed)
	if err != nil {
		return nil, fmt.Errorf("list due feeds: %w", err)
	}
	return fs, nil
}

// UpdateFeed writes every mutable field of f. One statement needs no
// explicit transaction.
func (db *DB) UpdateFeed(ctx context.Context, f newstrace.Feed) error {
	tag, err := db.pool.Exec(ctx, `UPDATE feeds SET url = $1, title = $2, site_url = $3, folder = $4,
		etag = $5, last_modified = $6, last_polled_at = $7, next_poll_at = $8, failure_count = $9,
		last_error = $10, last_error_at = $11 WHERE id = $12`,
		f.URL, f.Title, f.SiteURL, f.Folder, f.ETag, f.LastModified, nullTime(f.LastPolledAt),
		f.NextPollAt, f.FailureCount, f.LastError, nullTime(f.LastErrorAt), f.ID)
	switch {
	case isUnique(err):
		err = newstrace.Errorf(newstrace.ECONFLICT, "feed already exists: %s", f.URL)
	case err == nil && tag.RowsAffected() == 0:
		err = newstrace.Errorf(newstrace.ENOTFOUND, "feed %d not found", f.ID)
	}
	if err != nil {
		return fmt.Errorf("update feed %d: %w", f.ID, err)
	}
	return nil
}

// DeleteFeed removes the feed; its documents stay, their sightings lose the feed.
func (db *DB) DeleteFeed(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM feeds WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = newstrace.Errorf(newstrace.ENOTFOUND, "feed %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("delete feed %d: %w", id, err)
	}
	return nil
}

func scanFeed(r pgx.Row) (newstrace.Feed, error) {
	var f newstrace.Feed
	var polled, errAt *time.Time
	err := r.Scan(&f.ID, &f.SourceID, &f.URL, &f.Title, &f.SiteURL, &f.Folder, &f.ETag, &f.LastModified,
		&polled, &f.NextPollAt, &f.FailureCount, &f.LastError, &errAt, &f.CreatedAt)
	f.LastPolledAt, f.LastErrorAt = fromNull(polled), fromNull(errAt)
	f.NextPollAt, f.CreatedAt = f.NextPollAt.UTC(), f.CreatedAt.UTC()
	return f, err
}
