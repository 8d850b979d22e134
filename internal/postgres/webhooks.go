package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
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
	out.CreatedAt = stored(out.CreatedAt)
	err := db.pool.QueryRow(ctx, `INSERT INTO webhooks (url, event, query, secret, allow_private, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		out.URL, out.Event, out.Query, out.Secret, out.AllowPrivate, out.CreatedAt).Scan(&out.ID)
	if err != nil {
		return fmt.Errorf("create webhook %s: %w", w.URL, err)
	}
	*w = out
	return nil
}

// Webhooks lists every webhook, oldest first.
func (db *DB) Webhooks(ctx context.Context) ([]newstrace.Webhook, error) {
	rows, _ := db.pool.Query(ctx, `SELECT id, url, event, query, secret, allow_private, created_at FROM webhooks ORDER BY id`)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (newstrace.Webhook, error) {
		var w newstrace.Webhook
		err := r.Scan(&w.ID, &w.URL, &w.Event, &w.Query, &w.Secret, &w.AllowPrivate, &w.CreatedAt)
		w.CreatedAt = w.CreatedAt.UTC()
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// DeleteWebhook removes webhook id; ENOTFOUND when there is none.
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = newstrace.Errorf(newstrace.ENOTFOUND, "webhook %d not found", id)
	}
	if err != nil {
		return fmt.Errorf("delete webhook %d: %w", id, err)
	}
	return nil
}
