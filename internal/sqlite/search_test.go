package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/search"
)

// Whatever people type, the MATCH expression built from it is valid FTS5:
// a search either runs or is refused as EINVALID by the parser, never an
// FTS5 syntax error.
func TestSearchHostileInput(t *testing.T) {
	db := mustOpen(t, filepath.Join(t.TempDir(), "s.db"))
	if _, err := db.SaveDocument(t.Context(), newstrace.Document{URL: "https://h.example/1", Title: `NEAR "quoted" ^caret title:col`,
		Text: "a * b - c ( ) { } : + ^ \" ' OR AND NOT near"}, newstrace.Sighting{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in string
	}{
		{"lone quote pair", `""`},
		{"doubled quotes", `"a""b"`},
		{"star", `* a* *b`},
		{"near", `NEAR(a b, 5)`},
		{"near quoted", `"NEAR(a b)"`},
		{"caret", `^title ^`},
		{"column filter", `title:col text:a {title text}:x`},
		{"column filter quoted", `"title:col"`},
		{"plus and colon", `a + b : c`},
		{"operators", `AND NOT or near`},
		{"parens", `(a OR b) AND (c`},
		{"nul", "a\x00b \"c\x00\""},
		{"control", "\x01\x02\x03 a"},
		{"invalid utf8", "\xff\xfe a"},
		{"exclusion of operators", `a -NEAR -"^x" -*`},
		{"only exclusions", `-"a" -b`},
		{"prefix phrase", `"a b"* "-"*`},
		{"unicode", `наводнение* 洪水 "Überschwemmung"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := search.Parse(tt.in)
			if err != nil {
				if newstrace.ErrorCode(err) != newstrace.EINVALID {
					t.Fatalf("Parse(%q): %v", tt.in, err)
				}
				return
			}
			if _, err := db.Search(t.Context(), q); err != nil {
				t.Errorf("Search(%q): %v", tt.in, err)
			}
		})
	}
}

// FuzzSearch feeds fuzzed queries through the parser into a real store.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{`"a""b" NEAR(c) ^d title:e -f* g OR h`, `source:"x" lang:en after:2024-01-01 -y`, "\x00\"*"} {
		f.Add(s)
	}
	db := mustOpen(f, filepath.Join(f.TempDir(), "f.db"))
	if _, err := db.SaveDocument(f.Context(), newstrace.Document{URL: "https://h.example/1", Title: "a b c", Text: "d e f near title"}, newstrace.Sighting{}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := search.Parse(s)
		if err != nil {
			return
		}
		if _, err := db.Search(t.Context(), q); err != nil {
			t.Fatalf("Search(%q): %v", s, err)
		}
	})
}
