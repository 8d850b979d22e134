package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // database/sql driver "sqlite", pure Go
)

// benchStore is the store a bench run prepares and watches. The bench
// reads it directly (document count) and, to start the re-poll phase,
// marks every feed due with one UPDATE of feeds.next_poll_at: this couples
// the bench to that column, on purpose, so the engine needs no test hook.
type benchStore interface {
	// Args are the store flags for newstrace commands, WorkerArgs those of
	// the workers; Env their environment.
	Args() []string
	WorkerArgs() []string
	Env() []string
	Documents(ctx context.Context) (int64, error)
	// RepollAll marks every feed whose last poll worked due now, as
	// if its interval had passed (failing feeds stay in their backoff, as
	// in steady state), and returns how many.
	RepollAll(ctx context.Context) (int, error)
	// Connections lists the database's connections other than the bench's
	// own: count per application_name, and the backend pids of the store's
	// (application_name newstrace).
	Connections(ctx context.Context) (map[string]int, []int, error)
	Describe() string
	// FeedState describes the store's row of the feed at url (diagnostics).
	FeedState(ctx context.Context, url string) string
	Close(keep bool) error
}

const qFeedState = `SELECT url, next_poll_at, failure_count, last_error FROM feeds WHERE url = $1 OR url = $2 OR url = $3`

// feedStateURLs are the URLs a farm feed may be stored under: its own and
// the target of a remembered 301.
func feedStateURLs(url string) []any {
	return []any{url, strings.Replace(url, "/f/", "/moved/", 1), strings.Replace(url, "/f/", "/live/", 1)}
}

// sqliteStore is a fresh --data directory.
type sqliteStore struct {
	dir string
	db  *sql.DB // opened once the store file exists
}

func newSQLiteStore(work string) *sqliteStore {
	return &sqliteStore{dir: filepath.Join(work, "data")}
}

func (s *sqliteStore) Args() []string       { return []string{"--data", s.dir} }
func (s *sqliteStore) Env() []string        { return nil }
func (s *sqliteStore) WorkerArgs() []string { return s.Args() }
func (s *sqliteStore) Describe() string     { return "SQLite in " + s.dir }

func (s *sqliteStore) open() error {
	if s.db != nil {
		return nil
	}
	path := filepath.Join(s.dir, "newstrace.db")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	s.db = db
	return nil
}

