package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

func testSources(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	a, err := s.EnsureSource(ctx, newstrace.Source{Name: "Wire", SiteURL: "https://wire.example", Language: "en"})
	if err != nil {
		t.Fatalf("EnsureSource: %v", err)
	}
	if a.ID == 0 || a.CreatedAt.IsZero() {
		t.Fatalf("EnsureSource returned %+v, want ID and CreatedAt set", a)
	}
	again, err := s.EnsureSource(ctx, newstrace.Source{Name: "Wire", SiteURL: "https://other.example"})
	if err != nil {
		t.Fatalf("EnsureSource again: %v", err)
	}
	if again.ID != a.ID || again.SiteURL != "https://wire.example" {
		t.Errorf("EnsureSource again = %+v, want the existing source %+v unchanged", again, a)
	}
	b, err := s.EnsureSource(ctx, newstrace.Source{Name: "Blog"})
	if err != nil {
		t.Fatalf("EnsureSource: %v", err)
	}
	got, err := s.Source(ctx, a.ID)
	if err != nil {
		t.Fatalf("Source: %v", err)
	}
	if got.Name != "Wire" || got.SiteURL != a.SiteURL || got.Language != "en" || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("Source = %+v, want %+v", got, a)
	}
	all, err := s.Sources(ctx)
	if err != nil {
		t.Fatalf("Sources: %v", err)
	}
	if gotIDs := ids(all, func(x newstrace.Source) int64 { return x.ID }); len(gotIDs) != 2 ||
		!slices.Contains(gotIDs, a.ID) || !slices.Contains(gotIDs, b.ID) {
		t.Errorf("Sources IDs = %v, want %d and %d", gotIDs, a.ID, b.ID)
	}
	_, err = s.EnsureSource(ctx, newstrace.Source{Name: ""})
	wantCode(t, "EnsureSource empty name", err, newstrace.EINVALID)
}

func testCreateFeed(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	src, err := s.EnsureSource(ctx, newstrace.Source{Name: "Given"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		feed       newstrace.Feed
		sourceName string
	}{
		{"named after title", newstrace.Feed{URL: "https://a.example/rss", Title: "Alpha News", Folder: "World"}, "Alpha News"},
		{"named after host", newstrace.Feed{URL: "https://b.example/feed.xml"}, "b.example"},
		{"same title shares source", newstrace.Feed{URL: "https://a.example/atom", Title: "Alpha News"}, "Alpha News"},
		{"given source kept", newstrace.Feed{URL: "https://c.example/rss", Title: "Other", SourceID: src.ID}, "Given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustFeed(t, s, tt.feed)
			if f.ID == 0 || f.SourceID == 0 || f.CreatedAt.IsZero() {
				t.Fatalf("CreateFeed left %+v, want ID, SourceID, CreatedAt set", f)
			}
			got, err := s.Source(ctx, f.SourceID)
			if err != nil {
				t.Fatalf("Source(%d): %v", f.SourceID, err)
			}
			if got.Name != tt.sourceName {
				t.Errorf("source name = %q, want %q", got.Name, tt.sourceName)
			}
			back, err := s.Feed(ctx, f.ID)
			if err != nil {
				t.Fatalf("Feed: %v", err)
			}
			checkFeed(t, back, f)
			byURL, err := s.FeedByURL(ctx, f.URL)
			if err != nil {
				t.Fatalf("FeedByURL: %v", err)
			}
			if byURL.ID != f.ID {
				t.Errorf("FeedByURL ID = %d, want %d", byURL.ID, f.ID)
			}
		})
	}
	all, err := s.Feeds(ctx)
	if err != nil {
		t.Fatalf("Feeds: %v", err)
	}
	if len(all) != len(tests) {
		t.Errorf("Feeds returned %d feeds, want %d", len(all), len(tests))
	}
	a, _ := s.FeedByURL(ctx, "https://a.example/rss")
	b, _ := s.FeedByURL(ctx, "https://a.example/atom")
	if a.SourceID != b.SourceID {
		t.Errorf("feeds with one title got sources %d and %d, want one", a.SourceID, b.SourceID)
	}
}

func testFeedConflict(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "A"})
	other := mustFeed(t, s, newstrace.Feed{URL: "https://b.example/rss", Title: "B"})

	err := s.CreateFeed(ctx, &newstrace.Feed{URL: "https://a.example/rss", Title: "again"})
	wantCode(t, "CreateFeed duplicate URL", err, newstrace.ECONFLICT)

	other.URL = "https://a.example/rss"
	err = s.UpdateFeed(ctx, other)
	wantCode(t, "UpdateFeed to a taken URL", err, newstrace.ECONFLICT)

	err = s.CreateFeed(ctx, &newstrace.Feed{URL: ""})
	wantCode(t, "CreateFeed empty URL", err, newstrace.EINVALID)

	all, err := s.Feeds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 {
		t.Errorf("Feeds after conflicts = %d feeds, want 2", len(all))
	}
}

