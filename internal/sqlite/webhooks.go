package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/newstrace/newstrace"
)

// CreateWebhook stores w, filling w.ID and w.CreatedAt.
func (db *DB) CreateWebhook(ctx context.Context, w *newstrace.Webhook) error {
	if w == nil || strings.TrimSpace(w.URL) == "" || w.Secret == "" {
		return newstrace.Errorf(newstrace.EINVALID, "webhook needs a URL and a secret")
	}
	switch w.Event {
	case newstrace.EventOutletAdded:
	case newstrace.EventSearchMatch:
		if strings.TrimSpace(w.Query) == "" {
			return newstrace.Errorf(newstrace.EINVALID, "a %s webhook needs a query", w.Event)
		}
	default:
		return newstrace.Errorf(newstrace.EINVALID, "unknown webhook event %q", w.Event)
	}
	out := *w
	if out.CreatedAt.IsZero() {
		out.CreatedAt = db.now()
	}
	out.CreatedAt = out.CreatedAt.UTC()
	err := db.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO webhooks (url, event, query, secret, allow_private, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			out.URL, out.Event, out.Query, out.Secret, out.AllowPrivate, formatTime(out.CreatedAt)).Scan(&out.ID)
	})
	if err != nil {
		return fmt.Errorf("create webhook %s: %w", w.URL, err)
	}
	*w = out
	return nil
}

// Webhooks lists every webhook, oldest first.
func (db *DB) Webhooks(ctx context.Context) ([]newstrace.Webhook, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT id, url, event, query, secret, allow_private, created_at FROM webhooks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	out := []newstrace.Webhook{}
	for rows.Next() {
		var w newstrace.Webhook
		var created string
		if err := rows.Scan(&w.ID, &w.URL, &w.Event, &w.Query, &w.Secret, &w.AllowPrivate, &created); err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		if w.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// DeleteWebhook removes webhook id; ENOTFOUND when there is none.
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return newstrace.Errorf(newstrace.ENOTFOUND, "webhook %d not found", id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete webhook %d: %w", id, err)
	}
	return nil
}
