//go:build unix

package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// BenchmarkEmbeddingCandidates measures the translation-candidate lookup
// of the match stage: EmbeddingCandidates over a store whose 10k
// documents all lie in the window and all carry a 768-dimension vector
// (3 KB), returning at most 200. Documents have news-sized rows (4 KB of
// text, 8 KB of HTML), so the walk through documents_sort reads real
// pages. Cases: other languages are half the store (the walk stops after
// about 400 documents), a twentieth (it passes about 4,000 to find 200),
// and no exclusion (200). Each case builds its own store (about 2 s).
//
//	go test ./internal/sqlite -run '^$' -bench EmbeddingCandidates -benchtime 200x
func BenchmarkEmbeddingCandidates(b *testing.B) {
	const n, dims = 10_000, 768
	around := time.Date(2024, 3, 18, 12, 0, 0, 0, time.UTC)
	window := 72 * time.Hour
	ctx := context.Background()
	tests := []struct {
		name    string
		lang    func(id int) string
		exclude string
	}{
		{"other languages half", func(id int) string { return []string{"en", "fr"}[id%2] }, "en"},
		{"other languages 1 in 20", func(id int) string {
			if id%20 == 0 {
				return "fr"
			}
			return "en"
		}, "en"},
		{"no exclusion", func(int) string { return "en" }, ""},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			db := embedBenchStore(b, n, dims, around, window, tt.lang)
			var hits int
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				hs, err := db.EmbeddingCandidates(ctx, "bench", around, window, tt.exclude, 200)
				if err != nil {
					b.Fatal(err)
				}
				hits = len(hs)
			}
			if hits != 200 {
				b.Fatalf("%d hits, want 200", hits)
			}
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// embedBenchStore fills a store with n documents spread over the window
// around around, in language lang(id), each with a random vector of dims.
func embedBenchStore(b *testing.B, n, dims int, around time.Time, window time.Duration, lang func(int) string) *DB {
	b.Helper()
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "embed.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	start := time.Now()
	r := rand.New(rand.NewPCG(5, 8))
	text := strings.Repeat("lorem ipsum dolor sit amet consectetur ", 100) // 4 KB
	html := "<p>" + strings.Repeat(text, 2) + "</p>"
	tx, err := db.writer.Begin()
	if err != nil {
		b.Fatal(err)
	}
	doc, err := tx.Prepare(`INSERT INTO documents (id, url, title, published, first_seen, language, text, html, content_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	emb, err := tx.Prepare(`INSERT INTO embeddings (document_id, model, dims, vec, created_at) VALUES (?, 'bench', ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	vec := make([]float32, dims)
	for id := 1; id <= n; id++ {
		at := around.Add(-window + time.Duration(r.Int64N(int64(2*window))))
		if _, err := doc.Exec(id, fmt.Sprintf("https://bench.example/%d", id), fmt.Sprintf("Document %d", id),
			formatTime(at), formatTime(at), lang(id), text, html, fmt.Sprintf("h%d", id), formatTime(at)); err != nil {
			b.Fatal(err)
		}
		for i := range vec {
			vec[i] = r.Float32()*2 - 1
		}
		if _, err := emb.Exec(id, dims, newstrace.EncodeEmbedding(vec), formatTime(at)); err != nil {
			b.Fatal(err)
		}
	}
	doc.Close()
	emb.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.writer.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d documents with %d-dimension vectors in %s", n, dims, time.Since(start).Round(time.Millisecond))
	return db
}
