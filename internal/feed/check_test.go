package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/newstrace/newstrace"
)

func rssDoc(channel, items string) string {
	return `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>` + channel + items + `</channel></rss>`
}

func TestCheck(t *testing.T) {
	const ch = `<title>Wire</title><link>https://wire.example/</link>`
	item := func(guid, link, title, date string) string {
		s := "<item>"
		if guid != "" {
			s += "<guid isPermaLink=\"false\">" + guid + "</guid>"
		}
		if link != "" {
			s += "<link>" + link + "</link>"
		}
		if title != "" {
			s += "<title>" + title + "</title>"
		}
		if date != "" {
			s += "<pubDate>" + date + "</pubDate>"
		}
		return s + "</item>"
	}
	many := ""
	for i := range 12 {
		many += item(fmt.Sprint("g", i), "", fmt.Sprint("T", i), "")
	}
	tests := []struct {
		name      string
		doc, base string
		lim       Limits
		format    string
		entries   int
		errs      []string // substrings, each must occur in some error
		warns     []string // substrings, each must occur in some warning
		noErrors  bool
		wantCode  string // non-empty: Check must fail with this code
		wantIs    error
		wantInErr string
	}{
		{name: "clean rss", doc: rssDoc(ch, item("a", "/a", "A", "Mon, 02 Jan 2006 15:04:05 GMT")+item("b", "https://wire.example/b", "B", "")),
			format: "rss", entries: 2, noErrors: true},
		{name: "missing channel title", doc: rssDoc(`<link>https://wire.example/</link>`, item("a", "/a", "A", "")),
			format: "rss", entries: 1, errs: []string{"feed has no title"}},
		{name: "duplicate guid", doc: rssDoc(ch, item("x", "/a", "A", "")+item("x", "/b", "B", "")),
			format: "rss", entries: 2, errs: []string{`entry 2: same guid "x" as entry 1`}},
		{name: "duplicate link without guid", doc: rssDoc(ch, item("", "/a", "A", "")+item("", "/a", "B", "")),
			format: "rss", entries: 2, errs: []string{"entry 2: no guid and same link as entry 1"}},
		{name: "relative link without base", doc: rssDoc(`<title>W</title>`, item("a", "/a", "A", "")),
			format: "rss", entries: 1, errs: []string{`entry 1: link: "/a" is relative and there is no base URL`}, warns: []string{"no link to its web site"}},
		{name: "relative link with base", base: "https://wire.example/feed.xml", doc: rssDoc(`<title>W</title>`, item("a", "/a", "A", "")),
			format: "rss", entries: 1, noErrors: true},
		{name: "javascript link", doc: rssDoc(ch, item("a", "javascript:alert(1)", "A", "")),
			format: "rss", entries: 1, errs: []string{"is not an http(s) URL"}},
		{name: "unparsable date", doc: rssDoc(ch, item("a", "/a", "A", "the day after tomorrow")),
			format: "rss", entries: 1, errs: []string{`entry 1: published date "the day after tomorrow" cannot be parsed`}},
		{name: "entry with neither link nor title", doc: rssDoc(ch, item("a", "", "", "")),
			format: "rss", entries: 1, errs: []string{"entry 1: no link and no title"}},
		{name: "entry without link nor guid", doc: rssDoc(ch, item("", "", "A", "")),
			format: "rss", entries: 1, warns: []string{"entry 1: no link and no guid"}},
		{name: "entry without title", doc: rssDoc(ch, item("a", "/a", "", "")),
			format: "rss", entries: 1, warns: []string{"entry 1: no title"}},
		{name: "entries over MaxEntries", doc: rssDoc(ch, item("a", "/a", "A", "")+item("b", "/b", "B", "")+item("c", "/c", "C", "")),
			lim: Limits{MaxEntries: 2}, format: "rss", entries: 2, warns: []string{"feed has 3 entries; only the first 2 are kept"}},
		{name: "no entries", doc: rssDoc(ch, ""), format: "rss", entries: 0, warns: []string{"feed has no entries"}},
		{name: "same problem grouped", doc: rssDoc(ch, many), format: "rss", entries: 12,
			warns: []string{"entry 5: no link", "7 more entries: no link"}},
		{name: "undefined entity is not well-formed", doc: rssDoc(`<title>Caf&eacute;</title><link>https://wire.example/</link>`, item("a", "/a", "A", "")),
			format: "rss", entries: 1, errs: []string{"not well-formed XML (line 1: invalid character entity &eacute;)"}},
		{name: "atom", base: "https://blog.example/atom.xml", doc: `<feed xmlns="http://www.w3.org/2005/Atom"><title>B</title><link href="/"/><id>urn:b</id><updated>2024-01-01T00:00:00Z</updated>` +
			`<entry><id>urn:1</id><title>One</title><link href="/1"/><updated>2024-01-01T00:00:00Z</updated></entry></feed>`,
			format: "atom", entries: 1, noErrors: true},
		{name: "atom bad updated date", doc: `<feed xmlns="http://www.w3.org/2005/Atom"><title>B</title><link href="https://b.example/"/>` +
			`<entry><id>urn:1</id><title>One</title><link href="/1"/><updated>yesterday</updated></entry></feed>`,
			format: "atom", entries: 1, errs: []string{`entry 1: updated date "yesterday" cannot be parsed`}},
		{name: "json feed", doc: `{"version":"https://jsonfeed.org/version/1.1","title":"J","home_page_url":"https://j.example/","items":[{"id":"1","url":"https://j.example/1","title":"One"}]}`,
			format: "json", entries: 1, noErrors: true},
		{name: "html page names its feeds", base: "https://site.example/", doc: `<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>`,
			wantCode: newstrace.EINVALID, wantIs: ErrHTMLPage, wantInErr: "https://site.example/feed.xml"},
		{name: "not a feed", doc: `<foo><bar/></foo>`, wantCode: newstrace.EINVALID, wantIs: ErrNotFeed},
		{name: "empty", doc: " \n", wantCode: newstrace.EINVALID},
		{name: "too large", doc: rssDoc(ch, ""), lim: Limits{MaxBytes: 10}, wantCode: newstrace.ETOOLARGE},
		{name: "entity declaration refused", doc: `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss version="2.0"><channel><title>&a;</title></channel></rss>`,
			wantCode: newstrace.EINVALID, wantInErr: "entity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Check([]byte(tt.doc), tt.base, tt.lim)
			if tt.wantCode != "" {
				if err == nil {
					t.Fatalf("Check succeeded with %+v, want a %s error", r, tt.wantCode)
				}
				if got := newstrace.ErrorCode(err); got != tt.wantCode {
					t.Errorf("error code = %q, want %q (%v)", got, tt.wantCode, err)
				}
				if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
					t.Errorf("error %v is not %v", err, tt.wantIs)
				}
				if strings.ContainsAny(err.Error(), "\r\n") {
					t.Errorf("error is not one line: %q", err)
				}
				if !strings.Contains(err.Error(), tt.wantInErr) {
					t.Errorf("error %q does not mention %q", err, tt.wantInErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if r.Format != tt.format || r.Entries != tt.entries {
				t.Errorf("format/entries = %s/%d, want %s/%d", r.Format, r.Entries, tt.format, tt.entries)
			}
			if r.Errors == nil {
				t.Error("Errors is nil; it must marshal as []")
			}
			if tt.noErrors && len(r.Errors) > 0 {
				t.Errorf("unexpected errors: %q", r.Errors)
			}
			for _, want := range tt.errs {
				if !containsSub(r.Errors, want) {
					t.Errorf("errors %q lack %q", r.Errors, want)
				}
			}
			for _, want := range tt.warns {
				if !containsSub(r.Warnings, want) {
					t.Errorf("warnings %q lack %q", r.Warnings, want)
				}
			}
		})
	}
}

func containsSub(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// TestCheckJSON pins the shape the CLI prints.
func TestCheckJSON(t *testing.T) {
	r, err := Check([]byte(rssDoc(`<title>W</title><link>https://w.example/</link>`, `<item><guid>g</guid><title>T</title><link>/t</link></item>`)), "", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"title":"W","format":"rss","version":"2.0","entries":1,"errors":[]}`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

// TestCheckAgreesWithParse: Check fails exactly when Parse does, and counts
// the entries Parse returns.
func TestCheckAgreesWithParse(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, ".golden.json") {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			checkAgrees(t, data, "https://example.com/feed", Limits{})
		})
	}
}

func checkAgrees(t *testing.T, data []byte, base string, lim Limits) Report {
	t.Helper()
	r, cerr := Check(data, base, lim)
	p, perr := Parse(data, base, lim)
	if (cerr == nil) != (perr == nil) {
		t.Fatalf("Check error %v, Parse error %v", cerr, perr)
	}
	if cerr != nil {
		if strings.ContainsAny(cerr.Error(), "\r\n") {
			t.Fatalf("Check error is not one line: %q", cerr)
		}
		if c := newstrace.ErrorCode(cerr); c != newstrace.EINVALID && c != newstrace.ETOOLARGE {
			t.Fatalf("Check error code %q (%v)", c, cerr)
		}
		return r
	}
	if r.Entries != len(p.Entries) || r.Title != p.Title || r.Format != p.Format {
		t.Fatalf("Check %+v disagrees with Parse (%d entries, %q, %s)", r, len(p.Entries), p.Title, p.Format)
	}
	if r.Errors == nil {
		t.Fatal("Errors is nil")
	}
	return r
}

// TestCorpusCheck runs every file of Python feedparser's test suite through
// Check: nothing panics, errors are one line, the well-formed files parse,
// and the simple Expect: expressions about title, link and entry count are
// translated and evaluated against the Report and Parse's entries.
func TestCorpusCheck(t *testing.T) {
	root := corporaDir(t)
	var (
		files, failed          int
		wfOK, wfTotal          int
		wfStrict               int // wellformed files Check calls not well-formed
		illFlagged, illTotal   int
		evaluable, agree, skip int
		misses                 []string
	)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(must(filepath.Rel(root, path)))
		if !strings.Contains(rel, "/") {
			return nil // SOURCE.md, LICENSE
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		base := ""
		if strings.Contains(rel, "http") {
			base = "http://127.0.0.1:8097/tests/" + rel
		}
		r, cerr := checkNoPanic(t, rel, data, base)
		if cerr != nil {
			failed++
			if strings.ContainsAny(cerr.Error(), "\r\n") {
				t.Errorf("%s: error is not one line: %q", rel, cerr)
			}
		}
		notWF := cerr == nil && containsSub(r.Errors, "not well-formed XML")
		switch {
		case strings.HasPrefix(rel, "wellformed/"):
			wfTotal++
			if cerr == nil {
				wfOK++
			}
			if notWF {
				wfStrict++
			}
		case strings.HasPrefix(rel, "illformed/"):
			illTotal++
			if cerr != nil || notWF {
				illFlagged++
			}
		}
		clauses, ok := translateExpect(data)
		if !ok {
			skip++
			return nil
		}
		evaluable++
		var p *Parsed
		if cerr == nil {
			p, _ = Parse(data, base, Limits{})
		}
		if why := evalClauses(clauses, p); why == "" {
			agree++
		} else {
			misses = append(misses, rel+": "+why)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files checked, %d refused with an error, no panic", files, failed)
	t.Logf("wellformed/: %d of %d parse; %d flagged not well-formed by the strict XML check", wfOK, wfTotal, wfStrict)
	t.Logf("illformed/: %d of %d refused or flagged not well-formed", illFlagged, illTotal)
	t.Logf("%d of %d evaluable expectations match (%d not evaluable)", agree, evaluable, skip)
	if testing.Verbose() {
		for _, m := range misses {
			t.Log("differs:", m)
		}
	}
	// Floors measured on the feedparser snapshot of SOURCE.md (see the
	// report in the commit); raise them when the parser improves.
	const (
		minWellformedOK = 1732 // of 1749 (measured 1732: cdf, UTF-16/32, entity DOCTYPEs refused)
		minAgree        = 475  // of 519 evaluable (measured 477)
		maxWFStrict     = 5    // measured 0
	)
	if wfOK < minWellformedOK {
		t.Errorf("only %d well-formed files parse, want >= %d", wfOK, minWellformedOK)
	}
	if agree < minAgree {
		t.Errorf("only %d expectations match, want >= %d", agree, minAgree)
	}
	if wfStrict > maxWFStrict {
		t.Errorf("%d well-formed files flagged not well-formed, want <= %d", wfStrict, maxWFStrict)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func checkNoPanic(t *testing.T, name string, data []byte, base string) (r Report, err error) {
	defer func() {
		if v := recover(); v != nil {
			t.Errorf("%s: Check panicked: %v", name, v)
			err = errors.New("panic")
		}
	}()
	return Check(data, base, Limits{})
}

// clause is one translated comparison: scope is "feed" or "entries", idx an
// entry index, field "title", "link" or "len".
type clause struct {
	scope string
	idx   int
	field string
	want  string
}

var (
	expectLineRE = regexp.MustCompile(`(?m)Expect:\s*(.*?)\s*(?:-->.*)?$`)
	// feed['title'], feed.title, entries[0]['link'], feed['title_detail']['value']
	fieldRE = regexp.MustCompile(`^(feed|entries\[(\d+)\])(?:\['(title|link)'\]|\.(title|link)|\['title_detail'\]\['value'\]())\s*==\s*(.+)$`)
	lenRE   = regexp.MustCompile(`^len\(entries\)\s*==\s*(\d+)$`)
	// One Python string literal, u'' / '' / "".
	pyLitRE = regexp.MustCompile(`^u?(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")`)
)

// translateExpect turns the Expect: line into clauses when every part of it
// is one we understand; "not bozo" and "bozo" are dropped (judged apart).
func translateExpect(data []byte) ([]clause, bool) {
	m := expectLineRE.FindSubmatch(data)
	if m == nil {
		return nil, false
	}
	var out []clause
	for _, part := range splitAnd(string(m[1])) {
		part = strings.TrimSpace(part)
		if part == "not bozo" || part == "bozo" {
			continue
		}
		if lm := lenRE.FindStringSubmatch(part); lm != nil {
			out = append(out, clause{scope: "entries", field: "len", want: lm[1]})
			continue
		}
		fm := fieldRE.FindStringSubmatch(part)
		if fm == nil {
			return nil, false
		}
		c := clause{scope: "feed", field: fm[3] + fm[4]}
		if c.field == "" {
			c.field = "title" // title_detail.value
		}
		if fm[2] != "" {
			c.scope, c.idx = "entries", must(strconv.Atoi(fm[2]))
		}
		want, ok := pyConcat(fm[6])
		if !ok {
			return nil, false
		}
		c.want = want
		out = append(out, c)
	}
	return out, len(out) > 0
}

// splitAnd splits on " and " outside string literals; " or " and chained
// comparisons make the expression untranslatable (returned as one part).
func splitAnd(s string) []string {
	var parts []string
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case strings.HasPrefix(s[i:], " and "):
			parts = append(parts, s[start:i])
			start = i + len(" and ")
			i += len(" and ") - 1
		case strings.HasPrefix(s[i:], " or "):
			return []string{"<or>"}
		}
	}
	return append(parts, s[start:])
}

// pyConcat decodes 'a' + 'b' + u"c" into one Go string.
func pyConcat(s string) (string, bool) {
	var b strings.Builder
	for {
		s = strings.TrimSpace(s)
		m := pyLitRE.FindStringSubmatchIndex(s)
		if m == nil {
			return "", false
		}
		body, q := "", `'`
		if m[2] >= 0 {
			body = s[m[2]:m[3]]
		} else {
			body, q = s[m[4]:m[5]], `"`
		}
		v, ok := pyUnescape(body, q)
		if !ok {
			return "", false
		}
		b.WriteString(v)
		s = strings.TrimSpace(s[m[1]:])
		if s == "" {
			return b.String(), true
		}
		if s[0] != '+' {
			return "", false
		}
		s = s[1:]
	}
}

var pyHexRE = regexp.MustCompile(`\\x([0-9a-fA-F]{2})`)

// pyUnescape decodes a Python (3, or 2 unicode) literal body; \xNN is a code
// point there, not a byte.
func pyUnescape(body, quote string) (string, bool) {
	if !strings.Contains(body, `\`) {
		return body, true
	}
	body = pyHexRE.ReplaceAllString(body, `\u00$1`)
	if quote == `'` {
		body = strings.ReplaceAll(strings.ReplaceAll(body, `"`, `\"`), `\'`, `'`)
	}
	v, err := strconv.Unquote(`"` + body + `"`)
	return v, err == nil
}

// evalClauses returns "" when every clause holds on p (nil: Check failed).
func evalClauses(cs []clause, p *Parsed) string {
	if p == nil {
		return "refused"
	}
	for _, c := range cs {
		got := "<none>"
		want := c.want
		switch {
		case c.field == "len":
			got = strconv.Itoa(len(p.Entries))
		case c.scope == "feed" && c.field == "title":
			got = p.Title
		case c.scope == "feed" && c.field == "link":
			got = p.SiteURL
		case c.idx < len(p.Entries) && c.field == "title":
			got = p.Entries[c.idx].Title
		case c.idx < len(p.Entries) && c.field == "link":
			got = p.Entries[c.idx].URL
		}
		if c.field == "title" {
			// Our titles are plain text by design; feedparser keeps HTML.
			want = cleanText(want)
		}
		if got != want {
			return fmt.Sprintf("%s[%d].%s = %q, feedparser %q", c.scope, c.idx, c.field, got, want)
		}
	}
	return ""
}
