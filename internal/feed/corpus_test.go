package feed

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corporaDir is where ../shared/corpora lives; the data is read in place and
// never copied into the repository.
func corporaDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("NEWSTRACE_CORPORA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "corpora")
	}
	dir = filepath.Join(dir, "feedparser-tests")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("feedparser-tests corpus not found at %s (set NEWSTRACE_CORPORA to the corpora folder): %v", dir, err)
	}
	return dir
}

// TestCorpusFeedparser runs every file of Python feedparser's test suite
// through Parse: nothing may panic (not even inside gofeed, where Parse
// would recover it), and at least 90% of the well-formed RSS/Atom/RDF
// cases must parse without error.
func TestCorpusFeedparser(t *testing.T) {
	root := corporaDir(t)
	type tally struct{ ok, total int }
	byDir := map[string]*tally{}
	var failures []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		p, perr := parseNoPanic(t, rel, data)
		if perr != nil && strings.Contains(perr.Error(), "parser panic") {
			t.Errorf("%s: gofeed panicked: %v", rel, perr)
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		if byDir[dir] == nil {
			byDir[dir] = &tally{}
		}
		byDir[dir].total++
		if perr == nil && p != nil {
			byDir[dir].ok++
		} else if strings.HasPrefix(dir, "wellformed/") {
			failures = append(failures, rel+": "+perr.Error())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		t.Logf("%-28s %4d / %4d parsed", d, byDir[d].ok, byDir[d].total)
	}
	var ok, total int
	for _, d := range []string{"wellformed/rss", "wellformed/atom10", "wellformed/atom", "wellformed/rdf"} {
		if byDir[d] == nil {
			t.Fatalf("corpus has no %s folder", d)
		}
		ok += byDir[d].ok
		total += byDir[d].total
	}
	rate := float64(ok) / float64(total)
	t.Logf("wellformed rss+atom10+atom+rdf: %d / %d = %.1f%% parse without error", ok, total, 100*rate)
	if testing.Verbose() {
		for _, f := range failures {
			t.Log("fail:", f)
		}
	}
	if rate < 0.90 {
		t.Errorf("only %.1f%% of well-formed RSS/Atom/RDF files parse, want >= 90%%", 100*rate)
	}
}

// parseNoPanic turns a panic escaping Parse (our own code) into a test
// failure naming the file, and keeps the walk going.
func parseNoPanic(t *testing.T, name string, data []byte) (p *Parsed, err error) {
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: Parse panicked: %v", name, r)
			p, err = nil, nil
		}
	}()
	return Parse(data, "http://127.0.0.1:8097/tests/"+filepath.ToSlash(name), Limits{})
}
