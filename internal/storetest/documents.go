package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

func testSaveDocumentCreate(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	f := mustFeed(t, s, newstrace.Feed{URL: "https://news.example/rss", Title: "News Example"})
	d := doc(1, ptr(at(-time.Hour)))
	res := mustSave(t, s, d, newstrace.Sighting{FeedID: f.ID, EntryKey: "guid-1", URL: d.URL, SeenAt: at(0)})
	if !res.Created {
		t.Error("Created = false for a new document")
	}
	got := res.Document
	if got.ID == 0 || got.StoryID == 0 || got.CreatedAt.IsZero() {
		t.Fatalf("saved document %+v, want ID, StoryID, CreatedAt set", got)
	}
	checkDocument(t, got, d)
	if got.SourceID != f.SourceID || got.SourceName != "News Example" {
		t.Errorf("source = %d %q, want the feed's %d %q", got.SourceID, got.SourceName, f.SourceID, "News Example")
	}

	back, err := s.Document(ctx, got.ID)
	if err != nil {
		t.Fatalf("Document: %v", err)
	}
	checkDocument(t, back, d)
	if back.StoryID != got.StoryID || back.SourceName != "News Example" || !back.CreatedAt.Equal(got.CreatedAt) {
		t.Errorf("Document = %+v, want story %d, source name, created %v", back, got.StoryID, got.CreatedAt)
	}
	for _, u := range []string{d.URL, d.CanonicalURL} {
		byURL, err := s.DocumentByURL(ctx, u)
		if err != nil {
			t.Fatalf("DocumentByURL(%s): %v", u, err)
		}
		if byURL.ID != got.ID {
			t.Errorf("DocumentByURL(%s) = %d, want %d", u, byURL.ID, got.ID)
		}
	}

	st, err := s.Story(ctx, got.StoryID)
	if err != nil {
		t.Fatalf("Story: %v", err)
	}
	if st.Title != d.Title || st.RootDocumentID != got.ID || st.DocumentCount != 1 || st.SourceCount != 1 {
		t.Errorf("story = %+v, want title %q, root %d, 1 document, 1 source", st, d.Title, got.ID)
	}

	// No canonical URL: the URL stands for it, so the same URL dedupes.
	bare := newstrace.Document{URL: "https://bare.example/x", Title: "Bare", Text: "t"}
	r1 := mustSave(t, s, bare, newstrace.Sighting{})
	r2 := mustSave(t, s, bare, newstrace.Sighting{})
	if !r1.Created || r2.Created || r1.Document.ID != r2.Document.ID {
		t.Errorf("bare URL saves: created %v/%v ids %d/%d, want one document", r1.Created, r2.Created, r1.Document.ID, r2.Document.ID)
	}

	// A document with no URL and no hash (an ingested text) still stores.
	r3 := mustSave(t, s, newstrace.Document{Title: "Loose", Text: "a", Path: "/in/a.txt"}, newstrace.Sighting{})
	r4 := mustSave(t, s, newstrace.Document{Title: "Loose 2", Text: "b", Path: "/in/b.txt"}, newstrace.Sighting{})
	if !r3.Created || !r4.Created || r3.Document.ID == r4.Document.ID || r3.Document.Path != "/in/a.txt" {
		t.Errorf("URL-less saves = %+v / %+v, want two documents with paths", r3.Document, r4.Document)
	}
	if n, err := s.CountDocuments(ctx); err != nil || n != 4 {
		t.Errorf("CountDocuments = %d, %v; want 4", n, err)
	}
}

