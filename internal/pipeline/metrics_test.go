package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/metrics"
)

// TestPollMetrics polls a feed that answers 200, then 304, then 503, and
// scrapes the metrics after each poll: the poll outcome, fetch error kind
// and extraction time counters move where the work happened.
func TestPollMetrics(t *testing.T) {
	p, _, c := newTestPipeline(t)
	var mode atomic.Int32 // 0: 200, 1: 304, 2: 503
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			switch mode.Load() {
			case 1:
				w.WriteHeader(http.StatusNotModified)
			case 2:
				http.Error(w, "down", http.StatusServiceUnavailable)
			default:
				w.Header().Set("ETag", `"v1"`)
				fmt.Fprintf(w, rss, srv.URL)
			}
		case "/a/1":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, article)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	if _, err := p.AddFeed(ctx, srv.URL+"/feed", "", ""); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		mode     int32
		outcome  string
		errKind  string // fetch error kind that must grow, if any
		extracts bool   // extraction ran
	}{
		{"ok", 0, "ok", "", true},
		{"not modified", 1, "not_modified", "", false},
		{"server error", 2, "error", fetch.KindHTTP5xx, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := scrape(t)
			mode.Store(tt.mode)
			c.t = c.t.Add(48 * time.Hour) // every feed is due
			if _, err := p.PollDue(ctx); err != nil && tt.outcome != "error" {
				t.Fatalf("poll: %v", err)
			}
			after := scrape(t)
			key := `newstrace_polls_total{outcome="` + tt.outcome + `"}`
			if after[key] != before[key]+1 {
				t.Errorf("%s went %v → %v, want +1", key, before[key], after[key])
			}
			if tt.errKind != "" {
				k := `newstrace_fetch_errors_total{kind="` + tt.errKind + `"}`
				if after[k] <= before[k] {
					t.Errorf("%s did not grow: %v → %v", k, before[k], after[k])
				}
			}
			ext := "newstrace_extract_duration_seconds_count"
			if grew := after[ext] > before[ext]; grew != tt.extracts {
				t.Errorf("%s %v → %v; want growth %v", ext, before[ext], after[ext], tt.extracts)
			}
		})
	}
}

var sampleLine = regexp.MustCompile(`(?m)^([a-z_]+(?:\{[^}]*\})?) (\S+)$`)

// scrape serves the metrics handler once and reads every sample.
func scrape(t *testing.T) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.Handler(nil, nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape: status %d", rec.Code)
	}
	out := map[string]float64{}
	for _, m := range sampleLine.FindAllStringSubmatch(rec.Body.String(), -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", m[0], err)
		}
		out[m[1]] = v
	}
	return out
}

// TestOnStoredHook: the webhook hook hears of each new document once it is
// stored and matched, with its story set.
func TestOnStoredHook(t *testing.T) {
	p, _, _ := newTestPipeline(t)
	var got []newstrace.SaveResult
	p.cfg.OnStored = func(_ context.Context, res newstrace.SaveResult) { got = append(got, res) }
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			fmt.Fprintf(w, rss, srv.URL)
		case "/a/1":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, article)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	if _, err := p.AddFeed(ctx, srv.URL+"/feed", "", ""); err != nil {
		t.Fatal(err)
	}
	if sum, err := p.PollDue(ctx); err != nil || sum.Stored != 1 {
		t.Fatalf("poll: %+v, %v", sum, err)
	}
	if len(got) != 1 || !got[0].Created || got[0].Document.StoryID == 0 {
		t.Fatalf("OnStored calls %+v, want one new document with a story", got)
	}
}
