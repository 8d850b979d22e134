package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// searchDocs are the documents of the search tests, by name.
type searchDocs struct {
	ids   map[string]int64
	story map[string]int64
	user  int64
}

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

const hostileText = `<script>alert(1)</script> and <img src=x onerror=alert(2)> in a text about floods`

// seedSearch stores six documents in five stories (valley and valley2 share one).
func seedSearch(t *testing.T, s newstrace.Store) searchDocs {
	t.Helper()
	ctx := t.Context()
	wire := mustFeed(t, s, newstrace.Feed{URL: "https://valley.example/rss", Title: "Valley Wire"})
	fort := mustFeed(t, s, newstrace.Feed{URL: "https://fortruss.example/rss", Title: "Fort Russ News"})
	docs := []struct {
		name string
		feed int64
		d    newstrace.Document
	}{
		{"valley", wire.ID, newstrace.Document{Title: "Floods reach the valley towns", Authors: []string{"Lois Lane"}, Language: "en", Published: day("2024-05-10"),
			Text: "Water rose overnight in the valley. Residents were evacuated to higher ground."}},
		{"valley2", wire.ID, newstrace.Document{Title: "Valley towns count the cost", Language: "en", Published: day("2024-05-12"),
			Text: "After the floods, the valley towns count the cost of the damage."}},
		{"storm", fort.ID, newstrace.Document{Title: "Storm over the harbour", Authors: []string{"Ivan Petrov"}, Language: "en", Published: day("2024-06-02"),
			Text: "A storm hit the harbour bridge. No floods were reported."}},
		{"tal", fort.ID, newstrace.Document{Title: "Hochwasser im Tal", Language: "de", Published: day("2024-05-11"),
			Text: "Das Wasser stieg über Nacht im Tal. Überschwemmung."}},
		{"sport", 0, newstrace.Document{Title: "Match report: valley rovers win", Language: "en", SiteName: "Sports Daily", Published: day("2024-04-01"),
			Text: "The valley rovers won the cup final."}},
		{"hostile", 0, newstrace.Document{Title: `Quotes "and" NEAR(stars) ^caret title:col`, Language: "en", Published: day("2024-03-01"),
			Text: hostileText}},
	}
	out := searchDocs{ids: map[string]int64{}, story: map[string]int64{}}
	for i, x := range docs {
		x.d.URL = "https://search.example/" + x.name
		x.d.ContentHash = "search-" + x.name
		x.d.FirstSeen = at(time.Duration(i) * time.Minute)
		res := mustSave(t, s, x.d, newstrace.Sighting{FeedID: x.feed, EntryKey: x.name, URL: x.d.URL})
		out.ids[x.name], out.story[x.name] = res.Document.ID, res.Document.StoryID
	}
	// Another outlet reposts "tal": a source: filter finds it by either name.
	mirror := mustFeed(t, s, newstrace.Feed{URL: "https://mirror.example/rss", Title: "Mirror Desk"})
	tal := docs[3]
	tal.d.URL, tal.d.ContentHash, tal.d.FirstSeen = "https://search.example/tal", "search-tal", at(time.Hour)
	if res := mustSave(t, s, tal.d, newstrace.Sighting{FeedID: mirror.ID, EntryKey: "tal-repost", URL: tal.d.URL}); res.Document.ID != out.ids["tal"] {
		t.Fatalf("the repost of tal was stored as document %d, not %d", res.Document.ID, out.ids["tal"])
	}
	story, err := s.MergeStories(ctx, []int64{out.ids["valley"], out.ids["valley2"]})
	if err != nil {
		t.Fatalf("MergeStories: %v", err)
	}
	out.story["valley"], out.story["valley2"] = story, story

	u := newstrace.User{Name: "searcher"}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	out.user = u.ID
	if err := s.SetStarred(ctx, u.ID, []int64{out.ids["storm"]}, true); err != nil {
		t.Fatalf("SetStarred: %v", err)
	}
	if err := s.SetRead(ctx, u.ID, []int64{out.ids["valley"], out.ids["storm"]}, true); err != nil {
		t.Fatalf("SetRead: %v", err)
	}
	return out
}

func w(text string) newstrace.SearchClause {
	return newstrace.SearchClause{Any: []newstrace.SearchTerm{{Text: text}}}
}

