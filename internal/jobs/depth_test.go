package jobs

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

func TestSQLiteQueueDepth(t *testing.T) {
	w := newFakeWork()
	r := newSQLiteRunner(t, filepath.Join(t.TempDir(), "queue.db"), w, testConfig(t))
	checkQueueDepth(t, r, w)
}

func TestPostgresQueueDepth(t *testing.T) {
	w := newFakeWork()
	r := newPostgresRunner(t, w, testConfig(t))
	checkQueueDepth(t, r, w)
}

// checkQueueDepth queues jobs in several states on a Runner not yet started,
// counts them, then starts it with one poll held running and counts again.
func checkQueueDepth(t *testing.T, r *Runner, w *fakeWork) {
	t.Helper()
	ctx := context.Background()
	empty, err := r.QueueDepth(ctx)
	if err != nil {
		t.Fatalf("QueueDepth: %v", err)
	}
	if len(empty) != 8 {
		t.Errorf("empty queue depth has %d series, want 8 (2 queues × 4 states): %v", len(empty), empty)
	}
	for k, n := range empty {
		if n != 0 {
			t.Errorf("empty queue: %v = %d", k, n)
		}
	}

	for _, id := range []int64{1, 2, 3} {
		if err := r.EnqueuePoll(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.client.Insert(ctx, pollArgs{FeedID: 9}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.client.Insert(ctx, processArgs{FeedID: 1, Entry: json.RawMessage(`{"link":"http://127.0.0.1/a"}`)}, nil); err != nil {
		t.Fatal(err)
	}
	d, err := r.QueueDepth(ctx)
	if err != nil {
		t.Fatalf("QueueDepth: %v", err)
	}
	want := map[[2]string]int{
		{"poll", "available"}: 3, {"poll", "scheduled"}: 1, {"poll", "running"}: 0, {"poll", "retryable"}: 0,
		{"process", "available"}: 1, {"process", "running"}: 0,
	}
	for k, n := range want {
		if d[k] != n {
			t.Errorf("%v = %d, want %d (all: %v)", k, d[k], n, d)
		}
	}

	// Hold feed 2's poll so it is seen running.
	release := make(chan struct{})
	w.poll = func(ctx context.Context, feedID int64) error {
		if feedID != 2 {
			return nil
		}
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	defer close(release)
	start(t, r)
	waitFor(t, w, 10*time.Second, "feed 2's poll to start", func() bool { return w.inflight[2] == 1 })
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, err = r.QueueDepth(ctx)
		if err != nil {
			t.Fatalf("QueueDepth: %v", err)
		}
		if d[[2]string{"poll", "running"}] == 1 && d[[2]string{"poll", "available"}] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after start: %v; want poll running 1, available 0", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d[[2]string{"poll", "scheduled"}] != 1 {
		t.Errorf("scheduled poll = %d, want 1 (it is an hour away)", d[[2]string{"poll", "scheduled"}])
	}
}
