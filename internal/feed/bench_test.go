package feed

import (
	"os"
	"strings"
	"testing"
)

func BenchmarkParseRSS20(b *testing.B) {
	data, err := os.ReadFile("testdata/rss20.xml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, "https://news.example.com/feeds/all.xml", Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefuseDeep measures how fast a 10,000-deep document is refused.
func BenchmarkRefuseDeep(b *testing.B) {
	data := []byte(`<rss version="2.0"><channel>` + strings.Repeat("<x>", 10000) + strings.Repeat("</x>", 10000) + `</channel></rss>`)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, "", Limits{}); err == nil {
			b.Fatal("accepted")
		}
	}
}

// BenchmarkPrecheck5MiB is the guard's cost on a large benign feed.
func BenchmarkPrecheck5MiB(b *testing.B) {
	item := `<item><title>Title &amp; more</title><link>https://x.example/a</link><description><![CDATA[<p>text</p>]]></description></item>`
	data := []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>` + strings.Repeat(item, (5<<20-200)/len(item)) + `</channel></rss>`)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := precheck(data, Limits{}.withDefaults()); err != nil {
			b.Fatal(err)
		}
	}
}
