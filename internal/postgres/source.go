package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
)

const sourceColumns = `id, name, site_url, language, created_at`

// EnsureSource returns the source named s.Name, creating it from s if none exists.
func (db *DB) EnsureSource(ctx context.Context, s newstrace.Source) (newstrace.Source, error) {
	var out newstrace.Source
	err := db.write(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = db.ensureSource(ctx, tx, s)
		return err
	})
	if err != nil {
		return newstrace.Source{}, fmt.Errorf("ensure source %q: %w", s.Name, err)
	}
	return out, nil
}

// ensureSource looks the name up, inserts it when missing and, when another
// transaction inserted it in the meantime (ON CONFLICT waits for that one
// to commit), reads the winner's row: two processes get one source, no error.
func (db *DB) ensureSource(ctx context.Context, tx pgx.Tx, s newstrace.Source) (newstrace.Source, error) {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return newstrace.Source{}, newstrace.Errorf(newstrace.EINVALID, "source name required")
	}
	const qByName = `SELECT ` + sourceColumns + ` FROM sources WHERE name = $1`
	existing, err := scanSource(tx.QueryRow(ctx, qByName, s.Name))
	if err == nil {
		return existing, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return newstrace.Source{}, err
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.now()
	}
	s.CreatedAt = stored(s.CreatedAt)
	err = tx.QueryRow(ctx, `INSERT INTO sources (name, site_url, language, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO NOTHING RETURNING id`,
		s.Name, s.SiteURL, s.Language, s.CreatedAt).Scan(&s.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		// READ COMMITTED: this statement's snapshot sees the row that won.
		return scanSource(tx.QueryRow(ctx, qByName, s.Name))
	} else if err != nil {
		return newstrace.Source{}, err
	}
	return s, nil
}

// Source returns the source with id.
func (db *DB) Source(ctx context.Context, id int64) (newstrace.Source, error) {
	s, err := scanSource(db.pool.QueryRow(ctx, `SELECT `+sourceColumns+` FROM sources WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return newstrace.Source{}, newstrace.Errorf(newstrace.ENOTFOUND, "source %d not found", id)
	} else if err != nil {
		return newstrace.Source{}, fmt.Errorf("get source %d: %w", id, err)
	}
	return s, nil
}

// Sources lists every source by name (bytewise, as SQLite sorts).
func (db *DB) Sources(ctx context.Context) ([]newstrace.Source, error) {
	rows, _ := db.pool.Query(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY name COLLATE "C", id`)
	out, err := scanAll(rows, scanSource)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

func scanSource(r pgx.Row) (newstrace.Source, error) {
	var s newstrace.Source
	err := r.Scan(&s.ID, &s.Name, &s.SiteURL, &s.Language, &s.CreatedAt)
	s.CreatedAt = s.CreatedAt.UTC()
	return s, err
}
