package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded files NNNN_name.sql in version order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var ms []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", base)
		}
		b, err := migrationFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", base, err)
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

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
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			applied = true
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
		if applied {
			db.logger.InfoContext(ctx, "applied migration", "version", m.version, "name", m.name, "schema", db.schema)
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
		latest = ms[len(ms)-1].version
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
