package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/newstrace/newstrace/internal/migration"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations lists the embedded files NNNN_name.sql in version order.
func migrations() ([]migration.Migration, error) { return migration.Load(migrationFS) }

// Migrate applies every embedded migration not yet recorded in
// schema_migrations, each in its own transaction. Running it again is a no-op.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := db.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range ms {
		applied := false
		err := db.write(ctx, func(tx *sql.Tx) error {
			// Checked inside the IMMEDIATE transaction so two processes
			// opening the same file cannot both apply a migration.
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			applied = true
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, formatTime(db.now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.Name, err)
		}
		if applied {
			db.logger.InfoContext(ctx, "applied migration", "version", m.Version, "name", m.Name, "path", db.path)
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration and the highest embedded one.
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	if len(ms) > 0 {
		latest = ms[len(ms)-1].Version
	}
	var exists int
	if err := db.reader.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists); err != nil {
		return 0, latest, fmt.Errorf("schema version: %w", err)
	}
	if exists == 0 {
		return 0, latest, nil
	}
	if err := db.reader.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, latest, fmt.Errorf("schema version: %w", err)
	}
	return current, latest, nil
}
