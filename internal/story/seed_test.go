package story

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/extract"
)

// TestSeedChain is the acceptance chain at the logic level: the
// seed (a 'Like This Article' blog auto-repost of a Fort Russ News
// translation of an Al Mayadeen story) and the Fort Russ page give one
// story rooted at Fort Russ, a repost edge to the blog copy, and Al
// Mayadeen as an outlet-only node with a translation edge.
func TestSeedChain(t *testing.T) {
	seedPath := filepath.Join(sharedDir(), "seed", "000_9ff75768bc5caada.txt")
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Skipf("seed not found at %s (set NEWSTRACE_SHARED): %v", seedPath, err)
	}
	page, err := os.ReadFile(filepath.Join("testdata", "fortruss.html"))
	if err != nil {
		t.Fatal(err)
	}
	const frURL = "https://www.fort-russ.com/2017/07/iraq-to-join-forces-with-iran-in.html"
	fr, err := extract.Bytes(page, "text/html", extract.Options{URL: frURL})
	if err != nil {
		t.Fatal(err)
	}
	fr.URL = frURL
	blog, err := extract.Bytes(seed, "", extract.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := time.Date(2017, 7, 24, 9, 0, 0, 0, time.UTC)

	tests := []struct {
		name       string
		blogSource string
		blogURL    string
		blogSeen   time.Time // the blog copy seen before the original
		order      []int
	}{
		{name: "ingested files, no sources", order: []int{0, 1}},
		{name: "blog first in input", order: []int{1, 0}},
		{name: "blog with source and url", blogSource: "Like This Article", blogURL: "https://likethisarticle.blogspot.com/2017/07/iraq.html", order: []int{0, 1}},
		{name: "blog seen earlier", blogSeen: seen.Add(-48 * time.Hour), order: []int{1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := blog
			b.URL = tc.blogURL
			docs := []Doc{docOf(1, fr, fr.SiteName, seen), docOf(2, b, tc.blogSource, seen)}
			if !tc.blogSeen.IsZero() {
				docs[1].FirstSeen, docs[1].Published = tc.blogSeen, nil
			}
			in := []Doc{docs[tc.order[0]], docs[tc.order[1]]}

			rel := Relate(in[0], in[1], nil)
			if !rel.SameStory || rel.Kind != newstrace.EdgeRepost || rel.From != 1 || rel.To != 2 {
				t.Fatalf("Relate = %+v, want repost 1 → 2", rel)
			}
			root, edges := Build(in, nil)
			if root != 1 {
				t.Errorf("root = %d, want 1 (Fort Russ)", root)
			}
			want := map[string]bool{"1→2 repost": false, "Al Mayadeen→1 translation": false}
			for _, e := range edges {
				k := edgeKey(e)
				if _, ok := want[k]; !ok {
					t.Errorf("unexpected edge %s (%+v)", k, e)
					continue
				}
				want[k] = true
				if e.Evidence == "" || e.Confidence <= 0 || e.Confidence > 1 {
					t.Errorf("edge %s: confidence %v evidence %q", k, e.Confidence, e.Evidence)
				}
			}
			for k, ok := range want {
				if !ok {
					t.Errorf("missing edge %s; got %+v", k, edges)
				}
			}
		})
	}
}

func edgeKey(e newstrace.Edge) string {
	from := e.FromOutlet
	if e.FromID != 0 {
		from = strconv.FormatInt(e.FromID, 10)
	}
	return from + "→" + strconv.FormatInt(e.ToID, 10) + " " + string(e.Kind)
}
