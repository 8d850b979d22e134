package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/newstrace/newstrace"
)

func (e *testEnv) api(method, path, contentType, body string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return e.do(req)
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.body), &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, r.body)
	}
	return v
}

func TestAPIErrors(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	e := newEnv(t, st, envOpts{})

	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		code                            string
	}{
		{name: "unknown feed", method: "GET", path: "/api/v1/feeds/999", status: 404, code: "not_found"},
		{name: "feed id not a number", method: "GET", path: "/api/v1/feeds/abc", status: 404, code: "not_found"},
		{name: "unknown article", method: "GET", path: "/api/v1/articles/999", status: 404, code: "not_found"},
		{name: "unknown story", method: "GET", path: "/api/v1/stories/999", status: 404, code: "not_found"},
		{name: "delete unknown feed", method: "DELETE", path: "/api/v1/feeds/999", status: 404, code: "not_found"},
		{name: "unknown route", method: "GET", path: "/api/v1/nothing", status: 404, code: "not_found"},
		{name: "limit too big", method: "GET", path: "/api/v1/articles?limit=1000", status: 400, code: "invalid"},
		{name: "limit not a number", method: "GET", path: "/api/v1/stories?limit=x", status: 400, code: "invalid"},
		{name: "negative offset", method: "GET", path: "/api/v1/articles?offset=-1", status: 400, code: "invalid"},
		{name: "bad feed_id", method: "GET", path: "/api/v1/articles?feed_id=-2", status: 400, code: "invalid"},
		{name: "create without json type", method: "POST", path: "/api/v1/feeds", ctype: "text/plain", body: `{"url":"https://a.example/f"}`, status: 400, code: "invalid"},
		{name: "create with bad json", method: "POST", path: "/api/v1/feeds", ctype: "application/json", body: `{"url":`, status: 400, code: "invalid"},
		{name: "create with bad url", method: "POST", path: "/api/v1/feeds", ctype: "application/json", body: `{"url":"ftp://a.example/f"}`, status: 400, code: "invalid"},
		{name: "create without url", method: "POST", path: "/api/v1/feeds", ctype: "application/json", body: `{"title":"x"}`, status: 400, code: "invalid"},
		{name: "create duplicate", method: "POST", path: "/api/v1/feeds", ctype: "application/json", body: `{"url":"https://planet.example/feed.xml"}`, status: 409, code: "conflict"},
		{name: "create too large", method: "POST", path: "/api/v1/feeds", ctype: "application/json", body: `{"title":"` + strings.Repeat("x", formMaxBytes) + `"}`, status: 413, code: "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.api(tt.method, tt.path, tt.ctype, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			assertAPIError(t, r, tt.code)
		})
	}
}

func TestStatusOf(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{name: "not found", err: newstrace.Errorf(newstrace.ENOTFOUND, "x"), status: 404},
		{name: "invalid", err: newstrace.Errorf(newstrace.EINVALID, "x"), status: 400},
		{name: "conflict", err: newstrace.Errorf(newstrace.ECONFLICT, "x"), status: 409},
		{name: "unauthorized", err: newstrace.Errorf(newstrace.EUNAUTHORIZED, "x"), status: 401},
		{name: "forbidden", err: newstrace.Errorf(newstrace.EFORBIDDEN, "x"), status: 403},
		{name: "too large", err: newstrace.Errorf(newstrace.ETOOLARGE, "x"), status: 413},
		{name: "internal", err: newstrace.Errorf(newstrace.EINTERNAL, "x"), status: 500},
		{name: "wrapped", err: fmt.Errorf("get feed: %w", newstrace.Errorf(newstrace.ENOTFOUND, "x")), status: 404},
		{name: "plain error", err: fmt.Errorf("disk on fire"), status: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statusOf(tt.err); got != tt.status {
				t.Errorf("statusOf = %d, want %d", got, tt.status)
			}
		})
	}
}

func TestAPIInternalErrorHidesDetails(t *testing.T) {
	st := openStore(t)
	e := newEnv(t, st, envOpts{})
	st.Close() // every store call now fails with a driver error
	r := e.get("/api/v1/feeds")
	if r.status != 500 {
		t.Fatalf("status %d", r.status)
	}
	assertAPIError(t, r, "internal")
	if strings.Contains(r.body, "sql") || strings.Contains(r.body, "closed") {
		t.Errorf("internals leaked: %s", r.body)
	}
}

