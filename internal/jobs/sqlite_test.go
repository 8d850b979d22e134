package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// newSQLiteRunner opens a Runner on path and stops it when the test ends.
func newSQLiteRunner(t *testing.T, path string, w Work, cfg Config) *Runner {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r, err := NewSQLite(ctx, path, w, cfg)
	if err != nil {
		t.Fatalf("NewSQLite: %v", err)
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

func start(t *testing.T, r *Runner) {
	t.Helper()
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
}

func TestNewSQLiteRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		work Work
		cfg  Config
	}{
		{name: "empty path", path: "", work: newFakeWork()},
		{name: "nil work", path: filepath.Join(dir, "a.db"), work: nil},
		{name: "negative workers", path: filepath.Join(dir, "b.db"), work: newFakeWork(), cfg: Config{PollWorkers: -1}},
		{name: "missing directory", path: filepath.Join(dir, "no", "such", "q.db"), work: newFakeWork()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewSQLite(context.Background(), tt.path, tt.work, tt.cfg)
			if err == nil {
				r.Stop(context.Background())
				t.Fatal("NewSQLite succeeded, want error")
			}
		})
	}
}

// openWorkDB opens the database the fake pipeline writes to, shaped like the
// store: WAL, busy timeout, immediate transactions, several connections.
func openWorkDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(4)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS entries (feed_id INTEGER, key TEXT, body TEXT, PRIMARY KEY (feed_id, key))`); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestSQLiteManyJobs runs hundreds of jobs through concurrent workers while
// the work itself writes to SQLite, and requires every entry to be stored
// exactly once, with no error (so no SQLITE_BUSY), in bounded time.
func TestSQLiteManyJobs(t *testing.T) {
	const feeds, perFeed = 40, 10
	tests := []struct {
		name       string
		sharedFile bool // the work writes into the queue's own file
	}{
		{name: "queue in its own file"},
		{name: "queue and work share one file", sharedFile: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			queuePath, workPath := filepath.Join(dir, "queue.db"), filepath.Join(dir, "work.db")
			if tt.sharedFile {
				workPath = queuePath
			}
			w := newFakeWork()
			ids := make([]int64, feeds)
			for i := range ids {
				ids[i] = int64(i + 1)
			}
			w.due = func(n int) []int64 {
				if n == 1 {
					return ids
				}
				return nil
			}
			w.entries = func(feedID int64) []json.RawMessage { return makeEntries(feedID, perFeed) }
			cfg := testConfig(t)
			cfg.ScheduleEvery = 500 * time.Millisecond
			r := newSQLiteRunner(t, queuePath, w, cfg)
			db := openWorkDB(t, workPath)
			var writeErrs []error
			w.process = func(ctx context.Context, feedID int64, e json.RawMessage) error {
				_, err := db.ExecContext(ctx, `INSERT INTO entries (feed_id, key, body) VALUES (?, ?, ?)`,
					feedID, entryKey(feedID, e), string(e))
				if err != nil {
					w.mu.Lock()
					writeErrs = append(writeErrs, err)
					w.mu.Unlock()
				}
				return err
			}

			began := time.Now()
			start(t, r)
			waitFor(t, w, 60*time.Second, "all entries processed", func() bool {
				return len(w.processed) == feeds*perFeed
			})
			w.mu.Lock()
			firstTick := w.firstDue
			w.mu.Unlock()
			t.Logf("%d polls + %d entries: %s after Start, %s after the first schedule run (leader election delays it)",
				feeds, feeds*perFeed, time.Since(began).Round(time.Millisecond), time.Since(firstTick).Round(time.Millisecond))

			w.mu.Lock()
			defer w.mu.Unlock()
			if len(writeErrs) > 0 {
				t.Fatalf("%d work writes failed, first: %v", len(writeErrs), writeErrs[0])
			}
			for k, n := range w.attempts {
				if n != 1 {
					t.Errorf("entry %s processed %d times, want 1", k, n)
				}
			}
			for id := int64(1); id <= feeds; id++ {
				if w.polls[id] != 1 {
					t.Errorf("feed %d polled %d times, want 1", id, w.polls[id])
				}
			}
			var stored int
			if err := db.QueryRow(`SELECT count(*) FROM entries`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if stored != feeds*perFeed {
				t.Errorf("stored %d rows, want %d", stored, feeds*perFeed)
			}
		})
	}
}

func TestSQLitePeriodicSchedule(t *testing.T) {
	w := newFakeWork()
	w.due = func(int) []int64 { return []int64{1, 2} }
	cfg := testConfig(t)
	cfg.ScheduleEvery = 300 * time.Millisecond
	r := newSQLiteRunner(t, filepath.Join(t.TempDir(), "queue.db"), w, cfg)
	start(t, r)
	// RunOnStart fires once leader election settles (~3 s), then every tick.
	waitFor(t, w, 20*time.Second, "three schedule runs and polls of both feeds", func() bool {
		return w.dueCalls >= 3 && w.polls[1] >= 2 && w.polls[2] >= 2
	})
}

// TestSQLitePollUnique: one feed is never polled twice at once, however
// often it is asked for, and can be polled again once the poll finished.
func TestSQLitePollUnique(t *testing.T) {
	w := newFakeWork()
	release := make(chan struct{})
	w.poll = func(ctx context.Context, feedID int64) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	cfg := testConfig(t)
	cfg.PollWorkers = 4 // free workers that could take a duplicate
	r := newSQLiteRunner(t, filepath.Join(t.TempDir(), "queue.db"), w, cfg)
	ctx := context.Background()
	for range 3 { // before Start: queued once
		if err := r.EnqueuePoll(ctx, 7); err != nil {
			t.Fatal(err)
		}
	}
	start(t, r)
	waitFor(t, w, 10*time.Second, "the poll to start", func() bool { return w.polls[7] == 1 })
	for range 5 { // while running: still once
		if err := r.EnqueuePoll(ctx, 7); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.EnqueuePoll(ctx, 8); err != nil { // another feed is not held back
		t.Fatal(err)
	}
	waitFor(t, w, 10*time.Second, "feed 8 polled", func() bool { return w.polls[8] == 1 })
	time.Sleep(300 * time.Millisecond) // three fetch intervals for a duplicate to show up
	w.mu.Lock()
	polls, maxIn := w.polls[7], w.maxInflight
	w.mu.Unlock()
	if polls != 1 || maxIn != 1 {
		t.Fatalf("feed 7: %d polls, %d at once; want 1 and 1", polls, maxIn)
	}
	close(release)
	waitFor(t, w, 10*time.Second, "the poll to finish", func() bool { return w.inflight[7] == 0 })
	// Finished polls don't block a new one. River completes jobs in batches,
	// so retry the enqueue until the finished job's row has left "running".
	waitFor(t, w, 10*time.Second, "a second poll", func() bool {
		w.mu.Unlock()
		err := r.EnqueuePoll(ctx, 7)
		w.mu.Lock()
		return err == nil && w.polls[7] == 2
	})
}

// TestSQLitePersistence: jobs queued by one Runner are run by the next one
// on the same file, including entries left when a Runner stopped mid-way.
func TestSQLitePersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue.db")
	const entries = 30
	w := newFakeWork()
	w.entries = func(feedID int64) []json.RawMessage { return makeEntries(feedID, entries) }
	w.process = func(ctx context.Context, _ int64, _ json.RawMessage) error {
		time.Sleep(40 * time.Millisecond)
		return nil
	}
	cfg := testConfig(t)
	cfg.ProcessWorkers = 2

	a, err := NewSQLite(context.Background(), path, w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 3; id++ {
		if err := a.EnqueuePoll(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	start(t, a)
	waitFor(t, w, 10*time.Second, "some entries processed", func() bool { return len(w.processed) >= 5 })
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Stop(stopCtx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	w.mu.Lock()
	done := len(w.processed)
	w.mu.Unlock()
	if done >= 3*entries {
		t.Fatalf("all %d entries done before Stop; test proves nothing", done)
	}

	b := newSQLiteRunner(t, path, w, cfg)
	start(t, b)
	waitFor(t, w, 20*time.Second, "the rest processed by the second runner", func() bool {
		return len(w.processed) == 3*entries
	})
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, n := range w.attempts {
		if n != 1 {
			t.Errorf("entry %s run %d times across runners, want 1", k, n)
		}
	}
	for id := int64(1); id <= 3; id++ {
		if w.polls[id] != 1 {
			t.Errorf("feed %d polled %d times, want 1", id, w.polls[id])
		}
	}
}

func TestSQLiteStop(t *testing.T) {
	tests := []struct {
		name       string
		hold       time.Duration // how long ProcessEntry runs unless cancelled
		stopWithin time.Duration // Stop's deadline
		wantCancel bool          // the running job sees its context cancelled
	}{
		{name: "soft stop waits for the running job", hold: 400 * time.Millisecond, stopWithin: 10 * time.Second},
		{name: "deadline cancels a job that won't end", hold: time.Hour, stopWithin: 300 * time.Millisecond, wantCancel: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newFakeWork()
			w.entries = func(feedID int64) []json.RawMessage { return makeEntries(feedID, 1) }
			running := make(chan struct{})
			result := make(chan error, 1)
			w.process = func(ctx context.Context, _ int64, _ json.RawMessage) error {
				close(running)
				select {
				case <-time.After(tt.hold):
					result <- nil
				case <-ctx.Done():
					result <- ctx.Err()
				}
				return nil
			}
			r, err := NewSQLite(context.Background(), filepath.Join(t.TempDir(), "queue.db"), w, testConfig(t))
			if err != nil {
				t.Fatal(err)
			}
			start(t, r)
			if err := r.EnqueuePoll(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
			select {
			case <-running:
			case <-time.After(10 * time.Second):
				t.Fatal("entry never started")
			}
			ctx, cancel := context.WithTimeout(context.Background(), tt.stopWithin)
			defer cancel()
			began := time.Now()
			err = r.Stop(ctx)
			if !tt.wantCancel && err != nil {
				t.Fatalf("Stop: %v", err)
			}
			if took := time.Since(began); took > tt.stopWithin+6*time.Second {
				t.Fatalf("Stop took %s", took)
			}
			select {
			case got := <-result:
				if cancelled := errors.Is(got, context.Canceled); cancelled != tt.wantCancel {
					t.Fatalf("job ended with %v, want cancelled=%v", got, tt.wantCancel)
				}
			default:
				t.Fatal("Stop returned while the job was still running")
			}
			for i := range 2 {
				if err := r.Stop(context.Background()); err != nil {
					t.Fatalf("Stop again (%d): %v", i, err)
				}
			}
			if err := r.Start(context.Background()); err == nil {
				t.Fatal("Start after Stop succeeded")
			}
		})
	}
}

func TestSQLiteStopNeverStarted(t *testing.T) {
	r, err := NewSQLite(context.Background(), filepath.Join(t.TempDir(), "queue.db"), newFakeWork(), testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := r.Stop(context.Background()); err != nil {
			t.Fatalf("Stop: %v", err)
		}
	}
}

func TestSQLiteRetries(t *testing.T) {
	tests := []struct {
		name         string
		failFirst    int // ProcessEntry fails this many times, -1 for always
		pollErr      bool
		wantAttempts int
		wantDone     bool
	}{
		{name: "entry succeeds on third try", failFirst: 2, wantAttempts: 3, wantDone: true},
		{name: "entry gives up after five", failFirst: -1, wantAttempts: 5},
		{name: "failed poll is not retried", pollErr: true, wantAttempts: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newFakeWork()
			w.entries = func(feedID int64) []json.RawMessage { return makeEntries(feedID, 1) }
			if tt.pollErr {
				w.poll = func(context.Context, int64) error { return errors.New("feed down") }
			}
			w.process = func(ctx context.Context, feedID int64, e json.RawMessage) error {
				w.mu.Lock()
				n := w.attempts[entryKey(feedID, e)]
				w.mu.Unlock()
				if tt.failFirst < 0 || n <= tt.failFirst {
					return fmt.Errorf("fetch failed (call %d)", n)
				}
				return nil
			}
			r := newSQLiteRunner(t, filepath.Join(t.TempDir(), "queue.db"), w, testConfig(t))
			start(t, r)
			if err := r.EnqueuePoll(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
			key := entryKey(1, makeEntries(1, 1)[0])
			waitFor(t, w, 20*time.Second, "attempts", func() bool {
				return w.polls[1] == 1 && w.attempts[key] >= tt.wantAttempts
			})
			time.Sleep(500 * time.Millisecond) // room for an attempt too many
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.polls[1] != 1 {
				t.Errorf("polled %d times, want 1", w.polls[1])
			}
			if got := w.attempts[key]; got != tt.wantAttempts {
				t.Errorf("ProcessEntry called %d times, want %d", got, tt.wantAttempts)
			}
			if done := w.processed[key] == 1; done != tt.wantDone {
				t.Errorf("processed=%v, want %v", done, tt.wantDone)
			}
		})
	}
}

func TestSQLiteSkipsInvalidEntries(t *testing.T) {
	w := newFakeWork()
	w.entries = func(int64) []json.RawMessage {
		return []json.RawMessage{json.RawMessage(`{"id":"a"}`), json.RawMessage(`{not json`), nil, json.RawMessage(`{"id":"b"}`)}
	}
	r := newSQLiteRunner(t, filepath.Join(t.TempDir(), "queue.db"), w, testConfig(t))
	start(t, r)
	if err := r.EnqueuePoll(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	waitFor(t, w, 10*time.Second, "valid entries processed", func() bool { return len(w.processed) == 2 })
	time.Sleep(300 * time.Millisecond)
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.attempts) != 2 || w.processed["3/a"] != 1 || w.processed["3/b"] != 1 {
		t.Fatalf("processed %v, want 3/a and 3/b once each", w.processed)
	}
}
