package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/newstrace/newstrace"
)

func line(key string) newstrace.SourceLine {
	return newstrace.SourceLine{Key: key, Norm: "norm " + key, Text: "Text " + key + "!"}
}

// testSourceLines pins RecordLines and SourceLines: lines count once per
// document, re-recording replaces, texts appear from the second document,
// the window counts the newest documents only and sources stay apart.
func testSourceLines(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	a := mustFeed(t, s, newstrace.Feed{URL: "https://a.example/rss", Title: "A"})
	b := mustFeed(t, s, newstrace.Feed{URL: "https://b.example/rss", Title: "B"})
	var docsA []int64
	for i := range 6 {
		d := mustSave(t, s, doc(100+i, nil), newstrace.Sighting{FeedID: a.ID, EntryKey: fmt.Sprint(i)})
		docsA = append(docsA, d.Document.ID)
		lines := []newstrace.SourceLine{line("footer"), line("footer"), line(fmt.Sprintf("body%d", i))}
		if i >= 3 {
			lines = append(lines, line("late"))
		}
		if err := s.RecordLines(ctx, a.SourceID, d.Document.ID, lines, 0); err != nil {
			t.Fatalf("RecordLines: %v", err)
		}
	}
	db := mustSave(t, s, doc(200, nil), newstrace.Sighting{FeedID: b.ID, EntryKey: "b"})
	if err := s.RecordLines(ctx, b.SourceID, db.Document.ID, []newstrace.SourceLine{line("footer")}, 0); err != nil {
		t.Fatalf("RecordLines B: %v", err)
	}

	type kc struct {
		key  string
		docs int
	}
	get := func(src int64, window, min int) ([]kc, int) {
		t.Helper()
		got, n, err := s.SourceLines(ctx, src, window, min)
		if err != nil {
			t.Fatalf("SourceLines: %v", err)
		}
		var out []kc
		for _, c := range got {
			out = append(out, kc{c.Key, c.Docs})
			if c.Norm != "norm "+c.Key || c.Text != "Text "+c.Key+"!" {
				t.Errorf("line %q: norm %q text %q, want its text kept", c.Key, c.Norm, c.Text)
			}
		}
		return out, n
	}
	tests := []struct {
		name        string
		src         int64
		window, min int
		want        []kc
		docs        int
	}{
		{"all of A", a.SourceID, 100, 2, []kc{{"footer", 6}, {"late", 3}}, 6},
		{"threshold", a.SourceID, 100, 4, []kc{{"footer", 6}}, 6},
		{"newest three", a.SourceID, 3, 3, []kc{{"footer", 3}, {"late", 3}}, 3},
		{"other source apart", b.SourceID, 100, 1, nil, 1}, // one document: its text is not kept, so checked below
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.src == b.SourceID {
				got, n, err := s.SourceLines(ctx, tt.src, tt.window, tt.min)
				if err != nil || n != 1 || len(got) != 1 || got[0].Key != "footer" || got[0].Docs != 1 {
					t.Errorf("SourceLines(B) = %+v, %d, %v; want footer in 1 of 1", got, n, err)
				}
				return
			}
			got, n := get(tt.src, tt.window, tt.min)
			if !slices.Equal(got, tt.want) || n != tt.docs {
				t.Errorf("SourceLines = %v over %d, want %v over %d", got, n, tt.want, tt.docs)
			}
		})
	}

	// Re-recording a document replaces its lines.
	if err := s.RecordLines(ctx, a.SourceID, docsA[5], []newstrace.SourceLine{line("body5")}, 0); err != nil {
		t.Fatalf("RecordLines again: %v", err)
	}
	if got, _ := get(a.SourceID, 100, 2); !slices.Equal(got, []kc{{"footer", 5}, {"late", 2}}) {
		t.Errorf("after re-record = %v, want footer 5, late 2", got)
	}
	// keep forgets older documents.
	if err := s.RecordLines(ctx, a.SourceID, docsA[5], []newstrace.SourceLine{line("footer")}, 2); err != nil {
		t.Fatalf("RecordLines keep: %v", err)
	}
	if got, n := get(a.SourceID, 100, 2); !slices.Equal(got, []kc{{"footer", 2}}) || n != 2 {
		t.Errorf("after keep 2 = %v over %d, want footer 2 over 2", got, n)
	}
	wantCode(t, "RecordLines unknown document", s.RecordLines(ctx, a.SourceID, 999999, nil, 0), newstrace.ENOTFOUND)
}

// testUpdateDocumentText pins the compare-and-swap of a document's text.
func testUpdateDocumentText(t *testing.T, s newstrace.Store) {
	ctx := t.Context()
	d := mustSave(t, s, doc(1, nil), newstrace.Sighting{}).Document
	removed := append(slices.Clone(d.Removed), newstrace.Removed{Kind: "boilerplate", Text: "Paragraph two."})
	tests := []struct {
		name    string
		id      int64
		old     string
		code    string
		wantTxt string
	}{
		{"swap", d.ID, d.Text, "", "Paragraph one of 1."},
		{"stale", d.ID, d.Text, newstrace.ECONFLICT, "Paragraph one of 1."},
		{"unknown", 999999, "x", newstrace.ENOTFOUND, "Paragraph one of 1."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.UpdateDocumentText(ctx, tt.id, tt.old, "Paragraph one of 1.", "<p>Paragraph one of 1.</p>", removed)
			wantCode(t, "UpdateDocumentText", err, tt.code)
			got, err := s.Document(ctx, d.ID)
			if err != nil {
				t.Fatalf("Document: %v", err)
			}
			want := d
			want.Text, want.HTML, want.Removed = tt.wantTxt, "<p>Paragraph one of 1.</p>", removed
			checkDocument(t, got, want) // the content hash stays
		})
	}
}
