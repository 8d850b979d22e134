package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"github.com/newstrace/newstrace"
)

// parseFeed parses an outgoing feed back with gofeed, as a reader would.
func parseFeed(t *testing.T, r response) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().ParseString(r.body)
	if err != nil {
		t.Fatalf("gofeed parse: %v\n%s", err, r.body)
	}
	return f
}

func TestOutFeedsLoopback(t *testing.T) {
	st := openStore(t)
	s := seed(t, st)
	e := newEnv(t, st, envOpts{})
	stories, err := st.Stories(context.Background(), newstrace.StoryFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}

	formats := []struct {
		ext, contentType, feedType string
	}{
		{"atom", "application/atom+xml", "atom"},
		{"rss", "application/rss+xml", "rss"},
		{"json", "application/feed+json", "json"},
	}
	for _, f := range formats {
		t.Run("stories."+f.ext, func(t *testing.T) {
			r := e.get("/feeds/stories." + f.ext)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, f.contentType) {
				t.Errorf("Content-Type %q, want %s", ct, f.contentType)
			}
			if r.header.Get("ETag") == "" || r.header.Get("Last-Modified") == "" {
				t.Errorf("no validators: %v", r.header)
			}
			if strings.Contains(r.body, xssTitle) {
				t.Errorf("hostile title written unescaped")
			}
			feed := parseFeed(t, r)
			if feed.FeedType != f.feedType || feed.Title == "" || feed.Link != e.ts.URL+"/" {
				t.Errorf("feed type %q title %q link %q", feed.FeedType, feed.Title, feed.Link)
			}
			if feed.FeedLink != e.ts.URL+"/feeds/stories."+f.ext {
				t.Errorf("self link %q", feed.FeedLink)
			}
			if len(feed.Items) != len(stories) {
				t.Fatalf("%d items, want %d stories", len(feed.Items), len(stories))
			}
			for i, it := range feed.Items {
				want := fmt.Sprintf("%s/stories/%d", e.ts.URL, stories[i].ID)
				if it.Link != want || it.GUID != want {
					t.Errorf("item %d link %q id %q, want %s", i, it.Link, it.GUID, want)
				}
				if it.Title == "" || it.PublishedParsed == nil {
					t.Errorf("item %d lacks title or date: %+v", i, it)
				}
				root, _ := rootOf(stories[i])
				if len(it.Authors) == 0 || it.Authors[0].Name != outletOf(root) {
					t.Errorf("item %d authors %+v, want %s", i, it.Authors, outletOf(root))
				}
				if !strings.Contains(it.Description+it.Content, "First published by "+outletOf(root)) {
					t.Errorf("item %d lacks the credit line: %q", i, it.Description)
				}
			}
			titles := make([]string, len(feed.Items))
			for i, it := range feed.Items {
				titles[i] = it.Title
			}
			if !strings.Contains(strings.Join(titles, "\n"), xssTitle) {
				t.Errorf("hostile title did not round-trip as text: %q", titles)
			}
		})
	}

	tests := []struct {
		name    string
		path    string
		status  int
		minItem int
		link    string // every item links here (prefix)
	}{
		{"source", fmt.Sprintf("/feeds/sources/%d.rss", s.FeedA), http.StatusOK, 1, "/stories/"},
		{"folder", "/feeds/folders/World.atom", http.StatusOK, 1, "/stories/"},
		{"search", "/feeds/search.json?q=floods", http.StatusOK, 1, "/stories/"},
		{"story copies", fmt.Sprintf("/feeds/stories/%d.atom", s.StoryA), http.StatusOK, 1, fmt.Sprintf("/stories/%d#doc-", s.StoryA)},
		{"with body", "/feeds/stories.atom?body=1", http.StatusOK, 1, "/stories/"},
		{"unknown source", "/feeds/sources/9999.atom", http.StatusNotFound, 0, ""},
		{"unknown story", "/feeds/stories/9999.json", http.StatusNotFound, 0, ""},
		{"unknown folder", "/feeds/folders/Nowhere.atom", http.StatusNotFound, 0, ""},
		{"unknown format", "/feeds/stories.xml", http.StatusNotFound, 0, ""},
		{"search without query", "/feeds/search.atom", http.StatusNotFound, 0, ""},
		{"bad id", "/feeds/sources/abc.atom", http.StatusNotFound, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %.200s", r.status, tt.status, r.body)
			}
			if tt.status != http.StatusOK {
				return
			}
			feed := parseFeed(t, r)
			if len(feed.Items) < tt.minItem {
				t.Fatalf("%d items, want at least %d", len(feed.Items), tt.minItem)
			}
			for _, it := range feed.Items {
				if !strings.HasPrefix(it.Link, e.ts.URL+tt.link) || it.GUID == "" || len(it.Authors) == 0 {
					t.Errorf("item link %q id %q authors %v", it.Link, it.GUID, it.Authors)
				}
			}
		})
	}

	t.Run("body is sanitized", func(t *testing.T) {
		r := e.get("/feeds/stories.atom?body=1")
		if !strings.Contains(r.body, "overnight") || strings.Contains(r.body, "onclick") || strings.Contains(r.body, "javascript:") ||
			strings.Contains(r.body, "alert(2)") {
			t.Errorf("body not included or not sanitized:\n%s", r.body)
		}
	})
}

