package metrics

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCounterVec(t *testing.T) {
	c := NewCounterVec("test_total", "A test.", "kind")
	c.Inc("a")
	c.Add("b", 3)
	c.Inc("a")
	c.Inc(`q"uo\te`)
	var b strings.Builder
	c.write(&b)
	want := "# HELP test_total A test.\n# TYPE test_total counter\n" +
		"test_total{kind=\"a\"} 2\ntest_total{kind=\"b\"} 3\ntest_total{kind=\"q\\\"uo\\\\te\"} 1\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestHistogram(t *testing.T) {
	h := NewHistogram("test_seconds", "Durations.", []float64{0.1, 1})
	for _, v := range []float64{0.05, 0.1, 0.5, 3} {
		h.Observe(v)
	}
	var b strings.Builder
	h.write(&b)
	want := "# HELP test_seconds Durations.\n# TYPE test_seconds histogram\n" +
		"test_seconds_bucket{le=\"0.1\"} 2\ntest_seconds_bucket{le=\"1\"} 3\ntest_seconds_bucket{le=\"+Inf\"} 4\n" +
		"test_seconds_sum 3.65\ntest_seconds_count 4\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestHandler(t *testing.T) {
	tests := []struct {
		name   string
		gauges GaugeFunc
		want   []string
		absent []string
	}{
		{"gauges", func(context.Context) ([]Gauge, error) {
			return []Gauge{{Name: "newstrace_documents", Help: "Documents.", Value: 42}}, nil
		}, []string{"# TYPE newstrace_documents gauge\nnewstrace_documents 42\n", "# TYPE newstrace_polls_total counter"}, nil},
		{"labelled gauges", func(context.Context) ([]Gauge, error) {
			return []Gauge{
				{Name: "newstrace_queue_jobs", Help: "Jobs.", Labels: []Label{{"queue", "poll"}, {"state", "available"}}, Value: 3},
				{Name: "newstrace_queue_jobs", Help: "Jobs.", Labels: []Label{{"queue", `a"b`}, {"state", "running"}}, Value: 0},
			}, nil
		}, []string{"# HELP newstrace_queue_jobs Jobs.\n# TYPE newstrace_queue_jobs gauge\n" +
			"newstrace_queue_jobs{queue=\"poll\",state=\"available\"} 3\n" +
			"newstrace_queue_jobs{queue=\"a\\\"b\",state=\"running\"} 0\n"}, nil},
		{"failing gauges", func(context.Context) ([]Gauge, error) { return nil, errors.New("db down") },
			[]string{"newstrace_extract_duration_seconds_count"}, []string{"newstrace_documents"}},
		{"no gauges", nil, []string{"newstrace_fetch_errors_total"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			Handler(tt.gauges, nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
				t.Fatalf("status %d type %q", rec.Code, rec.Header().Get("Content-Type"))
			}
			for _, w := range tt.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body lacks %q:\n%s", w, rec.Body.String())
				}
			}
			for _, w := range tt.absent {
				if strings.Contains(rec.Body.String(), w) {
					t.Errorf("body has %q", w)
				}
			}
		})
	}
}
