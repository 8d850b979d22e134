package extract

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzBytes feeds arbitrary bytes (HTML, text, gzip, binary) to Bytes: it
// must never panic, must return in bounded time, and what it returns must be
// valid UTF-8 no larger than the input can account for.
func FuzzBytes(f *testing.F) {
	for _, dir := range []string{"testdata/html", "testdata/text"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range files {
			if strings.HasSuffix(p, ".json") {
				continue
			}
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b, "")
			}
		}
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte("<html><body><article><p>" + strings.Repeat("Gzipped paragraph text. ", 40) + "</p></article></body></html>"))
	w.Close()
	f.Add(gz.Bytes(), "text/html")
	for _, s := range []string{
		"<p>short</p>",
		"<html><head><title>T &amp; U</title><meta charset=\"windows-1251\"></head><body><p>\xcf\xf0\xe8\xe2\xe5\xf2</p></body></html>",
		"<html><body>" + strings.Repeat("<div>", 500) + "deep" + strings.Repeat("</div>", 500) + "</body></html>",
		"<svg onload=alert(1)><script>alert(1)</script><p>text text text</p>",
		"Title line\n\nFirst paragraph of plain text.\nWrapped line.\n\nSecond paragraph.",
		"<!DOCTYPE html><html lang=\"zz\"><body><article><h1>x</h1><p>&#x0;&#xFFFF;&#55296;</p></article>",
		"\x00\x01\x02binary",
		"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-16\"><p>x</p>",
	} {
		f.Add([]byte(s), "")
		f.Add([]byte(s), "text/plain; charset=iso-8859-1")
	}
	f.Fuzz(func(t *testing.T, data []byte, contentType string) {
		began := time.Now()
		a, err := Bytes(data, contentType, Options{URL: "https://example.com/a/b.html"})
		if d := time.Since(began); d > 10*time.Second {
			t.Fatalf("Bytes took %v on %d bytes", d, len(data))
		}
		if err != nil {
			return
		}
		for name, s := range map[string]string{"title": a.Title, "text": a.Text, "html": a.HTML, "language": a.Language} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s is not valid UTF-8: %q", name, s)
			}
		}
		// A gzip member may expand; otherwise the text cannot be much larger than the input.
		in := len(data)
		if un, err := gunzip(data); err == nil {
			in = len(un)
		}
		if len(a.Text) > 4*in+4096 {
			t.Fatalf("text of %d bytes from %d input bytes", len(a.Text), in)
		}
		if strings.Contains(strings.ToLower(a.HTML), "<script") {
			t.Fatalf("script survived into article HTML: %q", a.HTML)
		}
	})
}
