package pipeline

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/feed"
	"github.com/newstrace/newstrace/internal/ingest"
	"github.com/newstrace/newstrace/internal/match"
)

// The shared lines of the fixture source: plain statements no general
// cleaning rule catches (footers, tip lines, print credits), so only
// learning can remove them.
var footerLines = []string{
	"Harbour Times is an independent newspaper based in Portsmouth since 1921.",
	"Tips and corrections go to the night desk on the third floor.",
	"Printed and distributed by Solent Press Group in Hampshire.",
}

// standing is a long background paragraph the source repeats in several
// stories: writing, never boilerplate, however often it recurs.
const standing = "The harbour redevelopment began in 2019 when the council agreed to replace the old ferry terminal, " +
	"rebuild the sea wall along the eastern quay and move the fish market to a new hall near the station, " +
	"a plan that has since doubled in cost and divided the town."

var vocab = strings.Fields(`council mayor ferry quay market budget school hospital bridge station tram river
	union strike court judge police fire storm flood farmer harvest museum library festival election
	minister port cargo ship crew fisherman tourist hotel bakery factory workers nurses teachers
	students parents residents shop rent housing tower garden park stadium club league season coach`)

// body makes n unique paragraphs for document i.
func body(i, n int) []string {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	var out []string
	for j := range n {
		w := make([]string, 22)
		for k := range w {
			w[k] = vocab[r.IntN(len(vocab))]
		}
		out = append(out, fmt.Sprintf("Report %d.%d: the %s.", i, j, strings.Join(w, " ")))
	}
	return out
}

// fixtureParas is document i of the fixture source: a unique body, the
// syndicated paragraph in documents 3 and 4 only, the standing paragraph
// in every third document, and the footer.
func fixtureParas(i int) []string {
	paras := body(i, 3)
	if i == 3 || i == 4 {
		paras = append(paras, "Dockers waited on the quay for news of the vote on Tuesday, and some said they would strike again.")
	}
	if i%3 == 0 {
		paras = append(paras, standing)
	}
	return append(paras, footerLines...)
}

