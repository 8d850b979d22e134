package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/search"
)

// The search benchmark builds a synthetic corpus of N documents into an
// SQLite file (cached under the temp dir between runs) and measures query
// latency percentiles over a mix of query kinds. 100k documents always;
// 1M with NEWSTRACE_BENCH_1M=1. Run:
//
//	go test ./internal/sqlite -run '^$' -bench BenchmarkSearch -benchtime 520x
//	NEWSTRACE_BENCH_1M=1 go test ./internal/sqlite -run '^$' -bench 'BenchmarkSearch/1M' -benchtime 520x -timeout 60m
//
// NEWSTRACE_BENCH_KINDS=a,b runs only those kinds; NEWSTRACE_BENCH_FILTER_PLAN
// forces the filter plan (-1 row tests, 1 id lists).

const corpusVersion = "v2" // bump when the generator changes, so the cache rebuilds

func BenchmarkSearch(b *testing.B) {
	sizes := []struct {
		name string
		n    int
	}{{"100k", 100_000}}
	if os.Getenv("NEWSTRACE_BENCH_1M") == "1" {
		sizes = append(sizes, struct {
			name string
			n    int
		}{"1M", 1_000_000})
	}
	for _, size := range sizes {
		b.Run(size.name, func(b *testing.B) {
			db, gen := openCorpus(b, size.n)
			queries := gen.queries(b)
			modes := []struct {
				name string
				cap  int
			}{{"capped", SearchCandidates}}
			// Ranking every match is the "before" figure; slow, so on request only.
			if os.Getenv("NEWSTRACE_BENCH_UNCAPPED") == "1" {
				modes = append(modes, struct {
					name string
					cap  int
				}{"uncapped", -1})
			}
			for _, mode := range modes {
				b.Run(mode.name, func(b *testing.B) {
					defer func(old int) { SearchCandidates = old }(SearchCandidates)
					SearchCandidates = mode.cap
					benchQueries(b, db, queries)
				})
			}
		})
	}
}

type benchQuery struct {
	kind string
	q    newstrace.SearchQuery
	text string
}

