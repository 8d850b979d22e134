package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeWork records what the jobs asked for. Its hooks are set before Start.
type fakeWork struct {
	due     func(n int) []int64                           // n counts DueFeeds calls from 1
	poll    func(ctx context.Context, feedID int64) error // runs inside PollFeed
	entries func(feedID int64) []json.RawMessage
	process func(ctx context.Context, feedID int64, e json.RawMessage) error

	mu          sync.Mutex
	dueCalls    int
	firstDue    time.Time
	polls       map[int64]int
	inflight    map[int64]int
	maxInflight int
	processed   map[string]int // entry key -> successful calls
	attempts    map[string]int // entry key -> calls
	changed     chan struct{}  // poked on every change
}

func newFakeWork() *fakeWork {
	return &fakeWork{
		polls: map[int64]int{}, inflight: map[int64]int{},
		processed: map[string]int{}, attempts: map[string]int{},
		changed: make(chan struct{}, 1),
	}
}

func (w *fakeWork) poke() {
	select {
	case w.changed <- struct{}{}:
	default:
	}
}

func (w *fakeWork) DueFeeds(ctx context.Context, now time.Time) ([]int64, error) {
	w.mu.Lock()
	w.dueCalls++
	if w.dueCalls == 1 {
		w.firstDue = time.Now()
	}
	n := w.dueCalls
	w.mu.Unlock()
	w.poke()
	if w.due == nil {
		return nil, nil
	}
	return w.due(n), nil
}

func (w *fakeWork) PollFeed(ctx context.Context, feedID int64) ([]json.RawMessage, error) {
	w.mu.Lock()
	w.polls[feedID]++
	w.inflight[feedID]++
	w.maxInflight = max(w.maxInflight, w.inflight[feedID])
	w.mu.Unlock()
	w.poke()
	defer func() {
		w.mu.Lock()
		w.inflight[feedID]--
		w.mu.Unlock()
		w.poke()
	}()
	if w.poll != nil {
		if err := w.poll(ctx, feedID); err != nil {
			return nil, err
		}
	}
	if w.entries == nil {
		return nil, nil
	}
	return w.entries(feedID), nil
}

func (w *fakeWork) ProcessEntry(ctx context.Context, feedID int64, e json.RawMessage) error {
	key := entryKey(feedID, e)
	w.mu.Lock()
	w.attempts[key]++
	w.mu.Unlock()
	var err error
	if w.process != nil {
		err = w.process(ctx, feedID, e)
	}
	w.mu.Lock()
	if err == nil {
		w.processed[key]++
	}
	w.mu.Unlock()
	w.poke()
	return err
}

// entryKey identifies an entry by value: the queue may re-encode the JSON.
func entryKey(feedID int64, e json.RawMessage) string {
	var v struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(e, &v)
	return fmt.Sprintf("%d/%s", feedID, v.ID)
}

func makeEntries(feedID int64, n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range out {
		out[i] = json.RawMessage(fmt.Sprintf(`{"id": "e%d", "link": "https://example.org/%d/%d", "title": "entry %d"}`, i, feedID, i, i))
	}
	return out
}

// waitFor polls cond on every change of w until it holds or the deadline passes.
func waitFor(t *testing.T, w *fakeWork, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		w.mu.Lock()
		ok := cond()
		w.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-w.changed:
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
	}
}

func testLogger(t *testing.T) *slog.Logger {
	level := slog.LevelWarn
	if testing.Verbose() && os.Getenv("NEWSTRACE_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	tw := &testWriter{t: t}
	t.Cleanup(func() { tw.done.Store(true) }) // registered first, so runs after the runner's Stop
	return slog.New(slog.NewTextHandler(tw, &slog.HandlerOptions{Level: level}))
}

// testWriter logs through t, and drops lines once the test is over.
type testWriter struct {
	t    *testing.T
	done atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.t.Log(string(p))
	}
	return len(p), nil
}

// testConfig is fast: River's defaults (fetch poll 1 s, cooldown 100 ms)
// cap a queue at about MaxWorkers jobs per 100 ms, which only matters for
// jobs that do nothing, as these do.
func testConfig(t *testing.T) Config {
	return Config{
		ScheduleEvery: time.Hour, // tests that want ticks set their own
		Logger:        testLogger(t),
		RetryDelay:    func(int) time.Duration { return 10 * time.Millisecond },
		fetchPoll:     100 * time.Millisecond,
		fetchCooldown: 20 * time.Millisecond,
	}
}
