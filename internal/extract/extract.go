// Package extract turns one HTML page or plain-text document into a clean
// newstrace.Article: our fork of go-trafilatura (internal/trafilatura) finds
// the body of HTML pages in the tree parsed here once, then the
// same paragraph rules (internal/clean, and the provenance cues here) run on
// both paths.
package extract

import (
	"bytes"
	"html"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/clean"
	"github.com/newstrace/newstrace/internal/metrics"
	"github.com/newstrace/newstrace/internal/sanitize"
)

// MaxInput caps a document, compressed or not: larger pages are not
// articles, and the HTML tree of one costs several times its size.
const MaxInput = 20 << 20

// Options are hints from where the document came from; the document's own
// statements win over them.
type Options struct {
	URL       string     // where the page came from (canonical URL, relative links)
	Language  string     // declared language (feed, HTTP), used if the page declares none
	Published *time.Time // feed entry date; the page's own date wins when found
	Title     string     // feed entry title
	// Boilerplate is passed to clean.Document (learned per-source lines).
	Boilerplate map[string]string
}

// Bytes extracts an article from raw bytes as fetched or read from disk:
// gzip is undone, HTML is told from plain text, the charset is decoded.
// contentType may be empty.
func Bytes(data []byte, contentType string, opt Options) (newstrace.Article, error) {
	defer metrics.ExtractSeconds.Since(time.Now())
	data, err := gunzip(data)
	if err != nil {
		return newstrace.Article{}, err
	}
	if err := checkInput(data); err != nil {
		return newstrace.Article{}, err
	}
	isHTML := looksHTML(data, contentType)
	if isHTML {
		return htmlBytes(decodeBytes(data, contentType, isHTML), opt)
	}
	return Text(decode(data, contentType, isHTML), opt)
}

// HTML extracts an article from a UTF-8 HTML page.
func HTML(r io.Reader, opt Options) (newstrace.Article, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return newstrace.Article{}, newstrace.Errorf(newstrace.EINVALID, "read html: %v", err)
	}
	if err := checkInput(data); err != nil {
		return newstrace.Article{}, err
	}
	return htmlBytes(bytes.ToValidUTF8(data, []byte("\uFFFD")), opt)
}

// Text extracts an article from plain text: saved pages, wire copy, blog
// reposts. Lines are paragraphs; hard-wrapped lines are joined.
func Text(s string, opt Options) (newstrace.Article, error) {
	if len(s) > MaxInput {
		return newstrace.Article{}, tooLarge(len(s))
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.TrimSpace(s) == "" {
		return newstrace.Article{}, newstrace.Errorf(newstrace.EINVALID, "empty document: no text to extract")
	}
	a := newArticle(opt)
	finish(&a, textParagraphs(s), opt, "", true)
	if a.Text == "" {
		return a, newstrace.Errorf(newstrace.EINVALID, "no article text found")
	}
	return a, nil
}

func newArticle(opt Options) newstrace.Article {
	return newstrace.Article{
		URL: opt.URL, CanonicalURL: canonicalURL(opt.URL, ""),
		Authors: []string{}, Removed: []newstrace.Removed{},
	}
}

// finish runs the shared paragraph rules and fills the text fields of a.
// a.Title holds the page's own title (or ""), siteName the known site.
// plain says the paragraphs came from plain text, where a first line may be
// the headline.
func finish(a *newstrace.Article, paras []string, opt Options, siteName string, plain bool) {
	title := firstNonEmpty(a.Title, opt.Title)
	res := clean.Document(paras, clean.Options{
		Title: title, SiteName: siteName, Boilerplate: opt.Boilerplate, DistantRepeats: plain,
	})
	a.Removed = append(a.Removed, res.Removed...)
	a.Title = res.Title
	a.Provenance.Republisher = res.Republisher

	var c cues
	body := c.scanTail(c.scanHead(res.Paragraphs))
	// Furniture after the cue scans: a byline's date is a provenance cue first.
	body, furniture := clean.Furniture(body)
	a.Removed = append(a.Removed, furniture...)
	a.Removed = append(a.Removed, c.removed...)
	if a.Title == "" && plain && len(body) > 1 && isHeadline(body[0]) {
		a.Title = body[0]
		a.Removed = append(a.Removed, newstrace.Removed{Kind: clean.KindTitle, Text: body[0]})
		body = body[1:]
	}
	a.Provenance = mergeProvenance(a.Provenance, c.provenance())
	if a.Provenance.OriginalSource == "" {
		a.Provenance.OriginalSource = wireCredit(body)
	}
	if len(a.Authors) == 0 && len(c.authors) > 0 {
		a.Authors = c.authors
	}
	if c.date != nil && (a.Published == nil || plain) {
		a.Published = c.date
	}
	if a.Published == nil && opt.Published != nil {
		t := opt.Published.UTC()
		a.Published = &t
	}
	if a.SiteName == "" && plain {
		a.SiteName = a.Provenance.Republisher
	}
	a.Text = strings.Join(body, "\n\n")
	if a.HTML == "" && len(body) > 0 {
		a.HTML = paragraphsHTML(body)
	}
	a.Language = pickLanguage(a.Language, opt.Language, a.Text)
	sortRemoved(a.Removed, paras)
}

// sortRemoved puts removed parts in document order, so a reader of the
// list sees header, body leftovers and footer as they came.
func sortRemoved(removed []newstrace.Removed, paras []string) {
	pos := make(map[string][]int, len(paras))
	for i, p := range paras {
		p = clean.CollapseSpace(p)
		pos[p] = append(pos[p], i)
	}
	at := make([]int, len(removed))
	for i, r := range removed {
		at[i] = len(paras) // unknown parts go last, in their order
		if l := pos[r.Text]; len(l) > 0 {
			at[i], pos[r.Text] = l[len(l)-1], l[:len(l)-1]
		}
	}
	idx := make([]int, len(removed))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool { return at[idx[x]] < at[idx[y]] })
	out := make([]newstrace.Removed, len(removed))
	for i, j := range idx {
		out[i] = removed[j]
	}
	copy(removed, out)
}

func mergeProvenance(a, b newstrace.Provenance) newstrace.Provenance {
	a.Outlet = firstNonEmpty(a.Outlet, b.Outlet)
	a.OriginalSource = firstNonEmpty(a.OriginalSource, b.OriginalSource)
	a.Translator = firstNonEmpty(a.Translator, b.Translator)
	a.ViaURL = firstNonEmpty(a.ViaURL, b.ViaURL)
	a.Republisher = firstNonEmpty(a.Republisher, b.Republisher)
	return a
}

// isHeadline accepts a short line with no sentence end and no link.
func isHeadline(p string) bool {
	n := clean.Words(p)
	return n >= 2 && n <= 25 && !strings.ContainsAny(p[len(p)-1:], ".,;:") && !strings.Contains(p, "://")
}

func paragraphsHTML(paras []string) string {
	var b bytes.Buffer
	for _, p := range paras {
		b.WriteString("<p>")
		b.WriteString(html.EscapeString(p))
		b.WriteString("</p>\n")
	}
	return sanitize.HTML(b.String())
}
