package storecopy_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/newstrace/newstrace/internal/storecopy"
)

// BenchmarkCopy copies a seeded store of NEWSTRACE_COPY_BENCH_DOCS
// documents (default 20000, with their sightings, fingerprints, stories,
// edges, reader state and boilerplate lines) into a fresh schema per
// iteration, and reports rows/s over all tables and documents/s.
//
//	NEWSTRACE_TEST_POSTGRES=postgres://… go test ./internal/storecopy -run XXX -bench Copy -benchtime 2x
func BenchmarkCopy(b *testing.B) {
	testDSN(b)
	docs := 20000
	if v, err := strconv.Atoi(os.Getenv("NEWSTRACE_COPY_BENCH_DOCS")); err == nil && v > 0 {
		docs = v
	}
	path := filepath.Join(b.TempDir(), "bench.db")
	start := time.Now()
	seedSQLite(b, path, docs)
	if st, err := os.Stat(path); err == nil {
		b.Logf("seeded %d documents in %s, %.1f MB", docs, time.Since(start).Round(time.Second), float64(st.Size())/1e6)
	}
	var rows int64
	var took time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dst := openDest(b)
		b.StartTimer()
		cfg := storecopy.Config{}
		if testing.Verbose() { // the phases' times
			cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
		rep, err := copyStoreTB(b, b.Context(), path, dst, cfg)
		if err != nil {
			b.Fatalf("Copy: %v", err)
		}
		rows += rep.Copied
		took += rep.Elapsed
		for _, t := range rep.Tables {
			if t.Table == "documents" {
				b.Logf("documents: %d in %s (%.0f/s)", t.Copied, t.Elapsed.Round(time.Millisecond), float64(t.Copied)/t.Elapsed.Seconds())
			}
		}
	}
	b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
	b.ReportMetric(float64(docs*b.N)/took.Seconds(), "docs/s")
}
