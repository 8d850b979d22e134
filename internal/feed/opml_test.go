package feed

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/newstrace/newstrace"
)

func TestParseOPML(t *testing.T) {
	f, err := os.Open("testdata/subscriptions.opml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ParseOPML(f, 0)
	if err != nil {
		t.Fatalf("ParseOPML: %v", err)
	}
	want := []Outline{
		{Title: "Top level", XMLURL: "https://top.example/feed", HTMLURL: "https://top.example/"},
		{Title: "No type", XMLURL: "https://notype.example/rss"},
		{Title: "Wire & Co", XMLURL: "https://wire.example/rss", HTMLURL: "https://wire.example/", Folder: "News"},
		{Title: "Le Monde", XMLURL: "https://lemonde.example/rss", Folder: "News/Europe"},
		{Title: "Atom one", XMLURL: "https://atom.example/feed.atom"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ParseOPML =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseOPMLErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		max     int64
		code    string
		message string
	}{
		{"empty", "", 0, newstrace.EINVALID, "empty OPML"},
		{"not xml", "hello world", 0, newstrace.EINVALID, "malformed OPML"},
		{"html page", "<!doctype html><html><body>login</body></html>", 0, newstrace.EINVALID, "looks like an HTML page"},
		{"wrong root", `<?xml version="1.0"?><rss version="2.0"><channel/></rss>`, 0, newstrace.EINVALID, "root element is not <opml>"},
		{"no body", `<opml version="2.0"><head/></opml>`, 0, newstrace.EINVALID, "no <body>"},
		{"truncated", `<opml version="2.0"><body><outline text="a" xmlUrl="https://a.example/"`, 0, newstrace.EINVALID, "malformed OPML"},
		{"entity bomb", `<!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><opml><body><outline text="&b;"/></body></opml>`, 0, newstrace.EINVALID, "declares XML entities"},
		{"too large", `<opml version="2.0"><body></body></opml>`, 10, newstrace.ETOOLARGE, "over the 10 byte limit"},
		{"too deep", `<opml><body>` + strings.Repeat(`<outline text="f">`, 100) + strings.Repeat(`</outline>`, 100) + `</body></opml>`, 0, newstrace.EINVALID, "levels deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOPML(strings.NewReader(tt.in), tt.max)
			if err == nil {
				t.Fatalf("ParseOPML = %+v, want an error", got)
			}
			if code := newstrace.ErrorCode(err); code != tt.code {
				t.Errorf("code = %q, want %q (%v)", code, tt.code, err)
			}
			msg := newstrace.ErrorMessage(err)
			if !strings.Contains(msg, tt.message) || strings.Contains(msg, "\n") {
				t.Errorf("message = %q, want one line containing %q", msg, tt.message)
			}
		})
	}
}

func TestOPMLRoundTrip(t *testing.T) {
	feeds := []newstrace.Feed{
		{URL: "https://top.example/feed", Title: "Top", SiteURL: "https://top.example/"},
		{URL: "https://wire.example/rss", Title: "Wire <&> \"Co\"", Folder: "News"},
		{URL: "https://lemonde.example/rss", Title: "Le Monde", Folder: "News/Europe"},
		{URL: "https://b.example/rss?a=1&b=2", Title: "", Folder: "Blogs"},
		{URL: "https://c.example/rss", Title: "C", Folder: "News"},
		{URL: "https://d.example/rss", Title: "D", Folder: " Tech // Go "},
		{URL: "https://last.example/feed", Title: "Last top"},
	}
	var buf bytes.Buffer
	if err := WriteOPML(&buf, "newstrace export", feeds); err != nil {
		t.Fatalf("WriteOPML: %v", err)
	}
	out := buf.String()
	for _, want := range []string{`<?xml version="1.0"`, `<opml version="2.0">`, `<title>newstrace export</title>`, `xmlUrl="https://b.example/rss?a=1&amp;b=2"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// One "News" folder despite two non-adjacent feeds in it.
	if n := strings.Count(out, `text="News"`); n != 1 {
		t.Errorf("News folder written %d times, want 1:\n%s", n, out)
	}
	got, err := ParseOPML(&buf, 0)
	if err != nil {
		t.Fatalf("ParseOPML(WriteOPML output): %v\n%s", err, out)
	}
	want := []Outline{
		{Title: "Top", XMLURL: "https://top.example/feed", HTMLURL: "https://top.example/"},
		{Title: "Last top", XMLURL: "https://last.example/feed"},
		{Title: `Wire <&> "Co"`, XMLURL: "https://wire.example/rss", Folder: "News"},
		{Title: "C", XMLURL: "https://c.example/rss", Folder: "News"},
		{Title: "Le Monde", XMLURL: "https://lemonde.example/rss", Folder: "News/Europe"},
		{Title: "https://b.example/rss?a=1&b=2", XMLURL: "https://b.example/rss?a=1&b=2", Folder: "Blogs"},
		{Title: "D", XMLURL: "https://d.example/rss", Folder: "Tech/Go"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("round trip =\n%+v\nwant\n%+v\nfrom\n%s", got, want, out)
	}
}
