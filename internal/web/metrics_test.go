package web

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace/internal/jobs"
	"github.com/newstrace/newstrace/internal/metrics"
)

// idleWork is a jobs.Work that never has anything to do.
type idleWork struct{}

func (idleWork) DueFeeds(context.Context, time.Time) ([]int64, error)       { return nil, nil }
func (idleWork) PollFeed(context.Context, int64) ([]json.RawMessage, error) { return nil, nil }
func (idleWork) ProcessEntry(context.Context, int64, json.RawMessage) error { return nil }

// TestMetricsQueueDepth scrapes the depth of a real (not started) job queue
// holding queued polls, next to the store's gauges.
func TestMetricsQueueDepth(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	r, err := jobs.NewSQLite(ctx, filepath.Join(t.TempDir(), "queue.db"), idleWork{}, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(context.Background()) })
	for _, id := range []int64{1, 2, 3} {
		if err := r.EnqueuePoll(ctx, id); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name   string
		gauges metrics.GaugeFunc
		want   []string
		absent []string
	}{
		{name: "with workers", gauges: r.Gauges, want: []string{
			"# TYPE newstrace_queue_jobs gauge\n",
			`newstrace_queue_jobs{queue="poll",state="available"} 3` + "\n",
			`newstrace_queue_jobs{queue="poll",state="running"} 0` + "\n",
			`newstrace_queue_jobs{queue="process",state="scheduled"} 0` + "\n",
			`newstrace_queue_jobs{queue="process",state="retryable"} 0` + "\n",
			"newstrace_stories ",
		}},
		{name: "no workers", absent: []string{"newstrace_queue_jobs"}, want: []string{"newstrace_stories "}},
		{name: "queue unreadable", gauges: func(context.Context) ([]metrics.Gauge, error) { return nil, errors.New("queue gone") },
			absent: []string{"newstrace_queue_jobs"}, want: []string{"newstrace_documents "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, st, envOpts{gauges: tt.gauges})
			resp := e.get("/metrics")
			if resp.status != 200 {
				t.Fatalf("status %d", resp.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(resp.body, w) {
					t.Errorf("metrics lack %q:\n%s", w, resp.body)
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(resp.body, w) {
					t.Errorf("metrics have %q", w)
				}
			}
			if n := strings.Count(resp.body, "# TYPE newstrace_queue_jobs"); tt.gauges != nil && tt.name == "with workers" && n != 1 {
				t.Errorf("TYPE line for newstrace_queue_jobs written %d times, want once", n)
			}
		})
	}
}
