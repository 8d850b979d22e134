package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSeedChainCLI is issue 4's acceptance chain through the CLI: the seed
// (a "Like This Article" blog's automatic repost of a Fort Russ News
// translation of an Al Mayadeen report) and the Fort Russ page, ingested
// from one folder, give ONE story rooted at Fort Russ, with a repost edge
// to the blog copy and Al Mayadeen as an outlet-only translation origin.
// Then `rematch` leaves the same graph.
func TestSeedChainCLI(t *testing.T) {
	seed := seedPath(t)
	tests := []struct {
		name string
		// file modification times (first seen): the chain must not depend on
		// which copy the crawler met first.
		blogSeen, origSeen time.Time
		// identical: drop the page's photo caption so both copies clean to
		// the same text; another outlet's identical copy is still a repost.
		identical bool
	}{
		{"original seen first", time.Date(2017, 7, 23, 10, 0, 0, 0, time.UTC), time.Date(2017, 7, 23, 9, 0, 0, 0, time.UTC), false},
		{"blog copy seen first", time.Date(2017, 7, 23, 9, 0, 0, 0, time.UTC), time.Date(2017, 7, 24, 9, 0, 0, 0, time.UTC), false},
		{"identical text", time.Date(2017, 7, 23, 10, 0, 0, 0, time.UTC), time.Date(2017, 7, 23, 9, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in")
			os.MkdirAll(in, 0o755)
			copyFile(t, seed, filepath.Join(in, "000_9ff75768bc5caada.txt"), tt.blogSeen)
			copyFile(t, filepath.Join("testdata", "fortruss.html"), filepath.Join(in, "fortruss.html"), tt.origSeen)
			if tt.identical {
				page, _ := os.ReadFile(filepath.Join(in, "fortruss.html"))
				var kept []string
				for _, line := range strings.Split(string(page), "\n") {
					if !strings.HasPrefix(strings.TrimSpace(line), "<p>Photo:") {
						kept = append(kept, line)
					}
				}
				os.WriteFile(filepath.Join(in, "fortruss.html"), []byte(strings.Join(kept, "\n")), 0o644)
				os.Chtimes(filepath.Join(in, "fortruss.html"), tt.origSeen, tt.origSeen)
			}
			data := filepath.Join(dir, "data")
			out := mustCLI(t, "--data", data, "ingest", in)
			if !strings.Contains(out, "2 stored") {
				t.Fatalf("ingest said %q, want 2 stored", out)
			}
			checkSeedChain(t, mustCLI(t, "--data", data, "stories", "--json"))

			out = mustCLI(t, "--data", data, "rematch")
			if !strings.Contains(out, "rematch: 2 documents") {
				t.Errorf("rematch said %q", out)
			}
			checkSeedChain(t, mustCLI(t, "--data", data, "stories", "--json"))
		})
	}
}

func checkSeedChain(t *testing.T, out string) {
	t.Helper()
	var stories []storyJSON
	if err := json.Unmarshal([]byte(out), &stories); err != nil {
		t.Fatalf("stories --json: %v\n%s", err, out)
	}
	if len(stories) != 1 {
		t.Fatalf("%d stories, want 1:\n%s", len(stories), out)
	}
	s := stories[0]
	var fr, blog *storyDocJSON
	for i, d := range s.Documents {
		switch d.Source {
		case "Fort Russ News":
			fr = &s.Documents[i]
		case "Like This Article":
			blog = &s.Documents[i]
		}
	}
	if len(s.Documents) != 2 || fr == nil || blog == nil {
		t.Fatalf("documents %+v, want the Fort Russ News page and the Like This Article copy", s.Documents)
	}
	if !fr.Root || blog.Root || s.RootDocumentID != fr.ID {
		t.Errorf("root: story says %d, Fort Russ root=%v, blog root=%v; want Fort Russ (%d)", s.RootDocumentID, fr.Root, blog.Root, fr.ID)
	}
	if !strings.HasPrefix(s.Title, "Iraq to Join Forces With Iran") {
		t.Errorf("story title %q", s.Title)
	}
	var repost, translation bool
	for _, e := range s.Edges {
		switch {
		case e.From == fr.ID && e.To == blog.ID && e.Kind == "repost":
			repost = true
		case e.From == 0 && e.FromOutlet == "Al Mayadeen" && e.To == fr.ID && e.Kind == "translation":
			translation = true
		case e.From == e.To:
			t.Errorf("self edge %+v", e)
		}
		if e.Confidence <= 0 || e.Confidence > 1 {
			t.Errorf("edge %+v: confidence out of (0, 1]", e)
		}
	}
	if !repost || !translation {
		t.Errorf("edges %+v: want repost %d → %d and translation Al Mayadeen → %d", s.Edges, fr.ID, blog.ID, fr.ID)
	}
	if !strings.Contains(out, `"from_outlet": "Al Mayadeen"`) {
		t.Errorf("stories --json lacks from_outlet:\n%s", out)
	}
}

func copyFile(t *testing.T, from, to string, mtime time.Time) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(to, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}
