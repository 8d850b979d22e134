package trafilatura

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newstrace/newstrace/internal/trafilatura/internal/lru"
	"github.com/newstrace/newstrace/internal/trafilatura/internal/selector"
	"golang.org/x/net/html"
)

// The fork reads doc where upstream read copies of it (extractContent's
// rescue, the author search); that is only right if those steps leave doc
// as they found it. Checked on small pages that take each path and, where
// the corpus is present, on every dev page of the extraction benchmark.
func TestExtractionLeavesCleanedTreeUntouched(t *testing.T) {
	pages := map[string]string{
		"article": `<html><head><title>T</title></head><body><nav><a href="/">Home</a></nav>
			<article><h1>Headline</h1><p>` + strings.Repeat("A long paragraph of body text. ", 30) + `</p>
			<div class="related"><a href="/a">Other story</a> <a href="/b">Another</a></div>
			<p>Second <b>paragraph</b> with <a href="/x">a link</a> and a tail.</p></article>
			<div class="author">By Jane Doe</div></body></html>`,
		"wild text (rescue path)": `<html><body><div><p>Short.</p></div><blockquote>Quoted words.</blockquote>
			<table><tr><td>cell one</td><td>cell two</td></tr></table><p>Another short line.</p></body></html>`,
		"authors": `<html><body><div class="sidebar"><span class="author">Sidebar Person</span></div>
			<p class="byline"><span class="author"><time>May 1</time> tail words Jane Roe</span></p>
			<div class="author-name"><span class="comments">3 comments</span>after comments Jo Smith</div>
			<article><p>` + strings.Repeat("Story text here. ", 30) + `</p></article></body></html>`,
		"lists and links": `<html><body><main><ul><li><a href="/1">one</a></li><li><a href="/2">two</a></li></ul>
			<p>` + strings.Repeat("Words in a paragraph. ", 20) + `</p><span>loose span</span></main></body></html>`,
	}
	for name, page := range pages {
		checkUntouched(t, name, []byte(page))
	}
	root := os.Getenv("NEWSTRACE_CORPORA")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "corpora")
	}
	files, _ := filepath.Glob(filepath.Join(root, "article-extraction", "html", "*.html.gz"))
	if len(files) == 0 {
		t.Logf("corpus not found under %s: synthetic pages only", root)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		checkUntouched(t, filepath.Base(f), data)
	}
}

func checkUntouched(t *testing.T, name string, page []byte) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Config: DefaultConfig()}
	docCleaning(doc, opts)
	convertTags(doc, opts)
	before := render(t, doc)
	// The author search must answer as upstream's did: prune a copy of the
	// whole page, then run the author rules over it.
	want := ""
	if text := extractDomMetaSelectors(pruneUnwantedNodes(doc, selector.MetaAuthorDiscard), 120, selector.MetaAuthor); text != "" {
		want = normalizeAuthors("", text)
	}
	if got := extractDomAuthor(doc); got != want {
		t.Errorf("%s: author %q, upstream's way %q", name, got, want)
	}
	extractContent(doc, lru.NewCache(16), opts)
	if after := render(t, doc); after != before {
		t.Errorf("%s: extraction changed the tree it was given", name)
	}
}

func render(t *testing.T, n *html.Node) string {
	var b bytes.Buffer
	if err := html.Render(&b, n); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
