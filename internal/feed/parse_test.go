package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestParseGolden parses every sample feed and compares the result with
// testdata/<name>.golden.json (rewritten with -update after review).
func TestParseGolden(t *testing.T) {
	tests := []struct {
		name, file, base, format, version string
	}{
		{"rss 0.91", "rss091.xml", "https://oldwire.example/rss.xml", "rss", "0.91"},
		{"rss 1.0 rdf", "rss10.rdf", "https://rdf.example/index.rdf", "rss", "1.0"},
		{"rss 2.0", "rss20.xml", "https://news.example.com/feeds/all.xml", "rss", "2.0"},
		{"atom 0.3", "atom03.xml", "https://atom03.example/atom.xml", "atom", "0.3"},
		{"atom 1.0", "atom10.xml", "https://blog.example.org/feed.atom", "atom", "1.0"},
		{"json feed 1.0", "feed10.json", "https://json1.example/feed.json", "json", "1.0"},
		{"json feed 1.1", "feed11.json", "https://json11.example/feed.json", "json", "1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Parse(data, tt.base, Limits{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Format != tt.format || p.Version != tt.version {
				t.Errorf("format/version = %s/%s, want %s/%s", p.Format, p.Version, tt.format, tt.version)
			}
			for i, e := range p.Entries {
				if e.Key == "" {
					t.Errorf("entry %d has no key", i)
				}
				if e.URL != "" && !strings.HasPrefix(e.URL, "http") {
					t.Errorf("entry %d URL %q is not absolute http(s)", i, e.URL)
				}
			}
			got := marshal(t, p)
			golden := filepath.Join("testdata", tt.file+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Parse(%s) differs from %s:\n%s", tt.file, golden, got)
			}
			// Entries travel in job payloads: they must survive JSON.
			var back Parsed
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if again := marshal(t, &back); !bytes.Equal(again, got) {
				t.Errorf("JSON round trip changed the result")
			}
		})
	}
}

