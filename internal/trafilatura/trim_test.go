package trafilatura

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-shiori/dom"
	"golang.org/x/net/html"
)

// trimReference is upstream's trim.
func trimReference(s string) string {
	return strings.TrimSpace(strings.Join(strings.Fields(s), " "))
}

func TestTrimMatchesUpstream(t *testing.T) {
	for _, s := range []string{
		"", " ", "a", " a", "a ", "a  b", "a\tb", "a\u00a0b", "\u3000a\u2028", "a b c",
		"a \n b", "\xff \xfe", "a\x85b", "é à", "  ", "x\r\ny",
	} {
		if got, want := trim(s), trimReference(s); got != want {
			t.Errorf("trim(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzTrim(f *testing.F) {
	f.Add("a  b\u00a0c ")
	f.Add("\xffx \t")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := trim(s), trimReference(s); got != want {
			t.Fatalf("trim(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestTrimmedTextLen(t *testing.T) {
	page := `<html><body><a href="/top">top</a><p>x <a href="/p">p</a></p><ul><li><a href="/u">u</a></li></ul><span><a href="/s">s</a></span><div> Lead <a href="/x">link  text</a>&nbsp;tail
	<p>para<b>bold</b> <i> it <a href="/i">in</a></i> <a href="/j">j</a> <a href="/k">k</a></p><ul><li>one</li><li> two\u00a0 </li></ul>
	<p>é\u3000ü</p><span><a href="/loose">loose link</a></span><table><tr><td><a href="/t">t</a></td></tr></table><script>var x = 1;</script><p>   </p></div></body></html>`
	page = strings.NewReplacer(`\u00a0`, "\u00a0", `\u3000`, "\u3000").Replace(page)
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(*html.Node)
	walk = func(node *html.Node) {
		want := utf8.RuneCountInString(trim(dom.TextContent(node)))
		if got := trimmedTextLen(node, -1); got != want {
			t.Errorf("<%s>: trimmedTextLen = %d, want %d", node.Data, got, want)
		}
		if node.Type == html.ElementNode || node.Type == html.DocumentNode {
			want := dom.QuerySelectorAll(node, "div a, ul a, ol a, dl a, p a, table a")
			got := linksInside(node, []string{"div", "ul", "ol", "dl", "p", "table"})
			if !slices.Equal(got, want) {
				t.Errorf("<%s>: linksInside found %d links, the selector %d", node.Data, len(got), len(want))
			}
		}
		links := dom.GetElementsByTagName(node, "a")
		first, nl := firstLinks(node)
		if nl != min(len(links), 2) || nl > 0 && first != links[0] {
			t.Errorf("<%s>: firstLinks = %v, %d; want the first of %d links", node.Data, first, nl, len(links))
		}
		for _, limit := range []int{0, 1, 5, 30, 60} {
			if got := trimmedTextLen(node, limit); got != min(want, limit) {
				t.Errorf("<%s>: trimmedTextLen(limit %d) = %d, want %d", node.Data, limit, got, min(want, limit))
			}
		}
		n++
		for c := node.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if n < 20 {
		t.Fatalf("walked only %d nodes", n)
	}
}
