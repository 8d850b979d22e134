// Package metrics counts what newstrace does and writes it in the Prometheus
// text exposition format (version 0.0.4).
//
// It is written by hand rather than with prometheus/client_golang: three
// metric shapes (labelled counters, one histogram, gauges read at scrape
// time) are about 150 lines, while client_golang would add prometheus/common,
// procfs, protobuf and their transitive modules to a binary that is meant to
// stay small and to build fast on two cores.
//
// Stages record into package-level metrics (one call where the work
// happens); the web server exposes them with Handler. The package imports
// nothing of ours, so any stage can use it without cycles.
package metrics

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The metrics newstrace records.
var (
	Polls = NewCounterVec("newstrace_polls_total",
		"Feed polls by outcome (ok, not_modified, error).", "outcome")
	FetchErrors = NewCounterVec("newstrace_fetch_errors_total",
		"Failed fetches (feeds, pages, webhooks) by kind, as fetch.ErrorKind names it.", "kind")
	ExtractSeconds = NewHistogram("newstrace_extract_duration_seconds",
		"Time to extract one document.", []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5})
	WebhookDeliveries = NewCounterVec("newstrace_webhook_deliveries_total",
		"Webhook deliveries by outcome (ok, failed).", "outcome")
	Embeddings = NewCounterVec("newstrace_embeddings_total",
		"Documents sent to the embeddings endpoint by outcome (ok, error); an error leaves the document matched without one.", "outcome")
	PageCacheHits = NewCounterVec("newstrace_page_cache_hits_total",
		"GET responses served from the web page cache, by route.", "route")
	PageCacheMisses = NewCounterVec("newstrace_page_cache_misses_total",
		"GET responses of cached routes rendered anew (nothing fresh in the page cache), by route.", "route")
)

// CounterVec is a counter with one label.
type CounterVec struct {
	name, help, label string
	mu                sync.RWMutex
	values            map[string]*atomic.Uint64
}

// NewCounterVec returns a counter named name with one label.
func NewCounterVec(name, help, label string) *CounterVec {
	return &CounterVec{name: name, help: help, label: label, values: map[string]*atomic.Uint64{}}
}

// Inc adds one to the counter with label value v.
func (c *CounterVec) Inc(v string) { c.Add(v, 1) }

// Add adds n to the counter with label value v.
func (c *CounterVec) Add(v string, n uint64) {
	c.mu.RLock()
	x, ok := c.values[v]
	c.mu.RUnlock()
	if !ok {
		c.mu.Lock()
		if x, ok = c.values[v]; !ok {
			x = new(atomic.Uint64)
			c.values[v] = x
		}
		c.mu.Unlock()
	}
	x.Add(n)
}

// Value returns the counter with label value v.
func (c *CounterVec) Value(v string) uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if x, ok := c.values[v]; ok {
		return x.Load()
	}
	return 0
}

func (c *CounterVec) write(w io.Writer) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", c.name, escapeHelp(c.help), c.name)
	c.mu.RLock()
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	c.mu.RUnlock()
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s{%s=\"%s\"} %d\n", c.name, c.label, escapeLabel(k), c.Value(k))
	}
}

// Histogram counts observations into cumulative buckets.
type Histogram struct {
	name, help string
	bounds     []float64
	mu         sync.Mutex
	counts     []uint64 // per bucket, not cumulative; the last is +Inf
	sum        float64
	count      uint64
}

// NewHistogram returns a histogram with the given upper bounds, ascending.
func NewHistogram(name, help string, bounds []float64) *Histogram {
	return &Histogram{name: name, help: help, bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

// Observe records one value.
func (h *Histogram) Observe(v float64) {
	i, _ := slices.BinarySearch(h.bounds, v)
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.count++
	h.mu.Unlock()
}

// Since records the seconds since start: defer metrics.ExtractSeconds.Since(time.Now()).
func (h *Histogram) Since(start time.Time) { h.Observe(time.Since(start).Seconds()) }

// Count returns how many values were observed.
func (h *Histogram) Count() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}

func (h *Histogram) write(w io.Writer) {
	h.mu.Lock()
	counts, sum, count := slices.Clone(h.counts), h.sum, h.count
	h.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", h.name, escapeHelp(h.help), h.name)
	var cum uint64
	for i, b := range h.bounds {
		cum += counts[i]
		fmt.Fprintf(w, "%s_bucket{le=\"%s\"} %d\n", h.name, formatFloat(b), cum)
	}
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %s\n%s_count %d\n", h.name, count, h.name, formatFloat(sum), h.name, count)
}

// Gauge is one value read at scrape time. Gauges sharing a Name (one per
// label set) must be adjacent and carry the same Help.
type Gauge struct {
	Name, Help string
	Labels     []Label // in the order written; nil for none
	Value      float64
}

// Label is one name="value" pair of a gauge.
type Label struct{ Name, Value string }

// GaugeFunc reads gauges at scrape time (from the store, the job queue).
type GaugeFunc func(ctx context.Context) ([]Gauge, error)

// Write writes every metric, then the gauges, in the text format.
func Write(w io.Writer, gauges []Gauge) error {
	bw := bufio.NewWriter(w)
	for _, c := range []*CounterVec{Polls, FetchErrors, WebhookDeliveries, Embeddings, PageCacheHits, PageCacheMisses} {
		c.write(bw)
	}
	ExtractSeconds.write(bw)
	for i, g := range gauges {
		if i == 0 || gauges[i-1].Name != g.Name {
			fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s gauge\n", g.Name, escapeHelp(g.Help), g.Name)
		}
		bw.WriteString(g.Name)
		if len(g.Labels) > 0 {
			bw.WriteByte('{')
			for j, l := range g.Labels {
				if j > 0 {
					bw.WriteByte(',')
				}
				fmt.Fprintf(bw, "%s=\"%s\"", l.Name, escapeLabel(l.Value))
			}
			bw.WriteByte('}')
		}
		fmt.Fprintf(bw, " %s\n", formatFloat(g.Value))
	}
	return bw.Flush()
}

// Handler serves the metrics; gauges may be nil. A gauge that fails to read
// is logged and left out rather than failing the scrape.
func Handler(gauges GaugeFunc, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var gs []Gauge
		if gauges != nil {
			var err error
			if gs, err = gauges(r.Context()); err != nil && log != nil {
				log.WarnContext(r.Context(), "read gauges for metrics", slog.Any("err", err))
			}
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := Write(w, gs); err != nil && log != nil {
			log.WarnContext(r.Context(), "write metrics", slog.Any("err", err))
		}
	})
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}