// marshal writes readable JSON (no \u003c escapes) for golden files.
func marshal(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustParse(t *testing.T, file, base string) *Parsed {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(data, base, Limits{})
	if err != nil {
		t.Fatalf("Parse(%s): %v", file, err)
	}
	return p
}

// TestParseRSS20Rules checks the normalisation rules one by one, so a
// failure names the rule rather than a golden diff.
func TestParseRSS20Rules(t *testing.T) {
	p := mustParse(t, "rss20.xml", "https://news.example.com/feeds/all.xml")
	if len(p.Entries) != 5 {
		t.Fatalf("got %d entries, want 5", len(p.Entries))
	}
	e0, e1, e2, e3, e4 := p.Entries[0], p.Entries[1], p.Entries[2], p.Entries[3], p.Entries[4]
	tests := []struct {
		name      string
		got, want any
	}{
		{"feed title entities decoded", p.Title, "City & County News"},
		{"feed language lower-cased", p.Language, "en"},
		{"ttl in minutes", p.TTL, 90 * time.Minute},
		{"title tags stripped", e0.Title, "Council approves riverside park"},
		{"guid is key", e0.Key, "news-123"},
		{"absolute-path link resolved against site", e0.URL, "https://news.example.com/2024/05/park-plan"},
		{"dc:creator mapped", strings.Join(e0.Authors, ","), "Jane Doe"},
		{"categories trimmed and deduplicated", strings.Join(e0.Categories, ","), "Politics,City"},
		{"content:encoded is content", e0.ContentHTML, `<p>The council approved the plan.</p><p><a href="/more">More</a></p>`},
		{"description is summary", e0.SummaryHTML, "Short summary & teaser."},
		{"published parsed", e0.Published.Format(time.RFC3339), "2024-05-14T09:30:00Z"},
		{"relative link resolved against site", e1.URL, "https://news.example.com/relative/story.html"},
		{"missing guid falls back to link", e1.Key, "https://news.example.com/relative/story.html"},
		{"bad date is nil", e1.Published == nil, true},
		{"permalink guid used as URL", e2.URL, "https://news.example.com/2024/05/permalink"},
		{"no guid no link: hash key", strings.HasPrefix(e3.Key, "sha256:") && len(e3.Key) == 39, true},
		{"no guid no link: no URL", e3.URL, ""},
		{"javascript link dropped", e4.URL, ""},
		{"entry inherits feed language", e0.Language, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

func TestEntryHashKeyStable(t *testing.T) {
	a := mustParse(t, "rss20.xml", "https://news.example.com/feeds/all.xml")
	b := mustParse(t, "rss20.xml", "https://news.example.com/feeds/all.xml")
	if a.Entries[3].Key != b.Entries[3].Key {
		t.Errorf("hash key differs between parses: %q vs %q", a.Entries[3].Key, b.Entries[3].Key)
	}
	if a.Entries[3].Key == a.Entries[1].Key {
		t.Errorf("distinct entries share a key")
	}
}

func TestParseAtomBase(t *testing.T) {
	p := mustParse(t, "atom10.xml", "https://other.example/feed")
	tests := []struct {
		name      string
		got, want any
	}{
		{"xml:base resolves relative link", p.Entries[0].URL, "https://blog.example.org/posts/relative"},
		{"absolute path against base", p.Entries[1].URL, "https://blog.example.org/abs-path"},
		{"html title decoded once", p.Title, "Ops & Notes"},
		{"xhtml title flattened", p.Entries[1].Title, "Updated only"},
		{"author without name uses email", strings.Join(p.Entries[0].Authors, ","), "Ada Lovelace,anon@example.org"},
		{"published normalised to UTC", p.Entries[0].Published.Format(time.RFC3339), "2024-06-01T02:15:00Z"},
		{"bad updated is nil", p.Entries[1].Updated == nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

func TestParseMaxEntries(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>x</title>`)
	for i := range 50 {
		b.WriteString(`<item><title>t</title><guid>g` + string(rune('A'+i%26)) + `</guid></item>`)
	}
	b.WriteString(`</channel></rss>`)
	p, err := Parse([]byte(b.String()), "", Limits{MaxEntries: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 7 {
		t.Errorf("got %d entries, want 7", len(p.Entries))
	}
}

func TestParseRefusals(t *testing.T) {
	bomb := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>&lol9;</title></channel></rss>`
	xxe := `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>&xxe;</title></channel></rss>`
	deep := `<rss version="2.0"><channel>` + strings.Repeat("<x>", 10000) + strings.Repeat("</x>", 10000) + `</channel></rss>`
	deepJSON := `{"version":"https://jsonfeed.org/version/1.1","items":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`
	tests := []struct {
		name    string
		in      string
		lim     Limits
		code    string
		message string // substring of newstrace.ErrorMessage
		is      error
	}{
		{"entity bomb", bomb, Limits{}, newstrace.EINVALID, "declares XML entities", nil},
		{"external entity", xxe, Limits{}, newstrace.EINVALID, "declares XML entities", nil},
		{"10000-deep xml", deep, Limits{}, newstrace.EINVALID, "more than 64 levels", nil},
		{"10000-deep json", deepJSON, Limits{}, newstrace.EINVALID, "more than 64 levels", nil},
		{"custom depth", `<rss><channel><item><title>x</title></item></channel></rss>`, Limits{MaxDepth: 3}, newstrace.EINVALID, "more than 3 levels", nil},
		{"too large", `<rss version="2.0"><channel><title>big</title></channel></rss>`, Limits{MaxBytes: 10}, newstrace.ETOOLARGE, "over the 10 byte limit", nil},
		{"html page", "<!DOCTYPE html>\n<html><head><title>x</title></head><body></body></html>", Limits{}, newstrace.EINVALID, "looks like an HTML page", ErrHTMLPage},
		{"html without doctype", "\n  <html lang=en><body>hi</body></html>", Limits{}, newstrace.EINVALID, "looks like an HTML page", ErrHTMLPage},
		{"xhtml page", `<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html xmlns="http://www.w3.org/1999/xhtml"></html>`, Limits{}, newstrace.EINVALID, "looks like an HTML page", ErrHTMLPage},
		{"html fragment", "<div><p>Error 502</p></div><body></body>", Limits{}, newstrace.EINVALID, "looks like an HTML page", ErrHTMLPage},
		{"plain text", "just some words", Limits{}, newstrace.EINVALID, "not a feed", ErrNotFeed},
		{"empty", "  \n", Limits{}, newstrace.EINVALID, "empty feed", nil},
		{"truncated rss", `<rss version="2.0"><channel><title>x</title><item><title>broken`, Limits{}, newstrace.EINVALID, "malformed RSS feed", nil},
		{"broken json", `{"version":"https://jsonfeed.org/version/1.1", "items": [`, Limits{}, newstrace.EINVALID, "malformed", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			p, err := Parse([]byte(tt.in), "https://x.example/feed", tt.lim)
			if took := time.Since(start); took > time.Second {
				t.Errorf("refusal took %v, want well under a second", took)
			}
			if err == nil {
				t.Fatalf("Parse = %+v, want an error", p)
			}
			if got := newstrace.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q, want %q (%v)", got, tt.code, err)
			}
			if msg := newstrace.ErrorMessage(err); !strings.Contains(msg, tt.message) || strings.Contains(msg, "\n") {
				t.Errorf("message = %q, want one line containing %q", msg, tt.message)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

// TestParseAllowsHarmlessDoctype: a DOCTYPE without entity declarations
// (common in RSS 0.91) and "<!ENTITY" inside CDATA are fine.
func TestParseAllowsHarmlessDoctype(t *testing.T) {
	in := `<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>t</title><item><title>x</title><description><![CDATA[<!ENTITY x "y"> is how you declare one]]></description></item></channel></rss>`
	p, err := Parse([]byte(in), "", Limits{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if len(p.Entries) != 1 || !strings.Contains(p.Entries[0].SummaryHTML, "<!ENTITY") {
		t.Errorf("entries = %+v", p.Entries)
	}
}
