package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/match"
	"github.com/newstrace/newstrace/internal/sqlite"
)

// seedTraceStore stores four copies of one story from four outlets, merged
// into one story, with repost, syndication and translation edges and an
// outlet named only as the translation's source. It returns the data
// directory and the story id.
func seedTraceStore(t *testing.T) (string, int64) {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(data, "newstrace.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer db.Close()
	base := time.Date(2017, 7, 23, 10, 0, 0, 0, time.UTC)
	docs := []struct {
		outlet, url string
		after       time.Duration
	}{
		{"Fort Russ News", "https://fort-russ.example/2017/07/syria?utm_source=x", 0},
		{"Like This Article", "https://likethisarticle.example/p/123", 2 * time.Hour},
		{"Global Research", "https://globalresearch.example/syria-weapons", 47 * time.Hour},
		{"Novinky", "https://novinky.example/cz/syrie", 5 * 24 * time.Hour},
	}
	var ids []int64
	for i, d := range docs {
		src, err := db.EnsureSource(ctx, newstrace.Source{Name: d.outlet})
		if err != nil {
			t.Fatal(err)
		}
		pub := base.Add(d.after)
		canon, err := match.CanonicalURL(d.url)
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.SaveDocument(ctx, newstrace.Document{
			URL: d.url, CanonicalURL: canon, Title: "Rebels hand weapons to ISIS", Published: &pub, FirstSeen: pub,
			Text: "text " + strconv.Itoa(i), ContentHash: "h" + strconv.Itoa(i), SourceID: src.ID,
		}, newstrace.Sighting{SourceID: src.ID, EntryKey: d.url, URL: d.url, SeenAt: pub})
		if err != nil {
			t.Fatalf("save %s: %v", d.url, err)
		}
		ids = append(ids, res.Document.ID)
	}
	story, err := db.MergeStories(ctx, ids)
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	for _, e := range []newstrace.Edge{
		{FromOutlet: "Al Mayadeen", ToID: ids[0], Kind: newstrace.EdgeTranslation, Confidence: 0.9, Evidence: "cue: Source: Al Mayadeen"},
		{FromID: ids[0], ToID: ids[1], Kind: newstrace.EdgeRepost, Confidence: 0.97, Evidence: "containment 0.98"},
		{FromID: ids[0], ToID: ids[2], Kind: newstrace.EdgeSyndication, Confidence: 0.88, Evidence: "via link"},
		{FromID: ids[0], ToID: ids[3], Kind: newstrace.EdgeTranslation, Confidence: 0.7, Evidence: "cross-language match"},
	} {
		if err := db.AddEdge(ctx, story, e); err != nil {
			t.Fatalf("add edge: %v", err)
		}
	}
	return data, story
}

func TestTrace(t *testing.T) {
	data, story := seedTraceStore(t)
	id := strconv.FormatInt(story, 10)
	tests := []struct {
		name    string
		args    []string
		want    []string // lines or fragments on stdout
		wantErr string
	}{
		{name: "by story id", args: []string{id}, want: []string{
			"Fort Russ News  2017-07-23 10:00  (root)",
			"├─ repost → Like This Article  +2h  (0.97: containment 0.98)",
			"├─ syndication → Global Research  +2 days  (0.88: via link)",
			"└─ translation → Novinky  +5 days  (0.70: cross-language match)",
			"Al Mayadeen (named as source, no document)\n  └─ translation → Fort Russ News  (0.90: cue: Source: Al Mayadeen)",
		}},
		{name: "by document URL", args: []string{"https://likethisarticle.example/p/123"}, want: []string{"Story " + id + ":", "(root)"}},
		{name: "by canonical URL", args: []string{"https://fort-russ.example/2017/07/syria"}, want: []string{"Story " + id + ":"}},
		{name: "by a URL that canonicalizes", args: []string{"https://fort-russ.example/2017/07/syria?utm_medium=social"}, want: []string{"Story " + id + ":"}},
		{name: "flag after the argument", args: []string{id, "--json"}, want: []string{`"from_outlet": "Al Mayadeen"`}},
		{name: "unknown story", args: []string{"999"}, wantErr: "trace: no story 999"},
		{name: "unknown URL", args: []string{"https://nowhere.example/x"}, wantErr: "trace: no document at https://nowhere.example/x"},
		{name: "neither", args: []string{"fort-russ"}, wantErr: `trace: "fort-russ" is neither a story id nor a URL`},
		{name: "no argument", args: nil, wantErr: "trace needs one story id or document URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCLI(t, "", append([]string{"--data", data, "trace"}, tt.args...)...)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error spans lines: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "\x1b") {
				t.Error("colour codes in output that is not a terminal")
			}
		})
	}
}

// TestTraceJSON checks that trace --json is one element of stories --json.
func TestTraceJSON(t *testing.T) {
	data, story := seedTraceStore(t)
	var one storyJSON
	out := mustCLI(t, "--data", data, "trace", "--json", strconv.FormatInt(story, 10))
	if err := json.Unmarshal([]byte(out), &one); err != nil {
		t.Fatalf("trace --json: %v\n%s", err, out)
	}
	var all []storyJSON
	if err := json.Unmarshal([]byte(mustCLI(t, "--data", data, "stories", "--json")), &all); err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("%d stories, want 1", len(all))
	}
	a, b := mustJSON(t, one), mustJSON(t, all[0])
	if a != b {
		t.Errorf("trace --json differs from stories --json:\n%s\n%s", a, b)
	}
	if len(one.Documents) != 4 || len(one.Edges) != 4 {
		t.Errorf("%d documents, %d edges; want 4 and 4", len(one.Documents), len(one.Edges))
	}
	for _, d := range one.Documents {
		if d.ID == 0 || d.URL == "" || d.Source == "" || d.Published == "" {
			t.Errorf("document lacks fields: %+v", d)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
