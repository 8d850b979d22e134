package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/sqlite"
	"github.com/newstrace/newstrace/internal/storetest"
)

func mustOpen(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) newstrace.Store {
		return mustOpen(t, filepath.Join(t.TempDir(), "newstrace.db"))
	})
}

func TestInMemory(t *testing.T) {
	db := mustOpen(t, ":memory:")
	res, err := db.SaveDocument(t.Context(), newstrace.Document{URL: "https://m.example/1", Text: "x"}, newstrace.Sighting{})
	if err != nil || !res.Created {
		t.Fatalf("SaveDocument in memory = %+v, %v", res, err)
	}
	if _, err := db.Document(t.Context(), res.Document.ID); err != nil {
		t.Errorf("Document in memory: %v", err)
	}
}

func TestPragmas(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := t.Context()
	for _, pool := range []struct {
		name string
		conn func() (*sql.Conn, func(), error)
	}{
		{"reader", func() (*sql.Conn, func(), error) { return db.ReaderForTest(ctx) }},
		{"writer", func() (*sql.Conn, func(), error) { return db.WriterForTest(ctx) }},
	} {
		conn, release, err := pool.conn()
		if err != nil {
			t.Fatalf("%s conn: %v", pool.name, err)
		}
		tests := []struct {
			name   string
			pragma string
			want   string
		}{
			{"journal_mode", "journal_mode", "wal"},
			{"foreign_keys", "foreign_keys", "1"},
			{"busy_timeout", "busy_timeout", "10000"},
			{"synchronous NORMAL", "synchronous", "1"},
		}
		for _, tt := range tests {
			t.Run(pool.name+"/"+tt.name, func(t *testing.T) {
				var got string
				if err := conn.QueryRowContext(ctx, "PRAGMA "+tt.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
				}
			})
		}
		release()
	}
}

func TestMigrateIdempotent(t *testing.T) {
	ctx := t.Context()
	db := mustOpen(t, filepath.Join(t.TempDir(), "m.db"))
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if latest < 2 || cur != latest {
		t.Errorf("SchemaVersion = %d, %d; want current = latest >= 2", cur, latest)
	}
	for i := range 3 {
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate #%d: %v", i+2, err)
		}
	}
	cur2, latest2, err := db.SchemaVersion(ctx)
	if err != nil || cur2 != cur || latest2 != latest {
		t.Errorf("SchemaVersion after re-migrating = %d, %d, %v; want %d, %d", cur2, latest2, err, cur, latest)
	}
	if n, err := db.CountMigrationsForTest(ctx); err != nil || n != latest {
		t.Errorf("schema_migrations rows = %d, %v; want %d", n, err, latest)
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "nested", "dir", "r.db") // parents created
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f := &newstrace.Feed{URL: "https://a.example/rss", Title: "A"}
	if err := db.CreateFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	res, err := db.SaveDocument(ctx, newstrace.Document{URL: "https://a.example/1", Title: "One", ContentHash: "h1"},
		newstrace.Sighting{FeedID: f.ID, EntryKey: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db2 := mustOpen(t, path)
	got, err := db2.Document(ctx, res.Document.ID)
	if err != nil || got.Title != "One" || got.SourceName != "A" {
		t.Errorf("Document after reopen = %+v, %v", got, err)
	}
	if seen, err := db2.SeenEntry(ctx, f.ID, "1"); err != nil || !seen {
		t.Errorf("SeenEntry after reopen = %v, %v; want true", seen, err)
	}
	again, err := db2.SaveDocument(ctx, newstrace.Document{URL: "https://a.example/other", ContentHash: "h1"}, newstrace.Sighting{})
	if err != nil || again.Created {
		t.Errorf("dedupe after reopen: %+v, %v; want the existing document", again, err)
	}
}

func TestIntegrityAfterConcurrentWrites(t *testing.T) {
	ctx := t.Context()
	db := mustOpen(t, filepath.Join(t.TempDir(), "i.db"))
	f := &newstrace.Feed{URL: "https://a.example/rss", Title: "A"}
	if err := db.CreateFeed(ctx, f); err != nil {
		t.Fatal(err)
	}
	const workers, perWorker = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker*2)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				// Every document twice: once per pair of workers, so half are duplicates.
				n := (w/2)*perWorker + i
				d := newstrace.Document{URL: fmt.Sprintf("https://a.example/%d", n), Title: "t", Text: "body",
					ContentHash: fmt.Sprintf("h%d", n)}
				if _, err := db.SaveDocument(ctx, d, newstrace.Sighting{FeedID: f.ID, EntryKey: fmt.Sprintf("%d-%d", w, i)}); err != nil {
					errs <- err
				}
				if _, err := db.Documents(ctx, newstrace.DocumentFilter{Limit: 5}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent: %v", err)
	}
	if n, err := db.CountDocuments(ctx); err != nil || n != workers/2*perWorker {
		t.Errorf("CountDocuments = %d, %v; want %d", n, err, workers/2*perWorker)
	}
	if res, err := db.IntegrityCheckForTest(ctx); err != nil || res != "ok" {
		t.Errorf("integrity_check = %q, %v; want ok", res, err)
	}
	if res, err := db.FTSCountForTest(ctx, "body"); err != nil || res != workers/2*perWorker {
		t.Errorf("FTS matches = %d, %v; want %d", res, err, workers/2*perWorker)
	}
}

func BenchmarkSaveDocument(b *testing.B) {
	ctx := context.Background()
	db := mustOpen(b, filepath.Join(b.TempDir(), "b.db"))
	text := "Paragraph of an article about the council and the park plan. " // ~60 bytes
	for range 6 {
		text += text
	} // ~4 KB, a typical article body
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d := newstrace.Document{URL: fmt.Sprintf("https://bench.example/%d", i), Title: "Bench",
			Text: text, ContentHash: fmt.Sprintf("h%d", i), Authors: []string{"A"}}
		if _, err := db.SaveDocument(ctx, d, newstrace.Sighting{EntryKey: "k"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// TestQueryPlans guards the hot lookups against full table scans (a missed
// partial index once made SaveDocument scan every document).
func TestQueryPlans(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "q.db"))
	plans, err := db.PlansForTest(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		index string
	}{
		{"doc by canonical", "documents_canonical_url"},
		{"doc by hash", "documents_content_hash"},
		{"seen entry", "sightings_feed_entry"},
		{"documents", "documents_sort"},
		{"documents by feed", "documents_sort"},
		{"stories", "stories_latest_at"},
		{"due feeds", "feeds_next_poll_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := plans[tt.name]
			if !strings.Contains(plan, tt.index) || strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("plan %q, want it to use %s without a sort", plan, tt.index)
			}
		})
	}
}
