package storecopy_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/postgres"
	"github.com/newstrace/newstrace/internal/sqlite"
	"github.com/newstrace/newstrace/internal/storecopy"
)

// copyStore runs one copy from the SQLite file into dst with cfg's tuning.
func copyStore(t *testing.T, ctx context.Context, path string, dst *postgres.DB, cfg storecopy.Config) (storecopy.Report, error) {
	t.Helper()
	return copyStoreTB(t, ctx, path, dst, cfg)
}

func copyStoreTB(t testing.TB, ctx context.Context, path string, dst *postgres.DB, cfg storecopy.Config) (storecopy.Report, error) {
	t.Helper()
	src, err := storecopy.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	defer src.Close()
	cfg.Source, cfg.Dest, cfg.Schema = src, dst.Pool(), dst.Schema()
	return storecopy.Copy(ctx, cfg)
}

// openSQLite reopens the seeded store for the comparisons.
func openSQLite(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func checkReport(t *testing.T, rep storecopy.Report) {
	t.Helper()
	if !rep.OK() {
		t.Errorf("report not OK: %+v", rep.Tables)
	}
	seen := map[string]bool{}
	for _, tr := range rep.Tables {
		seen[tr.Table] = true
		if tr.Source != tr.Dest {
			t.Errorf("%s: %d rows in SQLite, %d in PostgreSQL", tr.Table, tr.Source, tr.Dest)
		}
	}
	for _, want := range []string{"sources", "feeds", "folders", "documents", "sightings", "stories", "edges", "users",
		"tokens", "user_documents", "user_stories", "user_tags", "fingerprints", "lsh_bands", "source_lines", "source_line_texts",
		"feed_tokens", "webhooks", "embeddings"} {
		if !seen[want] {
			t.Errorf("table %s was not copied (report: %+v)", want, rep.Tables)
		}
	}
}

func TestCopy(t *testing.T) {
	dst := openDest(t)
	path := sqlitePath(t)
	w := seedSQLite(t, path, 300)
	var progress bytes.Buffer
	rep, err := copyStore(t, t.Context(), path, dst, storecopy.Config{BatchRows: 100, Progress: &progress})
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	checkReport(t, rep)
	if rep.Copied == 0 {
		t.Error("Copy reports no rows copied")
	}
	if !strings.Contains(progress.String(), "copy documents: 300 rows, 300 copied") {
		t.Errorf("progress lacks the documents line:\n%s", progress.String())
	}
	lite := openSQLite(t, path)
	compareStores(t, lite, dst, w)

	// The sequences moved past the copied ids: new rows get fresh ones.
	ctx := t.Context()
	src, err := dst.EnsureSource(ctx, newstrace.Source{Name: "Brand New Outlet"})
	if err != nil {
		t.Fatalf("EnsureSource after copy: %v", err)
	}
	if want := w.sourceIDs[len(w.sourceIDs)-1] + 1; src.ID != want {
		t.Errorf("new source id %d, want %d", src.ID, want)
	}
	res, err := dst.SaveDocument(ctx, newstrace.Document{URL: "https://new.example/1", Title: "After the move",
		Text: "New text.", FirstSeen: base}, newstrace.Sighting{SourceID: src.ID, EntryKey: "file:/new", SeenAt: base})
	if err != nil {
		t.Fatalf("SaveDocument after copy: %v", err)
	}
	if want := w.docIDs[len(w.docIDs)-1] + 1; res.Document.ID != want {
		t.Errorf("new document id %d, want %d", res.Document.ID, want)
	}
}

// TestCopyResume interrupts the copy after every few batches and runs it
// again until it completes: the result is the whole store, once.
func TestCopyResume(t *testing.T) {
	dst := openDest(t)
	path := sqlitePath(t)
	w := seedSQLite(t, path, 200)
	var total int64
	var runs int
	for {
		runs++
		if runs > 200 {
			t.Fatal("copy did not complete in 200 runs")
		}
		ctx, cancel := context.WithCancel(t.Context())
		batches := 0
		rep, err := copyStore(t, ctx, path, dst, storecopy.Config{BatchRows: 37, AfterBatch: func(string, int) {
			if batches++; batches == 4 {
				cancel()
			}
		}})
		cancel()
		total += rep.Copied
		if err == nil {
			checkReport(t, rep)
			var want int64
			for _, tr := range rep.Tables {
				want += tr.Source
			}
			if total != want {
				t.Errorf("runs wrote %d rows in all, the store has %d", total, want)
			}
			break
		}
		if !errors.Is(err, storecopy.ErrInterrupted) {
			t.Fatalf("run %d: %v, want ErrInterrupted", runs, err)
		}
		if !strings.Contains(err.Error(), "run the same command again to resume") {
			t.Errorf("run %d: error %q does not say how to resume", runs, err)
		}
	}
	if runs < 5 {
		t.Errorf("copy completed in %d runs: the interruption did not happen", runs)
	}
	compareStores(t, openSQLite(t, path), dst, w)
}

// TestCopyTwice: a second copy of a finished one writes nothing and verifies.
func TestCopyTwice(t *testing.T) {
	dst := openDest(t)
	path := sqlitePath(t)
	seedSQLite(t, path, 40)
	if _, err := copyStore(t, t.Context(), path, dst, storecopy.Config{}); err != nil {
		t.Fatalf("first Copy: %v", err)
	}
	rep, err := copyStore(t, t.Context(), path, dst, storecopy.Config{})
	if err != nil {
		t.Fatalf("second Copy: %v", err)
	}
	checkReport(t, rep)
	if rep.Copied != 0 {
		t.Errorf("second Copy wrote %d rows, want 0", rep.Copied)
	}
	for _, tr := range rep.Tables {
		if tr.Source > 0 && tr.Sampled == 0 {
			t.Errorf("%s: no rows sampled", tr.Table)
		}
	}
}

// TestCopyRefusesOtherStore: a destination holding another store's rows is
// refused before anything is written.
func TestCopyRefusesOtherStore(t *testing.T) {
	testDSN(t)
	ctx := t.Context()
	path := sqlitePath(t)
	seedSQLite(t, path, 30)

	tests := []struct {
		name string
		fill func(t *testing.T, dst *postgres.DB)
		want string
	}{
		{"different rows", func(t *testing.T, dst *postgres.DB) {
			if _, err := dst.EnsureSource(ctx, newstrace.Source{Name: "Somebody Else's Outlet"}); err != nil {
				t.Fatal(err)
			}
		}, "table sources: row id=1 differs in column name"},
		{"more rows than the source", func(t *testing.T, dst *postgres.DB) {
			other := sqlitePath(t)
			seedSQLite(t, other, 35)
			if _, err := copyStore(t, ctx, other, dst, storecopy.Config{}); err != nil {
				t.Fatal(err)
			}
		}, "copy into an empty schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := openDest(t)
			tt.fill(t, dst)
			before, err := dst.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, err = copyStore(t, ctx, path, dst, storecopy.Config{})
			if !errors.Is(err, storecopy.ErrNotPrefix) {
				t.Fatalf("Copy: %v, want ErrNotPrefix", err)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q\nwant one line containing %q", err, tt.want)
			}
			after, err := dst.Counts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if before != after {
				t.Errorf("refused copy wrote rows: %+v, then %+v", before, after)
			}
		})
	}
}

