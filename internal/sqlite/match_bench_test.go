//go:build unix

package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/newstrace/newstrace/internal/match"
)

// BenchmarkMatchLookup measures the match stage's per-document hot path
// against the store: fingerprint a 600-word text, then look up its
// near-duplicate candidates in lsh_bands (NearCandidates), at 10k, 100k
// and (with NEWSTRACE_BENCH_1M=1) 1M stored documents.
//
// The store holds 32 postings per document, as the real one does. Filler
// documents get random band keys: the keys of distinct texts are
// independent 64-bit hashes, so random keys give the same index shape
// without generating and fingerprinting 1M texts. 1,000 generated texts
// are stored with their true keys; each query is an edited copy of one of
// them (half) or a new text (half), so lookups both hit and miss. The 1M
// store is built once into $TMPDIR/newstrace-bench-lsh-1000k.db and reused.
//
//	go test ./internal/sqlite -run '^$' -bench MatchLookup -benchtime 3s
//	NEWSTRACE_BENCH_1M=1 go test ./internal/sqlite -run '^$' -bench MatchLookup -benchtime 3s -timeout 60m
func BenchmarkMatchLookup(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("NEWSTRACE_BENCH_1M") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	p := match.DefaultParams()
	gen := newBenchText(1)
	known := make([]string, 1000)
	for i := range known {
		known[i] = gen.text(600)
	}
	queries := make([]string, 200)
	for i := range queries {
		if i%2 == 0 {
			queries[i] = gen.edit(known[i*5])
		} else {
			queries[i] = gen.text(600)
		}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			db := benchStore(b, n, known)
			ctx := context.Background()
			// The band filter loads in the background on first use; the
			// load is timed here, not in the loop.
			load, loadCPU := time.Now(), cpuTime()
			f, err := db.waitBandFilter(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("band filter: %d keys, %.1f MB, loaded in %s (%s CPU)", f.Added(), float64(f.Bytes())/(1<<20),
				time.Since(load).Round(time.Millisecond), (cpuTime() - loadCPU).Round(time.Millisecond))
			var hits int
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			cpu0 := cpuTime()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				fp := match.FingerprintText(queries[i%len(queries)], p)
				ids, err := db.NearCandidates(ctx, fp.Bands, 0)
				if err != nil {
					b.Fatal(err)
				}
				hits += len(ids)
				i++
			}
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(b.N)/cpu.Seconds(), "cpu-docs/s")
			}
			b.ReportMetric(float64(hits)/float64(b.N), "cands/op")
			b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-MB")
			b.ReportMetric(float64(f.Bytes())/(1<<20), "filter-MB")
			if fi, err := os.Stat(db.path); err == nil {
				b.ReportMetric(float64(fi.Size())/(1<<20), "db-MB")
			}
		})
	}
}

// benchStore returns a store with n documents' postings in lsh_bands.
func benchStore(b *testing.B, n int, known []string) *DB {
	b.Helper()
	path := filepath.Join(b.TempDir(), "lsh.db")
	if n >= 1_000_000 {
		path = filepath.Join(os.TempDir(), fmt.Sprintf("newstrace-bench-lsh-%dk.db", n/1000))
	}
	_, statErr := os.Stat(path)
	db, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var have int
	if err := db.reader.QueryRow(`SELECT COUNT(DISTINCT document_id) FROM lsh_bands WHERE document_id <= 1000`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	if statErr == nil && have == len(known) {
		b.Logf("reusing %s", path)
		return db
	}
	start := time.Now()
	p := match.DefaultParams()
	r := rand.New(rand.NewPCG(uint64(n), 3))
	type posting struct{ key, doc int64 }
	const batch = 50_000
	buf := make([]posting, 0, batch*p.Bands)
	flush := func() {
		slices.SortFunc(buf, func(x, y posting) int { return cmpInt64(x.key, y.key) })
		tx, err := db.writer.Begin()
		if err != nil {
			b.Fatal(err)
		}
		stmt, err := tx.Prepare(`INSERT INTO lsh_bands (band_key, document_id) VALUES (?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			b.Fatal(err)
		}
		for _, q := range buf {
			if _, err := stmt.Exec(q.key, q.doc); err != nil {
				b.Fatal(err)
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		buf = buf[:0]
	}
	for id := 1; id <= n; id++ {
		if id <= len(known) {
			for _, k := range match.FingerprintText(known[id-1], p).Bands {
				buf = append(buf, posting{int64(k), int64(id)})
			}
		} else {
			for range p.Bands {
				buf = append(buf, posting{int64(r.Uint64()), int64(id)})
			}
		}
		if id%batch == 0 {
			flush()
		}
	}
	flush()
	b.Logf("built %d documents' postings in %s (%s)", n, time.Since(start).Round(time.Second), path)
	return db
}

// benchText writes news-like text: Zipf-distributed made-up words.
type benchText struct {
	r     *rand.Rand
	zipf  *rand.Zipf
	vocab []string
}

func newBenchText(seed uint64) *benchText {
	r := rand.New(rand.NewPCG(seed, 99))
	syl := []string{"ka", "ro", "mi", "tan", "le", "vo", "sen", "du", "ar", "pi", "lo", "ne", "gru", "st", "ia", "or"}
	vocab := make([]string, 20000)
	for i := range vocab {
		var s strings.Builder
		for range 1 + r.IntN(4) {
			s.WriteString(syl[r.IntN(len(syl))])
		}
		vocab[i] = s.String()
	}
	return &benchText{r: r, zipf: rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1)), vocab: vocab}
}

func (g *benchText) text(words int) string {
	var s strings.Builder
	for i := range words {
		if i > 0 {
			s.WriteByte(' ')
		}
		s.WriteString(g.vocab[g.zipf.Uint64()])
	}
	return s.String()
}

// edit changes about one word in twenty, as a repost's light edits do.
func (g *benchText) edit(t string) string {
	w := strings.Fields(t)
	for i := range w {
		if g.r.IntN(20) == 0 {
			w[i] = g.vocab[g.zipf.Uint64()]
		}
	}
	return strings.Join(w, " ")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
