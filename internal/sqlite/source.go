package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/newstrace/newstrace"
)

const sourceColumns = `id, name, site_url, language, created_at`

// EnsureSource returns the source named s.Name, creating it from s if none exists.
func (db *DB) EnsureSource(ctx context.Context, s newstrace.Source) (newstrace.Source, error) {
	var out newstrace.Source
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = db.ensureSource(ctx, tx, s)
		return err
	})
	if err != nil {
		return newstrace.Source{}, fmt.Errorf("ensure source %q: %w", s.Name, err)
	}
	return out, nil
}

func (db *DB) ensureSource(ctx context.Context, tx *sql.Tx, s newstrace.Source) (newstrace.Source, error) {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return newstrace.Source{}, newstrace.Errorf(newstrace.EINVALID, "source name required")
	}
	existing, err := scanSource(tx.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE name = ?`, s.Name))
	if err == nil {
		return existing, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return newstrace.Source{}, err
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.now()
	}
	s.CreatedAt = s.CreatedAt.UTC()
	err = tx.QueryRowContext(ctx, `INSERT INTO sources (name, site_url, language, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		s.Name, s.SiteURL, s.Language, formatTime(s.CreatedAt)).Scan(&s.ID)
	if err != nil {
		return newstrace.Source{}, err
	}
	return s, nil
}

// Source returns the source with id.
func (db *DB) Source(ctx context.Context, id int64) (newstrace.Source, error) {
	s, err := scanSource(db.reader.QueryRowContext(ctx, `SELECT `+sourceColumns+` FROM sources WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return newstrace.Source{}, newstrace.Errorf(newstrace.ENOTFOUND, "source %d not found", id)
	} else if err != nil {
		return newstrace.Source{}, fmt.Errorf("get source %d: %w", id, err)
	}
	return s, nil
}

// Sources lists every source by name.
func (db *DB) Sources(ctx context.Context) ([]newstrace.Source, error) {
	rows, err := db.reader.QueryContext(ctx, `SELECT `+sourceColumns+` FROM sources ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	var out []newstrace.Source
	for rows.Next() {
		s, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return out, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanSource(r scanner) (newstrace.Source, error) {
	var s newstrace.Source
	var created string
	if err := r.Scan(&s.ID, &s.Name, &s.SiteURL, &s.Language, &created); err != nil {
		return s, err
	}
	var err error
	s.CreatedAt, err = parseTime(created)
	return s, err
}
