// Package feed turns feed documents (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON
// Feed 1.x) into entries, reads and writes OPML subscription lists, and
// decides when a feed should be polled next.
package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"github.com/newstrace/newstrace"
)

// Entry is one item of a feed. It is carried in job payloads, so it must
// stay JSON-serializable.
type Entry struct {
	Key         string     `json:"key"` // GUID, else link, else hash of title+content
	GUID        string     `json:"guid,omitempty"`
	URL         string     `json:"url,omitempty"` // absolute http(s) URL or ""
	Title       string     `json:"title,omitempty"`
	Authors     []string   `json:"authors,omitempty"`
	Published   *time.Time `json:"published,omitempty"` // nil when absent or unparsable
	Updated     *time.Time `json:"updated,omitempty"`   // nil when absent or unparsable
	ContentHTML string     `json:"content_html,omitempty"`
	SummaryHTML string     `json:"summary_html,omitempty"`
	Language    string     `json:"language,omitempty"`
	Categories  []string   `json:"categories,omitempty"`
}

// Parsed is a whole feed document.
type Parsed struct {
	Title       string        `json:"title,omitempty"`
	SiteURL     string        `json:"site_url,omitempty"`
	Description string        `json:"description,omitempty"`
	Language    string        `json:"language,omitempty"`
	Format      string        `json:"format"`        // "rss", "atom" or "json"
	Version     string        `json:"version"`       // e.g. "2.0", "1.0", "0.3", "1.1"
	TTL         time.Duration `json:"ttl,omitempty"` // RSS <ttl>, 0 when absent
	Entries     []Entry       `json:"entries"`
	// Dropped counts entries past Limits.MaxEntries that were not kept.
	Dropped int `json:"dropped,omitempty"`
}

// Limits bound what Parse accepts; zero fields take the defaults.
type Limits struct {
	MaxBytes   int64 // default 5 MiB
	MaxEntries int   // default 2000; later entries are dropped
	MaxDepth   int   // default 64 levels of XML/JSON nesting
}

// Defaults for Limits.
const (
	DefaultMaxBytes   = 5 << 20
	DefaultMaxEntries = 2000
	DefaultMaxDepth   = 64
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Errors a caller may want to tell apart (errors.Is works through wrapping;
// newstrace.ErrorCode gives EINVALID).
var (
	// ErrHTMLPage means the document is a web page; try Discover on it.
	ErrHTMLPage = newstrace.Errorf(newstrace.EINVALID, "not a feed (looks like an HTML page)")
	// ErrNotFeed means the format could not be recognised at all.
	ErrNotFeed = newstrace.Errorf(newstrace.EINVALID, "not a feed (neither RSS, Atom nor JSON Feed)")
)

// maxTTL caps an RSS <ttl> so a silly value cannot overflow a Duration.
const maxTTL = 30 * 24 * time.Hour

// Parse parses one feed document. baseURL is the URL it was fetched from and
// resolves relative links. Input is checked before gofeed sees it: size,
// nesting depth, DOCTYPE entity declarations, and HTML pages.
func Parse(data []byte, baseURL string, lim Limits) (*Parsed, error) {
	lim = lim.withDefaults()
	if err := precheck(data, lim); err != nil {
		return nil, fmt.Errorf("parse feed %s: %w", baseURL, err)
	}
	f, err := parseGofeed(data)
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			if mentionsHTML(data) {
				return nil, fmt.Errorf("parse feed %s: %w", baseURL, ErrHTMLPage)
			}
			return nil, fmt.Errorf("parse feed %s: %w", baseURL, ErrNotFeed)
		}
		var de *newstrace.Error
		if errors.As(err, &de) {
			return nil, fmt.Errorf("parse feed %s: %w", baseURL, err)
		}
		return nil, fmt.Errorf("parse feed %s: %w", baseURL,
			newstrace.Errorf(newstrace.EINVALID, "malformed %s feed: %s", formatName(data), oneLine(err.Error())))
	}
	return convert(f, baseURL, lim), nil
}

// parseGofeed runs gofeed on hostile input: a panic in it becomes an error
// instead of taking the worker down.
func parseGofeed(data []byte) (f *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, newstrace.Errorf(newstrace.EINVALID, "malformed feed (parser panic: %v)", r)
		}
	}()
	fp := gofeed.NewParser()
	fp.KeepOriginalFeed = true // for RSS <ttl> and JSON Feed details the universal feed drops
	return fp.Parse(bytes.NewReader(data))
}

