package sqlite

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/search"
)

func searchIDs(t *testing.T, db *DB, in string, userID int64) ([]int64, []float64) {
	t.Helper()
	q, err := search.Parse(in)
	if err != nil {
		t.Fatalf("Parse(%q): %v", in, err)
	}
	q.UserID, q.Limit = userID, newstrace.SearchMaxLimit
	res, err := db.Search(t.Context(), q)
	if err != nil {
		t.Fatalf("Search(%q): %v", in, err)
	}
	var ids []int64
	var scores []float64
	for _, h := range res.Hits {
		ids, scores = append(ids, h.DocumentID), append(scores, h.Score)
	}
	return ids, scores
}

// Ranking is BM25 with title matches weighted 5: a rarer word's match ranks
// above a common word's, a title match above the same word in the body.
func TestSearchRankOrder(t *testing.T) {
	filler := "the council met on monday to discuss the budget and the plans for next year"
	var docs []newstrace.Document
	docs = append(docs,
		newstrace.Document{Title: "evening report", Text: filler + " zebra"},      // 1: rare word in body
		newstrace.Document{Title: "flood warning issued", Text: filler + " calm"}, // 2: flood in title
		newstrace.Document{Title: "morning report", Text: filler + " flood"},      // 3: flood in body
	)
	for i := range 20 {
		docs = append(docs, newstrace.Document{Title: fmt.Sprintf("report %d", i), Text: filler + " apple"})
	}
	db := openRankTest(t, docs)
	ids, scores := searchIDs(t, db, "zebra OR apple", 0)
	if len(ids) != 21 || ids[0] != 1 {
		t.Errorf("zebra OR apple: ids %v, want document 1 (the rare word) first of 21", ids)
	}
	if len(scores) > 1 && !(scores[0] > scores[1]) {
		t.Errorf("zebra OR apple: scores %v, want the first strictly higher", scores)
	}
	ids, _ = searchIDs(t, db, "flood", 0)
	if !reflect.DeepEqual(ids, []int64{2, 3}) {
		t.Errorf("flood: ids %v, want [2 3] (title match first)", ids)
	}
}

// A filter applied as a list of its documents (the plan for selective
// filters on a large store), and matches taken in id windows (with a list,
// or a NOT), give the same hits, in the same order with the same scores, as
// one walk over the matches testing each filter on the match's row.
func TestSearchFilterPlans(t *testing.T) {
	ctx := t.Context()
	db := openRankTest(t, nil)
	var sources []newstrace.Source
	for _, name := range []string{"Daily Planet", "Gazette", "Herald"} {
		s, err := db.EnsureSource(ctx, newstrace.Source{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, s)
	}
	u := &newstrace.User{Name: "reader", PasswordHash: "x"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	words := []string{"flood", "river", "storm", "city", "council", "bridge"}
	authors := [][]string{{"Lois Lane"}, {"Clark Kent", "Lois Lane"}, {}, {"Jimmy Olsen"}, {"lois lane"}, {"Perry White"}}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var starred []int64
	for i := range 120 {
		pub := start.Add(time.Duration(i) * 24 * time.Hour)
		d := newstrace.Document{
			URL:       fmt.Sprintf("https://plan.example/%d", i),
			Title:     words[i%len(words)] + " " + words[(i/2)%len(words)],
			Text:      strings.Repeat(words[(i/3)%len(words)]+" report. ", 1+i%4),
			Authors:   authors[i%len(authors)],
			Language:  []string{"en", "en", "de"}[i%3],
			Published: &pub,
		}
		if i%7 == 0 {
			d.SiteName = "gazette" // a file import's site name
		}
		s := newstrace.Sighting{SourceID: sources[i%len(sources)].ID, SeenAt: pub}
		res, err := db.SaveDocument(ctx, d, s)
		if err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 {
			// Sighted by another source too.
			if _, err := db.SaveDocument(ctx, d, newstrace.Sighting{SourceID: sources[(i+1)%len(sources)].ID, SeenAt: pub}); err != nil {
				t.Fatal(err)
			}
		}
		if i%4 == 0 {
			starred = append(starred, res.Document.ID)
		}
	}
	if err := db.SetStarred(ctx, u.ID, starred, true); err != nil {
		t.Fatal(err)
	}
	// Authors changed and a document deleted after saving: the author index follows.
	if _, err := db.writer.ExecContext(ctx, `UPDATE documents SET authors = '["Lana Lang"]' WHERE id = 7`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.writer.ExecContext(ctx, `DELETE FROM documents WHERE id = 13`); err != nil {
		t.Fatal(err)
	}
	var story int64
	if err := db.reader.QueryRowContext(ctx, `SELECT story_id FROM documents WHERE id = 20`).Scan(&story); err != nil {
		t.Fatal(err)
	}

	queries := []string{
		`flood source:"Daily Planet"`,
		`river source:gazette`,
		`storm OR city source:herald source:"daily planet"`,
		`flood author:lois`,
		`storm author:"Lana"`,
		`council author:kent author:olsen`,
		`report lang:de`,
		`report -flood lang:en author:lane`,
		`report is:starred`,
		`"flood report" source:gazette lang:de`,
		`report story:` + fmt.Sprint(story),
		`report after:2024-02-01 before:2024-03-15 source:herald`,
		`rep* author:lane is:starred`,
		`report -flood`,
		`rep* -river -bridge`,
	}
	defer func(plan, cands int, span int64, single bool) {
		filterPlan, SearchCandidates, windowSpan, singleWalk = plan, cands, span, single
	}(filterPlan, SearchCandidates, windowSpan, singleWalk)
	for _, cands := range []int{500, 4} { // 4: the cap cuts the walk short
		SearchCandidates = cands
		for _, in := range queries {
			filterPlan, windowSpan, singleWalk = -1, 0, true
			wantIDs, wantScores := searchIDs(t, db, in, u.ID)
			if len(wantIDs) == 0 {
				t.Errorf("%s: no hits; the test should exercise the filter", in)
			}
			singleWalk = false
			for _, plan := range []int{-1, 1} { // filters tested on rows, or listed
				for _, span := range []int64{0, 1, 7} { // windows sized by the plan, or small
					filterPlan, windowSpan = plan, span
					ids, scores := searchIDs(t, db, in, u.ID)
					if !reflect.DeepEqual(ids, wantIDs) || !reflect.DeepEqual(scores, wantScores) {
						t.Errorf("%s (cap %d, plan %d, window %d):\none walk  %v %v\ngot       %v %v", in, cands, plan, span, wantIDs, wantScores, ids, scores)
					}
				}
			}
		}
	}
}
