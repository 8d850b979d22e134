package selector

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-shiori/dom"
	"golang.org/x/net/html"
)

// Query and QueryAll walk the tree instead of listing every element first;
// they must answer as the listing did, from every node as root.
func TestQueryMatchesListing(t *testing.T) {
	page := `<html><head><title>t</title></head><body><div class="a"><p>one</p><div class="a b">
		<p class="x">two<span class="a">in</span></p></div></div><ul><li class="a">li</li></ul><p>three</p></body></html>`
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]Rule{
		"p":          func(n *html.Node) bool { return n.Data == "p" },
		"class a":    func(n *html.Node) bool { return strings.Contains(dom.ClassName(n), "a") },
		"none":       func(*html.Node) bool { return false },
		"everything": func(*html.Node) bool { return true },
	}
	var roots []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		roots = append(roots, n)
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for name, rule := range rules {
		for _, root := range roots {
			var want []*html.Node
			for _, e := range dom.GetElementsByTagName(root, "*") {
				if rule(e) {
					want = append(want, e)
				}
			}
			if got := QueryAll(root, rule); !slices.Equal(got, want) {
				t.Errorf("%s from <%s>: QueryAll found %d, the listing %d", name, root.Data, len(got), len(want))
			}
			var first *html.Node
			if len(want) > 0 {
				first = want[0]
			}
			if got := Query(root, rule); got != first {
				t.Errorf("%s from <%s>: Query = %v, want %v", name, root.Data, got, first)
			}
		}
	}
}
