package feed

import (
	"errors"
	"os"
	"slices"
	"testing"
)

func TestDiscover(t *testing.T) {
	page, err := os.ReadFile("testdata/page.html")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		page string
		base string
		want []string
	}{
		{
			name: "page with base href",
			page: string(page),
			base: "https://news.example.com/",
			want: []string{
				"https://news.example.com/feeds/all.xml",
				"https://news.example.com/section/politics.atom",
				"https://news.example.com/feed.json",
				"https://cdn.example.net/body.xml",
			},
		},
		{
			name: "relative against page URL",
			page: `<html><head><link rel="alternate" type="application/atom+xml" href="feed.atom"></head></html>`,
			base: "https://blog.example.org/2024/post.html",
			want: []string{"https://blog.example.org/2024/feed.atom"},
		},
		{
			name: "relative with no base is dropped",
			page: `<link rel="alternate" type="application/rss+xml" href="/rss">`,
			base: "",
			want: nil,
		},
		{name: "no links", page: `<html><body>nothing</body></html>`, base: "https://x.example/", want: nil},
		{name: "garbage", page: "\x00\xff<<<>>>", base: "https://x.example/", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Discover([]byte(tt.page), tt.base)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Discover = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestHTMLPageThenDiscover is the autodiscovery path: Parse refuses the
// page with ErrHTMLPage, Discover finds its feeds.
func TestHTMLPageThenDiscover(t *testing.T) {
	page, err := os.ReadFile("testdata/page.html")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(page, "https://news.example.com/", Limits{})
	if !errors.Is(err, ErrHTMLPage) {
		t.Fatalf("Parse(html) error = %v, want ErrHTMLPage", err)
	}
	if got := Discover(page, "https://news.example.com/"); len(got) != 4 {
		t.Errorf("Discover found %d feeds, want 4: %q", len(got), got)
	}
}
