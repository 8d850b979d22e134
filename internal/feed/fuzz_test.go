package feed

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// fuzzBudget is how long one input may take. Inputs stay small while
// fuzzing, so anything near this is a hang or a super-linear path, not a
// slow or busy machine.
const fuzzBudget = 10 * time.Second

// addTestdata seeds f with the sample files in testdata whose names match
// one of the globs.
func addTestdata(f *testing.F, globs ...string) {
	f.Helper()
	for _, g := range globs {
		files, err := filepath.Glob(filepath.Join("testdata", g))
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// addCorpus seeds f with every file of the feedparser corpus when it is
// present (NEWSTRACE_CORPORA or ../../../shared/corpora); without it the
// fuzzer still runs from the testdata seeds.
func addCorpus(f *testing.F) {
	f.Helper()
	dir := os.Getenv("NEWSTRACE_CORPORA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "corpora")
	}
	root := filepath.Join(dir, "feedparser-tests")
	if _, err := os.Stat(root); err != nil {
		f.Logf("feedparser corpus not found at %s: seeding from testdata only", root)
		return
	}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
		return nil
	})
}

// timed runs fn and fails, with every goroutine's stack, if it is still
// running after fuzzBudget: the fuzzing engine has no per-input timeout, so
// a hang would otherwise only show as "execs: N (0/sec)".
func timed(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(fuzzBudget):
		buf := make([]byte, 1<<20)
		t.Fatalf("%s still running after %v:\n%s", what, fuzzBudget, buf[:runtime.Stack(buf, true)])
	}
}

