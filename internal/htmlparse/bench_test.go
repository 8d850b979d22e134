package htmlparse

import (
	"bytes"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// go test ./internal/htmlparse -run '^$' -bench . -benchtime 10x -count 5
//
// One op is one pass over the dev pages; compare the fork with x/net/html
// and with x/net's bare tokenizer (the floor the extraction target uses).

func devPages(b *testing.B) [][]byte {
	var pages [][]byte
	for _, f := range devPageFiles(b) {
		pages = append(pages, gunzipFile(b, f))
	}
	return pages
}

func benchParse(b *testing.B, fn func([]byte)) {
	pages := devPages(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			fn(p)
		}
	}
	b.ReportMetric(float64(b.N*len(pages))/b.Elapsed().Seconds(), "pages/s")
}

// tokenizeXNet is the floor: x/net's tokenizer read to the end, no tokens built.
func tokenizeXNet(p []byte) {
	z := html.NewTokenizer(bytes.NewReader(p))
	for z.Next() != html.ErrorToken {
	}
}

func BenchmarkTokenizeXNet(b *testing.B) { benchParse(b, tokenizeXNet) }

// BenchmarkTokenizeFork is the fork's tokenizer alone, for an honest
// floor: its skipping makes it faster than x/net's.
func BenchmarkTokenizeFork(b *testing.B) {
	benchParse(b, func(p []byte) {
		z := NewTokenizer(bytes.NewReader(p))
		for z.Next() != ErrorToken {
		}
	})
}

func BenchmarkParseXNet(b *testing.B) {
	benchParse(b, func(p []byte) { _, _ = html.Parse(bytes.NewReader(p)) })
}

func BenchmarkParse(b *testing.B) {
	benchParse(b, func(p []byte) { _, _ = Parse(bytes.NewReader(p)) })
}

func BenchmarkParseBytes(b *testing.B) {
	benchParse(b, func(p []byte) { _, _ = ParseBytes(p) })
}

// BenchmarkParseRatios runs the tokenizer floor, x/net's parser and the
// fork (from a reader, and from bytes as extraction calls it) back to back
// on each page and reports their summed wall-time ratios: steadier than
// separate benchmarks on a machine whose speed drifts.
func BenchmarkParseRatios(b *testing.B) {
	pages := devPages(b)
	var tok, xnet, fork, forkBytes time.Duration
	for b.Loop() {
		for _, p := range pages {
			t0 := time.Now()
			tokenizeXNet(p)
			t1 := time.Now()
			_, _ = html.Parse(bytes.NewReader(p))
			t2 := time.Now()
			_, _ = Parse(bytes.NewReader(p))
			t3 := time.Now()
			_, _ = ParseBytes(p)
			tok, xnet, fork, forkBytes = tok+t1.Sub(t0), xnet+t2.Sub(t1), fork+t3.Sub(t2), forkBytes+time.Since(t3)
		}
	}
	b.ReportMetric(float64(xnet)/float64(tok), "xnet/tokenize")
	b.ReportMetric(float64(fork)/float64(tok), "fork/tokenize")
	b.ReportMetric(float64(forkBytes)/float64(tok), "forkbytes/tokenize")
	b.ReportMetric(float64(forkBytes)/float64(xnet), "forkbytes/xnet")
}
