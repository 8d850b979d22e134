package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// goldenJSON renders an article for a golden file; the sanitized HTML is
// checked elsewhere and left out to keep the files readable.
func goldenJSON(t *testing.T, a newstrace.Article) []byte {
	t.Helper()
	a.HTML = ""
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (rerun with -update after review):\n got: %s", path, got)
	}
}

// TestTextGolden runs each testdata/text/x.txt through Bytes and compares
// with x.json.
func TestTextGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "text", "*.txt"))
	if err != nil || len(files) < 6 {
		t.Fatalf("want at least 6 variant documents, found %d (%v)", len(files), err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			a, err := Bytes(data, "", Options{})
			if err != nil {
				t.Fatalf("Bytes: %v", err)
			}
			checkBlogInvariants(t, a)
			checkGolden(t, strings.TrimSuffix(f, ".txt")+".json", goldenJSON(t, a))
		})
	}
}

// checkBlogInvariants holds for every document of the repost genre.
func checkBlogInvariants(t *testing.T, a newstrace.Article) {
	t.Helper()
	if a.Title == "" || a.Text == "" {
		t.Errorf("empty title %q or text", a.Title)
	}
	if strings.Contains(a.Text, "\n\n\n") || strings.HasPrefix(a.Text, "\n") || strings.HasSuffix(a.Text, "\n") {
		t.Errorf("paragraphs must be separated by exactly one blank line: %q", a.Text)
	}
	paras := strings.Split(a.Text, "\n\n")
	seen := map[string]bool{}
	for _, p := range paras {
		if seen[p] && len(strings.Fields(p)) >= 12 {
			t.Errorf("paragraph kept twice: %q", p)
		}
		seen[p] = true
	}
	for _, junk := range []string{"Follow us on", "Like us on", "Donate", "Response to", "Responses to", "Post a Comment", "Leave a Reply", "Share this", "Patreon", "http://", "Newer Post"} {
		if strings.Contains(a.Text, junk) {
			t.Errorf("text still holds %q", junk)
		}
	}
	for _, r := range a.Removed {
		if r.Kind == "" || r.Text == "" {
			t.Errorf("removed part without kind or text: %+v", r)
		}
	}
	if a.HTML == "" {
		t.Error("no reader HTML")
	}
}

func seedPath(t *testing.T) string {
	root := os.Getenv("NEWSTRACE_SHARED")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared")
	}
	p := filepath.Join(root, "seed", "000_9ff75768bc5caada.txt")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("seed not found at %s (set NEWSTRACE_SHARED): %v", p, err)
	}
	return p
}

// TestSeed is the acceptance check: a blog's automatic repost of a Fort
// Russ News translation of an Al Mayadeen story.
func TestSeed(t *testing.T) {
	data, err := os.ReadFile(seedPath(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		run  func() (newstrace.Article, error)
	}{
		{"Bytes", func() (newstrace.Article, error) { return Bytes(data, "", Options{}) }},
		{"Bytes text/plain", func() (newstrace.Article, error) { return Bytes(data, "text/plain; charset=utf-8", Options{}) }},
		{"Text", func() (newstrace.Article, error) { return Text(string(data), Options{}) }},
		{"Text with feed hints", func() (newstrace.Article, error) {
			hint := time.Date(2017, 7, 24, 9, 0, 0, 0, time.UTC)
			return Text(string(data), Options{Published: &hint, Language: "en"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := tc.run()
			if err != nil {
				t.Fatal(err)
			}
			checkSeed(t, a, string(data))
		})
	}
}

func checkSeed(t *testing.T, a newstrace.Article, src string) {
	t.Helper()
	if want := "Iraq to Join Forces With Iran in Combating Terrorism and Maintaining Regional Security"; a.Title != want {
		t.Errorf("title = %q, want %q", a.Title, want)
	}
	if a.Published == nil || a.Published.Format(time.RFC3339) != "2017-07-23T00:00:00Z" {
		t.Errorf("published = %v, want 2017-07-23T00:00:00Z", a.Published)
	}
	want := newstrace.Provenance{
		Outlet: "Fort Russ News", OriginalSource: "Al Mayadeen", Translator: "Samer Hussein",
		ViaURL: "http://ift.tt/2upAdWP", Republisher: "Like This Article",
	}
	if a.Provenance != want {
		t.Errorf("provenance = %+v, want %+v", a.Provenance, want)
	}
	if a.Language != "en" {
		t.Errorf("language = %q, want en", a.Language)
	}
	for _, junk := range []string{"Follow us on", "Donate!", "from Fort Russ", "Response to", "Post a Comment", "Like This Article", "translated by", "July 23rd"} {
		if strings.Contains(a.Text, junk) {
			t.Errorf("text still holds %q", junk)
		}
	}
	// Every body line of the source appears exactly once.
	body := 0
	for _, line := range strings.Split(src, "\n") {
		if len(strings.Fields(line)) < 15 || strings.Contains(line, "Like This Article") {
			continue
		}
		body++
		if n := strings.Count(a.Text, line); n != 1 {
			t.Errorf("body paragraph appears %d times: %.60q", n, line)
		}
	}
	if got := len(strings.Split(a.Text, "\n\n")); body < 10 || got != 10 {
		t.Errorf("text has %d paragraphs (source has %d body lines), want 10", got, body)
	}
	kinds := map[string]int{}
	for _, r := range a.Removed {
		kinds[r.Kind]++
	}
	for kind, n := range map[string]int{"header": 2, "social": 2, "donation": 1, "via_footer": 1, "comments": 2, "duplicate": 1, "title": 1} {
		if kinds[kind] != n {
			t.Errorf("removed %d parts of kind %q, want %d (all: %v)", kinds[kind], kind, n, kinds)
		}
	}
}
