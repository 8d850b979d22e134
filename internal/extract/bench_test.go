package extract

import (
	"bytes"
	"runtime"
	"runtime/debug"
	"slices"
	"testing"
	"time"

	"github.com/markusmobius/go-trafilatura"
	"github.com/newstrace/newstrace/internal/htmlparse"
	"golang.org/x/net/html"
)

// The speed benchmarks run over the dev pages, gunzipped beforehand so all
// four start from the same bytes:
//
//	go test ./internal/extract -run '^$' -bench 'Tokenize|Parse|Trafilatura|Extract$' -benchtime 8x -count 5
//
// BenchmarkTokenize is the floor (one pass of the x/net/html tokenizer),
// BenchmarkParseOnly the tree every extractor here needs (x/net's parser;
// BenchmarkParseFork the same tree from our fork),
// BenchmarkTrafilatura go-trafilatura alone as a user would call it, and
// BenchmarkExtract our whole path (parse, trafilatura, metadata, rules,
// cleaning). Each reports pages/s (wall), CPU ms per page (user+system,
// all threads: steadier on a shared machine), bytes and allocations per page; one op
// is one pass over the set, so -benchtime Nx means N passes.

func rawPages(b *testing.B) [][]byte {
	_, pages := loadCorpus(b)
	out := make([][]byte, 0, len(pages))
	for _, p := range pages {
		data, err := gunzip(p.data)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// benchPages runs fn over every page once per iteration.
func benchPages(b *testing.B, fn func([]byte)) {
	pages := rawPages(b)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, p := range pages {
			fn(p)
			n++
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/page")
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n), "B/page")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n), "allocs/page")
}

// tokenizeXNet is the floor: x/net's tokenizer read to the end, no tokens built.
func tokenizeXNet(p []byte) {
	z := html.NewTokenizer(bytes.NewReader(p))
	for z.Next() != html.ErrorToken {
	}
}

func BenchmarkTokenize(b *testing.B) { benchPages(b, tokenizeXNet) }

// BenchmarkParseOnly builds the x/net/html tree, the part every
// extractor working on a tree pays before it starts.
func BenchmarkParseOnly(b *testing.B) {
	benchPages(b, func(p []byte) {
		_, _ = html.Parse(bytes.NewReader(p))
	})
}

// BenchmarkParseFork builds the same tree with our fork of the parser
// (internal/htmlparse), the way extraction does.
func BenchmarkParseFork(b *testing.B) {
	benchPages(b, func(p []byte) {
		_, _ = htmlparse.ParseBytes(p)
	})
}

func BenchmarkTrafilatura(b *testing.B) {
	benchPages(b, func(p []byte) {
		_, _ = trafilatura.Extract(bytes.NewReader(p), trafilatura.Options{})
	})
}

func BenchmarkExtract(b *testing.B) {
	benchPages(b, func(p []byte) {
		_, _ = Bytes(p, "", Options{})
	})
}

// BenchmarkExtractVsTokenize runs the floor and our path back to back on
// each page and reports the ratio of their summed wall times: both see the
// same moment of a machine whose speed drifts between runs, so the ratio
// is steadier than one computed from two separate benchmarks.
//
// It also reports the ratio to our parser fork's own tokenizer
// (x-forktokenize): that tokenizer skips ahead like the fork's parser does
// and runs about twice as fast as x/net's, so this second figure shows how
// much of the first comes from the faster parser.
func BenchmarkExtractVsTokenize(b *testing.B) {
	pages := rawPages(b)
	var tok, ftok, ext time.Duration
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			t0 := time.Now()
			tokenizeXNet(p)
			t1 := time.Now()
			_, _ = Bytes(p, "", Options{})
			t2 := time.Now()
			fz := htmlparse.NewTokenizer(bytes.NewReader(p))
			for fz.Next() != htmlparse.ErrorToken {
			}
			tok += t1.Sub(t0)
			ext += t2.Sub(t1)
			ftok += time.Since(t2)
		}
	}
	b.ReportMetric(float64(ext)/float64(tok), "x-tokenize")
	b.ReportMetric(float64(ext)/float64(ftok), "x-forktokenize")
	b.ReportMetric(float64(tok.Microseconds())/1000/float64(b.N*len(pages)), "tokenize-ms/page")
	b.ReportMetric(float64(ext.Microseconds())/1000/float64(b.N*len(pages)), "extract-ms/page")
}

// TestMemoryPerPage reports, with the collector off, the bytes one page's
// extraction allocates: an upper bound of the heap it can hold at its peak.
func TestMemoryPerPage(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	_, pages := loadCorpus(t)
	old := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(old)
	var per []uint64
	var ms runtime.MemStats
	for _, p := range pages {
		data, err := gunzip(p.data)
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		_, _ = Bytes(data, "text/html", Options{})
		runtime.ReadMemStats(&ms)
		per = append(per, ms.TotalAlloc-before)
	}
	slices.Sort(per)
	t.Logf("allocated per page: median %.1f MiB, p90 %.1f MiB, max %.1f MiB (%d pages)",
		mib(per[len(per)/2]), mib(per[len(per)*9/10]), mib(per[len(per)-1]), len(per))
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }
