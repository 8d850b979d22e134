package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/match"
	"github.com/newstrace/newstrace/internal/search"
	"github.com/newstrace/newstrace/internal/story"
)

// The benchmarks load a generated corpus (corpusGen: sentences of real
// articles) into a fresh schema with COPY, fingerprint every document into
// fingerprints and lsh_bands, VACUUM ANALYZE (as autovacuum would have on a
// live store), then measure. 20k documents by default, NEWSTRACE_BENCH_DOCS
// for more. Skipped without NEWSTRACE_TEST_POSTGRES.
//
//	go test ./internal/postgres -run '^$' -bench . -benchtime 2000x
//	NEWSTRACE_BENCH_DOCS=200000 go test ./internal/postgres -run '^$' -bench . -benchtime 2000x -timeout 60m
//
// NEWSTRACE_BENCH_SCHEMA=name keeps the loaded corpus in that schema and
// reuses it on the next run with the same document count (a 1M load takes
// half an hour); pending migrations still apply. Drop it by hand when done.

func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("NEWSTRACE_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 20_000
}

// benchStore returns a store holding the corpus and the corpus itself.
func benchStore(b *testing.B) (*DB, *corpusGen, []corpusDoc) {
	b.Helper()
	ctx := context.Background()
	n := benchDocs()
	start := time.Now()
	gen := newCorpusGen(b, n)
	db, kept := openBench(b, n)
	if kept {
		docs := gen.docs(n)
		for i := range docs {
			docs[i].source = int64(1 + gen.r.IntN(len(gen.sources)))
		}
		b.Logf("reusing the %d documents kept in schema %s", n, db.schema)
		return db, gen, docs
	}
	var sources []int64
	for _, name := range gen.sources {
		s, err := db.EnsureSource(ctx, newstrace.Source{Name: name})
		if err != nil {
			b.Fatal(err)
		}
		sources = append(sources, s.ID)
	}
	docs := gen.docs(n)
	for i := range docs {
		docs[i].source = sources[gen.r.IntN(len(sources))]
	}
	copyDocs(b, db, docs)
	p := match.DefaultParams()
	err := db.write(ctx, func(tx pgx.Tx) error {
		i := 0
		var pending [][]any // postings of the current document
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"fingerprints"}, []string{"document_id", "data", "bands"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if i == len(docs) {
					return nil, nil
				}
				d := docs[i]
				i++
				fp := match.FingerprintText(d.text, p)
				keys := bandKeys(fp.Bands)
				for _, k := range keys {
					pending = append(pending, []any{k, d.id})
				}
				return []any{d.id, fp.Marshal(), encodeBands(keys)}, nil
			}))
		if err != nil {
			return err
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"lsh_bands"}, []string{"band_key", "document_id"}, pgx.CopyFromRows(pending))
		return err
	})
	if err != nil {
		b.Fatalf("fingerprint corpus: %v", err)
	}
	if _, err := db.pool.Exec(ctx, `VACUUM ANALYZE documents, stories, fingerprints, lsh_bands`); err != nil {
		b.Fatal(err)
	}
	var size int64
	db.pool.QueryRow(ctx, `SELECT pg_total_relation_size('documents')`).Scan(&size)
	b.Logf("loaded %d documents in %s; documents with indexes and TOAST: %d MB", n, time.Since(start).Round(time.Second), size>>20)
	return db, gen, docs
}

// openBench opens the benchmark's store: a fresh schema, or the one named
// by NEWSTRACE_BENCH_SCHEMA, kept (true) when it already holds n documents.
func openBench(b *testing.B, n int) (*DB, bool) {
	name := os.Getenv("NEWSTRACE_BENCH_SCHEMA")
	if name == "" {
		return openTest(b), false
	}
	ctx := context.Background()
	db, err := Open(ctx, testDSN(b), Options{Schema: name, Migrate: true, MaxConns: 8, Logger: quiet})
	if err != nil {
		b.Fatalf("open schema %s: %v", name, err)
	}
	b.Cleanup(func() { db.Close() })
	var have int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have == n {
		return db, true
	}
	if have != 0 {
		b.Fatalf("schema %s holds %d documents, not %d: drop it or name another", name, have, n)
	}
	return db, false
}

