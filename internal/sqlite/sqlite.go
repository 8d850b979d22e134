// Package sqlite implements newstrace.Store on modernc.org/sqlite (pure Go).
//
// One file, two pools: a single-connection writer whose transactions begin
// IMMEDIATE (so writers queue on the busy timeout instead of failing on lock
// upgrade) and a reader pool that WAL lets run beside it. Every connection
// gets its pragmas from the DSN.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

var _ newstrace.Store = (*DB)(nil)

// pragmas apply to every connection of both pools.
const pragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"

// readers is the size of the read pool; SQLite readers do not block each other under WAL.
const readers = 4

// DB is the SQLite store.
type DB struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	logger *slog.Logger
	near   nearStmt // the prepared LSH lookup (match.go)
	df     dfCache  // document frequencies and filter sizes for search (rank_df.go)

	// Now is the store's clock for created_at and default first-seen times.
	Now func() time.Time
}

// Open opens (creating if needed) the database file at path and applies
// the embedded migrations.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, newstrace.Errorf(newstrace.EINVALID, "invalid sqlite path %q", path)
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
	}
	db := &DB{path: path, logger: slog.Default().With("component", "sqlite"), Now: time.Now, df: dfCache{m: map[string]dfEntry{}}}

	var err error
	if db.writer, err = sql.Open("sqlite", path+"?"+pragmas+"&_txlock=immediate"); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.writer.SetMaxOpenConns(1)
	db.writer.SetConnMaxIdleTime(0)
	if path == ":memory:" {
		// Each in-memory connection is its own database, so share the one.
		db.reader = db.writer
	} else {
		// The writer first: it turns the file to WAL before readers attach.
		if err := db.writer.PingContext(ctx); err != nil {
			db.writer.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		// Readers map the file: an LSH lookup touches ~32 random pages, and
		// reads through the map stay flat in store size where pread misses do not.
		if db.reader, err = sql.Open("sqlite", path+"?"+pragmas+"&_pragma=query_only(1)&_pragma=mmap_size(1073741824)"); err != nil {
			db.writer.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		db.reader.SetMaxOpenConns(readers)
		db.reader.SetMaxIdleConns(readers)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	if db.reader != nil && db.reader != db.writer {
		errs = append(errs, db.reader.Close())
	}
	if db.writer != nil {
		errs = append(errs, db.writer.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that both pools answer.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.reader.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("ping sqlite %s: %w", db.path, err)
	}
	if err := db.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite writer %s: %w", db.path, err)
	}
	return nil
}

// write runs fn in one writer transaction and commits it.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in one read transaction, so multi-query reads see one snapshot.
func (db *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.reader != db.writer})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

func (db *DB) now() time.Time { return db.Now().UTC() }

// timeLayout is fixed-width so that text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// formatTime renders t in UTC for a NOT NULL column (zero time included).
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime renders t for a nullable column: the zero time is NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// ptrTime renders *t for a nullable column: nil is NULL.
func ptrTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse time %q: %w", s, err)
	}
	if t.IsZero() {
		return time.Time{}, nil
	}
	return t.UTC(), nil
}

func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// nullID maps the zero ID to NULL for optional foreign keys.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *sqlite3.Error
	if !errors.As(err, &e) {
		return false
	}
	c := e.Code()
	return c == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY
}

// limitOffset turns a filter's limit into SQL LIMIT/OFFSET values: 0 means
// def, negative means no limit (SQLite reads LIMIT -1 as none).
func limitOffset(limit, offset, def int) (int, int) {
	if limit == 0 {
		limit = def
	}
	if limit < 0 {
		limit = -1
	}
	return limit, max(offset, 0)
}
