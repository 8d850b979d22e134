package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// newPostgresRunner gives each test run its own schema, dropped afterwards.
func newPostgresRunner(t *testing.T, w Work, cfg Config) *Runner {
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
