package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/newstrace/newstrace"
)

const feedTokenColumns = `id, user_id, feed, hash, created_at`

// CreateFeedToken stores t's hash, filling t.ID and t.CreatedAt.
func (db *DB) CreateFeedToken(ctx context.Context, t *newstrace.FeedToken) error {
	if t == nil || t.Hash == "" || strings.TrimSpace(t.Feed) == "" || t.UserID <= 0 {
		return newstrace.Errorf(newstrace.EINVALID, "feed token needs a user, a feed and a hash")
	}
	out := *t
	if out.CreatedAt.IsZero() {
		out.CreatedAt = db.now()
	}
	out.CreatedAt = out.CreatedAt.UTC()
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := mustExist(ctx, tx, `SELECT COUNT(*) FROM users WHERE id = ?`, out.UserID, "user"); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO feed_tokens (user_id, feed, hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			out.UserID, out.Feed, out.Hash, formatTime(out.CreatedAt)).Scan(&out.ID)
		if isUnique(err) {
			return newstrace.Errorf(newstrace.ECONFLICT, "feed token already exists")
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("create feed token for %s: %w", t.Feed, err)
	}
	*t = out
	return nil
}

// FeedTokenByHash returns the feed token with hash.
func (db *DB) FeedTokenByHash(ctx context.Context, hash string) (newstrace.FeedToken, error) {
	if hash == "" {
		return newstrace.FeedToken{}, newstrace.Errorf(newstrace.ENOTFOUND, "feed token not found")
	}
	t, err := scanFeedToken(db.reader.QueryRowContext(ctx, `SELECT `+feedTokenColumns+` FROM feed_tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return newstrace.FeedToken{}, newstrace.Errorf(newstrace.ENOTFOUND, "feed token not found")
	} else if err != nil {
		return newstrace.FeedToken{}, fmt.Errorf("get feed token: %w", err)
	}
	return t, nil
}

// FeedTokens lists userID's feed tokens, oldest first.
func (db *DB) FeedTokens(ctx context.Context, userID int64) ([]newstrace.FeedToken, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+feedTokenColumns+` FROM feed_tokens WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list feed tokens of user %d: %w", userID, err)
	}
	defer rows.Close()
	out := []newstrace.FeedToken{}
	for rows.Next() {
		t, err := scanFeedToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list feed tokens of user %d: %w", userID, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list feed tokens of user %d: %w", userID, err)
	}
	return out, nil
}

// DeleteFeedToken revokes userID's token id.
func (db *DB) DeleteFeedToken(ctx context.Context, userID, id int64) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM feed_tokens WHERE id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "feed token %d not found", id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete feed token %d: %w", id, err)
	}
	return nil
}

func scanFeedToken(r scanner) (newstrace.FeedToken, error) {
	var t newstrace.FeedToken
	var created string
	if err := r.Scan(&t.ID, &t.UserID, &t.Feed, &t.Hash, &created); err != nil {
		return t, err
	}
	var err error
	t.CreatedAt, err = parseTime(created)
	return t, err
}
