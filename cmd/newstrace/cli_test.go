package main

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func seedPath(t *testing.T) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "seed", "000_9ff75768bc5caada.txt")
	if _, err := os.Stat(p); err != nil {
		t.Skip("seed not found at ../shared/seed; skipping")
	}
	return p
}

// TestExtractSeed checks the CONTRACT's extract output on the seed document.
func TestExtractSeed(t *testing.T) {
	out := mustCLI(t, "extract", seedPath(t))
	var got struct {
		Title, Published, Text, Language string
		Authors                          []string
		Provenance                       map[string]string
		Removed                          []struct{ Kind, Text string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("extract output is not JSON: %v\n%s", err, out)
	}
	if got.Title != "Iraq to Join Forces With Iran in Combating Terrorism and Maintaining Regional Security" {
		t.Errorf("title %q", got.Title)
	}
	if !strings.HasPrefix(got.Published, "2017-07-23") {
		t.Errorf("published %q", got.Published)
	}
	want := map[string]string{"outlet": "Fort Russ News", "original_source": "Al Mayadeen", "translator": "Samer Hussein",
		"via_url": "http://ift.tt/2upAdWP", "republisher": "Like This Article"}
	for k, v := range want {
		if got.Provenance[k] != v {
			t.Errorf("provenance.%s = %q, want %q", k, got.Provenance[k], v)
		}
	}
	for _, bad := range []string{"Follow us on", "Donate!", "from Fort Russ", "Response to", "Post a Comment", "Like This Article"} {
		if strings.Contains(got.Text, bad) {
			t.Errorf("text still contains %q", bad)
		}
	}
	dup := "In a relatively short period of time, Iraq was almost cleansed of ISIS"
	if n := strings.Count(got.Text, dup); n != 1 {
		t.Errorf("repeated paragraph appears %d times, want 1", n)
	}
	if len(got.Removed) == 0 || got.Authors == nil {
		t.Errorf("removed %v, authors %v: both must be present lists", got.Removed, got.Authors)
	}
}

func TestExtractBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.html")
	os.WriteFile(empty, nil, 0o644)
	binary := filepath.Join(dir, "x.txt")
	os.WriteFile(binary, []byte{0, 1, 2, 3, 0xff, 0xfe, 0, 0, 7, 8}, 0o644)
	for _, args := range [][]string{
		{"extract", empty},
		{"extract", binary},
		{"extract", filepath.Join(dir, "missing.html")},
		{"extract", dir},
		{"extract", "--format", "yaml", empty},
		{"extract"},
		{"nosuchcommand"},
	} {
		_, err := runCLI(t, "", args...)
		if err == nil {
			t.Errorf("newstrace %v: want an error", args)
			continue
		}
		if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "goroutine") {
			t.Errorf("newstrace %v: error is not one clean line: %q", args, err)
		}
	}
}

// TestIngestAndStories ingests a folder and lists the stories with paths.
func TestIngestAndStories(t *testing.T) {
	seed := seedPath(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(in, 0o755)
	b, _ := os.ReadFile(seed)
	os.WriteFile(filepath.Join(in, "repost.txt"), b, 0o644)
	os.WriteFile(filepath.Join(in, "copy.txt"), b, 0o644) // the same text again
	page, _ := os.ReadFile(filepath.Join("testdata", "site", "harbour-bridge.html"))
	os.WriteFile(filepath.Join(in, "bridge.html"), page, 0o644)
	os.WriteFile(filepath.Join(in, "notes.pdf"), []byte("%PDF"), 0o644)

	data := filepath.Join(dir, "data")
	out := mustCLI(t, "--data", data, "ingest", in)
	if !strings.Contains(out, "2 stored") || !strings.Contains(out, "1 duplicate") || !strings.Contains(out, "1 skipped") {
		t.Fatalf("ingest said %q", out)
	}
	out = mustCLI(t, "--data", data, "stories", "--json")
	var stories []storyJSON
	if err := json.Unmarshal([]byte(out), &stories); err != nil {
		t.Fatalf("stories --json: %v\n%s", err, out)
	}
	if len(stories) != 2 {
		t.Fatalf("%d stories, want 2", len(stories))
	}
	var found bool
	for _, s := range stories {
		for _, d := range s.Documents {
			if strings.HasPrefix(d.Title, "Iraq to Join Forces") {
				found = true
				if !strings.HasSuffix(d.Path, ".txt") || d.Published[:10] != "2017-07-23" {
					t.Errorf("seed document: path %q published %q", d.Path, d.Published)
				}
			}
		}
	}
	if !found {
		t.Error("seed story missing")
	}
}

func TestUsersTokensAndFeedsRoundTrip(t *testing.T) {
	data := t.TempDir()
	if _, err := runCLI(t, "s3cret-pass\n", "--data", data, "user", "add", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "other\n", "--data", data, "user", "add", "alice"); err == nil {
		t.Error("a second alice was accepted")
	}
	if _, err := runCLI(t, "", "--data", data, "user", "add", "bob"); err == nil {
		t.Error("an empty password was accepted")
	}
	tok := strings.TrimSpace(mustCLI(t, "--data", data, "token", "add", "alice"))
	if len(tok) < 20 {
		t.Errorf("token %q looks too short", tok)
	}

	opml := filepath.Join(data, "in.opml")
	os.WriteFile(opml, []byte(`<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
<outline text="World"><outline type="rss" text="Wire A" xmlUrl="https://a.example/feed"/><outline type="rss" text="Wire B" xmlUrl="https://b.example/rss"/></outline>
<outline type="rss" text="Loose" xmlUrl="https://c.example/atom"/></body></opml>`), 0o644)
	out := mustCLI(t, "--data", data, "feeds", "import", opml)
	if !strings.Contains(out, "imported 3 feeds") {
		t.Fatalf("import said %q", out)
	}
	out = mustCLI(t, "--data", data, "feeds", "import", opml)
	if !strings.Contains(out, "imported 0 feeds (3 already followed)") {
		t.Fatalf("re-import said %q", out)
	}
	out = mustCLI(t, "--data", data, "feeds", "export")
	for _, w := range []string{`text="World"`, "https://a.example/feed", "https://c.example/atom"} {
		if !strings.Contains(out, w) {
			t.Errorf("export lacks %s:\n%s", w, out)
		}
	}
	out = mustCLI(t, "--data", data, "feeds", "list")
	if !strings.Contains(out, "Wire B") || !strings.Contains(out, "World") {
		t.Errorf("list:\n%s", out)
	}
	if _, err := runCLI(t, "", "--data", data, "feeds", "add", "ftp://x.example/feed"); err == nil {
		t.Error("an ftp feed was accepted")
	}
}

// TestServeRefusesPublicAddressWithoutAccount follows the CONTRACT.
func TestServeRefusesPublicAddressWithoutAccount(t *testing.T) {
	_, err := runCLI(t, "", "--data", t.TempDir(), "serve", "--addr", "0.0.0.0:0")
	if err == nil || !strings.Contains(err.Error(), "no account") {
		t.Fatalf("serve on 0.0.0.0 without accounts: %v", err)
	}
}

// TestHelp: every command answers --help without error.
func TestHelp(t *testing.T) {
	for _, c := range commands() {
		_, err := runCLI(t, "", c.name, "--help")
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			t.Errorf("%s --help: %v", c.name, err)
		}
	}
}
