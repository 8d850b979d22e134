package extract

import (
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ordinal mdy", "July 23rd, 2017", "2017-07-23"},
		{"ordinal dmy", "23rd July 2017", "2017-07-23"},
		{"abbrev dot", "Jul. 3, 2019", "2019-07-03"},
		{"iso", "2017-07-23", "2017-07-23"},
		{"dmy plain", "3 March 2020", "2020-03-03"},
		{"of", "1st of May 2020", "2020-05-01"},
		{"no comma", "March 3 2020", "2020-03-03"},
		{"sept", "Sept. 12, 2018", "2018-09-12"},
		{"weekday and posted", "Posted on Monday, October 15, 2018", "2018-10-15"},
		{"not a date", "Fort Russ News", ""},
		{"impossible day", "February 30, 2020", ""},
		{"sentence with date", "On July 23, 2017 the minister arrived", ""},
		{"year out of range", "July 3, 1066", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseDate(tc.in)
			s := ""
			if ok {
				s = got.Format("2006-01-02")
				if got.Hour() != 0 || got.Location().String() != "UTC" {
					t.Errorf("not midnight UTC: %v", got)
				}
			}
			if s != tc.want {
				t.Errorf("parseDate(%q) = %q, want %q", tc.in, s, tc.want)
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"rfc3339 offset", "2024-05-14T09:30:00-04:00", "2024-05-14T13:30:00Z"},
		{"no colon offset", "2024-05-14T09:30:00+0200", "2024-05-14T07:30:00Z"},
		{"no zone", "2024-05-14T09:30:00", "2024-05-14T09:30:00Z"},
		{"date only", "2024-05-14", "2024-05-14T00:00:00Z"},
		{"garbage", "yesterday", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseTimestamp(tc.in)
			s := ""
			if ok {
				s = got.Format("2006-01-02T15:04:05Z07:00")
			}
			if s != tc.want {
				t.Errorf("parseTimestamp(%q) = %q, want %q", tc.in, s, tc.want)
			}
		})
	}
}

func TestHeaderLine(t *testing.T) {
	tests := []struct {
		name                            string
		line                            string
		after                           bool
		ok                              bool
		date, names, source, translator string
	}{
		{name: "seed date line", line: "July 23rd, 2017 - Fort Russ News -", ok: true, date: "2017-07-23", names: "Fort Russ News"},
		{name: "seed source line", line: "- Al Mayadeen - - translated by Samer Hussein -", ok: true, names: "Al Mayadeen", translator: "Samer Hussein"},
		{name: "bars", line: "23rd July 2017 | South Front |", ok: true, date: "2017-07-23", names: "South Front"},
		{name: "source cue", line: "Source: RIA Novosti - Translated by Ivan Petrov", ok: true, source: "RIA Novosti", translator: "Ivan Petrov"},
		{name: "translated from", line: "Translated from Al Ahed by Yusuf Fernandez", ok: true, source: "Al Ahed", translator: "Yusuf Fernandez"},
		{name: "translated from a language", line: "– translated from Russian by Anna Kovalenko –", ok: true, translator: "Anna Kovalenko"},
		{name: "names only after header", line: "- Al Mayadeen -", after: true, ok: true, names: "Al Mayadeen"},
		{name: "names only, no edge", line: "Politics - World", ok: false},
		{name: "body sentence with dash", line: "The minister - who arrived on Saturday - signed the deal.", ok: false},
		{name: "body sentence with source", line: "The source of the leak has not been identified, officials said.", ok: false},
		{name: "body sentence translated", line: "The documents, translated by the ministry's own staff, were handed over.", ok: false},
		{name: "headline", line: "Iraq to Join Forces With Iran", ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c cues
			ok := c.parseHeaderLine(tc.line, tc.after)
			if ok != tc.ok {
				t.Fatalf("parseHeaderLine(%q) = %v, want %v", tc.line, ok, tc.ok)
			}
			date := ""
			if c.date != nil {
				date = c.date.Format("2006-01-02")
			}
			if date != tc.date || strings.Join(c.names, "|") != tc.names || c.source != tc.source || c.translator != tc.translator {
				t.Errorf("got date %q names %q source %q translator %q", date, c.names, c.source, c.translator)
			}
		})
	}
}