func TestAPIFeeds(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	e := newEnv(t, st, envOpts{})

	list := decode[map[string][]map[string]any](t, e.get("/api/v1/feeds"))
	if len(list["feeds"]) != 2 {
		t.Fatalf("feeds = %v", list)
	}
	one := e.get(fmt.Sprintf("/api/v1/feeds/%d", ids.FeedB))
	f := decode[newstrace.Feed](t, one)
	if one.status != 200 || f.ID != ids.FeedB || f.FailureCount != 3 || f.LastError == "" || f.URL != "https://mirror.example/rss" {
		t.Errorf("GET feed = %d %+v", one.status, f)
	}

	created := e.api("POST", "/api/v1/feeds", "application/json", `{"url":" https://new.example/atom ","title":"New Outlet","folder":"Tech"}`)
	if created.status != 201 {
		t.Fatalf("create = %d %s", created.status, created.body)
	}
	nf := decode[newstrace.Feed](t, created)
	if nf.ID == 0 || nf.URL != "https://new.example/atom" || nf.Title != "New Outlet" || nf.Folder != "Tech" || nf.SourceID == 0 {
		t.Errorf("created feed = %+v", nf)
	}
	if !nf.NextPollAt.Equal(testNow) {
		t.Errorf("next poll = %v, want now (%v)", nf.NextPollAt, testNow)
	}
	if loc := created.header.Get("Location"); loc != fmt.Sprintf("/api/v1/feeds/%d", nf.ID) {
		t.Errorf("Location = %q", loc)
	}
	if got := e.feedsAdded(); !slices.Equal(got, []int64{nf.ID}) {
		t.Errorf("OnFeedAdded got %v, want [%d]", got, nf.ID)
	}

	del := e.api("DELETE", fmt.Sprintf("/api/v1/feeds/%d", nf.ID), "", "")
	if del.status != 204 || del.body != "" {
		t.Errorf("delete = %d %q", del.status, del.body)
	}
	if r := e.get(fmt.Sprintf("/api/v1/feeds/%d", nf.ID)); r.status != 404 {
		t.Errorf("after delete GET = %d", r.status)
	}
}

func TestAPIArticles(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	e := newEnv(t, st, envOpts{})

	tests := []struct {
		name  string
		query string
		want  []int64
	}{
		{name: "all, newest first", query: "", want: []int64{ids.DocB, ids.DocA}},
		{name: "limit", query: "?limit=1", want: []int64{ids.DocB}},
		{name: "offset", query: "?limit=1&offset=1", want: []int64{ids.DocA}},
		{name: "by feed", query: fmt.Sprintf("?feed_id=%d", ids.FeedA), want: []int64{ids.DocA}},
		{name: "by source", query: fmt.Sprintf("?source_id=%d", mustFeed(t, st, ids.FeedB).SourceID), want: []int64{ids.DocB, ids.DocA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get("/api/v1/articles" + tt.query)
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			out := decode[struct {
				Articles []map[string]any `json:"articles"`
				Limit    int              `json:"limit"`
			}](t, r)
			var got []int64
			for _, a := range out.Articles {
				got = append(got, int64(a["id"].(float64)))
				for _, key := range []string{"html", "text", "removed", "provenance"} {
					if _, ok := a[key]; ok {
						t.Errorf("list item has %q", key)
					}
				}
				for _, key := range []string{"url", "title", "first_seen", "story_id", "authors"} {
					if _, ok := a[key]; !ok {
						t.Errorf("list item lacks %q", key)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ids = %v, want %v", got, tt.want)
			}
		})
	}

	r := e.get(fmt.Sprintf("/api/v1/articles/%d", ids.DocA))
	if r.status != 200 {
		t.Fatalf("article = %d", r.status)
	}
	a := decode[articleDetail](t, r)
	if a.ID != ids.DocA || a.Text == "" || a.HTML == "" || a.Provenance.OriginalSource != "Valley Wire" || len(a.Removed) != 2 {
		t.Errorf("article = %+v", a)
	}
	if len(a.Sightings) != 2 {
		t.Errorf("sightings = %+v, want 2 (two outlets)", a.Sightings)
	}
	if strings.Contains(a.HTML, "onclick") || strings.Contains(a.HTML, "<script") {
		t.Errorf("article html not sanitized: %s", a.HTML)
	}
	raw := decode[map[string]any](t, r)
	for _, key := range []string{"text", "html", "provenance", "removed", "sightings", "authors", "story_id"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("article lacks %q", key)
		}
	}
}

func TestAPIStories(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	e := newEnv(t, st, envOpts{})

	list := e.get("/api/v1/stories?limit=10")
	if list.status != 200 {
		t.Fatalf("stories = %d", list.status)
	}
	out := decode[storiesResponse](t, list)
	if len(out.Stories) != 2 || out.Limit != 10 || out.Offset != 0 {
		t.Fatalf("stories = %+v", out)
	}
	if raw := list.body; strings.Contains(raw, `"html"`) || strings.Contains(raw, `"text"`) {
		t.Error("story list carries document bodies")
	}

	one := e.get(fmt.Sprintf("/api/v1/stories/%d", ids.StoryA))
	s := decode[storyJSON](t, one)
	if s.ID != ids.StoryA || s.RootDocumentID != ids.DocA || s.SourceCount != 2 || len(s.Documents) != 1 || s.Documents[0].ID != ids.DocA {
		t.Errorf("story = %+v", s)
	}
	if len(s.Edges) != 1 || s.Edges[0].Kind != newstrace.EdgeRepost || s.Edges[0].ToID != ids.DocB {
		t.Errorf("edges = %+v", s.Edges)
	}
	other := decode[map[string]any](t, e.get(fmt.Sprintf("/api/v1/stories/%d", ids.StoryB)))
	if edges, ok := other["edges"].([]any); !ok || len(edges) != 0 {
		t.Errorf("story without edges: edges = %#v, want []", other["edges"])
	}
}

func mustFeed(t *testing.T, st newstrace.Store, id int64) newstrace.Feed {
	t.Helper()
	f, err := st.Feed(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
