package extract

import (
	"bytes"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/clean"
	"github.com/newstrace/newstrace/internal/htmlparse"
	"github.com/newstrace/newstrace/internal/match"
	"github.com/newstrace/newstrace/internal/sanitize"
	"github.com/newstrace/newstrace/internal/trafilatura"
	"golang.org/x/net/html"
)

// htmlBytes extracts from a page decoded to UTF-8. It does not write to s.
func htmlBytes(s []byte, opt Options) (newstrace.Article, error) {
	doc, err := htmlparse.ParseBytes(s)
	if err != nil {
		return tokenFallback(string(s), opt)
	}
	meta := readMeta(doc)
	canon := firstNonEmpty(meta.canonical, firstNonEmpty(meta.ogURL, opt.URL))
	if meta.published == nil {
		// A date in the article's own URL: htmldate's first answer too, and
		// with a date in hand its whole search (three copies of the page)
		// and often trafilatura's metadata pass are skipped.
		if t, ok := urlDate(canon, time.Now()); ok {
			meta.published = &t
		}
	}
	a := newArticle(opt)
	// Read what the rules need from the tree before the extractor, which
	// works on it in place, takes it apart.
	idx := indexBlocks(doc)

	// Our fork of go-trafilatura runs no fallback extractors (on the dev set
	// they cost time and precision, docs/benchmarks.md), no comment or
	// language pass, and skips the metadata searches that our own reading
	// of the page already answered (all of them on 75 of the 136 dev pages).
	topt := trafilatura.Options{
		HtmlDateMode: trafilatura.Fast,
		SkipMetadata: meta.title != "" && meta.siteName != "" && len(meta.authors) > 0 && meta.published != nil,
		SkipAuthor:   len(meta.authors) > 0,
		Original:     func() *html.Node { return reparse(s) },
	}
	if meta.published != nil {
		topt.HtmlDateMode = trafilatura.Disabled
	}
	if u, err := url.Parse(opt.URL); err == nil && u.Host != "" {
		topt.OriginalURL = u
	}
	var paras, all []string
	var pruned []newstrace.Removed
	res, err := trafilatura.ExtractDocument(doc, topt)
	if err == nil && res != nil && res.ContentNode != nil {
		blocks := nodeBlocks(res.ContentNode)
		paras, pruned = pruneBlocks(blocks, idx)
		for _, b := range blocks {
			all = append(all, b.text)
		}
		var b bytes.Buffer
		if html.Render(&b, res.ContentNode) == nil {
			a.HTML = sanitize.HTML(b.String())
		}
		md := res.Metadata
		// og:title first: where trafilatura's title differs from it on the
		// dev pages, it mostly adds the site's name ("Title - Site").
		a.Title = firstNonEmpty(meta.title, md.Title)
		a.SiteName = md.Sitename
		if len(meta.authors) == 0 && md.Author != "" {
			meta.authors = splitAuthors(md.Author)
		}
		if meta.published == nil && !md.Date.IsZero() {
			t := md.Date.UTC()
			meta.published = &t
		}
	}
	if len(paras) == 0 {
		// trafilatura refuses short pages; take the visible text instead.
		if orig := reparse(s); orig != nil {
			paras = nodeParagraphs(visibleRoot(orig))
		}
		a.HTML = ""
	}
	a.Title = firstNonEmpty(a.Title, firstNonEmpty(meta.title, meta.docTitle))
	a.Published = meta.published
	if len(meta.authors) > 0 {
		a.Authors = meta.authors
	}
	a.Language = meta.lang
	a.CanonicalURL = canonicalURL(canon, opt.URL)
	a.SiteName = siteNameOf(firstNonEmpty(meta.siteName, a.SiteName), a.CanonicalURL)

	// "Title - Blog" in <title> names the site when metadata gave only a host.
	if t, suf, ok := clean.SplitTitleSuffix(meta.docTitle); ok && clean.Normalize(t) == clean.Normalize(a.Title) {
		if a.SiteName == "" || hostLike(a.SiteName) {
			a.SiteName = suf
		}
	}
	// So does "Title - News Nation" in the title itself when the host is
	// newsnation.in; finish then strips the suffix as the site's name.
	if _, suf, ok := clean.SplitTitleSuffix(a.Title); ok && hostLike(a.SiteName) && clean.SameName(suf, a.SiteName) {
		a.SiteName = suf
	}
	a.Removed = append(a.Removed, pruned...)
	finish(&a, paras, opt, a.SiteName, false)
	if len(pruned) > 0 {
		sortRemoved(a.Removed, all)
	}
	// A page carrying another outlet's text, credited, was republished here.
	if p := &a.Provenance; p.Republisher == "" && p.Outlet != "" && a.SiteName != "" && !clean.SameName(a.SiteName, p.Outlet) {
		p.Republisher = a.SiteName
	}
	detach(&a)
	if a.Text == "" {
		return a, newstrace.Errorf(newstrace.EINVALID, "no article text found in html")
	}
	return a, nil
}

// detach copies the article's strings out of the page buffer that the
// parse tree's text and attributes point into (htmlparse.ParseBytes), so
// a kept article holds its own few kilobytes, not the whole page. HTML is
// left: the sanitizer always builds it anew.
func detach(a *newstrace.Article) {
	c := strings.Clone
	a.URL, a.CanonicalURL, a.Title, a.SiteName, a.Language, a.Text = c(a.URL), c(a.CanonicalURL), c(a.Title), c(a.SiteName), c(a.Language), c(a.Text)
	for i := range a.Authors {
		a.Authors[i] = c(a.Authors[i])
	}
	for i := range a.Removed {
		a.Removed[i].Kind, a.Removed[i].Text = c(a.Removed[i].Kind), c(a.Removed[i].Text)
	}
	p := &a.Provenance
	p.Outlet, p.OriginalSource, p.Translator, p.ViaURL, p.Republisher = c(p.Outlet), c(p.OriginalSource), c(p.Translator), c(p.ViaURL), c(p.Republisher)
	p.ViaResolved, p.ViaChain = c(p.ViaResolved), c(p.ViaChain)
}