func convert(f *gofeed.Feed, baseURL string, lim Limits) *Parsed {
	site := resolveHTTP(baseURL, strings.TrimSpace(f.Link))
	p := &Parsed{
		Title:       cleanText(f.Title),
		SiteURL:     site,
		Description: strings.TrimSpace(f.Description),
		Language:    cleanLang(f.Language),
		Format:      f.FeedType,
		Version:     f.FeedVersion,
	}
	var jsonItems []*jsonfeed.Item
	switch orig := f.OriginalFeed().(type) {
	case *rss.Feed:
		p.TTL = parseTTL(orig.TTL)
	case *jsonfeed.Feed:
		p.Version = jsonVersion(orig.Version)
		if len(orig.Items) == len(f.Items) {
			jsonItems = orig.Items
		}
	}
	// Relative entry links resolve against the site when it is known (as
	// most readers do), else against the document URL.
	base := site
	if base == "" {
		base = baseURL
	}
	n := min(len(f.Items), lim.MaxEntries)
	p.Dropped = len(f.Items) - n
	p.Entries = make([]Entry, 0, n)
	for i, it := range f.Items[:n] {
		if it == nil {
			continue
		}
		e := convertItem(it, base, p.Language)
		if jsonItems != nil && jsonItems[i] != nil {
			fixJSONItem(&e, jsonItems[i])
		}
		p.Entries = append(p.Entries, e)
	}
	return p
}

func convertItem(it *gofeed.Item, base, feedLang string) Entry {
	e := Entry{
		GUID:        strings.TrimSpace(it.GUID),
		Title:       cleanText(it.Title),
		ContentHTML: strings.TrimSpace(it.Content),
		SummaryHTML: strings.TrimSpace(it.Description),
		Published:   utc(it.PublishedParsed),
		Updated:     utc(it.UpdatedParsed),
		Language:    feedLang,
	}
	link := strings.TrimSpace(it.Link)
	if link == "" && len(it.Links) > 0 {
		link = strings.TrimSpace(it.Links[0])
	}
	// RSS 2.0: a permalink GUID is the item's URL when <link> is missing.
	if link == "" && isHTTPURL(e.GUID) {
		link = e.GUID
	}
	e.URL = resolveHTTP(base, link)
	if it.DublinCoreExt != nil && len(it.DublinCoreExt.Language) > 0 {
		if l := cleanLang(it.DublinCoreExt.Language[0]); l != "" {
			e.Language = l
		}
	}
	for _, a := range it.Authors {
		if a == nil {
			continue
		}
		name := cleanText(a.Name)
		if name == "" {
			name = strings.TrimSpace(a.Email)
		}
		e.Authors = appendUnique(e.Authors, name)
	}
	for _, c := range it.Categories {
		e.Categories = appendUnique(e.Categories, cleanText(c))
	}
	e.Key = entryKey(e)
	return e
}

// entryKey is the stable identity of an entry for "seen" checks.
func entryKey(e Entry) string {
	switch {
	case e.GUID != "":
		return e.GUID
	case e.URL != "":
		return e.URL
	}
	sum := sha256.Sum256([]byte(e.Title + "\x00" + e.ContentHTML + "\x00" + e.SummaryHTML))
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// jsonVersion turns "https://jsonfeed.org/version/1.1" into "1.1".
func jsonVersion(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.LastIndex(v, "/version/"); i >= 0 {
		v = v[i+len("/version/"):]
	}
	v = strings.TrimSuffix(v, "/")
	if v == "1" {
		return "1.0"
	}
	return v
}

// fixJSONItem repairs what the universal item loses: gofeed puts
// content_text into Content, but ContentHTML must be HTML, so plain text is
// escaped and split into paragraphs; JSON Feed 1.1 has a per-item language.
func fixJSONItem(e *Entry, it *jsonfeed.Item) {
	if strings.TrimSpace(it.ContentHTML) == "" && strings.TrimSpace(it.ContentText) != "" {
		e.ContentHTML = textToHTML(it.ContentText)
		e.Key = entryKey(*e)
	}
	if l := cleanLang(it.Language); l != "" {
		e.Language = l
	}
}

func formatName(data []byte) string {
	switch gofeed.DetectFeedType(bytes.NewReader(data)) {
	case gofeed.FeedTypeRSS:
		return "RSS"
	case gofeed.FeedTypeAtom:
		return "Atom"
	case gofeed.FeedTypeJSON:
		return "JSON"
	}
	return "unknown"
}

func parseTTL(s string) time.Duration {
	m, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || m <= 0 {
		return 0
	}
	return min(time.Duration(m)*time.Minute, maxTTL)
}

func utc(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func appendUnique(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

func cleanLang(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// oneLine keeps a parser error message on a single short line.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
