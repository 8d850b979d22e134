package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

func testStories(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	a := mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "Alpha"})
	b := mustFeed(t, s, newstrace.Feed{URL: "https://b.example/rss", Title: "Beta"})
	orig := mustSave(t, s, doc(1, ptr(at(0))), newstrace.Sighting{FeedID: a.ID, EntryKey: "1"}).Document
	copyDoc := mustSave(t, s, doc(2, ptr(at(time.Hour))), newstrace.Sighting{FeedID: b.ID, EntryKey: "2"}).Document
	mustSave(t, s, doc(1, nil), newstrace.Sighting{FeedID: b.ID, EntryKey: "1b"}) // orig also seen in Beta

	if err := s.AddEdge(ctx, orig.StoryID, newstrace.Edge{FromID: copyDoc.ID, ToID: orig.ID,
		Kind: newstrace.EdgeRepost, Confidence: 0.93, Evidence: "same text, credit line"}); err != nil {
		t.Fatalf("AddEdge: %v", err)
	}

	ss, err := s.Stories(ctx, newstrace.StoryFilter{})
	if err != nil {
		t.Fatalf("Stories: %v", err)
	}
	if len(ss) != 2 {
		t.Fatalf("Stories returned %d, want 2", len(ss))
	}
	// The copy's story is newer (published an hour later).
	if ss[0].ID != copyDoc.StoryID || ss[1].ID != orig.StoryID {
		t.Errorf("story order = %d, %d; want %d, %d", ss[0].ID, ss[1].ID, copyDoc.StoryID, orig.StoryID)
	}
	st := ss[1]
	if st.Title != "Story 1" || st.RootDocumentID != orig.ID || st.CreatedAt.IsZero() || st.UpdatedAt.IsZero() {
		t.Errorf("story = %+v, want title, root %d, times", st, orig.ID)
	}
	if st.DocumentCount != 1 || len(st.Documents) != 1 || st.Documents[0].ID != orig.ID {
		t.Errorf("story documents = %v (count %d), want [%d]", docIDs(st.Documents), st.DocumentCount, orig.ID)
	} else {
		checkDocument(t, st.Documents[0], doc(1, ptr(at(0))))
		if st.Documents[0].SourceName != "Alpha" {
			t.Errorf("story document SourceName = %q, want Alpha", st.Documents[0].SourceName)
		}
	}
	if st.SourceCount != 2 {
		t.Errorf("SourceCount = %d, want 2 (Alpha and Beta)", st.SourceCount)
	}
	wantEdge := newstrace.Edge{FromID: copyDoc.ID, ToID: orig.ID, Kind: newstrace.EdgeRepost, Confidence: 0.93, Evidence: "same text, credit line"}
	if len(st.Edges) != 1 || st.Edges[0] != wantEdge {
		t.Errorf("Edges = %+v, want [%+v]", st.Edges, wantEdge)
	}
	if len(ss[0].Edges) != 0 || ss[0].SourceCount != 1 {
		t.Errorf("other story = %+v, want no edges, 1 source", ss[0])
	}

	one, err := s.Story(ctx, orig.StoryID)
	if err != nil {
		t.Fatalf("Story: %v", err)
	}
	if one.ID != st.ID || one.DocumentCount != st.DocumentCount || one.SourceCount != st.SourceCount ||
		!slices.Equal(one.Edges, st.Edges) || !slices.Equal(docIDs(one.Documents), docIDs(st.Documents)) {
		t.Errorf("Story = %+v, want the same as in Stories %+v", one, st)
	}
}