func TestOutFeedConditionalGET(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	e := newEnv(t, st, envOpts{})
	first := e.get("/feeds/stories.rss")
	if first.status != http.StatusOK {
		t.Fatalf("status %d", first.status)
	}
	tests := []struct {
		name   string
		header string
		value  string
		status int
	}{
		{"same etag", "If-None-Match", first.header.Get("ETag"), http.StatusNotModified},
		{"other etag", "If-None-Match", `"other"`, http.StatusOK},
		{"not modified since", "If-Modified-Since", first.header.Get("Last-Modified"), http.StatusNotModified},
		{"modified since", "If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/feeds/stories.rss", nil)
			req.Header.Set(tt.header, tt.value)
			if r := e.do(req); r.status != tt.status {
				t.Errorf("status %d, want %d", r.status, tt.status)
			}
		})
	}
	// A new story changes the feed and its validator.
	seedDoc(t, st, 1)
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/feeds/stories.rss", nil)
	req.Header.Set("If-None-Match", first.header.Get("ETag"))
	if r := e.do(req); r.status != http.StatusOK || r.header.Get("ETag") == first.header.Get("ETag") {
		t.Errorf("after a new story: status %d etag %q", r.status, r.header.Get("ETag"))
	}
}

func TestOutFeedTokens(t *testing.T) {
	st := openStore(t)
	s := seed(t, st)
	apiToken := addUser(t, st)
	e := newEnv(t, st, envOpts{remote: true})

	api := func(method, path, body string) response {
		t.Helper()
		req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+apiToken)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		return e.do(req)
	}
	type created struct {
		ID    int64             `json:"id"`
		Feed  string            `json:"feed"`
		Token string            `json:"token"`
		URLs  map[string]string `json:"urls"`
	}
	create := func(feed string) created {
		t.Helper()
		r := api(http.MethodPost, "/api/v1/feed-tokens", fmt.Sprintf(`{"feed": %q}`, feed))
		if r.status != http.StatusCreated {
			t.Fatalf("create feed token: %d %s", r.status, r.body)
		}
		var c created
		if err := json.Unmarshal([]byte(r.body), &c); err != nil {
			t.Fatal(err)
		}
		return c
	}

	stories := create("/feeds/stories.atom")
	if stories.Token == "" || stories.Feed != "/feeds/stories" || len(stories.URLs) != 3 {
		t.Fatalf("created %+v", stories)
	}
	search := create(e.ts.URL + "/feeds/search.rss?q=floods")
	if search.Feed != "/feeds/search?q=floods" {
		t.Errorf("search feed key %q", search.Feed)
	}

	tests := []struct {
		name   string
		path   string
		status int
	}{
		{"no token", "/feeds/stories.atom", http.StatusNotFound},
		{"wrong token", "/feeds/stories.atom?token=nt_wrong", http.StatusNotFound},
		{"token of another feed", fmt.Sprintf("/feeds/sources/%d.atom?token=%s", s.FeedA, stories.Token), http.StatusNotFound},
		{"search token, other query", "/feeds/search.rss?q=valley&token=" + search.Token, http.StatusNotFound},
		{"atom", "/feeds/stories.atom?token=" + stories.Token, http.StatusOK},
		{"rss", "/feeds/stories.rss?token=" + stories.Token, http.StatusOK},
		{"json", "/feeds/stories.json?token=" + stories.Token, http.StatusOK},
		{"search", "/feeds/search.json?q=floods&token=" + url.QueryEscape(search.Token), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			if r.status == http.StatusNotFound && strings.Contains(r.body, "token") {
				t.Errorf("404 body mentions tokens: %s", r.body)
			}
			if r.status == http.StatusOK {
				f := parseFeed(t, r)
				if len(f.Items) == 0 || strings.Contains(r.body, stories.Token) || strings.Contains(r.body, search.Token) {
					t.Errorf("%d items; body leaks the token: %v", len(f.Items), strings.Contains(r.body, "token="))
				}
			}
		})
	}
	for format, u := range stories.URLs {
		if r := e.get(strings.TrimPrefix(u, e.ts.URL)); r.status != http.StatusOK {
			t.Errorf("returned %s URL %s: status %d", format, u, r.status)
		}
	}

	r := api(http.MethodGet, "/api/v1/feed-tokens", "")
	if r.status != http.StatusOK || strings.Contains(r.body, stories.Token) || !strings.Contains(r.body, `"/feeds/stories"`) {
		t.Errorf("list: %d %s", r.status, r.body)
	}
	if r := api(http.MethodDelete, fmt.Sprintf("/api/v1/feed-tokens/%d", stories.ID), ""); r.status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := e.get("/feeds/stories.atom?token=" + stories.Token); r.status != http.StatusNotFound {
		t.Errorf("revoked token: status %d", r.status)
	}
	if r := api(http.MethodPost, "/api/v1/feed-tokens", `{"feed": "/api/v1/stories"}`); r.status != http.StatusBadRequest {
		t.Errorf("token for a non-feed: status %d", r.status)
	}
	// A signed-in browser reads feeds without a token.
	e.login()
	if r := e.get("/feeds/stories.atom"); r.status != http.StatusOK {
		t.Errorf("signed-in session: status %d", r.status)
	}
}