func testSaveDocumentDedupe(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	f := mustFeed(t, s, newstrace.Feed{URL: "https://news.example/rss", Title: "News"})
	orig := mustSave(t, s, doc(1, nil), newstrace.Sighting{FeedID: f.ID, EntryKey: "e1"}).Document

	sameURL := doc(2, nil)
	sameURL.CanonicalURL = doc(1, nil).CanonicalURL
	sameHash := doc(3, nil)
	sameHash.ContentHash = doc(1, nil).ContentHash
	noHash := doc(4, nil)
	noHash.ContentHash = ""
	// The same text published by another outlet is another copy (a repost to
	// trace), not the same document.
	other := mustFeed(t, s, newstrace.Feed{URL: "https://blog.example/feed", Title: "Blog"})
	otherHash := doc(6, nil)
	otherHash.ContentHash = doc(1, nil).ContentHash
	noHash2 := doc(5, nil)
	noHash2.ContentHash = ""

	tests := []struct {
		name    string
		d       newstrace.Document
		created bool
		sameAs  int64 // 0: a new document
	}{
		{"same canonical URL", sameURL, false, orig.ID},
		{"same content hash", sameHash, false, orig.ID},
		{"empty hash does not match empty hash", noHash, true, 0},
		{"second empty hash is another document", noHash2, true, 0},
		{"same content hash from another source is another copy", otherHash, true, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			feedID := f.ID
			if tt.d.ContentHash == otherHash.ContentHash && tt.d.URL == otherHash.URL {
				feedID = other.ID
			}
			res := mustSave(t, s, tt.d, newstrace.Sighting{FeedID: feedID, EntryKey: tt.name})
			if res.Created != tt.created {
				t.Errorf("Created = %v, want %v", res.Created, tt.created)
			}
			switch {
			case tt.sameAs != 0 && res.Document.ID != tt.sameAs:
				t.Errorf("document ID = %d, want existing %d", res.Document.ID, tt.sameAs)
			case tt.sameAs != 0:
				checkDocument(t, res.Document, doc(1, nil)) // the stored one, not the new copy
			case res.Document.ID == orig.ID:
				t.Errorf("new document got the original's ID %d", orig.ID)
			}
			_ = i
		})
	}
	if n, err := s.CountDocuments(ctx); err != nil || n != 4 {
		t.Errorf("CountDocuments = %d, %v; want 4", n, err)
	}
	st, err := s.Story(ctx, orig.StoryID)
	if err != nil {
		t.Fatal(err)
	}
	if st.DocumentCount != 1 {
		t.Errorf("duplicates added documents to the story: %d, want 1", st.DocumentCount)
	}
}

func testSightings(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	a := mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "A"})
	b := mustFeed(t, s, newstrace.Feed{URL: "https://b.example/rss", Title: "B"})
	d := doc(1, nil)
	first := mustSave(t, s, d, newstrace.Sighting{FeedID: a.ID, EntryKey: "a-1", URL: d.URL, SeenAt: at(time.Minute)})
	// The same entry again in the same feed: no second sighting.
	again := mustSave(t, s, d, newstrace.Sighting{FeedID: a.ID, EntryKey: "a-1", URL: d.URL, SeenAt: at(time.Hour)})
	// Another feed (another source) carries it too.
	other := mustSave(t, s, d, newstrace.Sighting{FeedID: b.ID, EntryKey: "b-9", URL: "https://b.example/copy", SeenAt: at(2 * time.Minute)})
	if !first.Created || again.Created || other.Created {
		t.Errorf("Created = %v %v %v, want true false false", first.Created, again.Created, other.Created)
	}
	if again.Document.ID != first.Document.ID || other.Document.ID != first.Document.ID {
		t.Fatalf("document IDs %d %d %d, want one", first.Document.ID, again.Document.ID, other.Document.ID)
	}
	if other.Document.SourceID != a.SourceID {
		t.Errorf("document source = %d, want the first source %d", other.Document.SourceID, a.SourceID)
	}
	sg, err := s.Sightings(ctx, first.Document.ID)
	if err != nil {
		t.Fatalf("Sightings: %v", err)
	}
	want := []newstrace.Sighting{
		{DocumentID: first.Document.ID, FeedID: a.ID, SourceID: a.SourceID, EntryKey: "a-1", URL: d.URL, SeenAt: at(time.Minute)},
		{DocumentID: first.Document.ID, FeedID: b.ID, SourceID: b.SourceID, EntryKey: "b-9", URL: "https://b.example/copy", SeenAt: at(2 * time.Minute)},
	}
	if len(sg) != len(want) {
		t.Fatalf("Sightings = %+v, want %+v", sg, want)
	}
	for i := range want {
		g, w := sg[i], want[i]
		if g.DocumentID != w.DocumentID || g.FeedID != w.FeedID || g.SourceID != w.SourceID ||
			g.EntryKey != w.EntryKey || g.URL != w.URL || !sameTime(g.SeenAt, w.SeenAt) {
			t.Errorf("sighting %d = %+v, want %+v", i, g, w)
		}
	}
	st, err := s.Story(ctx, first.Document.StoryID)
	if err != nil {
		t.Fatal(err)
	}
	if st.DocumentCount != 1 || st.SourceCount != 2 {
		t.Errorf("story counts = %d documents, %d sources; want 1, 2", st.DocumentCount, st.SourceCount)
	}
}

func testSeenEntry(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	a := mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "A"})
	b := mustFeed(t, s, newstrace.Feed{URL: "https://b.example/rss", Title: "B"})
	mustSave(t, s, doc(1, nil), newstrace.Sighting{FeedID: a.ID, EntryKey: "guid-1"})
	tests := []struct {
		name string
		feed int64
		key  string
		want bool
	}{
		{"seen", a.ID, "guid-1", true},
		{"other key", a.ID, "guid-2", false},
		{"other feed", b.ID, "guid-1", false},
		{"unknown feed", b.ID + 100, "guid-1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SeenEntry(ctx, tt.feed, tt.key)
			if err != nil {
				t.Fatalf("SeenEntry: %v", err)
			}
			if got != tt.want {
				t.Errorf("SeenEntry(%d, %q) = %v, want %v", tt.feed, tt.key, got, tt.want)
			}
		})
	}
}