func testSearch(t *testing.T, s newstrace.Store) {
	docs := seedSearch(t, s)
	yes, no := true, false
	tests := []struct {
		name    string
		q       newstrace.SearchQuery
		want    []string // best hit of each story, in order
		ordered bool     // the order of want matters
		docs    int      // documents matched, when not len(want)
	}{
		{name: "word groups a story once", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods")}},
			want: []string{"valley", "storm", "hostile"}, docs: 4},
		{name: "one match", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("harbour")}}, want: []string{"storm"}},
		{name: "phrase", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{{Any: []newstrace.SearchTerm{{Text: "valley towns", Phrase: true}}}}},
			want: []string{"valley2"}, docs: 2}, // in its title and text
		{name: "phrase order matters", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{{Any: []newstrace.SearchTerm{{Text: "towns valley", Phrase: true}}}}}},
		{name: "prefix", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{{Any: []newstrace.SearchTerm{{Text: "evacuat", Prefix: true}}}}}, want: []string{"valley"}},
		{name: "case and diacritics folded", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("ÜBERSCHWEMMUNG")}}, want: []string{"tal"}},
		{name: "or", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{{Any: []newstrace.SearchTerm{{Text: "storm"}, {Text: "hochwasser"}}}}},
			want: []string{"storm", "tal"}},
		{name: "and", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods"), w("harbour")}}, want: []string{"storm"}},
		{name: "exclusion", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods"), {Any: []newstrace.SearchTerm{{Text: "harbour"}}, Negated: true}}},
			want: []string{"valley", "hostile"}, docs: 3},
		{name: "exclusion only, with a filter", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{{Any: []newstrace.SearchTerm{{Text: "floods"}}, Negated: true}}, Langs: []string{"en"}},
			want: []string{"sport"}},
		{name: "source by name, newest first", q: newstrace.SearchQuery{Sources: []string{"fort russ news"}}, want: []string{"storm", "tal"}, ordered: true},
		{name: "source and word", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods")}, Sources: []string{"Fort Russ News"}}, want: []string{"storm"}},
		{name: "source by site name", q: newstrace.SearchQuery{Sources: []string{"Sports Daily"}}, want: []string{"sport"}},
		{name: "source that sighted it second", q: newstrace.SearchQuery{Sources: []string{"mirror desk"}}, want: []string{"tal"}},
		{name: "second source and word", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("tal")}, Sources: []string{"Mirror Desk", "Nobody"}}, want: []string{"tal"}},
		{name: "unknown source", q: newstrace.SearchQuery{Sources: []string{"Nobody"}}},
		{name: "lang", q: newstrace.SearchQuery{Langs: []string{"de"}}, want: []string{"tal"}},
		{name: "author substring any case", q: newstrace.SearchQuery{Authors: []string{"LANE"}}, want: []string{"valley"}},
		{name: "author with like wildcards", q: newstrace.SearchQuery{Authors: []string{"%"}}},
		{name: "dates: after inclusive, before exclusive", q: newstrace.SearchQuery{After: day("2024-05-11"), Before: day("2024-06-02")},
			want: []string{"valley2", "tal"}, ordered: true},
		{name: "story", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("valley")}, StoryID: docs.story["valley"]}, want: []string{"valley2"}, docs: 2},
		{name: "starred", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods")}, Starred: &yes, UserID: docs.user}, want: []string{"storm"}},
		{name: "unstarred", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("harbour")}, Starred: &no, UserID: docs.user}},
		{name: "unread picks the unread copy", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("valley"), w("towns")}, Unread: &yes, UserID: docs.user},
			want: []string{"valley2"}},
		{name: "read", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods")}, Unread: &no, UserID: docs.user}, want: []string{"valley", "storm"}},
		{name: "no user has nothing starred", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods")}, Starred: &yes}},
		// Hostile terms: backend syntax inside a term is text, never an operator.
		{name: "column filter is text", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("title:col")}}, want: []string{"hostile"}},
		{name: "NEAR is text", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("NEAR(stars")}}, want: []string{"hostile"}},
		{name: "caret is text", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("^caret")}}, want: []string{"hostile"}},
		{name: "quotes are text", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w(`"quotes"`), w(`and"`)}}, want: []string{"hostile"}},
		{name: "star and NUL are text", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("*caret\x00*"), w("AND"), w("NEAR")}}, want: []string{"hostile"}},
		{name: "markup is text", q: newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("<script>")}}, want: []string{"hostile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Search(t.Context(), tt.q)
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, nameOf(docs.ids, h.DocumentID))
			}
			want := slices.Clone(tt.want)
			if !tt.ordered {
				slices.Sort(got)
				slices.Sort(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("hits = %q, want %q", got, want)
			}
			wantDocs := tt.docs
			if wantDocs == 0 {
				wantDocs = len(tt.want)
			}
			if res.Stories != len(tt.want) || res.Documents != wantDocs || res.Capped {
				t.Errorf("stories %d, documents %d, capped %v; want %d, %d, false", res.Stories, res.Documents, res.Capped, len(tt.want), wantDocs)
			}
		})
	}
}

