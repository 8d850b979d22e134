package extract

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/newstrace/newstrace/internal/clean"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageMeta is what the page states about itself, read directly because
// trafilatura keeps only the day of a date and overrides a declared
// language with its own guess.
type pageMeta struct {
	lang      string
	canonical string
	ogURL     string
	siteName  string
	published *time.Time
	authors   []string
	title     string // og:title
	docTitle  string // <title>
}

// publishedMeta lists <meta> names and properties carrying the publication time.
var publishedMeta = map[string]int{
	"article:published_time": 1, "og:published_time": 1, "datepublished": 2, "pubdate": 3,
	"publishdate": 3, "publish-date": 3, "parsely-pub-date": 3, "sailthru.date": 4,
	"dc.date.issued": 4, "dcterms.created": 4, "date": 5, "og:article:published_time": 1,
}

// readMeta walks the tree once. It is iterative so deep nesting cannot
// exhaust the stack.
func readMeta(doc *html.Node) pageMeta {
	var m pageMeta
	var metaRank = 99
	var ldDate, timeDate *time.Time
	var ldAuthors []string
	var ldSite string
	stack := []*html.Node{doc}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Html:
			m.lang = firstNonEmpty(m.lang, attr(n, "lang"))
			m.lang = firstNonEmpty(m.lang, attr(n, "xml:lang"))
		case atom.Link:
			if hasToken(attr(n, "rel"), "canonical") {
				m.canonical = firstNonEmpty(m.canonical, attr(n, "href"))
			}
		case atom.Meta:
			key := strings.ToLower(firstNonEmpty(attr(n, "property"), firstNonEmpty(attr(n, "name"), attr(n, "itemprop"))))
			content := strings.TrimSpace(attr(n, "content"))
			switch key {
			case "og:url":
				m.ogURL = firstNonEmpty(m.ogURL, content)
			case "og:site_name":
				m.siteName = firstNonEmpty(m.siteName, content)
			case "og:title":
				m.title = firstNonEmpty(m.title, content)
			case "author":
				if len(m.authors) == 0 && !strings.Contains(content, "://") {
					m.authors = splitAuthors(content)
				}
			}
			if strings.EqualFold(attr(n, "http-equiv"), "content-language") {
				m.lang = firstNonEmpty(m.lang, content)
			}
			if r, ok := publishedMeta[key]; ok && r < metaRank {
				if t, ok := parseTimestamp(content); ok {
					m.published, metaRank = &t, r
				}
			}
		case atom.Title:
			if m.docTitle == "" && n.FirstChild != nil {
				m.docTitle = clean.CollapseSpace(n.FirstChild.Data)
			}
		case atom.Time:
			if timeDate == nil {
				if t, ok := parseTimestamp(attr(n, "datetime")); ok {
					timeDate = &t
				}
			}
		case atom.Script:
			if strings.Contains(strings.ToLower(attr(n, "type")), "ld+json") && n.FirstChild != nil {
				readJSONLD(n.FirstChild.Data, &ldDate, &ldAuthors, &ldSite)
			}
		}
	}
	if ldDate != nil {
		m.published = ldDate
	} else if m.published == nil {
		m.published = timeDate
	}
	if len(ldAuthors) > 0 {
		m.authors = ldAuthors
	}
	m.siteName = firstNonEmpty(m.siteName, ldSite)
	return m
}

// readJSONLD takes datePublished, author names and publisher name from the
// first article-like object that has them.
func readJSONLD(src string, date **time.Time, authors *[]string, site *string) {
	var v any
	if err := json.Unmarshal([]byte(strings.TrimSpace(src)), &v); err != nil {
		return
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 8 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			if s, ok := x["datePublished"].(string); ok && *date == nil {
				if t, ok := parseTimestamp(s); ok {
					*date = &t
				}
			}
			if a, ok := x["author"]; ok && len(*authors) == 0 {
				*authors = ldNames(a)
			}
			if p, ok := x["publisher"].(map[string]any); ok && *site == "" {
				*site, _ = p["name"].(string)
			}
			if g, ok := x["@graph"]; ok {
				walk(g, depth+1)
			}
		}
	}
	walk(v, 0)
}

func ldNames(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = append(out, splitAuthors(x)...)
	case map[string]any:
		if s, ok := x["name"].(string); ok {
			out = append(out, splitAuthors(s)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, ldNames(e)...)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}
