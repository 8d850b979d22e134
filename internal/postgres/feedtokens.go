package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
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
	out.CreatedAt = stored(out.CreatedAt)
	err := db.write(ctx, func(tx pgx.Tx) error {
		if err := mustExist(ctx, tx, `SELECT count(*) FROM users WHERE id = $1`, out.UserID, "user"); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO feed_tokens (user_id, feed, hash, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (hash) DO NOTHING RETURNING id`,
			out.UserID, out.Feed, out.Hash, out.CreatedAt).Scan(&out.ID)
		if errors.Is(err, pgx.ErrNoRows) {
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
	t, err := scanFeedToken(db.pool.QueryRow(ctx, `SELECT `+feedTokenColumns+` FROM feed_tokens WHERE hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return newstrace.FeedToken{}, newstrace.Errorf(newstrace.ENOTFOUND, "feed token not found")
	} else if err != nil {
		return newstrace.FeedToken{}, fmt.Errorf("get feed token: %w", err)
	}
	return t, nil
}

// FeedTokens lists userID's feed tokens, oldest first.
func (db *DB) FeedTokens(ctx context.Context, userID int64) ([]newstrace.FeedToken, error) {
	rows, _ := db.pool.Query(ctx, `SELECT `+feedTokenColumns+` FROM feed_tokens WHERE user_id = $1 ORDER BY id`, userID)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (newstrace.FeedToken, error) { return scanFeedToken(r) })
	if err != nil {
		return nil, fmt.Errorf("list feed tokens of user %d: %w", userID, err)
	}
	return out, nil
}

// DeleteFeedToken revokes userID's token id.
func (db *DB) DeleteFeedToken(ctx context.Context, userID, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM feed_tokens WHERE id = $1 AND user_id = $2`, id, userID)
	if err == nil && tag.RowsAffected() == 0 {
		err = newstrace.Errorf(newstrace.ENOTFOUND, "feed token %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("delete feed token %d: %w", id, err)
	}
	return nil
}

func scanFeedToken(r pgx.Row) (newstrace.FeedToken, error) {
	var t newstrace.FeedToken
	err := r.Scan(&t.ID, &t.UserID, &t.Feed, &t.Hash, &t.CreatedAt)
	t.CreatedAt = t.CreatedAt.UTC()
	return t, err
}