// TestCopySourceChanged: a write to the SQLite store while it is copied
// (a running serve) fails the copy, which would miss it.
func TestCopySourceChanged(t *testing.T) {
	dst := openDest(t)
	path := sqlitePath(t)
	seedSQLite(t, path, 20)
	writer := openSQLite(t, path)
	wrote := false
	_, err := copyStore(t, t.Context(), path, dst, storecopy.Config{BatchRows: 5, AfterBatch: func(table string, _ int) {
		if table == "documents" && !wrote {
			wrote = true
			if err := writer.CreateUser(context.Background(), &newstrace.User{Name: "late"}); err != nil {
				t.Errorf("CreateUser during copy: %v", err)
			}
		}
	}})
	if !errors.Is(err, storecopy.ErrSourceChanged) {
		t.Fatalf("Copy: %v, want ErrSourceChanged", err)
	}
}

// TestCopyUnwritableValue: a value PostgreSQL cannot hold stops the copy
// with its table, column and key.
func TestCopyUnwritableValue(t *testing.T) {
	dst := openDest(t)
	path := sqlitePath(t)
	seedSQLite(t, path, 10)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE documents SET text = 'before' || char(0) || 'after' WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = copyStore(t, t.Context(), path, dst, storecopy.Config{})
	if err == nil || !strings.Contains(err.Error(), "documents.text at id=3: text holds a NUL byte") {
		t.Fatalf("Copy: %v, want the NUL in documents.text at id=3 named", err)
	}
}