func testUpdateFeed(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	f := mustFeed(t, s, newstrace.Feed{URL: "http://old.example/rss", Title: "Old"})
	f.URL = "https://new.example/rss" // remembered permanent redirect
	f.Title = "New"
	f.SiteURL = "https://new.example/"
	f.Folder = "Tech"
	f.ETag = `W/"abc"`
	f.LastModified = "Tue, 14 May 2024 09:30:00 GMT"
	f.LastPolledAt = at(time.Second)
	f.NextPollAt = at(time.Hour)
	f.FailureCount = 3
	f.LastError = "fetch: 503"
	f.LastErrorAt = at(2 * time.Second)
	if err := s.UpdateFeed(ctx, f); err != nil {
		t.Fatalf("UpdateFeed: %v", err)
	}
	got, err := s.Feed(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkFeed(t, got, f)

	// Clearing the error state must clear it, not keep the old values.
	f.FailureCount, f.LastError, f.LastErrorAt = 0, "", time.Time{}
	if err := s.UpdateFeed(ctx, f); err != nil {
		t.Fatalf("UpdateFeed: %v", err)
	}
	got, err = s.Feed(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkFeed(t, got, f)

	if _, err := s.FeedByURL(ctx, "http://old.example/rss"); !newstrace.IsNotFound(err) {
		t.Errorf("FeedByURL(old URL) error = %v, want not found", err)
	}
	err = s.UpdateFeed(ctx, newstrace.Feed{ID: f.ID + 1000, URL: "https://x.example/"})
	wantCode(t, "UpdateFeed unknown ID", err, newstrace.ENOTFOUND)
}

func testDeleteFeed(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	f := mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "A"})
	res := mustSave(t, s, doc(1, nil), newstrace.Sighting{FeedID: f.ID, EntryKey: "e1"})
	if err := s.DeleteFeed(ctx, f.ID); err != nil {
		t.Fatalf("DeleteFeed: %v", err)
	}
	if _, err := s.Feed(ctx, f.ID); !newstrace.IsNotFound(err) {
		t.Errorf("Feed after delete: error %v, want not found", err)
	}
	got, err := s.Document(ctx, res.Document.ID)
	if err != nil {
		t.Fatalf("Document after DeleteFeed: %v (documents must stay)", err)
	}
	if got.SourceID != f.SourceID {
		t.Errorf("document source = %d, want %d kept", got.SourceID, f.SourceID)
	}
	sg, err := s.Sightings(ctx, res.Document.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sg) != 1 || sg[0].FeedID != 0 {
		t.Errorf("sightings after DeleteFeed = %+v, want one with FeedID 0", sg)
	}
	wantCode(t, "DeleteFeed again", s.DeleteFeed(ctx, f.ID), newstrace.ENOTFOUND)
	// The URL is free again.
	mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "A"})
}

func testDueFeeds(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	now := at(time.Hour)
	late := mustFeed(t, s, newstrace.Feed{URL: "https://late.example/rss", NextPollAt: at(30 * time.Minute)})
	future := mustFeed(t, s, newstrace.Feed{URL: "https://future.example/rss", NextPollAt: at(2 * time.Hour)})
	never := mustFeed(t, s, newstrace.Feed{URL: "https://never.example/rss"}) // zero NextPollAt: due
	exact := mustFeed(t, s, newstrace.Feed{URL: "https://exact.example/rss", NextPollAt: now})
	veryLate := mustFeed(t, s, newstrace.Feed{URL: "https://verylate.example/rss", NextPollAt: at(-time.Hour)})
	_ = future

	tests := []struct {
		name  string
		now   time.Time
		limit int
		want  []int64
	}{
		{"all due oldest first", now, 10, []int64{never.ID, veryLate.ID, late.ID, exact.ID}},
		{"limit", now, 2, []int64{never.ID, veryLate.ID}},
		{"one microsecond earlier", now.Add(-time.Microsecond), 10, []int64{never.ID, veryLate.ID, late.ID}},
		{"everything later", at(3 * time.Hour), 10, []int64{never.ID, veryLate.ID, late.ID, exact.ID, future.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := s.DueFeeds(ctx, tt.now, tt.limit)
			if err != nil {
				t.Fatalf("DueFeeds: %v", err)
			}
			got := ids(fs, func(f newstrace.Feed) int64 { return f.ID })
			if !slices.Equal(got, tt.want) {
				t.Errorf("DueFeeds = %v, want %v", got, tt.want)
			}
		})
	}
}

func checkFeed(t *testing.T, got, want newstrace.Feed) {
	t.Helper()
	if got.ID != want.ID || got.SourceID != want.SourceID || got.URL != want.URL || got.Title != want.Title ||
		got.SiteURL != want.SiteURL || got.Folder != want.Folder || got.ETag != want.ETag ||
		got.LastModified != want.LastModified || got.FailureCount != want.FailureCount || got.LastError != want.LastError {
		t.Errorf("feed fields:\n got %+v\nwant %+v", got, want)
	}
	for _, c := range []struct {
		name      string
		got, want time.Time
	}{
		{"LastPolledAt", got.LastPolledAt, want.LastPolledAt},
		{"NextPollAt", got.NextPollAt, want.NextPollAt},
		{"LastErrorAt", got.LastErrorAt, want.LastErrorAt},
	} {
		if !sameTime(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// The store set CreatedAt and returned it: it reads back exactly.
	if !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("CreatedAt = %v, want %v", got.CreatedAt, want.CreatedAt)
	}
}
