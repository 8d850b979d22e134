package feed

import (
	"bytes"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// feedTypes are the <link type> values that announce a feed.
var feedTypes = map[string]bool{
	"application/rss+xml":   true,
	"application/atom+xml":  true,
	"application/feed+json": true,
	"application/json":      false, // too generic: APIs use it too
}

// Discover returns the feed URLs an HTML page announces with
// <link rel="alternate" type="application/rss+xml|atom+xml|feed+json">,
// resolved against the page's <base href> or base, in document order and
// without duplicates. Only http(s) URLs are returned.
func Discover(page []byte, base string) []string {
	var out []string
	seen := map[string]bool{}
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return out
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if !hasAttr {
				continue
			}
			switch atom.Lookup(name) {
			case atom.Base:
				if href := attrs(z)["href"]; href != "" {
					if b := resolveHTTP(base, href); b != "" {
						base = b
					}
				}
			case atom.Link:
				a := attrs(z)
				if !hasToken(a["rel"], "alternate") || !feedTypes[mediaType(a["type"])] {
					continue
				}
				u := resolveHTTP(base, a["href"])
				if u != "" && !seen[u] {
					seen[u] = true
					out = append(out, u)
				}
			}
		}
	}
}

func attrs(z *xhtml.Tokenizer) map[string]string {
	m := map[string]string{}
	for {
		k, v, more := z.TagAttr()
		key := strings.ToLower(string(k))
		if _, dup := m[key]; !dup {
			m[key] = strings.TrimSpace(string(v))
		}
		if !more {
			return m
		}
	}
}

// hasToken reports whether the space-separated list contains tok.
func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// mediaType drops parameters such as "; charset=utf-8".
func mediaType(t string) string {
	t, _, _ = strings.Cut(t, ";")
	return strings.ToLower(strings.TrimSpace(t))
}