func nameOf(ids map[string]int64, id int64) string {
	for name, x := range ids {
		if x == id {
			return name
		}
	}
	return "?"
}

func testSearchHits(t *testing.T, s newstrace.Store) {
	docs := seedSearch(t, s)
	ctx := t.Context()
	mark := func(s string) string { return newstrace.SnippetStart + s + newstrace.SnippetEnd }

	res, err := s.Search(ctx, newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods")}})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(res.Hits) != 3 || res.Limit != newstrace.SearchDefaultLimit || res.Offset != 0 {
		t.Fatalf("result = %+v, want 3 hits, default limit", res)
	}
	// The title match ranks first, and stands for its story with one more copy.
	first := res.Hits[0]
	if first.DocumentID != docs.ids["valley"] || first.MoreInStory != 1 || first.StoryID != docs.story["valley"] {
		t.Errorf("first hit = %+v, want valley with 1 more in story %d", first, docs.story["valley"])
	}
	if first.Title != "Floods reach the valley towns" || first.TitleMarked != mark("Floods")+" reach the valley towns" {
		t.Errorf("title %q marked %q", first.Title, first.TitleMarked)
	}
	if first.Source != "Valley Wire" || first.Language != "en" || first.Published == nil || !first.Published.Equal(*day("2024-05-10")) || first.URL != "https://search.example/valley" {
		t.Errorf("hit metadata = %+v", first)
	}
	for i, h := range res.Hits {
		if h.Score <= 0 || (i > 0 && h.Score > res.Hits[i-1].Score) {
			t.Errorf("hit %d score %v: want positive, best first", i, h.Score)
		}
	}
	// Snippets carry markers around the match and the stored text verbatim
	// (escaping is the reader's job).
	for _, h := range res.Hits {
		switch h.DocumentID {
		case docs.ids["storm"]:
			if !strings.Contains(h.Snippet, mark("floods")) || !strings.Contains(h.Snippet, "harbour bridge") {
				t.Errorf("storm snippet %q", h.Snippet)
			}
		case docs.ids["hostile"]:
			if !strings.Contains(h.Snippet, "<script>alert(1)</script>") || !strings.Contains(h.Snippet, mark("floods")) {
				t.Errorf("hostile snippet %q", h.Snippet)
			}
			if h.Source != "" || h.Title != `Quotes "and" NEAR(stars) ^caret title:col` {
				t.Errorf("hostile hit %+v", h)
			}
		}
	}

	// Pages count story groups.
	page, err := s.Search(ctx, newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods")}, Limit: 1, Offset: 1})
	if err != nil {
		t.Fatalf("Search page: %v", err)
	}
	if len(page.Hits) != 1 || page.Hits[0].DocumentID != res.Hits[1].DocumentID || page.Stories != 3 || page.Limit != 1 || page.Offset != 1 {
		t.Errorf("page 2 = %+v, want hit %d of 3 stories", page, res.Hits[1].DocumentID)
	}
	past, err := s.Search(ctx, newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods")}, Offset: 10})
	if err != nil || len(past.Hits) != 0 || past.Hits == nil || past.Stories != 3 {
		t.Errorf("past the end = %+v, %v; want no hits (empty, not nil), 3 stories", past, err)
	}
	big, err := s.Search(ctx, newstrace.SearchQuery{Clauses: []newstrace.SearchClause{w("floods")}, Limit: 10 * newstrace.SearchMaxLimit})
	if err != nil || big.Limit != newstrace.SearchMaxLimit {
		t.Errorf("huge limit = %d, %v; want clamped to %d", big.Limit, err, newstrace.SearchMaxLimit)
	}

	// Without words: no marks, the opening of the text, score 0.
	plain, err := s.Search(ctx, newstrace.SearchQuery{Langs: []string{"de"}})
	if err != nil || len(plain.Hits) != 1 {
		t.Fatalf("lang:de = %+v, %v", plain, err)
	}
	if h := plain.Hits[0]; h.Score != 0 || h.TitleMarked != "Hochwasser im Tal" || !strings.HasPrefix(h.Snippet, "Das Wasser stieg") || strings.Contains(h.Snippet, newstrace.SnippetStart) {
		t.Errorf("unranked hit = %+v", h)
	}

	// Nothing to search for is invalid.
	for _, q := range []newstrace.SearchQuery{{}, {Limit: 5}} {
		_, err := s.Search(ctx, q)
		wantCode(t, "empty search", err, newstrace.EINVALID)
	}
}
