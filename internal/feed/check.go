package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/newstrace/newstrace"
)

// Report is what `newstrace feeds check` prints: a summary of one feed and
// the problems found in it. Errors are things that lose or garble entries in
// a reader (or make other readers reject the feed); Warnings are things worth
// knowing that do no harm on their own.
type Report struct {
	Title    string   `json:"title"`
	Format   string   `json:"format"`
	Version  string   `json:"version,omitempty"`
	Entries  int      `json:"entries"`
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings,omitempty"`
}

// maxPerProblem bounds how many entries are named for one kind of problem;
// the rest are counted, so a 2000-entry feed gives a readable report.
const maxPerProblem = 5

// Check parses one feed document as Parse does, without storing anything,
// and reports what a feed author should fix. It returns an error (one line,
// code EINVALID or ETOOLARGE, wrapping ErrHTMLPage/ErrNotFeed where they
// apply) only when nothing usable could be parsed; every problem in a
// parseable feed goes to Report.Errors or Report.Warnings, whose Errors is
// never nil (it marshals as []).
func Check(data []byte, baseURL string, lim Limits) (Report, error) {
	lim = lim.withDefaults()
	if err := precheck(data, lim); err != nil {
		return Report{}, checkError(data, baseURL, err)
	}
	f, err := parseGofeed(data)
	if err != nil {
		// Parse maps gofeed's failures to our errors; it fails the same
		// way on the same bytes, so ask it rather than copy the mapping.
		if _, perr := Parse(data, baseURL, lim); perr != nil {
			err = perr
		}
		return Report{}, checkError(data, baseURL, err)
	}
	p := convert(f, baseURL, lim)
	c := checker{}
	r := Report{Title: p.Title, Format: p.Format, Version: p.Version, Entries: len(p.Entries)}

	if p.Format != "json" {
		if err := xmlWellFormed(data); err != nil {
			c.errorf("not well-formed XML (%s); parsed leniently, stricter readers will reject it", err)
		}
	}
	if p.Title == "" {
		c.errorf("feed has no title")
	}
	if link := strings.TrimSpace(f.Link); link != "" && p.SiteURL == "" {
		c.warnf("feed link: %s", linkProblem(link, baseURL))
	} else if link == "" && p.Format != "json" {
		c.warnf("feed has no link to its web site")
	}
	if raw := strings.TrimSpace(f.Published); raw != "" && utc(f.PublishedParsed) == nil {
		c.errorf("feed published date %q cannot be parsed", clip(raw))
	}
	if raw := strings.TrimSpace(f.Updated); raw != "" && utc(f.UpdatedParsed) == nil {
		c.errorf("feed updated date %q cannot be parsed", clip(raw))
	}
	if len(f.Items) == 0 {
		c.warnf("feed has no entries")
	}
	if len(f.Items) > lim.MaxEntries {
		c.warnf("feed has %d entries; only the first %d are kept (the others are dropped)", len(f.Items), lim.MaxEntries)
	}

	// Entries resolve against the site link when known, as convert does.
	base := p.SiteURL
	if base == "" {
		base = baseURL
	}
	firstGUID := map[string]int{}
	firstKey := map[string]int{}
	k := 0 // index into p.Entries (convert skips nil items)
	for i, it := range f.Items[:min(len(f.Items), lim.MaxEntries)] {
		if it == nil {
			continue
		}
		e := p.Entries[k]
		k++
		n := i + 1 // people count entries from 1
		rawLink := strings.TrimSpace(it.Link)
		if rawLink == "" && len(it.Links) > 0 {
			rawLink = strings.TrimSpace(it.Links[0])
		}
		switch {
		case e.URL == "" && rawLink != "":
			c.entryError("link problem", n, "link: %s", linkProblem(rawLink, base))
		case e.URL == "" && e.Title == "":
			c.entryError("no link, no title", n, "no link and no title: nothing for a reader to show")
		case e.URL == "" && e.GUID == "":
			c.entryWarn("no link, no guid", n, "no link and no guid: its identity is a hash of its text, so an edit makes it look new")
		case e.URL == "":
			c.entryWarn("no link", n, "no link")
		}
		if e.Title == "" && e.URL != "" {
			c.entryWarn("no title", n, "no title")
		}
		if raw := strings.TrimSpace(it.Published); raw != "" && e.Published == nil {
			c.entryError("bad published date", n, "published date %q cannot be parsed", clip(raw))
		}
		if raw := strings.TrimSpace(it.Updated); raw != "" && e.Updated == nil {
			c.entryError("bad updated date", n, "updated date %q cannot be parsed", clip(raw))
		}
		if e.GUID != "" {
			if j, dup := firstGUID[e.GUID]; dup {
				c.entryError("duplicate guid", n, "same guid %q as entry %d: readers keep only one of them", clip(e.GUID), j)
			} else {
				firstGUID[e.GUID] = n
			}
		} else if j, dup := firstKey[e.Key]; dup {
			what := "link"
			if e.URL == "" {
				what = "text"
			}
			c.entryError("duplicate key", n, "no guid and same %s as entry %d: readers keep only one of them", what, j)
		} else {
			firstKey[e.Key] = n
		}
	}
	r.Errors = c.flush(true, c.errs)
	if w := c.flush(false, c.warns); len(w) > 0 {
		r.Warnings = w
	}
	return r, nil
}

