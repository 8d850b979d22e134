package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
)

const feedColumns = `id, source_id, url, title, site_url, folder, etag, last_modified,
	last_polled_at, next_poll_at, failure_count, last_error, last_error_at, created_at`

const qDueFeeds = `SELECT ` + feedColumns + ` FROM feeds WHERE next_poll_at <= ? ORDER BY next_poll_at, id LIMIT ?`

// CreateFeed inserts f, filling f.ID, f.SourceID and f.CreatedAt.
func (db *DB) CreateFeed(ctx context.Context, f *newstrace.Feed) error {
	if f == nil || strings.TrimSpace(f.URL) == "" {
		return newstrace.Errorf(newstrace.EINVALID, "feed URL required")
	}
	out := *f
	err := db.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM feeds WHERE url = ?`, out.URL).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
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
		out.CreatedAt = out.CreatedAt.UTC()
		err := tx.QueryRowContext(ctx, `INSERT INTO feeds (source_id, url, title, site_url, folder, etag, last_modified,
			last_polled_at, next_poll_at, failure_count, last_error, last_error_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			out.SourceID, out.URL, out.Title, out.SiteURL, out.Folder, out.ETag, out.LastModified,
			nullTime(out.LastPolledAt), formatTime(out.NextPollAt), out.FailureCount, out.LastError,
			nullTime(out.LastErrorAt), formatTime(out.CreatedAt)).Scan(&out.ID)
		if isUnique(err) {
			return newstrace.Errorf(newstrace.ECONFLICT, "feed already exists: %s", out.URL)
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create feed %s: %w", f.URL, err)
	}
	*f = out
	return nil
}

// Feed returns the feed with id.
func (db *DB) Feed(ctx context.Context, id int64) (newstrace.Feed, error) {
	f, err := scanFeed(db.reader.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return newstrace.Feed{}, newstrace.Errorf(newstrace.ENOTFOUND, "feed %d not found", id)
	} else if err != nil {
		return newstrace.Feed{}, fmt.Errorf("get feed %d: %w", id, err)
	}
	return f, nil
}

// FeedByURL returns the feed subscribed at u.
func (db *DB) FeedByURL(ctx context.Context, u string) (newstrace.Feed, error) {
	f, err := scanFeed(db.reader.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE url = ?`, u))
	if errors.Is(err, sql.ErrNoRows) {
		return newstrace.Feed{}, newstrace.Errorf(newstrace.ENOTFOUND, "feed %s not found", u)
	} else if err != nil {
		return newstrace.Feed{}, fmt.Errorf("get feed %s: %w", u, err)
	}
	return f, nil
}

// Feeds lists every feed by folder, then title, then URL.
func (db *DB) Feeds(ctx context.Context) ([]newstrace.Feed, error) {
	fs, err := db.queryFeeds(ctx, `SELECT `+feedColumns+` FROM feeds ORDER BY folder, title, url`)
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	return fs, nil
}

// DueFeeds lists feeds due at now, the longest overdue first; limit <= 0 means all.
func (db *DB) DueFeeds(ctx context.Context, now time.Time, limit int) ([]newstrace.Feed, error) {
	lim, _ := limitOffset(limit, 0, -1)
	fs, err := db.queryFeeds(ctx, qDueFeeds, formatTime(now), lim)
	if err != nil {
		return nil, fmt.Errorf("list due feeds: %w", err)
	}
	return fs, nil
}

func (db *DB) queryFeeds(ctx context.Context, query string, args ...any) ([]newstrace.Feed, error) {
	rows, err := db.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []newstrace.Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// UpdateFeed writes every mutable field of f.
func (db *DB) UpdateFeed(ctx context.Context, f newstrace.Feed) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE feeds SET url = ?, title = ?, site_url = ?, folder = ?,
			etag = ?, last_modified = ?, last_polled_at = ?, next_poll_at = ?, failure_count = ?,
			last_error = ?, last_error_at = ? WHERE id = ?`,
			f.URL, f.Title, f.SiteURL, f.Folder, f.ETag, f.LastModified, nullTime(f.LastPolledAt),
			formatTime(f.NextPollAt), f.FailureCount, f.LastError, nullTime(f.LastErrorAt), f.ID)
		if isUnique(err) {
			return newstrace.Errorf(newstrace.ECONFLICT, "feed already exists: %s", f.URL)
		} else if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "feed %d not found", f.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update feed %d: %w", f.ID, err)
	}
	return nil
}

// DeleteFeed removes the feed; its documents stay, their sightings lose the feed.
func (db *DB) DeleteFeed(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM feeds WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "feed %d not found", id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete feed %d: %w", id, err)
	}
	return nil
}

func scanFeed(r scanner) (newstrace.Feed, error) {
	var f newstrace.Feed
	var polled, errAt sql.NullString
	var next, created string
	err := r.Scan(&f.ID, &f.SourceID, &f.URL, &f.Title, &f.SiteURL, &f.Folder, &f.ETag, &f.LastModified,
		&polled, &next, &f.FailureCount, &f.LastError, &errAt, &created)
	if err != nil {
		return f, err
	}
	if f.LastPolledAt, err = parseNullTime(polled); err != nil {
		return f, err
	}
	if f.NextPollAt, err = parseTime(next); err != nil {
		return f, err
	}
	if f.LastErrorAt, err = parseNullTime(errAt); err != nil {
		return f, err
	}
	f.CreatedAt, err = parseTime(created)
	return f, err
}