func (s *sqliteStore) Documents(ctx context.Context) (int64, error) {
	if err := s.open(); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM documents`).Scan(&n)
	return n, err
}

func (s *sqliteStore) RepollAll(ctx context.Context) (int, error) {
	if err := s.open(); err != nil {
		return 0, err
	}
	// The store's time layout (internal/sqlite timeLayout), compared as text.
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
	res, err := s.db.ExecContext(ctx, `UPDATE feeds SET next_poll_at = ? WHERE failure_count = 0`, now)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (s *sqliteStore) FeedState(ctx context.Context, url string) string {
	if err := s.open(); err != nil {
		return err.Error()
	}
	var u, next, lastErr string
	var fails int
	q := strings.NewReplacer("$1", "?", "$2", "?", "$3", "?").Replace(qFeedState)
	if err := s.db.QueryRowContext(ctx, q, feedStateURLs(url)...).Scan(&u, &next, &fails, &lastErr); err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s next_poll_at=%s failures=%d last_error=%q", u, next, fails, lastErr)
}

func (s *sqliteStore) Connections(context.Context) (map[string]int, []int, error) {
	return nil, nil, nil
}

func (s *sqliteStore) Close(keep bool) error {
	var err error
	if s.db != nil {
		err = s.db.Close()
	}
	return err
}

// pgStore is a fresh schema in a database of its own on the server: other
// users of the server (tests) then never count in pg_stat_activity.
type pgStore struct {
	url       string // the bench database's DSN
	pool      int    // > 0: the workers' pool size (pool_max_conns in their DSN)
	schema    string
	useFlag   bool // the binary takes --pg-schema
	conn      *pgx.Conn
	createdDB string
}

// newPGStore prepares database dbName (created when missing; "" = the
// URL's own) and a fresh schema in it. With a binary that has no
// --pg-schema, the database's public schema is emptied instead, which is
// only allowed in a database of the bench's own.
func newPGStore(ctx context.Context, rawURL, dbName string, schemaFlag bool) (*pgStore, error) {
	if rawURL == "" {
		return nil, errors.New("--backend postgres needs --pg URL (or NEWSTRACE_TEST_POSTGRES)")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("--pg: %w", err)
	}
	if dbName != "" {
		admin, err := connect(ctx, rawURL)
		if err != nil {
			return nil, err
		}
		var exists bool
		err = admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, dbName).Scan(&exists)
		if err == nil && !exists {
			_, err = admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{dbName}.Sanitize())
		}
		admin.Close(ctx)
		if err != nil {
			return nil, fmt.Errorf("create database %s: %w", dbName, err)
		}
		u.Path = "/" + dbName
	} else if !schemaFlag {
		return nil, errors.New("this newstrace binary has no --pg-schema: give --pg-db so the bench can use a database of its own")
	}
	s := &pgStore{url: u.String(), useFlag: schemaFlag}
	if s.conn, err = connect(ctx, s.url); err != nil {
		return nil, err
	}
	if schemaFlag {
		s.schema = fmt.Sprintf("farm_%d", time.Now().Unix())
		_, err = s.conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{s.schema}.Sanitize())
	} else {
		s.schema = "public"
		_, err = s.conn.Exec(ctx, `DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public`)
	}
	if err != nil {
		s.conn.Close(ctx)
		return nil, fmt.Errorf("fresh schema %s: %w", s.schema, err)
	}
	return s, nil
}

// connect opens the bench's own connection (application_name
// newstrace-farm, not counted). pgxpool's pool_* parameters, meant for the
// workers' pools, are left out: to pgx alone they would be server settings.
func connect(ctx context.Context, dsn string) (*pgx.Conn, error) {
	if u, err := url.Parse(dsn); err == nil {
		q := u.Query()
		for k := range q {
			if strings.HasPrefix(k, "pool_") {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("--pg: %w", err)
	}
	cfg.RuntimeParams["application_name"] = "newstrace-farm"
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect %s@%s/%s: %w", cfg.User, cfg.Host, cfg.Database, err)
	}
	return c, nil
}

func (s *pgStore) Args() []string {
	a := []string{"--db", s.url}
	if s.useFlag {
		a = append(a, "--pg-schema", s.schema)
	}
	return a
}

// WorkerArgs are Args with the workers' pool size, which only pgxpool
// understands (migrate and import connect without a pool).
func (s *pgStore) WorkerArgs() []string {
	a := s.Args()
	if u, err := url.Parse(s.url); err == nil && s.pool > 0 {
		q := u.Query()
		q.Set("pool_max_conns", fmt.Sprint(s.pool))
		u.RawQuery = q.Encode()
		a[1] = u.String()
	}
	return a
}

func (s *pgStore) Env() []string { return []string{"NEWSTRACE_PG_SCHEMA=" + s.schema} }

func (s *pgStore) Describe() string {
	u, _ := url.Parse(s.url)
	if u != nil {
		u.User = nil
		return fmt.Sprintf("PostgreSQL %s, schema %s", u.Redacted(), s.schema)
	}
	return "PostgreSQL, schema " + s.schema
}

func (s *pgStore) table(name string) string { return pgx.Identifier{s.schema, name}.Sanitize() }

func (s *pgStore) Documents(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn.QueryRow(ctx, "SELECT count(*) FROM "+s.table("documents")).Scan(&n)
	return n, err
}

func (s *pgStore) RepollAll(ctx context.Context) (int, error) {
	tag, err := s.conn.Exec(ctx, "UPDATE "+s.table("feeds")+" SET next_poll_at = now() WHERE failure_count = 0")
	return int(tag.RowsAffected()), err
}

func (s *pgStore) FeedState(ctx context.Context, url string) string {
	var u, lastErr string
	var next time.Time
	var fails int
	q := strings.Replace(qFeedState, "FROM feeds", "FROM "+s.table("feeds"), 1)
	err := s.conn.QueryRow(ctx, q, feedStateURLs(url)...).Scan(&u, &next, &fails, &lastErr)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s next_poll_at=%s failures=%d last_error=%q", u, next.UTC().Format(time.RFC3339Nano), fails, lastErr)
}

func (s *pgStore) Connections(ctx context.Context) (map[string]int, []int, error) {
	rows, err := s.conn.Query(ctx, `SELECT coalesce(application_name, ''), pid FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	byApp, pids := map[string]int{}, []int(nil)
	for rows.Next() {
		var app string
		var pid int
		if err := rows.Scan(&app, &pid); err != nil {
			return nil, nil, err
		}
		byApp[app]++
		if app == "newstrace" {
			pids = append(pids, pid)
		}
	}
	return byApp, pids, rows.Err()
}

func (s *pgStore) Close(keep bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	if !keep && s.schema != "public" {
		_, err = s.conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{s.schema}.Sanitize()+" CASCADE")
	}
	return errors.Join(err, s.conn.Close(ctx))
}

// hasFlag reports whether `bin CMD -h` mentions flag.
func hasFlag(ctx context.Context, bin, cmd, flag string) bool {
	out, _ := commandOutput(ctx, bin, nil, cmd, "-h")
	return strings.Contains(out, "-"+flag)
}
