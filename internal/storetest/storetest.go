// Package storetest is the conformance suite every newstrace.Store backend
// runs unchanged. It uses only the Store interface, so what passes here is
// the behaviour callers may rely on whatever the database.
//
// Beyond the interface comments in store.go it pins these choices:
//   - times round-trip to the microsecond (PostgreSQL's precision; sameTime
//     compares both sides truncated to it, so a store that keeps only
//     milliseconds or seconds, or rounds instead of truncating, fails) and
//     read back in UTC; nil Published stays nil; a time the store sets itself
//     (CreatedAt, read and star times) reads back equal to what it returned;
//   - a document with no canonical URL is deduplicated on its URL; an empty
//     content hash never matches; a content hash matches only a document of
//     the same source (or one with no source yet): the same text from another
//     outlet is another copy, kept so its provenance can be traced;
//   - a feed sighting is recorded once per (feed, entry key); a sighting with
//     a feed but no source counts for the feed's source; a document stored with
//     no source takes the first source that later sights it;
//   - Documents' FeedID/SourceID match any sighting, not only the first;
//     Limit 0 means 50; newest first by published, else first seen;
//   - Stories: Limit 0 means 50, negative means all; a story's documents are
//     oldest first; SourceCount counts distinct sources over all sightings;
//   - AddEdge of an existing (from, to, kind) updates it; self edges and
//     edges without a kind are EINVALID; unknown story or document ENOTFOUND.
package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// Run runs every conformance subtest; each gets a fresh, empty store from open.
func Run(t *testing.T, open func(t *testing.T) newstrace.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s newstrace.Store)
	}{
		{"Ping", testPing},
		{"Sources", testSources},
		{"CreateFeed", testCreateFeed},
		{"FeedConflict", testFeedConflict},
		{"UpdateFeed", testUpdateFeed},
		{"DeleteFeed", testDeleteFeed},
		{"DueFeeds", testDueFeeds},
		{"SaveDocumentCreate", testSaveDocumentCreate},
		{"SaveDocumentDedupe", testSaveDocumentDedupe},
		{"Sightings", testSightings},
		{"SeenEntry", testSeenEntry},
		{"SourceAdoption", testSourceAdoption},
		{"DocumentsFilters", testDocumentsFilters},
		{"DocumentsOrderAndPages", testDocumentsOrderAndPages},
		{"Stories", testStories},
		{"StoriesOrderAndPages", testStoriesOrderAndPages},
		{"AddEdge", testAddEdge},
		{"Users", testUsers},
		{"Tokens", testTokens},
		{"TimeRoundTrip", testTimeRoundTrip},
		{"NotFound", testNotFound},
		{"ConcurrentSaveDocument", testConcurrentSaveDocument},
		{"ReadStarred", testReadStarred},
		{"Items", testItems},
		{"MarkAllRead", testMarkAllRead},
		{"TagsAndCounts", testTagsAndCounts},
		{"Folders", testFolders},
		{"Notes", testNotes},
		{"FeverKey", testFeverKey},
		{"Fingerprints", testFingerprints},
		{"TermCandidates", testTermCandidates},
		{"DocumentsByID", testDocumentsByID},
		{"MergeStories", testMergeStories},
		{"ConcurrentMerge", testConcurrentMerge},
		{"ReplaceStoryGraph", testReplaceStoryGraph},
		{"Search", testSearch},
		{"SearchHits", testSearchHits},
		{"SourceLines", testSourceLines},
		{"UpdateDocumentText", testUpdateDocumentText},
		{"FeedTokens", testFeedTokens},
		{"Webhooks", testWebhooks},
		{"Counts", testCounts},
		{"Embeddings", testEmbeddings}, // EmbeddingStore, where implemented
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			tt.fn(t, s)
		})
	}
}

