package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// This file pins MatchStore (matchstore.go):
//   - band keys are full uint64 values (the high bit included);
//   - SaveFingerprint replaces a document's earlier postings;
//   - TermCandidates folds case and restricts to the time window (published,
//     else first seen); TermDocFreq answers per term as given;
//   - MergeStories keeps the lowest story id and is idempotent, also when
//     two callers merge overlapping sets at once;
//   - ReplaceStoryGraph is all or nothing; an edge with FromID 0 and a
//     FromOutlet round-trips; the story's title becomes the root's.

func saveN(t *testing.T, s newstrace.Store, n int) []newstrace.Document {
	t.Helper()
	out := make([]newstrace.Document, n)
	for i := range out {
		out[i] = mustSave(t, s, doc(i+1, nil), newstrace.Sighting{}).Document
	}
	return out
}

func testFingerprints(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	ds := saveN(t, s, 3)
	const high = uint64(1)<<63 | 7
	save := func(id int64, fp string, bands ...uint64) {
		t.Helper()
		if err := s.SaveFingerprint(ctx, id, []byte(fp), bands); err != nil {
			t.Fatalf("SaveFingerprint(%d): %v", id, err)
		}
	}
	save(ds[0].ID, "fp1", 1, 2, 3)
	save(ds[1].ID, "fp2", 3, 4)
	save(ds[2].ID, "fp3", 5, high)

	tests := []struct {
		name  string
		bands []uint64
		limit int
		want  []int64
	}{
		{"one key", []uint64{1}, 0, []int64{ds[0].ID}},
		{"shared key", []uint64{3}, 0, []int64{ds[0].ID, ds[1].ID}},
		{"several keys, repeats once", []uint64{2, 4, 3, 2}, 0, []int64{ds[0].ID, ds[1].ID}},
		{"high bit key", []uint64{high}, 0, []int64{ds[2].ID}},
		{"unknown key", []uint64{99}, 0, nil},
		{"no keys", nil, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.NearCandidates(ctx, tt.bands, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("NearCandidates(%v) = %v, want %v", tt.bands, got, tt.want)
			}
		})
	}

	if got, err := s.NearCandidates(ctx, []uint64{1, 4, 5}, 2); err != nil || len(got) != 2 || !slices.IsSorted(got) {
		t.Errorf("NearCandidates with limit 2 = %v, %v; want 2 ids, ascending", got, err)
	}
	// More keys than one lookup takes (the store may chunk them).
	many := []uint64{high}
	for k := range uint64(100) {
		many = append(many, 1000+k)
	}
	if got, err := s.NearCandidates(ctx, append(many, 4), 0); err != nil || !slices.Equal(got, []int64{ds[1].ID, ds[2].ID}) {
		t.Errorf("NearCandidates(102 keys) = %v, %v; want [%d %d]", got, err, ds[1].ID, ds[2].ID)
	}

	// Re-fingerprinting replaces the postings: key 1 no longer finds ds[0].
	save(ds[0].ID, "fp1b", 7, 8)
	if got, _ := s.NearCandidates(ctx, []uint64{1, 2}, 0); len(got) != 0 {
		t.Errorf("old keys still find %v after re-fingerprinting", got)
	}
	if got, _ := s.NearCandidates(ctx, []uint64{8}, 0); !slices.Equal(got, []int64{ds[0].ID}) {
		t.Errorf("new key finds %v, want [%d]", got, ds[0].ID)
	}
	if fp, err := s.Fingerprint(ctx, ds[0].ID); err != nil || !bytes.Equal(fp, []byte("fp1b")) {
		t.Errorf("Fingerprint = %q, %v; want fp1b", fp, err)
	}
	_, err := s.Fingerprint(ctx, ds[2].ID+100)
	wantCode(t, "Fingerprint(unknown)", err, newstrace.ENOTFOUND)
	wantCode(t, "SaveFingerprint(unknown)", s.SaveFingerprint(ctx, ds[2].ID+100, []byte("x"), []uint64{1}), newstrace.ENOTFOUND)
}

func textDoc(n int, title, text string, published time.Time) newstrace.Document {
	d := doc(n, &published)
	d.Title, d.Text, d.ContentHash = title, text, fmt.Sprintf("text-%d", n)
	return d
}

