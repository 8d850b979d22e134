package jobs

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// NewPostgres returns a Runner whose queue lives in PostgreSQL (cfg.Schema,
// or the pool's search_path), after applying River's migrations (with
// cfg.SkipMigrate, after checking that MigratePostgres applied them). The pool
// stays the caller's: Stop does not close it. Any number of processes may
// run a Runner on the same database; River elects one leader for the
// periodic schedule.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, work Work, cfg Config) (*Runner, error) {
	if pool == nil {
		return nil, errors.New("jobs: nil pgx pool")
	}
	r, err := newRunner(ctx, riverpgxv5.New(pool), work, cfg)
	if err != nil {
		return nil, err
	}
	r.depth = pgDepth(pool, cfg.Schema)
	return r, nil
}