func testDocumentsFilters(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	a := mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "A"})
	b := mustFeed(t, s, newstrace.Feed{URL: "https://b.example/rss", Title: "B"})
	d1 := mustSave(t, s, doc(1, nil), newstrace.Sighting{FeedID: a.ID, EntryKey: "1"}).Document
	d2 := mustSave(t, s, doc(2, nil), newstrace.Sighting{FeedID: b.ID, EntryKey: "2"}).Document
	d3 := mustSave(t, s, doc(3, nil), newstrace.Sighting{FeedID: a.ID, EntryKey: "3"}).Document
	mustSave(t, s, doc(1, nil), newstrace.Sighting{FeedID: b.ID, EntryKey: "1b"}) // d1 seen in b too

	tests := []struct {
		name   string
		filter newstrace.DocumentFilter
		want   []int64
	}{
		{"all", newstrace.DocumentFilter{}, []int64{d3.ID, d2.ID, d1.ID}},
		{"feed a", newstrace.DocumentFilter{FeedID: a.ID}, []int64{d3.ID, d1.ID}},
		{"feed b includes later sighting", newstrace.DocumentFilter{FeedID: b.ID}, []int64{d2.ID, d1.ID}},
		{"source a", newstrace.DocumentFilter{SourceID: a.SourceID}, []int64{d3.ID, d1.ID}},
		{"source b includes later sighting", newstrace.DocumentFilter{SourceID: b.SourceID}, []int64{d2.ID, d1.ID}},
		{"story", newstrace.DocumentFilter{StoryID: d2.StoryID}, []int64{d2.ID}},
		{"feed and story", newstrace.DocumentFilter{FeedID: a.ID, StoryID: d2.StoryID}, []int64{}},
		{"unknown feed", newstrace.DocumentFilter{FeedID: b.ID + 100}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := s.Documents(ctx, tt.filter)
			if err != nil {
				t.Fatalf("Documents: %v", err)
			}
			if got := docIDs(ds); !slices.Equal(got, tt.want) {
				t.Errorf("Documents(%+v) = %v, want %v", tt.filter, got, tt.want)
			}
			for _, d := range ds {
				if d.SourceName == "" {
					t.Errorf("document %d has no SourceName", d.ID)
				}
			}
		})
	}
}

func testDocumentsOrderAndPages(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	// Order is by published, else first seen: a late-found old article sorts old.
	old := doc(1, ptr(at(-24*time.Hour)))
	old.FirstSeen = at(10 * time.Hour)
	mid := doc(2, nil) // first seen at(2m)
	recent := doc(3, ptr(at(5*time.Hour)))
	idOld := mustSave(t, s, old, newstrace.Sighting{}).Document.ID
	idRecent := mustSave(t, s, recent, newstrace.Sighting{}).Document.ID
	idMid := mustSave(t, s, mid, newstrace.Sighting{}).Document.ID
	ds, err := s.Documents(ctx, newstrace.DocumentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := docIDs(ds), []int64{idRecent, idMid, idOld}; !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}

	// 60 more documents: the default page is 50, pages do not overlap.
	for n := 10; n < 70; n++ {
		mustSave(t, s, doc(n, nil), newstrace.Sighting{})
	}
	tests := []struct {
		name   string
		filter newstrace.DocumentFilter
		want   int
	}{
		{"default limit", newstrace.DocumentFilter{}, 50},
		{"limit", newstrace.DocumentFilter{Limit: 7}, 7},
		{"last page", newstrace.DocumentFilter{Limit: 50, Offset: 50}, 13},
		{"past the end", newstrace.DocumentFilter{Limit: 10, Offset: 100}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := s.Documents(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != tt.want {
				t.Errorf("Documents(%+v) returned %d, want %d", tt.filter, len(ds), tt.want)
			}
		})
	}
	p1, _ := s.Documents(ctx, newstrace.DocumentFilter{Limit: 30})
	p2, _ := s.Documents(ctx, newstrace.DocumentFilter{Limit: 30, Offset: 30})
	seen := map[int64]bool{}
	for _, d := range append(p1, p2...) {
		if seen[d.ID] {
			t.Errorf("document %d on two pages", d.ID)
		}
		seen[d.ID] = true
	}
	all := append(p1, p2...)
	for i := 1; i < len(all); i++ {
		if sortKey(all[i]).After(sortKey(all[i-1])) {
			t.Errorf("document %d (%v) after older %d (%v)", all[i].ID, sortKey(all[i]), all[i-1].ID, sortKey(all[i-1]))
		}
	}
}

