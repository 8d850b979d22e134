package storecopy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConvert(t *testing.T) {
	ts := time.Date(2024, 5, 14, 9, 30, 0, 123456789, time.UTC)
	tests := []struct {
		name    string
		col     column
		in      any
		want    any
		wantErr string
	}{
		{"int8", column{kind: kindInt8}, int64(-7), int64(-7), ""},
		{"int4 range", column{kind: kindInt4, pgType: "integer"}, int64(1) << 40, nil, "does not fit"},
		{"float from int", column{kind: kindFloat8}, int64(3), 3.0, ""},
		{"text", column{kind: kindText}, "Zürich ✓", "Zürich ✓", ""},
		{"text NUL", column{kind: kindText}, "a\x00b", nil, "NUL byte"},
		{"text bad UTF-8", column{kind: kindText}, "a\xffb", nil, "UTF-8"},
		{"text from int", column{kind: kindText, pgType: "text"}, int64(1), nil, "cannot write SQLite integer to PostgreSQL text"},
		{"bool", column{kind: kindBool}, int64(1), true, ""},
		{"bool 2", column{kind: kindBool}, int64(2), nil, "not a boolean"},
		{"time", column{kind: kindTime}, "2024-05-14T09:30:00.123456789Z", ts, ""},
		{"zero time", column{kind: kindTime}, "0001-01-01T00:00:00.000000000Z", time.Time{}, ""},
		{"empty time nullable", column{kind: kindTime, nullable: true}, "", nil, ""},
		{"empty time not null", column{kind: kindTime}, "", nil, "NOT NULL"},
		{"bad time", column{kind: kindTime}, "yesterday", nil, "RFC 3339"},
		{"null", column{kind: kindTime}, nil, nil, ""},
		{"jsonb", column{kind: kindJSONB}, `["a","b"]`, json.RawMessage(`["a","b"]`), ""},
		{"jsonb invalid", column{kind: kindJSONB}, `["a"`, nil, "not valid JSON"},
		{"jsonb NUL", column{kind: kindJSONB}, `["a\u0000"]`, nil, `\u0000`},
		{"bytea", column{kind: kindBytea}, []byte{0, 1}, []byte{0, 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := convert(&tt.col, tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("convert(%v) error %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("convert(%v): %v", tt.in, err)
			}
			if canonical(tt.col.kind, got) != canonical(tt.col.kind, tt.want) {
				t.Errorf("convert(%v) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCanonical(t *testing.T) {
	a := canonical(kindJSONB, json.RawMessage(`{"b":1, "a":[true]}`))
	b := canonical(kindJSONB, map[string]any{"a": []any{true}, "b": float64(1)}) // as pgx decodes jsonb
	if a != b {
		t.Errorf("JSON: %s != %s", a, b)
	}
	ns := time.Date(2024, 5, 14, 9, 30, 0, 123456789, time.UTC)
	us := time.Date(2024, 5, 14, 11, 30, 0, 123456000, time.FixedZone("CEST", 2*3600))
	if canonical(kindTime, ns) != canonical(kindTime, us) {
		t.Errorf("times equal at microseconds differ: %s, %s", canonical(kindTime, ns), canonical(kindTime, us))
	}
	if canonical(kindInt8, int64(5)) != canonical(kindInt4, int32(5)) {
		t.Error("int64 and int32 differ")
	}
}

func TestOrderTables(t *testing.T) {
	mk := func(name string, rows int64, cols ...string) *table {
		tb := &table{name: name, srcRows: rows}
		for i, c := range cols {
			tb.cols = append(tb.cols, column{name: c, kind: kindInt8, nullable: i > 0})
		}
		tb.key = []int{0}
		return tb
	}
	tables := []*table{
		mk("edges", 10, "id", "story_id", "from_id"),
		mk("documents", 100, "id", "story_id", "source_id", "title", "text", "html"),
		mk("stories", 100, "id", "root_document_id"),
		mk("sources", 3, "id"),
		mk("folders", 2, "id"),
		mk("comments", 5, "id", "parent_id"),
	}
	fks := []foreignKey{
		{"documents_story_id_fkey", "documents", "stories", []string{"story_id"}},
		{"documents_source_id_fkey", "documents", "sources", []string{"source_id"}},
		{"stories_root_document_id_fkey", "stories", "documents", []string{"root_document_id"}},
		{"edges_story_id_fkey", "edges", "stories", []string{"story_id"}},
		{"edges_from_id_fkey", "edges", "documents", []string{"from_id"}},
		{"comments_parent_id_fkey", "comments", "comments", []string{"parent_id"}},
	}
	got, err := orderTables(tables, fks)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tb := range got {
		names = append(names, tb.name)
	}
	want := []string{"comments", "folders", "sources", "stories", "documents", "edges"}
	if !slices.Equal(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
	var deferred []string
	for _, tb := range got {
		for _, c := range tb.cols {
			if c.deferred {
				deferred = append(deferred, tb.name+"."+c.name)
			}
		}
	}
	// Same row counts: the narrow stories row is the cheaper one to update.
	if want := []string{"comments.parent_id", "stories.root_document_id"}; !slices.Equal(deferred, want) {
		t.Errorf("deferred %v, want %v", deferred, want)
	}

	// A cycle through NOT NULL columns cannot be broken.
	a, b := mk("a", 1, "id", "b_id"), mk("b", 1, "id", "a_id")
	a.cols[1].nullable, b.cols[1].nullable = false, false
	_, err = orderTables([]*table{a, b}, []foreignKey{{"a_b", "a", "b", []string{"b_id"}}, {"b_a", "b", "a", []string{"a_id"}}})
	if err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("NOT NULL cycle: error %v", err)
	}
}

func TestBuildPlanMismatch(t *testing.T) {
	lite := map[string]*sqliteTable{
		"feeds":     {name: "feeds", cols: map[string]bool{"id": true, "url": true, "color": true}, order: []string{"id", "url", "color"}, key: []string{"id"}},
		"lsh_bands": {name: "lsh_bands", cols: map[string]bool{"band_key": true}, order: []string{"band_key"}, key: []string{"band_key"}},
		"notes":     {name: "notes", cols: map[string]bool{"id": true}, order: []string{"id"}, key: []string{"id"}},
	}
	pg := map[string]*pgTable{
		"feeds": {name: "feeds", cols: []pgColumn{
			{name: "id", typname: "int8", notNull: true, identity: true},
			{name: "url", typname: "text", notNull: true},
			{name: "polled", typname: "bool", notNull: true},
			{name: "search", typname: "tsvector", generated: true},
		}},
		"host_pace": {name: "host_pace"},
		"extra":     {name: "extra", cols: []pgColumn{{name: "id", typname: "int8"}}},
	}
	_, _, err := buildPlan(lite, pg, nil, nil)
	if err == nil {
		t.Fatal("no error for mismatched schemas")
	}
	for _, want := range []string{
		"table notes is in the SQLite store but not in PostgreSQL",
		"table extra is in PostgreSQL but not in the SQLite store",
		"column feeds.color is in the SQLite store but not in PostgreSQL",
		"column feeds.polled (PostgreSQL, NOT NULL, no default) has no SQLite counterpart",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\nlacks %q", err, want)
		}
	}
	for _, unwanted := range []string{"lsh_bands", "host_pace", "search"} {
		if strings.Contains(err.Error(), unwanted) {
			t.Errorf("error %q names %s, which may be one-sided", err, unwanted)
		}
	}
}