func testPing(t *testing.T, s newstrace.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// base is a fixed instant with nanoseconds, so truncation below the
// microsecond (or rounding) anywhere shows.
var base = time.Date(2024, 5, 14, 9, 30, 0, 123456789, time.UTC)

// sameTime reports whether a stored time equals the one given, to the
// microsecond: both are truncated, as pgx truncates when it encodes.
func sameTime(got, want time.Time) bool {
	return got.Truncate(time.Microsecond).Equal(want.Truncate(time.Microsecond))
}

func at(d time.Duration) time.Time { return base.Add(d) }
func ptr(t time.Time) *time.Time   { return &t }

func mustFeed(t *testing.T, s newstrace.Store, f newstrace.Feed) newstrace.Feed {
	t.Helper()
	if err := s.CreateFeed(t.Context(), &f); err != nil {
		t.Fatalf("CreateFeed(%s): %v", f.URL, err)
	}
	return f
}

func mustSave(t *testing.T, s newstrace.Store, d newstrace.Document, g newstrace.Sighting) newstrace.SaveResult {
	t.Helper()
	res, err := s.SaveDocument(t.Context(), d, g)
	if err != nil {
		t.Fatalf("SaveDocument(%s): %v", d.URL, err)
	}
	return res
}

// doc builds a distinct document numbered n.
func doc(n int, published *time.Time) newstrace.Document {
	return newstrace.Document{
		URL:          fmt.Sprintf("https://news.example/a/%d?utm_source=x", n),
		CanonicalURL: fmt.Sprintf("https://news.example/a/%d", n),
		Title:        fmt.Sprintf("Story %d", n),
		Authors:      []string{"Jane Doe", "John Roe"},
		Published:    published,
		FirstSeen:    at(time.Duration(n) * time.Minute),
		Language:     "en",
		SiteName:     "News Example",
		Text:         fmt.Sprintf("Paragraph one of %d.\n\nParagraph two.", n),
		HTML:         fmt.Sprintf("<p>Paragraph one of %d.</p>", n),
		Removed:      []newstrace.Removed{{Kind: "social", Text: "Follow us"}},
		Provenance:   newstrace.Provenance{Outlet: "News Example", OriginalSource: "Wire", ViaURL: "https://t.co/x"},
		ContentHash:  fmt.Sprintf("hash-%d", n),
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := newstrace.ErrorCode(err); got != code {
		t.Errorf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

// checkDocument compares the stored fields of got against want; IDs,
// story, source and created time are the store's and not compared.
func checkDocument(t *testing.T, got, want newstrace.Document) {
	t.Helper()
	if got.URL != want.URL || got.CanonicalURL != want.CanonicalURL || got.Title != want.Title ||
		got.Language != want.Language || got.SiteName != want.SiteName || got.Text != want.Text ||
		got.HTML != want.HTML || got.ContentHash != want.ContentHash || got.Path != want.Path {
		t.Errorf("document scalar fields:\n got %+v\nwant %+v", got, want)
	}
	if !slices.Equal(got.Authors, want.Authors) {
		t.Errorf("Authors = %q, want %q", got.Authors, want.Authors)
	}
	if !slices.Equal(got.Removed, want.Removed) {
		t.Errorf("Removed = %+v, want %+v", got.Removed, want.Removed)
	}
	if got.Provenance != want.Provenance {
		t.Errorf("Provenance = %+v, want %+v", got.Provenance, want.Provenance)
	}
	switch {
	case (got.Published == nil) != (want.Published == nil):
		t.Errorf("Published = %v, want %v", got.Published, want.Published)
	case got.Published != nil && !sameTime(*got.Published, *want.Published):
		t.Errorf("Published = %v, want %v", *got.Published, *want.Published)
	}
	if !want.FirstSeen.IsZero() && !sameTime(got.FirstSeen, want.FirstSeen) {
		t.Errorf("FirstSeen = %v, want %v", got.FirstSeen, want.FirstSeen)
	}
}

func ids[T any](xs []T, id func(T) int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func docIDs(ds []newstrace.Document) []int64 {
	return ids(ds, func(d newstrace.Document) int64 { return d.ID })
}