func sortKey(d newstrace.Document) time.Time {
	if d.Published != nil {
		return *d.Published
	}
	return d.FirstSeen
}

func testTimeRoundTrip(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	paris := time.FixedZone("CEST", 2*3600)
	tests := []struct {
		name      string
		published *time.Time
		firstSeen time.Time
	}{
		{"nil published", nil, at(time.Nanosecond)},
		{"nanoseconds", ptr(time.Date(2023, 1, 2, 3, 4, 5, 999999999, time.UTC)), at(0)},
		{"other zone", ptr(time.Date(2023, 6, 1, 12, 0, 0, 1, paris)), time.Date(2023, 6, 1, 13, 0, 0, 7, paris)},
		{"whole second", ptr(time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC)), at(time.Second)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := doc(100+i, tt.published)
			d.FirstSeen = tt.firstSeen
			res := mustSave(t, s, d, newstrace.Sighting{SeenAt: tt.firstSeen})
			got, err := s.Document(ctx, res.Document.ID)
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, got, d)
			if got.Published != nil && got.Published.Location() != time.UTC {
				t.Errorf("Published location = %v, want UTC", got.Published.Location())
			}
			sg, err := s.Sightings(ctx, got.ID)
			if err != nil || len(sg) != 1 || !sameTime(sg[0].SeenAt, tt.firstSeen) {
				t.Errorf("Sightings = %+v, %v; want one seen at %v", sg, err, tt.firstSeen)
			}
		})
	}
}

func testConcurrentSaveDocument(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	const workers = 8
	f := mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "A"})
	var wg sync.WaitGroup
	results := make([]newstrace.SaveResult, workers)
	errs := make([]error, workers)
	for i := range workers {
		wg.Go(func() {
			d := doc(1, nil)
			// Half match by URL, half by hash only.
			if i%2 == 1 {
				d.CanonicalURL = ""
				d.URL = d.URL + "&copy=" + string(rune('a'+i))
			}
			results[i], errs[i] = s.SaveDocument(ctx, d, newstrace.Sighting{FeedID: f.ID, EntryKey: string(rune('a' + i))})
		})
	}
	// Distinct documents written at the same time all land.
	distinctErrs := make([]error, workers)
	for i := range workers {
		wg.Go(func() { _, distinctErrs[i] = s.SaveDocument(ctx, doc(1000+i, nil), newstrace.Sighting{}) })
	}
	wg.Wait()
	for i, err := range distinctErrs {
		if err != nil {
			t.Errorf("distinct save %d: %v", i, err)
		}
	}
	created := 0
	for i := range workers {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v", i, errs[i])
		}
		if results[i].Created {
			created++
		}
		if results[i].Document.ID != results[0].Document.ID {
			t.Errorf("worker %d got document %d, worker 0 got %d", i, results[i].Document.ID, results[0].Document.ID)
		}
	}
	if created != 1 {
		t.Errorf("%d saves created the document, want exactly 1", created)
	}
	if n, err := s.CountDocuments(ctx); err != nil || n != 1+workers {
		t.Errorf("CountDocuments = %d, %v; want %d", n, err, 1+workers)
	}
	sg, err := s.Sightings(ctx, results[0].Document.ID)
	if err != nil || len(sg) != workers {
		t.Errorf("Sightings = %d, %v; want %d", len(sg), err, workers)
	}
	ss, err := s.Stories(ctx, newstrace.StoryFilter{Limit: -1})
	if err != nil || len(ss) != 1+workers {
		t.Errorf("Stories = %d, %v; want %d", len(ss), err, 1+workers)
	}
}

// testSourceAdoption: a document first stored with no source (an ingested
// file) takes the source of the first feed that later carries it.
func testSourceAdoption(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	d := doc(1, nil)
	d.Path = "/in/1.html"
	first := mustSave(t, s, d, newstrace.Sighting{})
	if first.Document.SourceID != 0 || first.Document.SourceName != "" {
		t.Fatalf("ingested document has source %d %q, want none", first.Document.SourceID, first.Document.SourceName)
	}
	a := mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "A"})
	b := mustFeed(t, s, newstrace.Feed{URL: "https://b.example/rss", Title: "B"})
	mustSave(t, s, doc(1, nil), newstrace.Sighting{FeedID: a.ID, EntryKey: "1"})
	mustSave(t, s, doc(1, nil), newstrace.Sighting{FeedID: b.ID, EntryKey: "1"})
	got, err := s.Document(ctx, first.Document.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.SourceID != a.SourceID || got.SourceName != "A" || got.Path != "/in/1.html" {
		t.Errorf("document = source %d %q path %q, want %d \"A\" and the path kept", got.SourceID, got.SourceName, got.Path, a.SourceID)
	}
}
