package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace/internal/migration"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations lists the embedded files NNNN_name.sql in version order.
func migrations() ([]migration.Migration, error) { return migration.Load(migrationFS) }

// migrateLock serialises migrators: two processes running `migrate` at once
// apply each migration once.
const migrateLock = "newstrace:migrate"

// Migrate applies every embedded migration not yet recorded in
// schema_migrations, each in its own transaction. Running it again is a no-op.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := db.pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("create schema_migrations in %s: %w", db.schema, err)
	}
	for _, m := range ms {
		applied := false
		err := db.write(ctx, func(tx pgx.Tx) error {
			if err := lock(ctx, tx, migrateLock+":"+db.schema); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			applied = true
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
		if applied {
			db.logger.InfoContext(ctx, "applied migration", "version", m.Version, "name", m.Name, "schema", db.schema)
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration (0 for an empty
// schema) and the highest embedded one.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	var exists bool
	if err := db.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, latest, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return 0, latest, nil
	}
	if err := db.pool.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, latest, fmt.Errorf("read schema version: %w", err)
	}
	return current, latest, nil
}

// ErrSchema is wrapped by CheckSchema's errors, so callers can tell "run
// migrate" from a connection failure.
var ErrSchema = errors.New("schema version mismatch")

// CheckSchema refuses a schema this binary cannot run on: unmigrated (run
// `newstrace migrate`) or migrated by a newer newstrace (upgrade first).
func (db *DB) CheckSchema(ctx context.Context) error {
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case cur < latest:
		return schemaError(fmt.Sprintf(
			"PostgreSQL schema %q is at version %d, this newstrace needs %d: run 'newstrace migrate' with the same --db first",
			db.schema, cur, latest))
	case cur > latest:
		return schemaError(fmt.Sprintf(
			"PostgreSQL schema %q is at version %d, newer than this newstrace knows (%d): upgrade newstrace",
			db.schema, cur, latest))
	}
	return nil
}

// schemaError is a one-line message that still matches ErrSchema.
type schemaError string

func (e schemaError) Error() string        { return string(e) }
func (e schemaError) Is(target error) bool { return target == ErrSchema }