func fixturePage(site string, i int, paras []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<html><head><title>Story %d of %s</title><meta property="og:site_name" content="%s"></head><body><article><h1>Story %d of %s</h1>`, i, site, site, i, site)
	for _, p := range paras {
		fmt.Fprintf(&b, "<p>%s</p>\n", p)
	}
	b.WriteString("</article></body></html>")
	return []byte(b.String())
}

// TestLearnedBoilerplate stores 24 documents of one source (and 4 of
// another carrying the same footer) through each input path, then checks
// that the footer left every document of the first source, those stored
// before the threshold was crossed included, that it is kept in Removed,
// and that repeated body paragraphs and the other source stayed.
func TestLearnedBoilerplate(t *testing.T) {
	const docs, others = 24, 4
	tests := []struct {
		name  string
		store func(t *testing.T, p *Pipeline, st newstrace.Store, site string, i int, paras []string)
	}{
		{"ingest", func(t *testing.T, p *Pipeline, _ newstrace.Store, site string, i int, paras []string) {
			it := ingest.Item{Path: fmt.Sprintf("/in/%s/%d.html", site, i), Data: fixturePage(site, i, paras),
				ContentType: "text/html", ModTime: time.Date(2024, 1, 1, 0, i, 0, 0, time.UTC)}
			if _, err := p.Ingest(t.Context(), it); err != nil {
				t.Fatalf("Ingest %d: %v", i, err)
			}
		}},
		{"feed entries", func(t *testing.T, p *Pipeline, st newstrace.Store, site string, i int, paras []string) {
			f, err := st.FeedByURL(t.Context(), "https://"+site+".test/rss")
			if newstrace.IsNotFound(err) {
				f = newstrace.Feed{URL: "https://" + site + ".test/rss", Title: site}
				err = st.CreateFeed(t.Context(), &f)
			}
			if err != nil {
				t.Fatal(err)
			}
			page := string(fixturePage(site, i, paras))
			content := page[strings.Index(page, "<article>")+9 : strings.Index(page, "</article>")]
			e := feed.Entry{Key: fmt.Sprint(i), Title: fmt.Sprintf("Story %d of %s", i, site), ContentHTML: content}
			if _, err := p.ProcessEntry(t.Context(), f, e); err != nil {
				t.Fatalf("ProcessEntry %d: %v", i, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, st, _ := newTestPipeline(t)
			for i := range docs {
				tt.store(t, p, st, "Harbour Times", i, fixtureParas(i))
				if i < others {
					tt.store(t, p, st, "Quay Courier", i, append(body(100+i, 3), footerLines...))
				}
			}
			srcs, err := st.Sources(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var harbour, quay int64
			for _, s := range srcs {
				switch s.Name {
				case "Harbour Times":
					harbour = s.ID
				case "Quay Courier":
					quay = s.ID
				}
			}
			if harbour == 0 || quay == 0 {
				t.Fatalf("sources %+v, want Harbour Times and Quay Courier", srcs)
			}

			learned, n, err := LearnedLines(t.Context(), st, harbour)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range learned {
				got = append(got, l.Text)
				if l.Docs != docs {
					t.Errorf("learned %q in %d documents, want %d", l.Text, l.Docs, docs)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(footerLines))
			if !slices.Equal(got, want) || n != docs {
				t.Errorf("learned lines = %q over %d documents,\nwant %q over %d", got, n, want, docs)
			}

			ds, err := st.Documents(t.Context(), newstrace.DocumentFilter{SourceID: harbour, Limit: 100})
			if err != nil || len(ds) != docs {
				t.Fatalf("Documents = %d, %v; want %d", len(ds), err, docs)
			}
			rehashed := 0
			for _, d := range ds {
				for _, l := range footerLines {
					if strings.Contains(d.Text, l) || strings.Contains(d.HTML, "Harbour Times is an independent") {
						t.Errorf("document %d (%s) still holds %q", d.ID, d.Title, l)
					}
					if !slices.Contains(d.Removed, newstrace.Removed{Kind: "boilerplate", Text: l}) {
						t.Errorf("document %d (%s): %q not in removed as boilerplate: %+v", d.ID, d.Title, l, d.Removed)
					}
				}
				i := 0
				fmt.Sscanf(d.Title, "Story %d", &i)
				for _, para := range fixtureParas(i)[:len(fixtureParas(i))-len(footerLines)] {
					if !strings.Contains(d.Text, para) {
						t.Errorf("document %d (%s) lost body paragraph %.50q", d.ID, d.Title, para)
					}
				}
				if d.ContentHash != match.ContentHash(d.Text) {
					rehashed++ // re-cleaned: the hash stays that of the first text
				}
			}
			// The first documents were stored before the threshold was
			// crossed and re-cleaned later; their identity did not move.
			if rehashed < BoilerplateMinDocs-1 || rehashed > BoilerplateMinDocs {
				t.Errorf("%d documents keep a first-stored hash, want the %d stored before learning", rehashed, BoilerplateMinDocs-1)
			}

			others, err := st.Documents(t.Context(), newstrace.DocumentFilter{SourceID: quay, Limit: 100})
			if err != nil || len(others) != 4 {
				t.Fatalf("other source's documents = %d, %v; want 4", len(others), err)
			}
			for _, d := range others {
				for _, l := range footerLines {
					if !strings.Contains(d.Text, l) {
						t.Errorf("other source's document %d lost %q", d.ID, l)
					}
				}
			}
		})
	}
}

func TestBoilerplateCandidate(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"short line", "Get the morning briefing in your inbox every weekday at six.", true},
		{"long copyright", "© 2024 Harbour Times. " + strings.Repeat("word ", 40), true},
		{"long body", standing + " " + standing, false},
		{"too long even for a call", "Subscribe " + strings.Repeat("word ", 90), false},
		{"empty", "  ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := boilerplateCandidate(tt.text); got != tt.want {
				t.Errorf("boilerplateCandidate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBoilerplateThreshold(t *testing.T) {
	tests := []struct{ docs, want int }{{0, 5}, {5, 5}, {16, 5}, {17, 6}, {200, 60}}
	for _, tt := range tests {
		if got := BoilerplateThreshold(tt.docs); got != tt.want {
			t.Errorf("BoilerplateThreshold(%d) = %d, want %d", tt.docs, got, tt.want)
		}
	}
}
