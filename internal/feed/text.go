package feed

import (
	"html"
	"net/url"
	"strings"

	xhtml "golang.org/x/net/html"
)

// cleanText makes a one-line plain-text title: tags stripped (Atom and some
// RSS titles carry HTML), entities decoded (feeds often escape twice),
// whitespace collapsed.
func cleanText(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if strings.ContainsRune(s, '<') {
		s = stripTags(s)
	}
	s = html.UnescapeString(s)
	return strings.Join(strings.Fields(s), " ")
}

// stripTags keeps only the text of an HTML fragment. It never fails: the
// tokenizer treats anything unparsable as text.
func stripTags(s string) string {
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return b.String()
		case xhtml.TextToken:
			// Raw text keeps entities, which cleanText decodes once.
			b.Write(z.Raw())
		}
	}
}

// resolveHTTP resolves ref against base and returns it only when the result
// is an absolute http(s) URL; anything else (javascript:, mailto:, garbage)
// gives "" so it never reaches a link in the reader.
func resolveHTTP(base, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !u.IsAbs() {
		b, err := url.Parse(strings.TrimSpace(base))
		if err != nil || !b.IsAbs() {
			return ""
		}
		u = b.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// textToHTML escapes plain text and makes each blank-line-separated block a
// paragraph.
func textToHTML(s string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString("<p>")
			b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
			b.WriteString("</p>")
		}
	}
	return b.String()
}