// checker collects messages, grouping per-entry ones by kind so that only
// the first few entries with one problem are named.
type checker struct {
	errs, warns []string
	kinds       []*problem
	byKind      map[string]*problem
}

type problem struct {
	err   bool
	what  string
	msgs  []string
	count int
}

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *checker) warnf(format string, args ...any) {
	c.warns = append(c.warns, fmt.Sprintf(format, args...))
}

func (c *checker) entryError(kind string, n int, format string, args ...any) {
	c.entry(true, kind, n, format, args...)
}

func (c *checker) entryWarn(kind string, n int, format string, args ...any) {
	c.entry(false, kind, n, format, args...)
}

func (c *checker) entry(isErr bool, kind string, n int, format string, args ...any) {
	if c.byKind == nil {
		c.byKind = map[string]*problem{}
	}
	p := c.byKind[kind]
	if p == nil {
		p = &problem{err: isErr, what: kind}
		c.byKind[kind] = p
		c.kinds = append(c.kinds, p)
	}
	p.count++
	if len(p.msgs) < maxPerProblem {
		p.msgs = append(p.msgs, fmt.Sprintf("entry %d: ", n)+fmt.Sprintf(format, args...))
	}
}

// flush appends the grouped per-entry messages to list (errors to the
// error list, warnings to the warning list) and returns it, never nil.
func (c *checker) flush(isErr bool, list []string) []string {
	if list == nil {
		list = []string{}
	}
	for _, p := range c.kinds {
		if p.err != isErr {
			continue
		}
		list = append(list, p.msgs...)
		if more := p.count - len(p.msgs); more > 0 {
			list = append(list, fmt.Sprintf("%d more entries: %s", more, p.what))
		}
	}
	return list
}

// linkProblem says why a link did not become an absolute http(s) URL.
func linkProblem(link, base string) string {
	u, err := url.Parse(link)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a valid URL", clip(link))
	case !u.IsAbs():
		if b, err := url.Parse(strings.TrimSpace(base)); err != nil || !b.IsAbs() {
			return fmt.Sprintf("%q is relative and there is no base URL to resolve it against", clip(link))
		}
		return fmt.Sprintf("%q does not resolve to an http(s) URL", clip(link))
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("%q is not an http(s) URL", clip(link))
	}
	return fmt.Sprintf("%q has no host", clip(link))
}

// checkError makes Parse's refusal one line, keeping its code and wrapped
// sentinel; for an HTML page it names the feeds the page announces.
func checkError(data []byte, baseURL string, err error) error {
	msg := oneLine(newstrace.ErrorMessage(err))
	code := newstrace.ErrorCode(err)
	if code == newstrace.EINTERNAL {
		code, msg = newstrace.EINVALID, oneLine(err.Error())
	}
	if errors.Is(err, ErrHTMLPage) {
		if feeds := Discover(data, baseURL); len(feeds) > 0 {
			msg += "; it announces " + oneLine(strings.Join(feeds[:min(len(feeds), 3)], ", "))
		}
	}
	return &checkErr{code: code, msg: msg, cause: err}
}

// checkErr prints as "code: message" on one line and unwraps to the cause,
// so errors.Is(err, ErrHTMLPage) and newstrace.ErrorCode still work.
type checkErr struct {
	code, msg string
	cause     error
}

func (e *checkErr) Error() string { return e.code + ": " + e.msg }
func (e *checkErr) Unwrap() error { return e.cause }

// xmlWellFormed runs a strict XML decoder over the document, as stricter
// readers do: gofeed forgives undefined entities, mismatched tags and the
// like, so a feed it reads may still be broken. UTF-16/32 documents are not
// judged (the decoder cannot read them).
func xmlWellFormed(data []byte) error {
	body := trimBOM(data)
	if bytes.IndexByte(body[:min(len(body), 512)], 0) >= 0 {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	d.CharsetReader = charset.NewReaderLabel
	roots := 0
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if roots == 0 {
				return errors.New("no root element")
			}
			return nil
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return fmt.Errorf("line %d: %s", se.Line, oneLine(se.Msg))
			}
			return errors.New(oneLine(err.Error()))
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots == 2 {
					line, _ := d.InputPos()
					return fmt.Errorf("line %d: more than one root element", line)
				}
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// clip keeps quoted feed values short in messages.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
