package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// corpusDoc is one row for copyDocs.
type corpusDoc struct {
	id, story, source int64 // story, source 0: none
	title, text, lang string
	authors           []string
	published         time.Time
}

// copyDocs bulk-loads documents (and the stories they name, each rooted at
// its first document) with COPY, bypassing SaveDocument: benchmarks need
// tens of thousands of rows in seconds. The generated search columns and
// the triggers fill in as for any insert.
func copyDocs(tb testing.TB, db *DB, docs []corpusDoc) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	err := db.write(ctx, func(tx pgx.Tx) error {
		var stories [][]any
		seen := map[int64]bool{}
		for _, d := range docs {
			if d.story != 0 && !seen[d.story] {
				seen[d.story] = true
				stories = append(stories, []any{d.story, d.title, d.id, now, now})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"stories"}, []string{"id", "title", "root_document_id", "created_at", "updated_at"},
			pgx.CopyFromRows(stories)); err != nil {
			return fmt.Errorf("copy stories: %w", err)
		}
		cols := []string{"id", "url", "canonical_url", "title", "authors", "published", "first_seen", "language",
			"text", "content_hash", "story_id", "source_id", "created_at"}
		i := 0
		n, err := tx.CopyFrom(ctx, pgx.Identifier{"documents"}, cols, pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(docs) {
				return nil, nil
			}
			d := docs[i]
			i++
			authors := d.authors
			if authors == nil {
				authors = []string{}
			}
			url := fmt.Sprintf("https://corpus.example/%d", d.id)
			return []any{d.id, url, url, d.title, authors, d.published, d.published, d.lang, d.text,
				fmt.Sprintf("h%d", d.id), nullID(d.story), nullID(d.source), now}, nil
		}))
		if err != nil {
			return fmt.Errorf("copy documents: %w", err)
		}
		if int(n) != len(docs) {
			return fmt.Errorf("copied %d of %d documents", n, len(docs))
		}
		// Ids were given: move the identities past them, as a copy tool does.
		_, err = tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('documents', 'id'), (SELECT max(id) FROM documents)),
			setval(pg_get_serial_sequence('stories', 'id'), GREATEST((SELECT max(id) FROM stories), 1))`)
		return err
	})
	if err != nil {
		tb.Fatalf("load corpus: %v", err)
	}
}

// corpusGen makes news-like documents from the sentences of real articles
// (so word frequencies follow real text, as the SQLite search benchmark
// does), with a surname from a large synthetic set per document for the
// rare words (names) real news has.
type corpusGen struct {
	sentences []string
	names     []string
	sources   []string
	authors   []string
	start     time.Time
	r         *rand.Rand
}

var sentenceSplit = regexp.MustCompile(`[.!?]["”’]?\s+`)

func newCorpusGen(tb testing.TB, n int) *corpusGen {
	g := &corpusGen{start: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), r: rand.New(rand.NewPCG(5, 6))}
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
	if len(g.sentences) < 100 { // the corpus is absent: Zipf words
		z := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, 30000)
		for range 5000 {
			words := make([]string, 8+g.r.IntN(12))
			for j := range words {
				words[j] = fmt.Sprintf("w%d", z.Uint64())
			}
			g.sentences = append(g.sentences, strings.Join(words, " "))
		}
	}
	syll := []string{"ka", "ro", "mi", "tan", "vel", "dor", "sa", "len", "qu", "ix", "bra", "no", "zet", "ul", "fen", "gri"}
	seen := map[string]bool{}
	for len(g.names) < max(2000, n/20) {
		var s strings.Builder
		for range 3 + g.r.IntN(2) {
			s.WriteString(syll[g.r.IntN(len(syll))])
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

// sentence returns a sentence cut to at most words words.
func (g *corpusGen) sentence(words int) string {
	f := strings.Fields(g.sentences[g.r.IntN(len(g.sentences))])
	return strings.Join(f[:min(len(f), words)], " ")
}

// docs generates n documents with ids 1..n over two years; about one in
// three shares the story of one of the two before it; one in ten is German.
func (g *corpusGen) docs(n int) []corpusDoc {
	out := make([]corpusDoc, n)
	span := 2 * 365 * 24 * time.Hour
	var text strings.Builder
	for i := range out {
		id := int64(i + 1)
		story := id
		if id%3 != 0 && id > 1 && g.r.IntN(3) == 0 {
			story = out[i-1].story
		}
		text.Reset()
		name := g.names[g.r.IntN(len(g.names))]
		for j := range 4 + g.r.IntN(9) {
			if j > 0 {
				text.WriteString(" ")
			}
			if j == 1 {
				text.WriteString(name + " said that ")
			}
			text.WriteString(g.sentences[g.r.IntN(len(g.sentences))] + ".")
		}
		lang := "en"
		if g.r.IntN(10) == 0 {
			lang = "de"
		}
		out[i] = corpusDoc{
			id: id, story: story, source: 0, title: g.sentence(12), text: text.String(), lang: lang,
			authors:   []string{g.authors[g.r.IntN(len(g.authors))]},
			published: g.start.Add(time.Duration(float64(span) * float64(id) / float64(n))).Add(time.Duration(g.r.IntN(3600)) * time.Second),
		}
	}
	return out
}
