package htmlparse

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/net/html"
)

// The fork must build exactly the tree x/net/html builds: x/net is tested
// against html5lib's tree-construction suite, so equality with it on that
// suite, on the dev pages and under fuzzing is conformance.

// dump writes every node with its depth, type, namespace, data and
// attributes: a stricter comparison than html.Render, which drops
// namespaces and normalises some text.
func dump(w *strings.Builder, n *html.Node, depth int) {
	fmt.Fprintf(w, "%d %d %q %q %d", depth, n.Type, n.Namespace, n.Data, n.DataAtom)
	for _, a := range n.Attr {
		fmt.Fprintf(w, " [%q %q %q]", a.Namespace, a.Key, a.Val)
	}
	w.WriteByte('\n')
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Parent != n {
			fmt.Fprintf(w, "BAD PARENT at %q\n", c.Data)
		}
		dump(w, c, depth+1)
	}
}

func trees(t testing.TB, input []byte) (ours, theirs string) {
	t.Helper()
	want, werr := html.Parse(bytes.NewReader(input))
	got, gerr := Parse(bytes.NewReader(input))
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("errors differ: x/net %v, fork %v", werr, gerr)
	}
	if werr != nil {
		return "", ""
	}
	var a, b strings.Builder
	dump(&a, got, 0)
	dump(&b, want, 0)
	return a.String(), b.String()
}

func sameTree(t testing.TB, name string, input []byte) {
	t.Helper()
	got, want := trees(t, input)
	compareDumps(t, name, got, want)
	_, werr := html.Parse(bytes.NewReader(input))
	// The fast paths scan only what is buffered; a reader giving one byte
	// at a time makes every scan stop at the buffer's end and refill.
	// ParseBytes skips the reader; it must neither change its input nor
	// give another tree.
	if werr == nil {
		orig := bytes.Clone(input)
		fromBytes, err := ParseBytes(input)
		if err != nil {
			t.Fatalf("%s: ParseBytes: %v", name, err)
		}
		if !bytes.Equal(orig, input) {
			t.Fatalf("%s: ParseBytes changed its input", name)
		}
		var b strings.Builder
		dump(&b, fromBytes, 0)
		compareDumps(t, name+" (ParseBytes)", b.String(), want)
	}
	if werr == nil && len(input) < 1<<20 {
		slow, err := Parse(iotest.OneByteReader(bytes.NewReader(input)))
		if err != nil {
			t.Fatalf("%s: one byte at a time: %v", name, err)
		}
		var b strings.Builder
		dump(&b, slow, 0)
		compareDumps(t, name+" (one byte at a time)", b.String(), want)
	}
}

func compareDumps(t testing.TB, name, got, want string) {
	t.Helper()
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s: trees differ at node %d:\nfork  %s\nx/net %s", name, i, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: trees differ in length: fork %d nodes, x/net %d", name, len(gl), len(wl))
	}
}

// html5libInputs returns the #data sections of x/net's copy of the
// html5lib tree-construction tests, or nil when the module is not on disk.
func html5libInputs(t testing.TB) [][]byte {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/net").Output()
	if err != nil {
		return nil
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "html", "testdata", "html5lib-tests", "tree-construction")
	files, _ := filepath.Glob(filepath.Join(dir, "*.dat"))
	var inputs [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range strings.Split(string(data), "\n#data\n") {
			sec = strings.TrimPrefix(sec, "#data\n")
			if i := strings.Index(sec, "\n#errors"); i >= 0 {
				inputs = append(inputs, []byte(sec[:i]))
			}
		}
	}
	return inputs
}

func TestSameTreeAsXNetOnHTML5Lib(t *testing.T) {
	inputs := html5libInputs(t)
	if len(inputs) == 0 {
		t.Skip("x/net's html5lib test data is not in the module cache")
	}
	for i, in := range inputs {
		sameTree(t, fmt.Sprintf("html5lib case %d %q", i, in), in)
	}
	t.Logf("%d html5lib inputs give x/net's tree", len(inputs))
}

func TestSameTreeAsXNetOnDevPages(t *testing.T) {
	for _, f := range devPageFiles(t) {
		sameTree(t, filepath.Base(f), gunzipFile(t, f))
	}
}

// devPageFiles lists the article-extraction dev pages (gzipped), or skips.
func devPageFiles(tb testing.TB) []string {
	root := os.Getenv("NEWSTRACE_CORPORA")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "corpora")
	}
	files, _ := filepath.Glob(filepath.Join(root, "article-extraction", "html", "*.html.gz"))
	if len(files) == 0 {
		tb.Skipf("no dev pages under %s (set NEWSTRACE_CORPORA)", root)
	}
	return files
}

func gunzipFile(t testing.TB, name string) []byte {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestHandMadeEdges(t *testing.T) {
	for _, in := range []string{
		"", "\x00", "<p a=\x00b>x\x00y</p>", "<scr\x00ipt>", "<script>a</scr", "<script><!--<script></script>--></script>x",
		"<style>p{}</STYLE >x", "<textarea>&amp;\r\n</textarea>", "<title>a&lt;b</title>", "<svg><desc><p>x</svg>",
		"<table><tr><td>a<b>c</table>d", "<a href=x><p>y</a>", "<!DOCTYPE html><math><mi>x", "<plaintext>a</plaintext>",
		strings.Repeat("<div>", 600) + "x", "<p\r\nclass='a\r\nb'>c\rd</p>", "<noscript><p>a</noscript>",
		"<iframe><b></iframe>", "<xmp><b></xmp>", "&#0;&#xD800;&notin;&notit;&AMP", "<img src=a alt='&copy2023'>",
	} {
		sameTree(t, fmt.Sprintf("%q", in), []byte(in))
	}
}

// FuzzSameTree checks the fork against x/net on any input; its seeds are
// the hand-made edges and html5lib's inputs.
func FuzzSameTree(f *testing.F) {
	for _, in := range html5libInputs(f) {
		f.Add(in)
	}
	f.Add([]byte("<p a=\x00b>x\x00y</p><script>var a='</scr'+'ipt>'</script>"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			return
		}
		sameTree(t, "fuzz input", in)
	})
}