// BenchmarkMatchLookup measures the match stage's store calls for one
// document: SaveFingerprint, NearCandidates (default MaxNear 200) and
// TermCandidates (story.Terms, the story window, MaxTerm 50), for an
// edited copy of a stored document (so lookups hit). Fingerprints and terms
// are computed before the clock starts: this is the store's cost.
// TermDocFreq, per document with no DFCache (a worker's first documents),
// is its own sub-benchmark.
func BenchmarkMatchLookup(b *testing.B) {
	testDSN(b)
	db, gen, docs := benchStore(b)
	ctx := context.Background()
	p := match.DefaultParams()
	type query struct {
		id     int64
		fp     match.Fingerprint
		terms  []string
		tokens []string
		at     time.Time
	}
	r := rand.New(rand.NewPCG(7, 8))
	queries := make([]query, 200)
	for i := range queries {
		d := docs[r.IntN(len(docs))]
		words := strings.Fields(d.text)
		for j := range words {
			if r.IntN(20) == 0 {
				words[j] = gen.names[r.IntN(len(gen.names))]
			}
		}
		text := strings.Join(words, " ")
		sd := story.Doc{Title: d.title, Text: text, Language: d.lang}
		seen := map[string]bool{}
		var tokens []string
		for _, t := range match.Tokens(d.title + "\n" + text) {
			if !seen[t] {
				seen[t] = true
				tokens = append(tokens, t)
			}
		}
		queries[i] = query{id: d.id, fp: match.FingerprintText(text, p), terms: story.Terms(sd), tokens: tokens, at: d.published}
	}

	for _, q := range queries { // warm the cache, as a running worker's is
		if _, err := db.TermCandidates(ctx, q.terms, q.at, story.Window, 50); err != nil {
			b.Fatal(err)
		}
		if _, err := db.NearCandidates(ctx, q.fp.Bands, 200); err != nil {
			b.Fatal(err)
		}
	}

	b.Run("save+near+terms", func(b *testing.B) {
		var near, terms int
		i := 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			if err := db.SaveFingerprint(ctx, q.id, q.fp.Marshal(), q.fp.Bands); err != nil {
				b.Fatal(err)
			}
			ids, err := db.NearCandidates(ctx, q.fp.Bands, 200)
			if err != nil {
				b.Fatal(err)
			}
			near += len(ids)
			ids, err = db.TermCandidates(ctx, q.terms, q.at, story.Window, 50)
			if err != nil {
				b.Fatal(err)
			}
			terms += len(ids)
		}
		b.ReportMetric(float64(near)/float64(b.N), "near/op")
		b.ReportMetric(float64(terms)/float64(b.N), "term-cands/op")
	})
	b.Run("save", func(b *testing.B) {
		i := 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			if err := db.SaveFingerprint(ctx, q.id, q.fp.Marshal(), q.fp.Bands); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("terms", func(b *testing.B) {
		i := 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			if _, err := db.TermCandidates(ctx, q.terms, q.at, story.Window, 50); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("near", func(b *testing.B) {
		i := 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			if _, err := db.NearCandidates(ctx, q.fp.Bands, 200); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("termdocfreq", func(b *testing.B) {
		var n int
		i := 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			if _, _, err := db.TermDocFreq(ctx, q.tokens); err != nil {
				b.Fatal(err)
			}
			n += len(q.tokens)
		}
		b.ReportMetric(float64(n)/float64(b.N), "terms/op")
	})
}

// BenchmarkSearch runs a mix of query kinds (as the SQLite benchmark's)
// round-robin and reports wall-time percentiles, overall and per kind.
func BenchmarkSearch(b *testing.B) {
	testDSN(b)
	db, gen, _ := benchStore(b)
	ctx := context.Background()
	queries := gen.benchQueries(b)
	for _, q := range queries { // warm the cache, as a running server's is
		if _, err := db.Search(ctx, q.q); err != nil {
			b.Fatalf("%s %q: %v", q.kind, q.text, err)
		}
	}
	all := make([]time.Duration, 0, b.N)
	byKind := map[string][]time.Duration{}
	var docs, capped int
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		start := time.Now()
		res, err := db.Search(ctx, q.q)
		if err != nil {
			b.Fatalf("%s %q: %v", q.kind, q.text, err)
		}
		d := time.Since(start)
		all = append(all, d)
		byKind[q.kind] = append(byKind[q.kind], d)
		docs += res.Documents
		if res.Capped {
			capped++
		}
	}
	b.ReportMetric(pct(all, 50), "p50-ms")
	b.ReportMetric(pct(all, 95), "p95-ms")
	b.ReportMetric(pct(all, 99), "p99-ms")
	b.ReportMetric(float64(docs)/float64(b.N), "matches/op")
	b.ReportMetric(float64(capped)/float64(b.N), "capped/op")
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		b.ReportMetric(pct(byKind[k], 95), k+"-p95-ms")
	}
}

func pct(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return float64(s[max(i, 0)].Microseconds()) / 1000
}

type benchQuery struct {
	kind, text string
	q          newstrace.SearchQuery
}

// benchQueries builds the mix from the corpus's own word frequencies.
func (g *corpusGen) benchQueries(tb testing.TB) []benchQuery {
	freq := map[string]int{}
	for _, s := range g.sentences {
		for _, w := range strings.Fields(strings.ToLower(s)) {
			if w = strings.Trim(w, `.,;:!?"'“”‘’()[]`); len(w) > 2 && strings.IndexFunc(w, func(r rune) bool { return r < 'a' || r > 'z' }) < 0 {
				freq[w]++
			}
		}
	}
	words := make([]string, 0, len(freq))
	for w := range freq {
		words = append(words, w)
	}
	slices.SortFunc(words, func(a, b string) int {
		if freq[a] != freq[b] {
			return freq[b] - freq[a]
		}
		return strings.Compare(a, b)
	})
	common, mid := words[:8], words[150:min(400, len(words))]
	r := rand.New(rand.NewPCG(7, 8))
	pick := func(ws []string) string { return ws[r.IntN(len(ws))] }
	var texts [][2]string
	for i := range 8 {
		sent := strings.Fields(strings.ToLower(g.sentences[r.IntN(len(g.sentences))]))
		j := r.IntN(len(sent) - 2)
		phrase := strings.Trim(sent[j]+" "+sent[j+1]+" "+sent[j+2], `.,;:!?"'“”‘’()[]`)
		stem := pick(mid)
		texts = append(texts,
			[2]string{"rare", g.names[r.IntN(len(g.names))]},
			[2]string{"common", common[i%len(common)]},
			[2]string{"two-common", common[i%len(common)] + " " + common[(i+3)%len(common)]},
			[2]string{"mid", pick(mid)},
			[2]string{"phrase", `"` + strings.ReplaceAll(phrase, `"`, "") + `"`},
			[2]string{"prefix", stem[:min(len(stem), 3+i%4)] + "*"},
			[2]string{"or", pick(mid) + " OR " + pick(mid)},
			[2]string{"exclusion", pick(mid) + " -" + common[i%len(common)]},
			[2]string{"filter-source", pick(mid) + fmt.Sprintf(` source:"%s"`, g.sources[r.IntN(len(g.sources))])},
			[2]string{"filter-date", common[i%len(common)] + " after:2024-03-01 before:2024-04-01"},
			[2]string{"filter-lang", "lang:de " + pick(mid)},
			[2]string{"filter-author", fmt.Sprintf(`author:"%s" %s`, g.authors[r.IntN(len(g.authors))], pick(mid))},
			[2]string{"filter-only", "lang:de after:2024-06-01"},
		)
	}
	var out []benchQuery
	for _, t := range texts {
		q, err := search.Parse(t[1])
		if err != nil {
			tb.Fatalf("bench query %q: %v", t[1], err)
		}
		out = append(out, benchQuery{kind: t[0], q: q, text: t[1]})
	}
	return out
}
