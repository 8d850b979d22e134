package storecopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/newstrace/newstrace/internal/sqlite"
)

// OpenSQLite opens the SQLite store at path for copying: it must exist (a
// typo must not create an empty store and copy nothing). It is first brought
// to this binary's schema through the store itself, so its columns are the
// ones this binary knows, then reopened read-only.
func OpenSQLite(ctx context.Context, path string) (*sql.DB, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("SQLite store %s does not exist", path)
	}
	if err != nil {
		return nil, fmt.Errorf("SQLite store: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("SQLite store %s is a directory (give the database file, e.g. %s/newstrace.db)", path, strings.TrimSuffix(path, "/"))
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	cur, latest, err := db.SchemaVersion(ctx)
	if err == nil && cur > latest {
		err = fmt.Errorf("SQLite store %s is at schema version %d, newer than this newstrace knows (%d): upgrade newstrace", path, cur, latest)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, fmt.Errorf("close SQLite store %s: %w", path, err)
	}
	// A URI filename: % would start an escape.
	dsn := "file:" + strings.ReplaceAll(path, "%", "%25") +
		"?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)&_pragma=mmap_size(268435456)"
	ro, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open SQLite store %s: %w", path, err)
	}
	// One connection: Copy reads everything in one transaction.
	ro.SetMaxOpenConns(1)
	if err := ro.PingContext(ctx); err != nil {
		ro.Close()
		return nil, fmt.Errorf("open SQLite store %s: %w", path, err)
	}
	return ro, nil
}
