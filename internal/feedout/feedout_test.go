package feedout

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

var (
	pub1 = time.Date(2026, 2, 27, 9, 30, 0, 0, time.UTC)
	pub2 = time.Date(2026, 2, 28, 18, 0, 0, 0, time.UTC)
)

const hostile = `<script>alert("x")</script> & ]]> "quoted" ` + "\x02bell\x03"

func sampleFeed() Feed {
	return Feed{
		Title: "Latest stories", Description: "The newest stories & their origins",
		ID: "tag:news.example,2026:/feeds/stories", HomeURL: "https://news.example/",
		FeedURL: "https://news.example/feeds/stories.atom", BaseURL: "https://news.example/",
		Generator: "newstrace",
		Items: []Item{
			{
				ID: "tag:news.example,2026:story/1", Title: "Floods reach the valley towns",
				Link: "https://news.example/stories/1", OriginalURL: "https://planet.example/2026/floods",
				Outlet: "Daily Planet", AlsoIn: 3, Summary: "Water rose overnight.",
				Content:    `<p onclick="steal()">Water rose <b>overnight</b>.</p><script>alert(2)</script><a href="javascript:alert(3)">x</a>`,
				Categories: []string{"World", "Weather"}, Language: "en", Published: pub1, Updated: pub2,
			},
			{
				ID: "tag:news.example,2026:story/2", Title: hostile,
				Link: "https://news.example/stories/2", Outlet: "Mirror <Blog> & Co", Summary: hostile,
				Published: pub1,
			},
		},
	}
}

