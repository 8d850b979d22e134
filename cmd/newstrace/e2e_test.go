package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

type apiArticle struct {
	ID           int64    `json:"id"`
	URL          string   `json:"url"`
	CanonicalURL string   `json:"canonical_url"`
	Title        string   `json:"title"`
	Authors      []string `json:"authors"`
	Published    string   `json:"published"`
	Text         string   `json:"text"`
	StoryID      int64    `json:"story_id"`
	Sightings    []struct {
		FeedID int64 `json:"feed_id"`
	} `json:"sightings"`
}

// TestEndToEnd subscribes to a feed served on loopback, polls it once, then
// reads the extracted articles back through the JSON API of a running server,
// whose workers then pick up a second feed added over the API.
func TestEndToEnd(t *testing.T) {
	site := testSite(t)
	dir := t.TempDir()
	global := []string{"--data", dir, "--allow-private"}

	out := mustCLI(t, append(global, "feeds", "add", site.URL+"/feed.xml")...)
	if !strings.Contains(out, "added feed") {
		t.Fatalf("feeds add said %q", out)
	}
	out = mustCLI(t, append(global, "poll", "--once")...)
	if !strings.Contains(out, "3 new entries: 3 stored") {
		t.Fatalf("poll --once said %q, want 3 stored", out)
	}
	// A second round finds nothing new: entries are remembered per feed.
	out = mustCLI(t, append(global, "poll", "--once")...)
	if !strings.Contains(out, "0 feeds") && !strings.Contains(out, "0 new entries") {
		t.Fatalf("second poll said %q, want nothing new", out)
	}

	base := startServe(t, global...)
	var list struct{ Articles []apiArticle }
	getJSON(t, base+"/api/v1/articles", &list)
	if len(list.Articles) != 3 {
		t.Fatalf("got %d articles, want 3", len(list.Articles))
	}
	byTitle := map[string]apiArticle{}
	for _, a := range list.Articles {
		var full apiArticle
		getJSON(t, fmt.Sprintf("%s/api/v1/articles/%d", base, a.ID), &full)
		byTitle[full.Title] = full
	}

	tests := []struct {
		title, published string
		authors          []string
		canonical        string
		want, notWant    []string
	}{
		{
			title: "Harbour Bridge Reopens After Two-Year Repair", published: "2024-03-18T07:45:00Z",
			authors:   []string{"Marta Ruiz"},
			canonical: site.URL + "/news/harbour-bridge-reopens",
			want:      []string{"reopened to traffic on Monday morning", "84 million euros", "continue until the end of April"},
			notWant:   []string{"ADVERTISEMENT", "Share on Facebook", "Related stories", "Most read", "cycle lane", "Post a Comment", "Follow us on", "Donate", "All rights reserved"},
		},
		{
			title: "Malaria Vaccine Trial Shows Strong Results in Children", published: "2024-03-17T14:20:00Z",
			want:    []string{"nearly three quarters", "4,800 children", "wane after the second year"},
			notWant: []string{"cookies", "Share this", "Sponsored", "Subscribe to our newsletter", "Trending", "Privacy"},
		},
		{
			// Its page is missing (404): the feed's own content stands in.
			title: "Council Publishes Budget Summary",
			want:  []string{"rise in spending on road maintenance", "third year running"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			a, ok := byTitle[tt.title]
			if !ok {
				t.Fatalf("no article titled %q; have %v", tt.title, keys(byTitle))
			}
			for _, w := range tt.want {
				if !strings.Contains(a.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, a.Text)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(a.Text, nw) {
					t.Errorf("text still has boilerplate %q:\n%s", nw, a.Text)
				}
			}
			if tt.published != "" && !sameInstant(a.Published, tt.published) {
				t.Errorf("published = %q, want %s", a.Published, tt.published)
			}
			for _, au := range tt.authors {
				if !contains(a.Authors, au) {
					t.Errorf("authors = %q, want %q among them", a.Authors, au)
				}
			}
			if tt.canonical != "" && a.CanonicalURL != tt.canonical {
				t.Errorf("canonical_url = %q, want %q", a.CanonicalURL, tt.canonical)
			}
		})
	}

	// A second feed added over the API is polled by the server's workers; its
	// entry points at an article already stored, which gains a second sighting
	// instead of becoming a second document.
	body, _ := json.Marshal(map[string]string{"url": site.URL + "/roundup.atom", "folder": "Regional"})
	resp, err := http.Post(base+"/api/v1/feeds", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/v1/feeds: %d", resp.StatusCode)
	}
	bridge := byTitle["Harbour Bridge Reopens After Two-Year Repair"]
	deadline := time.Now().Add(45 * time.Second)
	for {
		var full apiArticle
		getJSON(t, fmt.Sprintf("%s/api/v1/articles/%d", base, bridge.ID), &full)
		if len(full.Sightings) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("workers did not record the second feed's sighting within 45s (sightings: %d)", len(full.Sightings))
		}
		time.Sleep(300 * time.Millisecond)
	}
	getJSON(t, base+"/api/v1/articles", &list)
	if len(list.Articles) != 3 {
		t.Errorf("after the second feed: %d articles, want still 3", len(list.Articles))
	}
}

func sameInstant(got, want string) bool {
	g, err1 := time.Parse(time.RFC3339Nano, got)
	w, err2 := time.Parse(time.RFC3339Nano, want)
	return err1 == nil && err2 == nil && g.Equal(w)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
