package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// NewSQLite opens (creating if needed) the queue database at queuePath,
// applies River's migrations and returns a Runner on it. Stop closes it.
//
// The queue gets its own file and a one-connection pool: River's SQLite
// driver needs a single connection to avoid SQLITE_BUSY, and on a shared
// file its frequent small writes would contend with the store's writer.
// Keep queuePath apart from the store's database.
func NewSQLite(ctx context.Context, queuePath string, work Work, cfg Config) (*Runner, error) {
	if queuePath == "" {
		return nil, errors.New("jobs: empty queue path")
	}
	db, err := sql.Open("sqlite", sqliteDSN(queuePath))
	if err != nil {
		return nil, fmt.Errorf("jobs: open queue %s: %w", queuePath, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0) // keep the one connection: reopening costs pragmas
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("jobs: open queue %s: %w", queuePath, err)
	}
	r, err := newRunner(ctx, riversqlite.New(db), work, cfg)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("queue %s: %w", queuePath, err)
	}
	r.close = db.Close
	r.depth = sqliteDepth(db)
	return r, nil
}

func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)") // WAL + NORMAL: durable across app crashes, cheap commits
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}