// siteNameOf reads a site name given as a URL (some og:site_name and
// publisher fields) as a host: its own ("https://www.x.in" → "x.in"), or
// the page's when it points elsewhere (a "https://facebook.com/XNews"
// profile names the publisher's page there, not the site). Other names
// are kept.
func siteNameOf(s, pageURL string) string {
	if l := strings.ToLower(s); !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
		return s
	}
	own, page := match.Host(strings.TrimSpace(s)), match.Host(strings.TrimSpace(pageURL))
	switch {
	case page != "" && own != page:
		return page
	case own != "":
		return own
	}
	return s
}

// hostLike reports a site name that is a bare host ("example.com").
func hostLike(s string) bool { return s != "" && !strings.Contains(s, " ") && strings.Contains(s, ".") }

// reparse gives an untouched tree of s again: the extractor takes its
// tree apart, and the rare page it cannot extract is read whole instead.
func reparse(s []byte) *html.Node {
	d, err := htmlparse.ParseBytes(s)
	if err != nil {
		return nil
	}
	return d
}

// visibleRoot returns <body> (or the document) for the fallback walk.
func visibleRoot(doc *html.Node) *html.Node {
	var body *html.Node
	var find func(n *html.Node, depth int)
	find = func(n *html.Node, depth int) {
		if body != nil || depth > 3 {
			return
		}
		if n.Type == html.ElementNode && n.Data == "body" {
			body = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c, depth+1)
		}
	}
	find(doc, 0)
	if body == nil {
		return doc
	}
	return body
}

// inline elements do not break a paragraph; everything else does.
var inline = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true, "code": true,
	"data": true, "del": true, "dfn": true, "em": true, "font": true, "i": true, "ins": true,
	"kbd": true, "label": true, "mark": true, "q": true, "s": true, "samp": true, "small": true,
	"span": true, "strike": true, "strong": true, "sub": true, "sup": true, "time": true,
	"tt": true, "u": true, "var": true, "hi": true, "ref": true, "wbr": true,
}

// skipped elements carry no reader-visible text.
var skipped = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "svg": true,
	"head": true, "nav": true, "form": true, "button": true, "select": true, "iframe": true,
	"object": true, "canvas": true, "textarea": true,
}

// nodeParagraphs turns a tree into paragraphs: block elements and <br>
// end one, inline elements continue it; <pre> keeps its lines.
func nodeParagraphs(root *html.Node) []string {
	blocks := nodeBlocks(root)
	paras := make([]string, len(blocks))
	for i, b := range blocks {
		paras[i] = b.text
	}
	return paras
}

// block is one paragraph of a tree and the element that holds it.
type block struct {
	text string
	tag  string // innermost block element ("p", "h1", "li", …), "" at the root
}

// nodeBlocks turns a tree into paragraphs with their block tag. The walk
// is iterative so deeply nested input cannot exhaust the stack.
func nodeBlocks(root *html.Node) []block {
	var paras []block
	var cur strings.Builder
	var tags []string // open block elements
	flush := func() {
		if p := clean.CollapseSpace(cur.String()); p != "" {
			tag := ""
			if len(tags) > 0 {
				tag = tags[len(tags)-1]
			}
			paras = append(paras, block{p, tag})
		}
		cur.Reset()
	}
	// A boundary between inline elements separates words ("<b>Summary</b>Studies").
	pending := false
	write := func(t string) {
		if pending && t != "" && cur.Len() > 0 {
			last, _ := utf8.DecodeLastRuneInString(cur.String())
			first, _ := utf8.DecodeRuneInString(t)
			if (unicode.IsLetter(first) || unicode.IsDigit(first)) && !unicode.IsSpace(last) && !strings.ContainsRune("([{\"“‘'/-–—", last) {
				cur.WriteByte(' ')
			}
		}
		pending = false
		cur.WriteString(t)
	}
	type item struct {
		n      *html.Node
		exit   bool // closing a block element
		inline bool // closing an inline element
		pre    bool
	}
	stack := []item{{n: root}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		if it.exit {
			if it.inline {
				pending = true
			} else {
				flush()
				if len(tags) > 0 {
					tags = tags[:len(tags)-1]
				}
			}
			continue
		}
		switch n.Type {
		case html.TextNode:
			if it.pre {
				lines := strings.Split(n.Data, "\n")
				for i, l := range lines {
					if i > 0 {
						flush()
					}
					write(l)
				}
			} else {
				write(n.Data)
			}
			continue
		case html.ElementNode:
			if skipped[n.Data] {
				continue
			}
			if n.Data == "br" || n.Data == "hr" {
				flush()
				continue
			}
			if inline[n.Data] {
				pending = true
				stack = append(stack, item{n: n, exit: true, inline: true})
			} else {
				flush()
				tags = append(tags, n.Data)
				stack = append(stack, item{n: n, exit: true})
			}
			pre := it.pre || n.Data == "pre"
			for c := n.LastChild; c != nil; c = c.PrevSibling {
				stack = append(stack, item{n: c, pre: pre})
			}
			continue
		case html.DocumentNode:
			for c := n.LastChild; c != nil; c = c.PrevSibling {
				stack = append(stack, item{n: c})
			}
		}
	}
	flush()
	return paras
}