func TestTailCues(t *testing.T) {
	tests := []struct {
		name                string
		lines               []string
		kept                int
		outlet, source, via string
	}{
		{name: "ifttt footer", lines: []string{"Body sentence here.", "from Fort Russ http://ift.tt/2upAdWP"}, kept: 1, outlet: "Fort Russ", via: "http://ift.tt/2upAdWP"},
		{name: "originally published", lines: []string{"Body sentence here.", "Originally published at Sputnik"}, kept: 1, source: "Sputnik"},
		{name: "originally published by with link", lines: []string{"Body sentence here.", "Originally published by Consortium News https://consortiumnews.com/x"}, kept: 1, source: "Consortium News", via: "https://consortiumnews.com/x"},
		{name: "source line", lines: []string{"Body sentence here.", "Source: Al Mayadeen"}, kept: 1, source: "Al Mayadeen"},
		{name: "bare short link", lines: []string{"Body sentence here.", "https://bit.ly/abc"}, kept: 1, via: "https://bit.ly/abc"},
		{name: "body sentence stays", lines: []string{"Body sentence here.", "Sources familiar with the discussions said two members argued for a rise."}, kept: 2},
		{name: "via in sentence stays", lines: []string{"Body sentence here.", "Via a spokesman, the company declined to comment on the report."}, kept: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c cues
			kept := c.scanTail(tc.lines)
			p := c.provenance()
			if len(kept) != tc.kept || p.Outlet != tc.outlet || p.OriginalSource != tc.source || p.ViaURL != tc.via {
				t.Errorf("kept %d outlet %q source %q via %q; want %d %q %q %q", len(kept), p.Outlet, p.OriginalSource, p.ViaURL, tc.kept, tc.outlet, tc.source, tc.via)
			}
		})
	}
}