func TestCredit(t *testing.T) {
	tests := []struct {
		name string
		it   Item
		want string
	}{
		{"alone", Item{Outlet: "Daily Planet"}, "First published by Daily Planet."},
		{"one other", Item{Outlet: "Daily Planet", AlsoIn: 1}, "First published by Daily Planet; also in 1 other outlet."},
		{"many", Item{Outlet: "Daily Planet", AlsoIn: 4}, "First published by Daily Planet; also in 4 other outlets."},
		{"unknown", Item{}, "First published by an unknown outlet."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.it.Credit(); got != tt.want {
				t.Errorf("Credit() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		ext  string
		want Format
		ok   bool
	}{{"atom", Atom, true}, {"RSS", RSS, true}, {"json", JSON, true}, {"xml", "", false}, {"", "", false}}
	for _, tt := range tests {
		t.Run(tt.ext, func(t *testing.T) {
			got, ok := ParseFormat(tt.ext)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseFormat(%q) = %q, %v; want %q, %v", tt.ext, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestRoundTrip writes each format and parses it back with gofeed, checking
// the elements each format requires and the credit to the original outlet.
func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		format   Format
		feedType string
		version  string
	}{
		{"atom", Atom, "atom", "1.0"},
		{"rss", RSS, "rss", "2.0"},
		{"json", JSON, "json", "https://jsonfeed.org/version/1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.format, sampleFeed()); err != nil {
				t.Fatalf("write: %v", err)
			}
			raw := buf.String()
			if strings.Contains(raw, "<script>") || strings.Contains(raw, "onclick") || strings.Contains(raw, "javascript:") {
				t.Errorf("output carries unescaped or unsanitized markup:\n%s", raw)
			}
			if strings.ContainsAny(raw, "\x02\x03") {
				t.Errorf("output carries control characters")
			}
			if tt.format != JSON {
				if err := wellFormed(raw); err != nil {
					t.Fatalf("not well-formed XML: %v\n%s", err, raw)
				}
			}
			f, err := gofeed.NewParser().ParseString(raw)
			if err != nil {
				t.Fatalf("gofeed parse: %v\n%s", err, raw)
			}
			if f.FeedType != tt.feedType || f.FeedVersion != tt.version {
				t.Errorf("type %s %s, want %s %s", f.FeedType, f.FeedVersion, tt.feedType, tt.version)
			}
			if f.Title != "Latest stories" {
				t.Errorf("feed title %q", f.Title)
			}
			if f.Link != "https://news.example/" {
				t.Errorf("feed link %q", f.Link)
			}
			if f.FeedLink != "https://news.example/feeds/stories.atom" {
				t.Errorf("feed self link %q", f.FeedLink)
			}
			if tt.format != JSON && (f.UpdatedParsed == nil || !f.UpdatedParsed.Equal(pub2)) {
				t.Errorf("feed updated %v, want %v", f.UpdatedParsed, pub2)
			}
			if len(f.Items) != 2 {
				t.Fatalf("%d items, want 2", len(f.Items))
			}
			a, b := f.Items[0], f.Items[1]
			if a.Title != "Floods reach the valley towns" || a.Link != "https://news.example/stories/1" {
				t.Errorf("item 1 title %q link %q", a.Title, a.Link)
			}
			if a.GUID != "tag:news.example,2026:story/1" {
				t.Errorf("item 1 id %q", a.GUID)
			}
			if a.PublishedParsed == nil || !a.PublishedParsed.Equal(pub1) {
				t.Errorf("item 1 published %v, want %v", a.PublishedParsed, pub1)
			}
			if tt.format != RSS && (a.UpdatedParsed == nil || !a.UpdatedParsed.Equal(pub2)) {
				t.Errorf("item 1 updated %v, want %v", a.UpdatedParsed, pub2)
			}
			if len(a.Authors) == 0 || a.Authors[0].Name != "Daily Planet" {
				t.Errorf("item 1 authors %+v, want Daily Planet", a.Authors)
			}
			credit := "First published by Daily Planet; also in 3 other outlets."
			if !strings.Contains(a.Description+a.Content, credit) {
				t.Errorf("item 1 lacks the credit line: description %q content %q", a.Description, a.Content)
			}
			if !strings.Contains(a.Content, "<b>overnight</b>") || strings.Contains(a.Content, "script") {
				t.Errorf("item 1 content not sanitized as expected: %q", a.Content)
			}
			if got := strings.Join(a.Categories, ","); got != "World,Weather" {
				t.Errorf("item 1 categories %q", got)
			}
			wantTitle := `<script>alert("x")</script> & ]]> "quoted" bell` // control characters dropped
			if b.Title != wantTitle {
				t.Errorf("hostile title round-trips as %q, want %q", b.Title, wantTitle)
			}
			if len(b.Authors) == 0 || b.Authors[0].Name != "Mirror <Blog> & Co" {
				t.Errorf("item 2 authors %+v", b.Authors)
			}
			if b.GUID == a.GUID {
				t.Errorf("items share id %q", a.GUID)
			}
		})
	}
}

func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		_, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func TestJSONFeedShape(t *testing.T) {
	var buf bytes.Buffer
	empty := sampleFeed()
	empty.Items = nil
	for _, f := range []Feed{sampleFeed(), empty} {
		buf.Reset()
		if err := WriteJSON(&buf, f); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Version string            `json:"version"`
			Title   string            `json:"title"`
			Items   []json.RawMessage `json:"items"`
		}
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatalf("json: %v", err)
		}
		if doc.Version != "https://jsonfeed.org/version/1.1" || doc.Title == "" || doc.Items == nil {
			t.Errorf("json feed head %+v", doc)
		}
		if len(doc.Items) != len(f.Items) {
			t.Errorf("%d items, want %d", len(doc.Items), len(f.Items))
		}
		for _, raw := range doc.Items {
			var it map[string]any
			if err := json.Unmarshal(raw, &it); err != nil {
				t.Fatal(err)
			}
			if it["id"] == nil || (it["content_html"] == nil && it["content_text"] == nil) {
				t.Errorf("item lacks id or content: %s", raw)
			}
		}
	}
}

func TestEmptyFeedIsValid(t *testing.T) {
	f := sampleFeed()
	f.Items = nil
	for _, format := range []Format{Atom, RSS, JSON} {
		t.Run(string(format), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, format, f); err != nil {
				t.Fatal(err)
			}
			parsed, err := gofeed.NewParser().ParseString(buf.String())
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if parsed.Title != "Latest stories" || len(parsed.Items) != 0 {
				t.Errorf("title %q items %d", parsed.Title, len(parsed.Items))
			}
		})
	}
}