func testTermCandidates(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	d1 := mustSave(t, s, textDoc(1, "Harbour bridge reopens", "The Kowloon harbour bridge reopened after repairs.", at(0)), newstrace.Sighting{}).Document
	d2 := mustSave(t, s, textDoc(2, "Bridge opens again", "Traffic crossed the Kowloon bridge on Monday.", at(6*time.Hour)), newstrace.Sighting{}).Document
	d3 := mustSave(t, s, textDoc(3, "Kowloon archive", "A Kowloon story from a year earlier.", at(-365*24*time.Hour)), newstrace.Sighting{}).Document
	mustSave(t, s, textDoc(4, "Vaccine trial", "A malaria vaccine trial reported results.", at(time.Hour)), newstrace.Sighting{})

	sorted := func(ids []int64) []int64 { slices.Sort(ids); return ids }
	tests := []struct {
		name   string
		terms  []string
		window time.Duration
		want   []int64
	}{
		{"within a day", []string{"kowloon"}, 24 * time.Hour, []int64{d1.ID, d2.ID}},
		{"case folded", []string{"KOWLOON"}, 24 * time.Hour, []int64{d1.ID, d2.ID}},
		{"no window", []string{"kowloon"}, 0, []int64{d1.ID, d2.ID, d3.ID}},
		{"any term", []string{"repairs", "monday"}, 24 * time.Hour, []int64{d1.ID, d2.ID}},
		{"syntax is quoted", []string{`"`, "OR", "NEAR(", "*", "a:b"}, 24 * time.Hour, nil},
		{"quote inside a term", []string{`repairs"`}, 24 * time.Hour, []int64{d1.ID}},
		{"unknown", []string{"zanzibar"}, 24 * time.Hour, nil},
		{"none", nil, 24 * time.Hour, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.TermCandidates(ctx, tt.terms, at(0), tt.window, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := sorted(got); !slices.Equal(got, tt.want) {
				t.Errorf("TermCandidates(%q) = %v, want %v", tt.terms, got, tt.want)
			}
		})
	}
	if got, err := s.TermCandidates(ctx, []string{"kowloon"}, at(0), 0, 1); err != nil || len(got) != 1 {
		t.Errorf("TermCandidates limit 1 = %v, %v", got, err)
	}

	df, total, err := s.TermDocFreq(ctx, []string{"kowloon", "Bridge", "malaria", "zanzibar"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"kowloon": 3, "Bridge": 2, "malaria": 1}
	if len(df) != len(want) || df["kowloon"] != 3 || df["Bridge"] != 2 || df["malaria"] != 1 {
		t.Errorf("TermDocFreq = %v, want %v", df, want)
	}
	if total < 4 {
		t.Errorf("TermDocFreq total = %d, want at least 4", total)
	}
}

func testDocumentsByID(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	ds := saveN(t, s, 5)
	got, err := s.DocumentsByID(ctx, []int64{ds[3].ID, ds[0].ID, ds[4].ID + 100, ds[3].ID})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(docIDs(got), []int64{ds[0].ID, ds[3].ID}) {
		t.Errorf("DocumentsByID = %v, want [%d %d]", docIDs(got), ds[0].ID, ds[3].ID)
	} else {
		checkDocument(t, got[0], doc(1, nil))
	}
	var all []int64
	for after := int64(0); ; {
		page, err := s.DocumentIDs(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1]
	}
	if !slices.Equal(all, docIDs(ds)) {
		t.Errorf("DocumentIDs pages = %v, want %v", all, docIDs(ds))
	}
}

func storyOf(t *testing.T, s newstrace.Store, id int64) int64 {
	t.Helper()
	d, err := s.Document(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d.StoryID
}

func testMergeStories(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	ds := saveN(t, s, 4)
	if err := s.AddEdge(ctx, ds[2].StoryID, newstrace.Edge{FromID: ds[3].ID, ToID: ds[2].ID, Kind: newstrace.EdgeCites}); err != nil {
		t.Fatal(err)
	}
	into, err := s.MergeStories(ctx, []int64{ds[2].ID, ds[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	if into != min(ds[1].StoryID, ds[2].StoryID) {
		t.Errorf("MergeStories kept story %d, want the lower %d", into, min(ds[1].StoryID, ds[2].StoryID))
	}
	// Merging ds[0] with ds[2] brings ds[1] along (it shares ds[2]'s story).
	into2, err := s.MergeStories(ctx, []int64{ds[2].ID, ds[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.MergeStories(ctx, []int64{ds[0].ID, ds[1].ID, ds[2].ID})
	if err != nil || again != into2 {
		t.Errorf("repeated merge = %d, %v; want %d (nothing changes)", again, err, into2)
	}
	for _, d := range ds[:3] {
		if got := storyOf(t, s, d.ID); got != into2 {
			t.Errorf("document %d in story %d, want %d", d.ID, got, into2)
		}
	}
	if storyOf(t, s, ds[3].ID) == into2 {
		t.Error("an unrelated document was merged too")
	}
	st, err := s.Story(ctx, into2)
	if err != nil {
		t.Fatal(err)
	}
	if st.DocumentCount != 3 || len(st.Edges) != 1 {
		t.Errorf("merged story has %d documents, %d edges; want 3 and the moved edge", st.DocumentCount, len(st.Edges))
	}
	ss, err := s.Stories(ctx, newstrace.StoryFilter{Limit: -1})
	if err != nil || len(ss) != 2 {
		t.Errorf("Stories after merge = %d, %v; want 2 (emptied stories deleted)", len(ss), err)
	}
	_, err = s.MergeStories(ctx, []int64{ds[3].ID + 100})
	wantCode(t, "MergeStories(unknown)", err, newstrace.ENOTFOUND)
}

// testConcurrentMerge: merges of overlapping sets running at once end in one story.
func testConcurrentMerge(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	ds := saveN(t, s, 12)
	var wg sync.WaitGroup
	errs := make(chan error, len(ds))
	for i := range len(ds) - 1 {
		wg.Go(func() {
			_, err := s.MergeStories(ctx, []int64{ds[i+1].ID, ds[i].ID})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("MergeStories: %v", err)
		}
	}
	want := storyOf(t, s, ds[0].ID)
	for _, d := range ds {
		if got := storyOf(t, s, d.ID); got != want {
			t.Errorf("document %d in story %d, want all in %d", d.ID, got, want)
		}
	}
	if want != ds[0].StoryID {
		t.Errorf("surviving story %d, want the oldest %d", want, ds[0].StoryID)
	}
}

func testReplaceStoryGraph(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	ds := saveN(t, s, 4)
	story, err := s.MergeStories(ctx, []int64{ds[0].ID, ds[1].ID, ds[2].ID})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c, other := ds[0].ID, ds[1].ID, ds[2].ID, ds[3].ID
	good := []newstrace.Edge{
		{FromID: b, ToID: a, Kind: newstrace.EdgeRepost, Confidence: 0.9, Evidence: "containment 0.98"},
		{FromOutlet: "Al Mayadeen", ToID: b, Kind: newstrace.EdgeTranslation, Confidence: 0.8, Evidence: "credit"},
		{FromID: b, ToID: c, Kind: newstrace.EdgeSyndication, Confidence: 0.7},
	}
	if err := s.ReplaceStoryGraph(ctx, story, b, good); err != nil {
		t.Fatalf("ReplaceStoryGraph: %v", err)
	}
	check := func(what string, root int64, edges []newstrace.Edge) {
		t.Helper()
		st, err := s.Story(ctx, story)
		if err != nil {
			t.Fatal(err)
		}
		if st.RootDocumentID != root || st.Title != fmt.Sprintf("Story %d", root-a+1) {
			t.Errorf("%s: root %d title %q, want root %d and its title", what, st.RootDocumentID, st.Title, root)
		}
		if !slices.Equal(st.Edges, edges) {
			t.Errorf("%s: edges\n got %+v\nwant %+v", what, st.Edges, edges)
		}
	}
	check("first graph", b, good)

	bad := []struct {
		name  string
		story int64
		root  int64
		edges []newstrace.Edge
		code  string
	}{
		{"self edge", story, a, []newstrace.Edge{good[0], {FromID: a, ToID: a, Kind: newstrace.EdgeCites}}, newstrace.EINVALID},
		{"no kind", story, a, []newstrace.Edge{good[0], {FromID: a, ToID: c}}, newstrace.EINVALID},
		{"no origin", story, a, []newstrace.Edge{{ToID: c, Kind: newstrace.EdgeTranslation}}, newstrace.EINVALID},
		{"no root", story, 0, nil, newstrace.EINVALID},
		{"document of another story", story, a, []newstrace.Edge{good[0], {FromID: a, ToID: other, Kind: newstrace.EdgeCites}}, newstrace.ECONFLICT},
		{"root of another story", story, other, nil, newstrace.ECONFLICT},
		{"unknown story", story + 1000, a, nil, newstrace.ENOTFOUND},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, "ReplaceStoryGraph", s.ReplaceStoryGraph(ctx, tt.story, tt.root, tt.edges), tt.code)
		})
	}
	check("after refused replacements", b, good) // all or nothing

	// A new graph replaces the old wholly; repeated keys collapse.
	next := []newstrace.Edge{
		{FromID: a, ToID: b, Kind: newstrace.EdgeRepost, Confidence: 0.5},
		{FromID: a, ToID: b, Kind: newstrace.EdgeRepost, Confidence: 0.6},
		{FromOutlet: "Al Mayadeen", ToID: a, Kind: newstrace.EdgeTranslation, Confidence: 0.8},
	}
	if err := s.ReplaceStoryGraph(ctx, story, a, next); err != nil {
		t.Fatal(err)
	}
	check("second graph", a, next[1:])
	if err := s.ReplaceStoryGraph(ctx, story, a, nil); err != nil {
		t.Fatal(err)
	}
	check("empty graph", a, nil)

	// AddEdge takes outlet edges too; the same outlet edge again updates it.
	for _, conf := range []float64{0.4, 0.7} {
		if err := s.AddEdge(ctx, story, newstrace.Edge{FromOutlet: "Al Mayadeen", ToID: c, Kind: newstrace.EdgeTranslation, Confidence: conf}); err != nil {
			t.Fatalf("AddEdge(outlet): %v", err)
		}
	}
	check("outlet AddEdge", a, []newstrace.Edge{{FromOutlet: "Al Mayadeen", ToID: c, Kind: newstrace.EdgeTranslation, Confidence: 0.7}})
	wantCode(t, "AddEdge(no origin)", s.AddEdge(ctx, story, newstrace.Edge{ToID: c, Kind: newstrace.EdgeCites}), newstrace.EINVALID)
}
