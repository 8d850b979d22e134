// Package postgres implements newstrace.Store on PostgreSQL through pgx v5.
//
// It is the backend for more than one machine: any number of `serve` and
// `worker` processes share one database, so every read-modify-write here is
// safe under concurrent transactions from other processes (row locks,
// ON CONFLICT, or transaction-scoped advisory locks), never process memory.
//
// Times are timestamptz, so they keep microseconds (PostgreSQL's precision);
// pgx truncates the nanoseconds Go carries. JSON fields are jsonb.
package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/newstrace/newstrace"
)

var _ newstrace.Store = (*DB)(nil)

// Options tune Open; zero values take the defaults.
type Options struct {
	// Schema holds newstrace's tables (and River's, when the job queue shares
	// the database); it is created if missing. Default "public".
	Schema string
	// Migrate applies pending migrations on open. Without it, Open refuses a
	// schema that is not exactly at this binary's version (see ErrSchema).
	Migrate bool
	// MaxConns caps the pool; default pgxpool's (max(4, cores)).
	MaxConns int32
	Logger   *slog.Logger
}

// DB is the PostgreSQL store.
type DB struct {
	pool   *pgxpool.Pool
	schema string
	logger *slog.Logger

	// Now is the store's clock for created_at and default first-seen times.
	Now func() time.Time
}

// Open connects to dsn (a postgres:// URL), sets the search path to the
// schema and checks (or, with opt.Migrate, brings) it to this binary's
// migration version.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	opt.Schema = cmp.Or(opt.Schema, "public")
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, newstrace.Errorf(newstrace.EINVALID, "invalid PostgreSQL URL: %v", err)
	}
	if opt.MaxConns > 0 && !strings.Contains(dsn, "pool_max_conns") { // the URL's own setting wins
		cfg.MaxConns = opt.MaxConns
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = opt.Schema
	cfg.ConnConfig.RuntimeParams["application_name"] = "newstrace"
	where := cfg.ConnConfig.Host + "/" + cfg.ConnConfig.Database
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL %s: %w", where, err)
	}
	db := &DB{pool: pool, schema: opt.Schema, logger: opt.Logger.With("component", "postgres"), Now: time.Now}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL %s: %w", where, err)
	}
	if _, err := pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{opt.Schema}.Sanitize()); err != nil && opt.Migrate {
		pool.Close()
		return nil, fmt.Errorf("create schema %s: %w", opt.Schema, err)
	}
	if opt.Migrate {
		err = db.Migrate(ctx)
	} else {
		err = db.CheckSchema(ctx)
	}
	if err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Pool is the connection pool, for River's pgx driver to share.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Schema is the schema holding the tables.
func (db *DB) Schema() string { return db.schema }

// Close closes the pool.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping PostgreSQL: %w", err)
	}
	return nil
}

// write runs fn in one READ COMMITTED read-write transaction and commits
// it. The isolation level is explicit because the concurrency reasoning
// here (advisory lock, then a statement that sees what the previous lock
// holder committed) depends on it, whatever the server's default.
func (db *DB) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, fn)
}

// read runs fn in one read-only REPEATABLE READ transaction, so multi-query
// reads see one snapshot.
func (db *DB) read(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// lock takes a transaction-scoped advisory lock on key (released at commit
// or rollback), serialising one kind of read-modify-write across processes.
func lock(ctx context.Context, tx pgx.Tx, key string) error {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key); err != nil {
		return fmt.Errorf("lock %s: %w", key, err)
	}
	return nil
}

// now is the store clock at the precision the database keeps, so a time
// the store sets and returns equals the one it reads back later.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// stored is t as a timestamptz column keeps it: UTC, truncated to the
// microsecond (pgx truncates the nanoseconds in its binary encoding).
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// fromNull turns a scanned nullable timestamptz into a UTC time, the zero
// time for NULL.
func fromNull(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullTime maps the zero time to NULL for a nullable column.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// nullID maps the zero ID to NULL for optional foreign keys.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// isUnique reports whether err is a unique or primary-key violation.
func isUnique(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// isForeignKey reports whether err is a foreign-key violation.
func isForeignKey(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23503"
}

// limitOffset turns a filter's limit into SQL LIMIT/OFFSET values: 0 means
// def, negative means no limit (LIMIT NULL is none in PostgreSQL).
func limitOffset(limit, offset, def int) (any, int) {
	if limit == 0 {
		limit = def
	}
	if limit < 0 {
		return nil, max(offset, 0)
	}
	return limit, max(offset, 0)
}

// scanAll scans every row with scan; no rows is a nil slice.
func scanAll[T any](rows pgx.Rows, scan func(pgx.Row) (T, error)) ([]T, error) {
	return pgx.AppendRows([]T(nil), rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// sqlArgs numbers the arguments of a query built from conditions: add
// appends one and returns its placeholder.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}
