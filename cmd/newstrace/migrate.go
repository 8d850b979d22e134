package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/newstrace/newstrace/internal/jobs"
	_ "modernc.org/sqlite" // database/sql driver "sqlite", to read a store's version before opening it
)

// runMigrate brings the store, and on PostgreSQL the job queue, to this
// binary's schema and prints the versions before and after. Running it
// again changes nothing.
func runMigrate(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("migrate", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("migrate takes no arguments, got %q", fs.Arg(0))
	}
	if m.isPostgres() {
		return m.migratePostgres(ctx)
	}
	path, err := m.sqlitePath()
	if err != nil {
		return err
	}
	before, err := sqliteVersion(ctx, path)
	if err != nil {
		return err
	}
	store, err := m.openStore(ctx) // opening the embedded store migrates it
	if err != nil {
		return err
	}
	defer store.Close()
	v, ok := store.(interface {
		SchemaVersion(ctx context.Context) (int, int, error)
	})
	if !ok {
		return errors.New("this store has no migrations")
	}
	cur, latest, err := v.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	writeLine(m.Stdout, "store %s: schema version %d → %d (latest %d)", path, before, cur, latest)
	return nil
}

// migratePostgres applies the store's migrations, then River's, both in
// --pg-schema. Each is safe to run from several processes at once.
func (m *Main) migratePostgres(ctx context.Context) error {
	schema := m.pgSchema()
	before, err := pgStoreVersion(ctx, m.DB, schema)
	if err != nil {
		return err
	}
	db, err := m.openPostgres(ctx, true)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer db.Close()
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if cur > latest {
		return db.CheckSchema(ctx) // says: newer than this newstrace, upgrade
	}
	writeLine(m.Stdout, "store in PostgreSQL schema %q: version %d → %d (latest %d)", schema, before, cur, latest)
	qBefore, qAfter, err := jobs.MigratePostgres(ctx, db.Pool(), db.Schema(), m.log(slog.LevelWarn))
	if err != nil {
		return fmt.Errorf("migrate the job queue: %w", err)
	}
	writeLine(m.Stdout, "job queue (River) in PostgreSQL schema %q: version %d → %d (latest %d)",
		schema, qBefore.Current, qAfter.Current, qAfter.Latest)
	return nil
}

// pgStoreVersion reads the store's migration version in schema (0 when
// none was applied) on one short connection, before Open migrates it.
func pgStoreVersion(ctx context.Context, dsn, schema string) (int, error) {
	// Parsed as the store's pool parses it, so pool settings in the URL
	// (pool_max_conns=…) are understood rather than sent to the server.
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return 0, fmt.Errorf("invalid PostgreSQL URL: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return 0, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	table := pgx.Identifier{schema, "schema_migrations"}.Sanitize()
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := conn.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM `+table).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// sqliteVersion reads the migration version of the store file at path,
// read-only; 0 when the file or its migrations table does not exist yet.
func sqliteVersion(ctx context.Context, path string) (int, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, fmt.Errorf("open store %s: %w", path, err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read schema version of %s: %w", path, err)
	}
	if n == 0 {
		return 0, nil
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version of %s: %w", path, err)
	}
	return v, nil
}
