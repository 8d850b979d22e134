package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// newPostgresRunner gives each test run its own schema, dropped afterwards.
func newPostgresRunner(t *testing.T, w Work, cfg Config) *Runner {
	t.Helper()
	pool, schema := newPostgresSchema(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg.Schema = schema
	r, err := NewPostgres(ctx, pool, w, cfg)
	if err != nil {
		t.Fatalf("NewPostgres: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return r
}

// newPostgresSchema connects to NEWSTRACE_TEST_POSTGRES (skipping the test
// when it is unset) and creates an empty schema, dropped when the test ends.
func newPostgresSchema(t *testing.T) (*pgxpool.Pool, string) {
	t.Helper()
	dsn := os.Getenv("NEWSTRACE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("set NEWSTRACE_TEST_POSTGRES=postgres://user@127.0.0.1:5432/db to run the PostgreSQL queue tests")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(pool.Close)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "newstrace_jobs_test_" + hex.EncodeToString(b)
	if _, err := pool.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	return pool, schema
}

func TestPostgresManyJobs(t *testing.T) {
	const feeds, perFeed = 20, 10
	w := newFakeWork()
	w.due = func(n int) []int64 {
		if n > 1 {
			return nil
		}
		ids := make([]int64, feeds)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		return ids
	}
	w.entries = func(feedID int64) []json.RawMessage { return makeEntries(feedID, perFeed) }
	cfg := testConfig(t)
	cfg.ScheduleEvery = 500 * time.Millisecond
	r := newPostgresRunner(t, w, cfg)
	for range 3 { // queued three times before Start: one poll
		if err := r.EnqueuePoll(context.Background(), 99); err != nil {
			t.Fatal(err)
		}
	}
	start(t, r)
	waitFor(t, w, 30*time.Second, "all entries processed", func() bool {
		return len(w.processed) == (feeds+1)*perFeed && w.dueCalls >= 2
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, n := range w.attempts {
		if n != 1 {
			t.Errorf("entry %s processed %d times, want 1", k, n)
		}
	}
	if w.polls[99] != 1 {
		t.Errorf("feed 99 polled %d times, want 1", w.polls[99])
	}
	if w.maxInflight != 1 {
		t.Errorf("a feed was polled %d times at once", w.maxInflight)
	}
}

func TestPostgresStopIdempotent(t *testing.T) {
	r := newPostgresRunner(t, newFakeWork(), testConfig(t))
	start(t, r)
	for range 2 {
		if err := r.Stop(context.Background()); err != nil {
			t.Fatalf("Stop: %v", err)
		}
	}
}

// With SkipMigrate a Runner refuses a queue River has not migrated;
// MigratePostgres migrates it, reports versions, and is idempotent.
func TestPostgresSkipMigrate(t *testing.T) {
	pool, schema := newPostgresSchema(t)
	ctx := context.Background()
	cfg := testConfig(t)
	cfg.Schema, cfg.SkipMigrate = schema, true
	if _, err := NewPostgres(ctx, pool, newFakeWork(), cfg); !errors.Is(err, ErrQueueSchema) {
		t.Fatalf("NewPostgres with SkipMigrate on an empty schema = %v, want ErrQueueSchema", err)
	} else if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), schema) {
		t.Errorf("error %q: want one line naming the schema", err)
	}
	if v, err := PostgresVersion(ctx, pool, schema); err != nil || v.Current != 0 || v.Latest == 0 {
		t.Fatalf("PostgresVersion before = %+v, %v", v, err)
	}
	before, after, err := MigratePostgres(ctx, pool, schema, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if before.Current != 0 || after.Current != after.Latest || after.Latest == 0 {
		t.Errorf("MigratePostgres: before %+v, after %+v", before, after)
	}
	before2, after2, err := MigratePostgres(ctx, pool, schema, testLogger(t))
	if err != nil || before2 != after || after2 != after {
		t.Errorf("MigratePostgres again: before %+v, after %+v, %v; want both %+v", before2, after2, err, after)
	}
	r, err := NewPostgres(ctx, pool, newFakeWork(), cfg)
	if err != nil {
		t.Fatalf("NewPostgres with SkipMigrate on a migrated queue: %v", err)
	}
	if err := r.Stop(ctx); err != nil {
		t.Fatal(err)
	}

	// A queue migrated by a newer River is refused too.
	if _, err := pool.Exec(ctx, "INSERT INTO "+pgx.Identifier{schema, "river_migration"}.Sanitize()+" (line, version) VALUES ('main', 9999)"); err != nil {
		t.Fatal(err)
	}
	if _, err := NewPostgres(ctx, pool, newFakeWork(), cfg); !errors.Is(err, ErrQueueSchema) {
		t.Errorf("NewPostgres on a newer queue = %v, want ErrQueueSchema", err)
	}
}

func TestPostgresStopReturnsJob(t *testing.T) {
	pool, schema := newPostgresSchema(t)
	checkStopReturnsJob(t, func(w Work, cfg Config) *Runner {
		cfg.Schema = schema
		r, err := NewPostgres(context.Background(), pool, w, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}, func(query string, dest ...any) error {
		return pool.QueryRow(context.Background(), strings.ReplaceAll(query, "river_job", pgx.Identifier{schema, "river_job"}.Sanitize())).Scan(dest...)
	})
}
