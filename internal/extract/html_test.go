package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// TestHTMLPages runs hand-written pages with the usual clutter (nav, ads,
// share bars, related links, comments, footer calls) through Bytes.
func TestHTMLPages(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		url       string
		title     string
		published string
		authors   []string
		lang      string
		canonical string
		site      string
		prov      newstrace.Provenance
		paras     int
		has       []string
		hasNot    []string
	}{
		{
			name: "news page with JSON-LD", file: "news.html", url: "https://example.com/news/park-plan?fbclid=abc",
			title: "City Council Approves Riverside Park Plan", published: "2024-05-14T13:30:00Z",
			authors: []string{"Jane Doe", "John Smith"}, lang: "en", canonical: "https://example.com/news/park-plan",
			site: "The Riverside Gazette", paras: 6,
			has: []string{"forty-acre public park", "biggest investment in public space", "summer of 2026"},
			hasNot: []string{"ADVERTISEMENT", "Share on", "Related stories", "Council delays vote", "parkfan77",
				"outrageous", "Most read", "Subscribe", "Follow us", "Donate", "All rights reserved", "Sports", "By Jane Doe"},
		},
		{
			name: "blogger repost of a translation", file: "blogger_repost.html",
			title: "Syria Reopens Border Crossing With Jordan", published: "2018-10-15T00:00:00Z", lang: "en",
			canonical: "http://resistancedaily.blogspot.com/2018/10/syria-reopens-border.html", site: "Resistance Daily Blog",
			prov: newstrace.Provenance{Outlet: "Fort Russ News", OriginalSource: "SANA", Translator: "Ollie Richardson",
				ViaURL: "http://ift.tt/2yhQ0aB", Republisher: "Resistance Daily Blog"},
			paras:  4,
			has:    []string{"Nasib border crossing", "customs procedures"},
			hasNot: []string{"Fort Russ", "translated by", "Follow us", "Donate", "comments", "Good news at last", "Newer Post", "Popular Posts"},
		},
		{
			name: "german page without lang", file: "german_nolang.html", url: "https://example.de/haushalt",
			title: "Stadtrat beschließt neuen Haushalt", published: "2023-11-02T17:45:00Z", lang: "de",
			canonical: "https://example.de/haushalt", paras: 3,
			has:    []string{"Donnerstagabend", "Klimaschutz forderte."},
			hasNot: []string{"Startseite", "Impressum"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "html", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			a, err := Bytes(data, "text/html", Options{URL: tc.url})
			if err != nil {
				t.Fatalf("Bytes: %v", err)
			}
			if a.Title != tc.title {
				t.Errorf("title = %q, want %q", a.Title, tc.title)
			}
			if got := ""; a.Published != nil {
				got = a.Published.Format(time.RFC3339)
				if got != tc.published {
					t.Errorf("published = %s, want %s", got, tc.published)
				}
			} else if tc.published != "" {
				t.Errorf("published missing, want %s", tc.published)
			}
			if strings.Join(a.Authors, "|") != strings.Join(tc.authors, "|") {
				t.Errorf("authors = %q, want %q", a.Authors, tc.authors)
			}
			if a.Language != tc.lang {
				t.Errorf("language = %q, want %q", a.Language, tc.lang)
			}
			if a.CanonicalURL != tc.canonical {
				t.Errorf("canonical = %q, want %q", a.CanonicalURL, tc.canonical)
			}
			if tc.site != "" && a.SiteName != tc.site {
				t.Errorf("site = %q, want %q", a.SiteName, tc.site)
			}
			if a.Provenance != tc.prov {
				t.Errorf("provenance = %+v, want %+v", a.Provenance, tc.prov)
			}
			if got := len(strings.Split(a.Text, "\n\n")); got != tc.paras {
				t.Errorf("%d paragraphs, want %d:\n%s", got, tc.paras, a.Text)
			}
			for _, s := range tc.has {
				if !strings.Contains(a.Text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(a.Text, s) {
					t.Errorf("text holds %q", s)
				}
			}
			if a.HTML == "" || strings.Contains(a.HTML, "<script") {
				t.Errorf("reader HTML empty or unsafe: %.200q", a.HTML)
			}
		})
	}
}

// TestFeedHints: the page's own statements win over feed hints; hints fill gaps.
func TestFeedHints(t *testing.T) {
	hint := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	body := "Plain text with no date and no title line, long enough to be a body paragraph of its own."
	a, err := Text(body, Options{Title: "Feed Title", Published: &hint, Language: "fr-FR", URL: "https://x.example/a"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Feed Title" || a.Published == nil || !a.Published.Equal(hint) || a.Language != "fr" || a.URL != "https://x.example/a" {
		t.Errorf("hints not used: title %q published %v language %q url %q", a.Title, a.Published, a.Language, a.URL)
	}
	a, err = Text("July 4th, 2021 - Some Outlet -\n"+body, Options{Published: &hint})
	if err != nil {
		t.Fatal(err)
	}
	if a.Published == nil || a.Published.Format(time.RFC3339) != "2021-07-04T00:00:00Z" {
		t.Errorf("page date should win over hint, got %v", a.Published)
	}
}
