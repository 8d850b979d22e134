package search

import (
	"reflect"
	"testing"

	"github.com/newstrace/newstrace"
)

func TestGroupByStory(t *testing.T) {
	cands := []Candidate{
		{ID: 1, Story: 10, Score: 0.5},
		{ID: 2, Story: 20, Score: 0.9},
		{ID: 3, Story: 10, Score: 0.9}, // ties story 20's best: the newer id first
		{ID: 4, Story: -4, Score: 0.1}, // no story: alone
	}
	ranked := GroupByStory(append([]Candidate(nil), cands...), true)
	want := []Group{{Best: cands[2], More: 1}, {Best: cands[1]}, {Best: cands[3]}}
	if !reflect.DeepEqual(ranked, want) {
		t.Errorf("ranked: %+v, want %+v", ranked, want)
	}
	asCame := GroupByStory(append([]Candidate(nil), cands...), false)
	want = []Group{{Best: cands[0], More: 1}, {Best: cands[1]}, {Best: cands[3]}}
	if !reflect.DeepEqual(asCame, want) {
		t.Errorf("in order: %+v, want %+v", asCame, want)
	}

	if ids := PageIDs(ranked); !reflect.DeepEqual(ids, []int64{3, 2, 4}) {
		t.Errorf("PageIDs = %v", ids)
	}
	byID := map[int64]newstrace.SearchHit{2: {DocumentID: 2}, 3: {DocumentID: 3}, 4: {DocumentID: 4}}
	hits, _, ok := InPageOrder(ranked, byID)
	if !ok || len(hits) != 3 || hits[0].DocumentID != 3 || hits[0].MoreInStory != 1 || hits[0].Score != 0.9 || hits[2].DocumentID != 4 {
		t.Errorf("InPageOrder = %+v, %v", hits, ok)
	}
	delete(byID, 2)
	if _, missing, ok := InPageOrder(ranked, byID); ok || missing != 2 {
		t.Errorf("a page document not loaded: missing %d, ok %v", missing, ok)
	}
}