// FuzzParse: Parse never panics, stays fast, and every entry it returns has
// a key and either no URL or an absolute http(s) one.
func FuzzParse(f *testing.F) {
	addTestdata(f, "*.xml", "*.rdf", "*.json", "page.html")
	f.Add([]byte(`<rss version="2.0"><channel><item><title>x</title></item></channel></rss>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"content_text":"a\n\nb"}]}`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="x"/></entry></feed>`))
	addCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := Limits{MaxEntries: 50}
		var p *Parsed
		var err error
		timed(t, "Parse", func() { p, err = Parse(data, "https://example.com/feed/", lim) })
		if err != nil {
			if p != nil {
				t.Fatalf("Parse returned both %v and a result", err)
			}
			if c := newstrace.ErrorCode(err); c != newstrace.EINVALID && c != newstrace.ETOOLARGE {
				t.Fatalf("error code %q: %v", c, err)
			}
			return
		}
		switch p.Format {
		case "rss", "atom", "json":
		default:
			t.Fatalf("format %q", p.Format)
		}
		if len(p.Entries) > lim.MaxEntries {
			t.Fatalf("%d entries over MaxEntries %d", len(p.Entries), lim.MaxEntries)
		}
		if p.SiteURL != "" && !isHTTPURL(p.SiteURL) {
			t.Fatalf("site URL %q is not absolute http(s)", p.SiteURL)
		}
		for i, e := range p.Entries {
			if e.Key == "" {
				t.Fatalf("entry %d has an empty Key: %+v", i, e)
			}
			if e.URL != "" && !isHTTPURL(e.URL) {
				t.Fatalf("entry %d URL %q is not absolute http(s)", i, e.URL)
			}
		}
		// Entries ride in job payloads.
		if _, err := json.Marshal(p); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	})
}

// FuzzCheck: Check never panics, fails exactly when Parse does, with a
// one-line EINVALID/ETOOLARGE error, and otherwise gives a report whose
// Errors is never nil.
func FuzzCheck(f *testing.F) {
	addTestdata(f, "*.xml", "*.rdf", "*.json", "page.html")
	f.Add([]byte(`<rss version="2.0"><channel><title>t</title><item><guid>g</guid><link>/a</link></item><item><guid>g</guid><pubDate>soon</pubDate></item></channel></rss>`))
	f.Add([]byte(`<!doctype html><link rel=alternate type=application/atom+xml href=/a.xml>`))
	addCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Report
		var err error
		timed(t, "Check", func() { r, err = Check(data, "", Limits{MaxEntries: 50}) })
		_, perr := Parse(data, "", Limits{MaxEntries: 50})
		if (err == nil) != (perr == nil) {
			t.Fatalf("Check error %v but Parse error %v", err, perr)
		}
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			if c := newstrace.ErrorCode(err); c != newstrace.EINVALID && c != newstrace.ETOOLARGE {
				t.Fatalf("error code %q: %v", c, err)
			}
			return
		}
		if r.Errors == nil || r.Entries > 50 {
			t.Fatalf("bad report %+v", r)
		}
		for _, m := range append(slices.Clone(r.Errors), r.Warnings...) {
			if m == "" || strings.ContainsAny(m, "\r\n") {
				t.Fatalf("message %q is empty or not one line", m)
			}
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	})
}

// FuzzParseOPML: ParseOPML never panics, and a list it reads goes through
// WriteOPML and back with the same feed URLs.
func FuzzParseOPML(f *testing.F) {
	addTestdata(f, "*.opml")
	f.Add([]byte(`<opml version="2.0"><body><outline text="a/b"><outline xmlUrl=" https://x.example/f " text="X"/></outline></body></opml>`))
	f.Add([]byte(`<opml><body><outline XMLURL="u" type="link"/><outline xmlurl="v" title="&amp;amp;"/></body></opml>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var list []Outline
		var err error
		timed(t, "ParseOPML", func() { list, err = ParseOPML(bytes.NewReader(data), 1<<20) })
		if err != nil {
			if c := newstrace.ErrorCode(err); c != newstrace.EINVALID && c != newstrace.ETOOLARGE {
				t.Fatalf("error code %q: %v", c, err)
			}
			return
		}
		feeds := make([]newstrace.Feed, len(list))
		for i, o := range list {
			if o.XMLURL == "" {
				t.Fatalf("outline %d has no XMLURL", i)
			}
			feeds[i] = newstrace.Feed{URL: o.XMLURL, Title: o.Title, SiteURL: o.HTMLURL, Folder: o.Folder}
		}
		var buf bytes.Buffer
		if err := WriteOPML(&buf, "fuzz", feeds); err != nil {
			t.Fatalf("WriteOPML: %v", err)
		}
		back, err := ParseOPML(&buf, 0)
		if err != nil {
			t.Fatalf("ParseOPML of our own output: %v\n%s", err, buf.Bytes())
		}
		if got, want := xmlURLs(back), xmlURLs(list); !slices.Equal(got, want) {
			t.Fatalf("round trip changed the feeds:\n got %q\nwant %q\n%s", got, want, buf.Bytes())
		}
	})
}

func xmlURLs(list []Outline) []string {
	out := make([]string, len(list))
	for i, o := range list {
		out[i] = o.XMLURL
	}
	slices.Sort(out)
	return out
}

// FuzzDiscover: Discover never panics and returns distinct absolute http(s)
// URLs.
func FuzzDiscover(f *testing.F) {
	page, err := os.ReadFile(filepath.Join("testdata", "page.html"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(page, "https://example.com/blog/")
	f.Add([]byte(`<base href="//cdn.example/x/"><link rel="ALTERNATE feed" type="application/rss+xml; charset=utf-8" href="../r.xml">`), "http://a.example/")
	f.Add([]byte(`<link rel=alternate type=application/feed+json href="javascript:alert(1)">`), "")
	f.Fuzz(func(t *testing.T, page []byte, base string) {
		var urls []string
		timed(t, "Discover", func() { urls = Discover(page, base) })
		seen := map[string]bool{}
		for _, u := range urls {
			pu, err := url.Parse(u)
			if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
				t.Fatalf("Discover returned %q, not an absolute http(s) URL", u)
			}
			if seen[u] {
				t.Fatalf("Discover returned %q twice", u)
			}
			seen[u] = true
		}
	})
}
