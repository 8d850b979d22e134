package story

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/extract"
	"github.com/newstrace/newstrace/internal/match"
)

// sharedDir is ../shared (NEWSTRACE_SHARED overrides).
func sharedDir() string {
	if d := os.Getenv("NEWSTRACE_SHARED"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared")
}

// corporaDir is ../shared/corpora (NEWSTRACE_CORPORA overrides); the test
// skips when it is missing.
func corporaDir(tb testing.TB, sub string) string {
	tb.Helper()
	root := os.Getenv("NEWSTRACE_CORPORA")
	if root == "" {
		root = filepath.Join(sharedDir(), "corpora")
	}
	d := filepath.Join(root, sub)
	if _, err := os.Stat(d); err != nil {
		tb.Skipf("corpus %s not found (set NEWSTRACE_CORPORA): %v", d, err)
	}
	return d
}

// docOf makes a Doc the way the pipeline does: extracted article,
// fingerprinted text.
func docOf(id int64, a newstrace.Article, source string, firstSeen time.Time) Doc {
	return Doc{
		ID: id, URL: a.URL, Title: a.Title, Text: a.Text, Language: a.Language, Source: source,
		Published: a.Published, FirstSeen: firstSeen, Provenance: a.Provenance,
		FP: match.FingerprintText(a.Text, match.DefaultParams()),
	}
}

// textDoc extracts a plain-text document.
func textDoc(tb testing.TB, id int64, text, url, source string, published *time.Time) Doc {
	tb.Helper()
	a, err := extract.Text(text, extract.Options{URL: url, Published: published})
	if err != nil {
		tb.Fatalf("extract doc %d: %v", id, err)
	}
	a.URL = url
	return docOf(id, a, source, time.Time{})
}

// rawDoc builds a Doc without extraction, for decision tables.
func rawDoc(id int64, text string, mod func(*Doc)) Doc {
	d := Doc{ID: id, Text: text, Language: "en", FP: match.FingerprintText(text, match.DefaultParams())}
	if mod != nil {
		mod(&d)
	}
	return d
}

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func paras(ps ...string) string { return strings.Join(ps, "\n\n") }
