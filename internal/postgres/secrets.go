package postgres

import (
	"context"
	"fmt"

	"github.com/newstrace/newstrace"
)

var _ newstrace.SecretStore = (*DB)(nil)

// Secret returns the secret called name, inserting gen's value when there
// is none; ON CONFLICT makes the first writer win for everyone.
func (db *DB) Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	var v []byte
	err := db.pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&v)
	if err == nil {
		return v, nil
	}
	fresh, err := gen()
	if err != nil {
		return nil, fmt.Errorf("make secret %s: %w", name, err)
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, fmt.Errorf("store secret %s: %w", name, err)
	}
	if err := db.pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("read secret %s: %w", name, err)
	}
	return v, nil
}