func testStoriesOrderAndPages(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	// Saved out of time order; newest story first whatever the insert order.
	var want []int64
	times := []time.Duration{3 * time.Hour, time.Hour, 5 * time.Hour, 2 * time.Hour, 4 * time.Hour}
	byTime := map[time.Duration]int64{}
	for i, d := range times {
		byTime[d] = mustSave(t, s, doc(i+1, ptr(at(d))), newstrace.Sighting{}).Document.StoryID
	}
	for _, d := range []time.Duration{5 * time.Hour, 4 * time.Hour, 3 * time.Hour, 2 * time.Hour, time.Hour} {
		want = append(want, byTime[d])
	}
	storyIDs := func(ss []newstrace.Story) []int64 { return ids(ss, func(x newstrace.Story) int64 { return x.ID }) }
	tests := []struct {
		name   string
		filter newstrace.StoryFilter
		want   []int64
	}{
		{"default", newstrace.StoryFilter{}, want},
		{"all", newstrace.StoryFilter{Limit: -1}, want},
		{"limit", newstrace.StoryFilter{Limit: 2}, want[:2]},
		{"offset", newstrace.StoryFilter{Limit: 2, Offset: 2}, want[2:4]},
		{"past the end", newstrace.StoryFilter{Limit: 2, Offset: 10}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss, err := s.Stories(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := storyIDs(ss); !slices.Equal(got, tt.want) {
				t.Errorf("Stories(%+v) = %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
	for n := 10; n < 60; n++ {
		mustSave(t, s, doc(n, nil), newstrace.Sighting{})
	}
	if ss, err := s.Stories(ctx, newstrace.StoryFilter{}); err != nil || len(ss) != 50 {
		t.Errorf("Stories default limit = %d, %v; want 50", len(ss), err)
	}
	if ss, err := s.Stories(ctx, newstrace.StoryFilter{Limit: -1}); err != nil || len(ss) != 55 {
		t.Errorf("Stories all = %d, %v; want 55", len(ss), err)
	}
}

func testAddEdge(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	d1 := mustSave(t, s, doc(1, nil), newstrace.Sighting{}).Document
	d2 := mustSave(t, s, doc(2, nil), newstrace.Sighting{}).Document
	d3 := mustSave(t, s, doc(3, nil), newstrace.Sighting{}).Document
	story := d1.StoryID
	tests := []struct {
		name  string
		story int64
		edge  newstrace.Edge
		code  string
	}{
		{"repost", story, newstrace.Edge{FromID: d2.ID, ToID: d1.ID, Kind: newstrace.EdgeRepost, Confidence: 0.5}, ""},
		{"translation", story, newstrace.Edge{FromID: d3.ID, ToID: d1.ID, Kind: newstrace.EdgeTranslation, Confidence: 0.8, Evidence: "translated from"}, ""},
		{"same edge again updates", story, newstrace.Edge{FromID: d2.ID, ToID: d1.ID, Kind: newstrace.EdgeRepost, Confidence: 0.9, Evidence: "credit"}, ""},
		{"unknown story", story + 1000, newstrace.Edge{FromID: d2.ID, ToID: d1.ID, Kind: newstrace.EdgeCites}, newstrace.ENOTFOUND},
		{"unknown from", story, newstrace.Edge{FromID: d3.ID + 1000, ToID: d1.ID, Kind: newstrace.EdgeCites}, newstrace.ENOTFOUND},
		{"unknown to", story, newstrace.Edge{FromID: d2.ID, ToID: d3.ID + 1000, Kind: newstrace.EdgeCites}, newstrace.ENOTFOUND},
		{"self edge", story, newstrace.Edge{FromID: d1.ID, ToID: d1.ID, Kind: newstrace.EdgeCites}, newstrace.EINVALID},
		{"no kind", story, newstrace.Edge{FromID: d2.ID, ToID: d1.ID}, newstrace.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.AddEdge(ctx, tt.story, tt.edge)
			wantCode(t, "AddEdge", err, tt.code)
		})
	}
	st, err := s.Story(ctx, story)
	if err != nil {
		t.Fatal(err)
	}
	want := []newstrace.Edge{
		{FromID: d2.ID, ToID: d1.ID, Kind: newstrace.EdgeRepost, Confidence: 0.9, Evidence: "credit"},
		{FromID: d3.ID, ToID: d1.ID, Kind: newstrace.EdgeTranslation, Confidence: 0.8, Evidence: "translated from"},
	}
	if !slices.Equal(st.Edges, want) {
		t.Errorf("Edges = %+v, want %+v", st.Edges, want)
	}
}