// benchQueries runs the mix round-robin b.N times and reports percentiles
// overall and the p95 of each kind.
func benchQueries(b *testing.B, db *DB, queries []benchQuery) {
	ctx := context.Background()
	if p := os.Getenv("NEWSTRACE_BENCH_FILTER_PLAN"); p != "" {
		// Force the filter plan: 1 every listable filter as a list of ids, -1 none.
		defer func(old int) { filterPlan = old }(filterPlan)
		if _, err := fmt.Sscan(p, &filterPlan); err != nil {
			b.Fatalf("NEWSTRACE_BENCH_FILTER_PLAN: %v", err)
		}
	}
	if kinds := os.Getenv("NEWSTRACE_BENCH_KINDS"); kinds != "" {
		// A subset of the mix, for profiling one kind.
		queries = slices.DeleteFunc(slices.Clone(queries), func(q benchQuery) bool {
			return !slices.Contains(strings.Split(kinds, ","), q.kind)
		})
	}
	// SQLite (modernc) runs in the calling goroutine: pin it so the thread's
	// CPU clock measures the query alone.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Warm the page cache and the ranking's document-frequency cache once, as
	// a running server would be. This first run's CPU time is reported too: it
	// counts each term's documents (a cold cache).
	first := make([]time.Duration, 0, len(queries))
	for _, q := range queries {
		cpu := threadCPU()
		if _, err := db.Search(ctx, q.q); err != nil {
			b.Fatalf("%s %q: %v", q.kind, q.text, err)
		}
		first = append(first, threadCPU()-cpu)
	}
	all, allCPU := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	byKind := map[string][]time.Duration{}
	b.ResetTimer()
	for i := range b.N {
		q := queries[i%len(queries)]
		start, cpu := time.Now(), threadCPU()
		if _, err := db.Search(ctx, q.q); err != nil {
			b.Fatalf("%s %q: %v", q.kind, q.text, err)
		}
		d := time.Since(start)
		all, allCPU = append(all, d), append(allCPU, threadCPU()-cpu)
		byKind[q.kind] = append(byKind[q.kind], threadCPU()-cpu)
	}
	b.StopTimer()
	b.ReportMetric(pct(all, 50), "p50-ms")
	b.ReportMetric(pct(all, 95), "p95-ms")
	b.ReportMetric(pct(all, 99), "p99-ms")
	b.ReportMetric(pct(allCPU, 50), "cpu-p50-ms")
	b.ReportMetric(pct(allCPU, 95), "cpu-p95-ms")
	b.ReportMetric(pct(allCPU, 99), "cpu-p99-ms")
	b.ReportMetric(pct(first, 50), "first-cpu-p50-ms")
	b.ReportMetric(pct(first, 95), "first-cpu-p95-ms")
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		b.ReportMetric(pct(byKind[k], 95), k+"-cpu-p95-ms")
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

// corpusGen makes documents from sentences of real articles, so word
// frequencies follow real text; a surname from a large synthetic set per
// document gives the rare words (names) real news has.
type corpusGen struct {
	sentences []string
	names     []string
	sources   []string
	authors   []string
	start     time.Time
	n         int
}

var sentenceSplit = regexp.MustCompile(`[.!?]["”’]?\s+`)

func newCorpusGen(tb testing.TB, n int) *corpusGen {
	g := &corpusGen{n: n, start: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}
	raw, err := os.ReadFile("../../../shared/corpora/article-extraction/ground-truth.json")
	if err == nil {
		var gt map[string]struct {
			Body string `json:"articleBody"`
		}
		if err := json.Unmarshal(raw, &gt); err != nil {
			tb.Fatalf("ground truth: %v", err)
		}
		keys := make([]string, 0, len(gt))
		for k := range gt {
			keys = append(keys, k)
		}
		slices.Sort(keys) // map order is random; the corpus must not be
		for _, k := range keys {
			for _, s := range sentenceSplit.Split(gt[k].Body, -1) {
				if s = strings.Join(strings.Fields(s), " "); len(strings.Fields(s)) >= 5 {
					g.sentences = append(g.sentences, s)
				}
			}
		}
	}
	if len(g.sentences) < 100 {
		g.sentences = zipfSentences(5000)
	}
	r := rand.New(rand.NewPCG(1, 2))
	syll := []string{"ka", "ro", "mi", "tan", "vel", "dor", "sa", "len", "qu", "ix", "bra", "no", "zet", "ul", "fen", "gri"}
	seen := map[string]bool{}
	for len(g.names) < max(2000, n/20) {
		var s strings.Builder
		for range 3 + r.IntN(2) {
			s.WriteString(syll[r.IntN(len(syll))])
		}
		if name := s.String(); !seen[name] {
			seen[name] = true
			g.names = append(g.names, strings.ToUpper(name[:1])+name[1:])
		}
	}
	for i := range 40 {
		g.sources = append(g.sources, fmt.Sprintf("Outlet %s %d", g.names[i], i))
	}
	for i := range 300 {
		g.authors = append(g.authors, g.names[100+i]+" "+g.names[500+i])
	}
	return g
}

// zipfSentences is the fallback when the corpus is absent: words drawn from
// a Zipf distribution over a synthetic vocabulary.
func zipfSentences(n int) []string {
	r := rand.New(rand.NewPCG(3, 4))
	z := rand.NewZipf(r, 1.1, 1, 30000)
	out := make([]string, n)
	for i := range out {
		words := make([]string, 8+r.IntN(12))
		for j := range words {
			words[j] = fmt.Sprintf("w%d", z.Uint64())
		}
		out[i] = strings.Join(words, " ")
	}
	return out
}

// openCorpus returns a store with n generated documents, building it once
// into the temp dir and reusing it on later runs.
func openCorpus(b *testing.B, n int) (*DB, *corpusGen) {
	b.Helper()
	gen := newCorpusGen(b, n)
	dir := filepath.Join(os.TempDir(), "newstrace-search-bench")
	path := filepath.Join(dir, fmt.Sprintf("corpus-%d-%s.db", n, corpusVersion))
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".building"
		os.Remove(tmp)
		os.Remove(tmp + "-wal")
		os.Remove(tmp + "-shm")
		start := time.Now()
		if err := buildCorpus(b, tmp, gen); err != nil {
			b.Fatalf("build corpus: %v", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %d documents in %s at %s", n, time.Since(start).Round(time.Second), path)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		b.Fatalf("open corpus: %v", err)
	}
	b.Cleanup(func() { db.Close() })
	return db, gen
}

// buildCorpus bulk-loads the throwaway benchmark file: no journal, no
// fsync, foreign keys off, one transaction per 10k rows, plain INSERTs into
// documents (the FTS5 triggers fill the index, segment by segment, as a live
// store's does). The secondary indexes on documents, except the one the
// story trigger reads, are dropped first and rebuilt at the end: one sort
// instead of a million random B-tree inserts each. The rows are the same as
// inserting one by one would give (same random stream), so the file does not
// depend on how it was loaded.
func buildCorpus(b *testing.B, path string, g *corpusGen) error {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.writer.Conn(ctx) // the writer pool's one connection, so the pragmas stick
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, p := range []string{`PRAGMA journal_mode=OFF`, `PRAGMA synchronous=OFF`, `PRAGMA foreign_keys=OFF`,
		`PRAGMA cache_size=-524288`, `PRAGMA temp_store=MEMORY`} {
		if _, err := conn.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	// One FTS5 segment per transaction rather than one per megabyte of
	// postings: most of a build's CPU went to merging the small ones. Put
	// back to the default after, so queries see a live store's settings.
	if _, err := conn.ExecContext(ctx, `INSERT INTO documents_fts(documents_fts, rank) VALUES ('hashsize', 67108864)`); err != nil {
		return err
	}
	var indexes []string
	rows, err := conn.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'documents'
		AND sql IS NOT NULL AND name <> 'documents_story'`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name, sqlText string
		if err := rows.Scan(&name, &sqlText); err != nil {
			rows.Close()
			return err
		}
		names, indexes = append(names, name), append(indexes, sqlText)
	}
	rows.Close()
	for _, name := range names {
		if _, err := conn.ExecContext(ctx, `DROP INDEX `+name); err != nil {
			return err
		}
	}
	inTx := func(fn func(tx *sql.Tx) error) error {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit()
	}
	r := rand.New(rand.NewPCG(5, 6))
	now := formatTime(g.start)
	err = inTx(func(tx *sql.Tx) error {
		for i, name := range g.sources {
			if _, err := tx.ExecContext(ctx, `INSERT INTO sources (id, name, created_at) VALUES (?, ?, ?)`, i+1, name, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	span := 2 * 365 * 24 * time.Hour
	ownStory := make([]bool, g.n+1) // ownStory[id]: document id started its story (stories.id = id)
	start := time.Now()
	const batch = 10_000
	var text strings.Builder
	for first := 1; first <= g.n; first += batch {
		err := inTx(func(tx *sql.Tx) error {
			story, err := tx.PrepareContext(ctx, `INSERT INTO stories (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer story.Close()
			doc, err := tx.PrepareContext(ctx, `INSERT INTO documents (id, url, canonical_url, title, authors, published, first_seen,
			language, text, content_hash, story_id, source_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer doc.Close()
			for id := first; id < first+batch && id <= g.n; id++ {
				// About one story in three has several copies: ids close together share one.
				storyID := id
				if id%3 != 0 && id > 1 && r.IntN(3) == 0 {
					storyID = id - 1 - r.IntN(min(id-1, 2))
					if !ownStory[storyID] {
						storyID = id
					}
				}
				title := g.sentence(r, 12)
				if storyID == id {
					ownStory[id] = true
					if _, err := story.ExecContext(ctx, storyID, title, now, now); err != nil {
						return err
					}
				}
				text.Reset()
				name := g.names[r.IntN(len(g.names))]
				for j := range 4 + r.IntN(9) {
					if j > 0 {
						text.WriteString(" ")
					}
					if j == 1 {
						text.WriteString(name + " said that ")
					}
					text.WriteString(g.sentences[r.IntN(len(g.sentences))] + ".")
				}
				published := g.start.Add(time.Duration(float64(span) * float64(id) / float64(g.n))).Add(time.Duration(r.IntN(3600)) * time.Second)
				lang := "en"
				if r.IntN(10) == 0 {
					lang = "de"
				}
				authors, _ := json.Marshal([]string{g.authors[r.IntN(len(g.authors))]})
				url := fmt.Sprintf("https://bench.example/%d", id)
				if _, err := doc.ExecContext(ctx, id, url, url, title, string(authors), formatTime(published), formatTime(published),
					lang, text.String(), fmt.Sprintf("h%d", id), storyID, 1+r.IntN(len(g.sources)), now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if done := first - 1 + batch; done%100_000 == 0 {
			b.Logf("generated %d/%d in %s", done, g.n, time.Since(start).Round(time.Second))
		}
	}
	for _, ix := range indexes {
		if _, err := conn.ExecContext(ctx, ix); err != nil {
			return fmt.Errorf("rebuild index: %w", err)
		}
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO documents_fts(documents_fts, rank) VALUES ('hashsize', 1048576)`); err != nil {
		return err
	}
	b.Logf("indexes rebuilt at %s", time.Since(start).Round(time.Second))
	// No 'optimize': the index keeps the segments automerge leaves, as a live one does.
	return nil
}

// sentence returns a sentence cut to at most words words.
func (g *corpusGen) sentence(r *rand.Rand, words int) string {
	f := strings.Fields(g.sentences[r.IntN(len(g.sentences))])
	return strings.Join(f[:min(len(f), words)], " ")
}

// queries builds the mix from the corpus's own word frequencies.
func (g *corpusGen) queries(tb testing.TB) []benchQuery {
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
	common, mid := words[:8], words[150:400]
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