func TestOutFeedAutodiscovery(t *testing.T) {
	st := openStore(t)
	s := seed(t, st)
	e := newEnv(t, st, envOpts{})
	tests := []struct {
		name, path string
		want       []string
	}{
		{"stories", "/", []string{`<link rel="alternate" type="application/atom+xml" title="Latest stories (ATOM)" href="/feeds/stories.atom">`,
			`type="application/feed+json"`, `<span class="subscribe-label">Subscribe</span> <a class="chip feed-chip" href="/feeds/stories.atom" type="application/atom+xml" title="Latest stories (ATOM)">Atom</a>`}},
		{"story", fmt.Sprintf("/stories/%d", s.StoryA), []string{fmt.Sprintf(`href="/feeds/stories/%d.rss"`, s.StoryA),
			fmt.Sprintf(`<a class="chip feed-chip" href="/feeds/stories/%d.json" type="application/feed+json" title="Copies of this story (JSON)">JSON Feed</a>`, s.StoryA)}},
		{"search", "/search?q=floods", []string{`href="/feeds/search.atom?q=floods"`, `href="/feeds/search.rss?q=floods" type="application/rss+xml"`, ">Subscribe</span>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			head, _, _ := strings.Cut(r.body, "</head>")
			for _, w := range tt.want {
				where := r.body
				if strings.HasPrefix(w, "<link") {
					where = head
				}
				if !strings.Contains(where, w) {
					t.Errorf("page lacks %s", w)
				}
			}
		})
	}
	// What autodiscovery points at parses.
	r := e.get(fmt.Sprintf("/feeds/stories/%d.rss", s.StoryA))
	if f := parseFeed(t, r); !bytes.Contains([]byte(f.Title), []byte("Floods")) {
		t.Errorf("story feed title %q", f.Title)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	token := addUser(t, st)
	tests := []struct {
		name   string
		remote bool
		bearer string
		status int
	}{
		{"loopback is open", false, "", http.StatusOK},
		{"remote without token", true, "", http.StatusUnauthorized},
		{"remote with wrong token", true, "nt_wrong", http.StatusUnauthorized},
		{"remote with token", true, token, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, st, envOpts{remote: tt.remote})
			req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/metrics", nil)
			if tt.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tt.bearer)
			}
			r := e.do(req)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			if r.status != http.StatusOK {
				return
			}
			c, err := st.Counts(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"# TYPE newstrace_polls_total counter", fmt.Sprintf("newstrace_stories %d\n", c.Stories),
				fmt.Sprintf("newstrace_documents %d\n", c.Documents), "newstrace_feeds 2\n",
				"newstrace_feeds_failing 1\n", "# TYPE newstrace_extract_duration_seconds histogram"} {
				if !strings.Contains(r.body, want) {
					t.Errorf("metrics lack %q:\n%s", want, r.body)
				}
			}
		})
	}
}
