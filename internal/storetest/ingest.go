package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// RunIngest runs the IngestStore conformance tests on stores that have it.
func RunIngest(t *testing.T, open func(t *testing.T) newstrace.Store) {
	t.Run("SeenFileKey", func(t *testing.T) {
		s := open(t)
		is, ok := s.(newstrace.IngestStore)
		if !ok {
			t.Skip("store has no IngestStore")
		}
		ctx := context.Background()
		src, err := s.EnsureSource(ctx, newstrace.Source{Name: "Local files"})
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		d := newstrace.Document{URL: "", Title: "A file", Text: "Body of a file.", ContentHash: "h-file-1", FirstSeen: at, SourceID: src.ID, Authors: []string{}}
		if _, err := s.SaveDocument(ctx, d, newstrace.Sighting{SourceID: src.ID, EntryKey: "file:/tmp/a.html", SeenAt: at}); err != nil {
			t.Fatal(err)
		}
		// A feed sighting with the same key is not a file.
		f := newstrace.Feed{URL: "https://feed.example/rss", NextPollAt: at}
		if err := s.CreateFeed(ctx, &f); err != nil {
			t.Fatal(err)
		}
		d2 := newstrace.Document{URL: "https://feed.example/b", Title: "B", Text: "Body B.", ContentHash: "h-file-2", FirstSeen: at, SourceID: f.SourceID, Authors: []string{}}
		if _, err := s.SaveDocument(ctx, d2, newstrace.Sighting{FeedID: f.ID, SourceID: f.SourceID, EntryKey: "file:/tmp/b.html", SeenAt: at}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name, key string
			want      bool
		}{
			{"stored file", "file:/tmp/a.html", true},
			{"unknown file", "file:/tmp/c.html", false},
			{"feed sighting is not a file", "file:/tmp/b.html", false},
			{"empty key", "", false},
		} {
			got, err := is.SeenFileKey(ctx, tt.key)
			if err != nil || got != tt.want {
				t.Errorf("%s: SeenFileKey(%q) = %v, %v; want %v", tt.name, tt.key, got, err, tt.want)
			}
		}
	})
}