func TestWireCredit(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ap", "WASHINGTON (AP) — The Senate on Tuesday passed a bill.", "AP"},
		{"reuters", "LONDON (Reuters) - The central bank left rates unchanged.", "Reuters"},
		{"bare", "(AFP) - Markets fell.", "AFP"},
		{"parenthesis mid-body", "The agency (which was founded in 1950) said it would act.", ""},
		{"aside in first words", "Officials (Reuters reported) - no.", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := wireCredit([]string{tc.in}); got != tc.want {
				t.Errorf("wireCredit(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSplitAuthors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"and", "By Jane Doe and John Roe", "Jane Doe|John Roe"},
		{"comma", "Jane Doe, John Roe", "Jane Doe|John Roe"},
		{"semicolon", "Jane Doe; John Roe", "Jane Doe|John Roe"},
		{"credentials", "Rachael Link, MS, RD", "Rachael Link"},
		{"duplicate", "Jane Doe, jane doe", "Jane Doe"},
		{"url", "https://example.com/author/x", ""},
		{"weekday and month left by a byline", "Jeff Foust Monday; November", "Jeff Foust"},
		{"month after a name", "Carrie Arnold November", "Carrie Arnold"},
		{"published label", "Detroit News wire services Published", "Detroit News wire services"},
		{"updated on", "Jane Doe Updated on", "Jane Doe"},
		{"role, not a name", "By TOM KRISHER, AP Auto Writer", "TOM KRISHER"},
		{"staff correspondent", "Jane Doe, Staff Correspondent", "Jane Doe"},
		{"may and june are names", "Theresa May, June Carter", "Theresa May|June Carter"},
		{"month inside a name kept", "Marcha Octoberfield", "Marcha Octoberfield"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(splitAuthors(tc.in), "|"); got != tc.want {
				t.Errorf("splitAuthors(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLanguage(t *testing.T) {
	long := strings.Repeat("Der Stadtrat hat am Donnerstagabend nach einer langen Debatte den Haushalt beschlossen. ", 4)
	tests := []struct{ name, declared, hint, text, want string }{
		{"declared region", "en-US", "fr", long, "en"},
		{"underscore", "pt_BR", "", "", "pt"},
		{"hint", "", "fr-FR", long, "fr"},
		{"bad declaration falls to hint", "xx-nonsense-!!", "de", "", "de"},
		{"detected", "", "", long, "de"},
		{"too short to detect", "", "", "Stadtrat beschließt Haushalt", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := pickLanguage(tc.declared, tc.hint, tc.text); got != tc.want {
				t.Errorf("pickLanguage = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCanonicalURL(t *testing.T) {
	tests := []struct{ name, ref, base, want string }{
		{"utm removed", "https://Example.com/a?utm_source=x&id=3#top", "", "https://example.com/a?id=3"},
		{"relative", "/news/a", "https://example.com/x/y", "https://example.com/news/a"},
		{"not http", "javascript:alert(1)", "", ""},
		{"empty", "", "https://example.com", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := canonicalURL(tc.ref, tc.base); got != tc.want {
				t.Errorf("canonicalURL(%q, %q) = %q, want %q", tc.ref, tc.base, got, tc.want)
			}
		})
	}
}

func TestTextParagraphs(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"one per line", "First line.\nSecond line.\n", []string{"First line.", "Second line."}},
		{"crlf and blanks", "A.\r\n\r\n\r\nB.", []string{"A.", "B."}},
		{"hard wrapped block", "The Senate on Tuesday passed a short-term spending bill that\nkeeps the government open for three weeks, said the White\nHouse.\n\nNext.", []string{"The Senate on Tuesday passed a short-term spending bill that keeps the government open for three weeks, said the White House.", "Next."}},
		{"wrapped mid-sentence line", "This is a rather long line that ends in the middle of a\nsentence which continues here.", []string{"This is a rather long line that ends in the middle of a sentence which continues here."}},
		{"short header lines stay", "By Jane Doe\n3 March 2020", []string{"By Jane Doe", "3 March 2020"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := textParagraphs(tc.in); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("textParagraphs = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestURLDate(t *testing.T) {
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		url, want string
	}{
		{"https://www.nytimes.com/2019/11/19/opinion/republicans.html", "2019-11-19"},
		{"https://www.politifact.com/x/statements/2019/nov/18/david-mckinley/what/", "2019-11-18"},
		{"https://example.org/news/2020-1-5-title", "2020-01-05"},
		{"https://example.org/news_2021_07_04_fireworks", "2021-07-04"},
		{"https://example.org/2019/11/19", "2019-11-19"},
		{"https://example.org/story/191119041538885.html", ""}, // an id, not a date
		{"https://example.org/2019/1119/story", ""},            // no day run
		{"https://example.org/2019/02/30/story", ""},           // no such day
		{"https://example.org/1994/05/01/story", ""},           // before web news
		{"https://example.org/2031/01/01/story", ""},           // over a year ahead
		{"https://example.org/2019/13/01/story", ""},           // no month 13
		{"https://example.org/2019/00/10/story", ""},           // no month 0
		{"https://example.org/2019/05/00/story", ""},           // no day 0
		{"https://example.org/tags/2019/story", ""},
		{"", ""},
	} {
		got, ok := urlDate(c.url, now)
		if s := got.Format("2006-01-02"); ok != (c.want != "") || ok && s != c.want {
			t.Errorf("urlDate(%q) = %s %v, want %q", c.url, s, ok, c.want)
		}
	}
}

// A page without a date in its markup takes the one in its URL.
func TestPublishedFromURL(t *testing.T) {
	page := `<html><head><title>Council votes</title><link rel="canonical" href="https://news.example/2023/apr/05/council-votes/"></head>
<body><article><h1>Council votes</h1>` + strings.Repeat("<p>The council voted on the budget for the coming year after a long debate about roads and schools.</p>", 6) + `</article></body></html>`
	a, err := Bytes([]byte(page), "text/html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Published == nil || a.Published.Format("2006-01-02") != "2023-04-05" {
		t.Fatalf("published = %v, want 2023-04-05 from the canonical URL", a.Published)
	}
	withMeta := strings.Replace(page, "<title>", `<meta property="article:published_time" content="2023-04-04T22:00:00Z"><title>`, 1)
	if a, _ := Bytes([]byte(withMeta), "text/html", Options{}); a.Published == nil || a.Published.Format(time.RFC3339) != "2023-04-04T22:00:00Z" {
		t.Fatalf("published = %v, want the meta tag's time over the URL's day", a.Published)
	}
}

func TestSiteNameOf(t *testing.T) {
	for _, c := range []struct{ in, page, want string }{
		{"https://www.newsnation.in", "https://www.newsnation.in/fact-check/x.html", "newsnation.in"},
		{"https://www.facebook.com/CBSNews", "https://www.cbsnews.com/news/x/", "cbsnews.com"},
		{"https://www.hawaiinewsnow.com", "", "hawaiinewsnow.com"},
		{"The Guardian", "https://www.theguardian.com/x", "The Guardian"},
		{"http://", "", "http://"},
	} {
		if got := siteNameOf(c.in, c.page); got != c.want {
			t.Errorf("siteNameOf(%q, %q) = %q, want %q", c.in, c.page, got, c.want)
		}
	}
}

// A title ending in the site's name, where the page names its site only by
// URL, loses the suffix, and the suffix becomes the site's name.
func TestTitleSuffixNamesHostOnlySite(t *testing.T) {
	page := `<html><head><meta property="og:title" content="Oxygen bars open in Delhi - News Nation">
<meta property="og:site_name" content="https://www.newsnation.in"><link rel="canonical" href="https://www.newsnation.in/india/oxygen-bars-1.html"></head>
<body><article><h1>Oxygen bars open in Delhi</h1>` + strings.Repeat("<p>Residents queued for fifteen minutes of filtered air as the city's pollution index stayed at severe levels.</p>", 5) + `</article></body></html>`
	a, err := Bytes([]byte(page), "text/html", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Oxygen bars open in Delhi" || a.SiteName != "News Nation" {
		t.Fatalf("title %q, site %q; want the suffix moved to the site name", a.Title, a.SiteName)
	}
}
