package postgres

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/search"
)

// TestSearchLanguages pins what the two vectors add over the conformance
// suite: stems of the document's language, words as written in any
// language, folded diacritics, stop words, and lang: narrowing the stems.
func TestSearchLanguages(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	docs := map[string]newstrace.Document{
		"en":      {Title: "Rivers flooded the plains", Language: "en", Text: "Thousands were evacuated as the rivers flooded. The Who played on."},
		"de":      {Title: "Überschwemmungen im Süden", Language: "de", Text: "Die Flüsse traten über die Ufer."},
		"ru":      {Title: "Наводнение в Москве", Language: "ru", Text: "Реки вышли из берегов."},
		"fr":      {Title: "Inondations à São Paulo", Language: "fr", Text: "Les rivières ont débordé, dit le résumé."},
		"unknown": {Title: "Tulvat Kaakkois-Aasiassa", Language: "xx", Text: "Joet tulvivat."},
	}
	ids := map[int64]string{}
	i := 0
	for name, d := range docs {
		i++
		d.URL = "https://lang.example/" + name
		d.ContentHash = "lang-" + name
		d.FirstSeen = time.Date(2024, 1, i, 0, 0, 0, 0, time.UTC)
		res, err := db.SaveDocument(ctx, d, newstrace.Sighting{})
		if err != nil {
			t.Fatal(err)
		}
		ids[res.Document.ID] = name
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"flood", []string{"en"}},            // English stem of "flooded"
		{"floods", []string{"en"}},           // and of the query word
		{"москва", []string{"ru"}},           // Russian stem of "Москве"
		{"überschwemmung", []string{"de"}},   // German stem of the plural
		{"uberschwemmungen", []string{"de"}}, // folded, as written
		{"sao paulo", []string{"fr"}},        // folded words
		{`"São Paulo"`, []string{"fr"}},
		{"resume", []string{"fr"}},
		{"the who", []string{"en"}}, // English stop words, found as words
		{"tulvat", []string{"unknown"}},
		{"tulv*", []string{"unknown"}},
		{"kaakkois-aasiassa", []string{"unknown"}},
		{"rivers", []string{"en"}},
		{"rivière", []string{"fr"}}, // French stem of "rivières"
		{"rivers lang:fr", nil},
		{"flood lang:en", []string{"en"}},
		{"flood -plains", nil},
		{"evacuat*", []string{"en"}},
		{`"rivers flooded"`, []string{"en"}},
		{`"flooded rivers"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := search.Parse(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			res, err := db.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, ids[h.DocumentID])
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %q, want %q", tt.query, got, tt.want)
			}
			for _, h := range res.Hits {
				if h.Score <= 0 {
					t.Errorf("hit %s score %v, want positive", ids[h.DocumentID], h.Score)
				}
			}
		})
	}

	got, err := db.TermCandidates(ctx, []string{"sao", "joet"}, time.Time{}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, id := range got {
		names = append(names, ids[id])
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"fr", "unknown"}) {
		t.Errorf("TermCandidates(sao, joet) = %q, want fr and unknown", names)
	}
}

// TestSearchSnippets: a match deep in a long text gets a cut snippet with
// ellipses; stems are marked in title and snippet; markup stays text.
func TestSearchSnippets(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	filler := strings.Repeat("Nothing of note happened on this quiet day in the town. ", 40)
	long := filler + "Then the rivers flooded the <b>old</b> mill. " + filler
	res, err := db.SaveDocument(ctx, newstrace.Document{URL: "https://snip.example/1", Title: "Floods hit the mill",
		Language: "en", Text: long, ContentHash: "snip"}, newstrace.Sighting{})
	if err != nil {
		t.Fatal(err)
	}
	mark := func(s string) string { return newstrace.SnippetStart + s + newstrace.SnippetEnd }
	q, _ := search.Parse("flood")
	sr, err := db.Search(ctx, q)
	if err != nil || len(sr.Hits) != 1 || sr.Hits[0].DocumentID != res.Document.ID {
		t.Fatalf("Search = %+v, %v", sr, err)
	}
	h := sr.Hits[0]
	if h.TitleMarked != mark("Floods")+" hit the mill" {
		t.Errorf("TitleMarked = %q", h.TitleMarked)
	}
	if !strings.HasPrefix(h.Snippet, "…") || !strings.HasSuffix(h.Snippet, "…") ||
		!strings.Contains(h.Snippet, "rivers "+mark("flooded")+" the <b>old</b> mill") || len(h.Snippet) > 400 {
		t.Errorf("Snippet = %q", h.Snippet)
	}
}

// TestSearchFollowsText: the vectors are generated columns, so a text
// replaced by UpdateDocumentText is searched at once, the old words gone.
func TestSearchFollowsText(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	res, err := db.SaveDocument(ctx, newstrace.Document{URL: "https://follow.example/1", Title: "Harbour news",
		Language: "en", Text: "The ferry sailed. Subscribe to our newsletter.", ContentHash: "follow"}, newstrace.Sighting{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateDocumentText(ctx, res.Document.ID, res.Document.Text, "The ferry sailed.", "<p>The ferry sailed.</p>", nil); err != nil {
		t.Fatal(err)
	}
	for word, want := range map[string]int{"ferry": 1, "newsletter": 0, "subscribe": 0} {
		q, _ := search.Parse(word)
		sr, err := db.Search(ctx, q)
		if err != nil || len(sr.Hits) != want {
			t.Errorf("Search(%s) = %d hits, %v; want %d", word, len(sr.Hits), err, want)
		}
		if ids, err := db.TermCandidates(ctx, []string{word}, time.Time{}, 0, 0); err != nil || len(ids) != want {
			t.Errorf("TermCandidates(%s) = %v, %v; want %d", word, ids, err, want)
		}
	}
}

// TestSearchWindows runs searches with a small candidate cap, so that the
// id windows (searchCandidates) widen several times, and checks they find
// exactly what a scan of the whole store would: the newest matches by id up
// to the cap, and every match of a date range, including a document stored
// last with an old date (the windows start near the range's newest id).
func TestSearchWindows(t *testing.T) {
	for _, mode := range []string{"planned", "walk", "short walk", "gin"} {
		t.Run(mode, func(t *testing.T) {
			defer func(g, p, r float64, w int64) {
				ginTidCost, ginPrefixCost, walkRowCost, walkWindow = g, p, r, w
			}(ginTidCost, ginPrefixCost, walkRowCost, walkWindow)
			switch mode {
			case "walk": // listing a word's documents costs more than any walk
				ginTidCost, ginPrefixCost = 1e9, 1e9
			case "short walk": // a walk of 20 ids, then gin windows below it
				ginTidCost, ginPrefixCost, walkWindow = 1e9, 1e9, 20
			case "gin":
				walkRowCost = 1e9
			}
			testSearchWindows(t)
		})
	}
}

func testSearchWindows(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	defer func(n int) { SearchCandidates = n }(SearchCandidates)
	SearchCandidates = 6
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	feeds := map[string]newstrace.Feed{}
	for _, name := range []string{"Alpha Wire", "Beta Post", "Gamma Mirror"} {
		f := newstrace.Feed{URL: "https://" + strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".example/rss", Title: name}
		if err := db.CreateFeed(ctx, &f); err != nil {
			t.Fatal(err)
		}
		feeds[name] = f
	}
	type stored struct {
		id      int64
		words   string
		at      time.Time
		lang    string
		sources []string // lower-cased names it can be found by
		author  string
	}
	var all []stored
	save := func(i int, words string, at time.Time) {
		s := stored{words: words, at: at, lang: "en", author: "Bob Writer"}
		if i%4 == 1 {
			s.lang = "de"
		}
		if i%5 == 0 {
			s.author = "Ann Author"
		}
		d := newstrace.Document{Title: "Report " + strings.Repeat("x", i%7), Language: s.lang, Published: &at, FirstSeen: at,
			Authors: []string{s.author}, Text: "Filler text for the report. " + words,
			URL: fmt.Sprintf("https://windows.example/%d", i), ContentHash: fmt.Sprintf("windows-%d", i)}
		var g newstrace.Sighting
		switch {
		case i%50 == 13: // an ingested file: found by the site name it gave
			d.SiteName = "Delta Files"
			s.sources = []string{"delta files"}
		case i%2 == 0:
			g = newstrace.Sighting{FeedID: feeds["Alpha Wire"].ID, EntryKey: d.URL, URL: d.URL}
			s.sources = []string{"alpha wire"}
		default:
			g = newstrace.Sighting{FeedID: feeds["Beta Post"].ID, EntryKey: d.URL, URL: d.URL}
			s.sources = []string{"beta post"}
		}
		res, err := db.SaveDocument(ctx, d, g)
		if err != nil {
			t.Fatal(err)
		}
		if i%9 == 3 { // reposted by another outlet: sighted a second time
			g2 := newstrace.Sighting{FeedID: feeds["Gamma Mirror"].ID, EntryKey: d.URL + "#gamma", URL: d.URL}
			if again, err := db.SaveDocument(ctx, d, g2); err != nil || again.Document.ID != res.Document.ID {
				t.Fatalf("second sighting of %d: %v (stored as %d)", i, err, again.Document.ID)
			}
			s.sources = append(s.sources, "gamma mirror")
		}
		s.id = res.Document.ID
		all = append(all, s)
	}
	for i := range 240 {
		var words []string
		if i%3 == 0 {
			words = append(words, "common")
		}
		if i%40 == 7 {
			words = append(words, "scarce")
		}
		save(i, strings.Join(words, " "), base.Add(time.Duration(i)*time.Hour))
	}
	save(240, "scarce", base.Add(61*time.Hour)) // stored last, dated inside the range below
	from, to := base.Add(40*time.Hour), base.Add(130*time.Hour)

	// want lists what a scan of every document finds: the newest six by id
	// that hold the word and pass keep.
	want := func(word string, keep func(s stored) bool) []int64 {
		var ids []int64
		for _, s := range all {
			if strings.Contains(s.words, word) && keep(s) {
				ids = append(ids, s.id)
			}
		}
		slices.Sort(ids)
		slices.Reverse(ids)
		return ids[:min(SearchCandidates, len(ids))]
	}
	every := func(stored) bool { return true }
	dated := func(after, before *time.Time) func(s stored) bool {
		return func(s stored) bool {
			return (after == nil || !s.at.Before(*after)) && (before == nil || s.at.Before(*before))
		}
	}
	by := func(name string) func(s stored) bool {
		return func(s stored) bool { return slices.Contains(s.sources, name) }
	}
	got := func(q newstrace.SearchQuery) []int64 {
		q.Limit = 100
		res, err := db.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, h := range res.Hits {
			ids = append(ids, h.DocumentID)
		}
		slices.Sort(ids)
		slices.Reverse(ids)
		return ids
	}
	word := func(w string) []newstrace.SearchClause {
		return []newstrace.SearchClause{{Any: []newstrace.SearchTerm{{Text: w}}}}
	}
	for _, tc := range []struct {
		name string
		q    newstrace.SearchQuery
		want []int64
	}{
		{"common word: the newest six", newstrace.SearchQuery{Clauses: word("common")}, want("common", every)},
		{"scarce word: windows widen to the whole store", newstrace.SearchQuery{Clauses: word("scarce")}, want("scarce", every)},
		{"date range far back", newstrace.SearchQuery{Clauses: word("common"), After: &from, Before: &to}, want("common", dated(&from, &to))},
		{"date range with a late-stored document", newstrace.SearchQuery{Clauses: word("scarce"), After: &from, Before: &to}, want("scarce", dated(&from, &to))},
		{"before only", newstrace.SearchQuery{Clauses: word("scarce"), Before: &to}, want("scarce", dated(nil, &to))},
		{"after only", newstrace.SearchQuery{Clauses: word("scarce"), After: &from}, want("scarce", dated(&from, nil))},
		{"language", newstrace.SearchQuery{Clauses: word("common"), Langs: []string{"de"}}, want("common", func(s stored) bool { return s.lang == "de" })},
		{"scarce in a language", newstrace.SearchQuery{Clauses: word("scarce"), Langs: []string{"en"}}, want("scarce", func(s stored) bool { return s.lang == "en" })},
		{"source that sighted it second", newstrace.SearchQuery{Clauses: word("common"), Sources: []string{"Gamma Mirror"}}, want("common", by("gamma mirror"))},
		{"source by site name", newstrace.SearchQuery{Clauses: word("common"), Sources: []string{"delta files"}}, want("common", by("delta files"))},
		{"source and date", newstrace.SearchQuery{Clauses: word("common"), Sources: []string{"BETA POST"}, Before: &to},
			want("common", func(s stored) bool { return by("beta post")(s) && dated(nil, &to)(s) })},
		{"author", newstrace.SearchQuery{Clauses: word("common"), Authors: []string{"ann"}}, want("common", func(s stored) bool { return s.author == "Ann Author" })},
		{"author, language and two sources", newstrace.SearchQuery{Clauses: word("common"), Authors: []string{"writer"}, Langs: []string{"en"},
			Sources: []string{"alpha wire", "gamma mirror"}},
			want("common", func(s stored) bool {
				return s.author == "Bob Writer" && s.lang == "en" && (by("alpha wire")(s) || by("gamma mirror")(s))
			})},
	} {
		if g := got(tc.q); !slices.Equal(g, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, g, tc.want)
		}
	}
	if r := want("scarce", dated(&from, &to)); len(r) < 3 || !slices.Contains(r, all[len(all)-1].id) {
		t.Fatalf("the fixture lost its point: %v", r)
	}
	if r := want("common", by("gamma mirror")); len(r) < SearchCandidates {
		t.Fatalf("too few reposts in the fixture: %v", r)
	}
}
