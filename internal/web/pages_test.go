package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestPagesRender(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	e := newEnv(t, st, envOpts{})

	tests := []struct {
		name   string
		path   string
		status int
		want   []string
		absent []string
	}{
		{name: "stories", path: "/", status: 200, want: []string{
			"Latest stories", "Floods reach the valley towns", fmt.Sprintf(`href="/stories/%d"`, ids.StoryA),
			"Daily Planet", "also in 1 other outlet", "1 Mar 2026 09:00 UTC", `class="lang"`,
		}},
		{name: "stories page past the end", path: "/?page=9", status: 200, want: []string{"Nothing on page 9", "Back to the latest stories"}},
		{name: "stories bad page number", path: "/?page=-3", status: 200, want: []string{"Floods reach the valley towns"}},
		{name: "story", path: fmt.Sprintf("/stories/%d", ids.StoryA), status: 200, want: []string{
			"Floods reach the valley towns", "Copies", "earliest original", fmt.Sprintf(`href="/documents/%d"`, ids.DocA),
			"https://planet.example/2026/floods", "How the copies relate", "repost", "87%", "same lead paragraph", `id="timeline"`,
			"in 2 outlets",
		}},
		{name: "document with html", path: fmt.Sprintf("/documents/%d", ids.DocA), status: 200, want: []string{
			"Floods reach the valley towns", "By Lois Lane, Clark Kent", "Published", "Daily Planet",
			`href="https://planet.example/2026/floods"`, "Provenance", "Original source", "Valley Wire",
			"Translator", "Jimmy Olsen", `href="https://t.example/abc"`, "<b>overnight</b>",
			"Removed by cleaning (2)", "Share on Facebook", "donation", fmt.Sprintf(`href="/stories/%d"`, ids.StoryA),
		}, absent: []string{"Republisher", "<dt>Outlet</dt>"}},
		{name: "document with text only", path: fmt.Sprintf("/documents/%d", ids.DocB), status: 200, want: []string{
			"<p>First paragraph &lt;b&gt;not bold&lt;/b&gt;.</p>", "<p>Second paragraph.</p>",
		}, absent: []string{"Provenance", "Removed by cleaning"}},
		{name: "sources", path: "/sources", status: 200, want: []string{
			"Daily Planet", "https://planet.example/feed.xml", "World", "Mirror Blog", "3 failures in a row",
			"fetch feed: 503 Service Unavailable", "feed-failing", "1 failing", `action="/sources"`,
			`action="/sources/import"`, `enctype="multipart/form-data"`, `href="/sources/export.opml"`,
			"Last poll", "Next poll", "never",
		}},
		{name: "unknown story", path: "/stories/999999", status: 404, want: []string{"Not found", "Story 999999 not found"}},
		{name: "story id not a number", path: "/stories/abc", status: 404, want: []string{"Not found"}},
		{name: "unknown document", path: "/documents/424242", status: 404, want: []string{"Not found"}},
		{name: "unknown page", path: "/nope", status: 404, want: []string{"Not found", "There is no page at /nope."}},
		{name: "login without accounts goes home", path: "/login", status: 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d; body:\n%s", r.status, tt.status, r.body)
			}
			if got := r.header.Get("Content-Security-Policy"); got != csp {
				t.Errorf("CSP = %q", got)
			}
			if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("missing nosniff/referrer headers: %v", r.header)
			}
			if tt.status == 303 {
				return
			}
			if !strings.Contains(r.body, `<meta name="viewport" content="width=device-width, initial-scale=1">`) {
				t.Error("viewport meta missing")
			}
			if !strings.Contains(r.body, `href="/static/style.css?v=`) {
				t.Error("stylesheet link missing")
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(withoutOwnScript(r.body), a) {
					t.Errorf("body has %q", a)
				}
			}
		})
	}
}

func TestPagination(t *testing.T) {
	st := openStore(t)
	for i := range storiesPerPage + 2 {
		seedDoc(t, st, i)
	}
	e := newEnv(t, st, envOpts{})

	first := e.get("/")
	if n := strings.Count(first.body, `class="item"`); n != storiesPerPage {
		t.Errorf("page 1 lists %d stories, want %d", n, storiesPerPage)
	}
	if !strings.Contains(first.body, `href="/?page=2"`) || strings.Contains(first.body, `rel="prev"`) {
		t.Error("page 1 should link to page 2 only")
	}
	second := e.get("/?page=2")
	if n := strings.Count(second.body, `class="item"`); n != 2 {
		t.Errorf("page 2 lists %d stories, want 2", n)
	}
	if !strings.Contains(second.body, `href="/?page=1"`) || strings.Contains(second.body, `rel="next"`) {
		t.Error("page 2 should link back to page 1 only")
	}
}

func TestXSSEscaped(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	// A feed title with markup too.
	e := newEnv(t, st, envOpts{})
	token := e.csrf("/sources")
	if r := e.postForm("/sources", map[string][]string{"csrf": {token}, "url": {"https://evil.example/feed"}, "title": {xssTitle}}); r.status != http.StatusSeeOther {
		t.Fatalf("add feed: %d %s", r.status, r.body)
	}

	tests := []struct {
		name   string
		path   string
		absent []string
		want   []string
	}{
		{name: "stories list", path: "/", absent: []string{xssTitle}, want: []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}},
		{name: "document title", path: fmt.Sprintf("/documents/%d", ids.DocB), absent: []string{xssTitle}, want: []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}},
		{name: "story edges", path: fmt.Sprintf("/stories/%d", ids.StoryB), absent: []string{xssTitle}, want: []string{"&lt;script&gt;"}},
		{name: "feed title", path: "/sources", absent: []string{xssTitle}, want: []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}},
		{name: "body html sanitized", path: fmt.Sprintf("/documents/%d", ids.DocA),
			absent: []string{"onclick", "onerror", "<script", "javascript:", "steal()"},
			want:   []string{`<img src="https://img.example/a.jpg"`, "Residents moved to higher ground."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			if r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
			for _, a := range tt.absent {
				if strings.Contains(withoutOwnScript(r.body), a) {
					t.Errorf("body has %q", a)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("body lacks %q", w)
				}
			}
		})
	}
}

func TestStaticAndHealth(t *testing.T) {
	st := openStore(t)
	e := newEnv(t, st, envOpts{})

	css := e.get("/static/style.css")
	if css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") || !strings.Contains(css.body, "prefers-color-scheme: dark") {
		t.Errorf("style.css: %d %q", css.status, css.header.Get("Content-Type"))
	}
	if r := e.get("/healthz"); r.status != 200 || r.body != "ok\n" {
		t.Errorf("healthz = %d %q, want 200 ok", r.status, r.body)
	}
	st.Close()
	if r := e.get("/healthz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("healthz with closed store = %d, want 503", r.status)
	}
}

func TestPanicShowsFriendlyPage(t *testing.T) {
	st := openStore(t)
	e := newEnv(t, st, envOpts{})
	h := e.srv.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret internals") }))

	tests := []struct {
		name, path, want string
	}{
		{name: "page", path: "/x", want: "Something went wrong"},
		{name: "api", path: "/api/v1/x", want: `"code": "internal"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptestRecorder(h, tt.path)
			if rec.Code != 500 {
				t.Fatalf("status %d", rec.Code)
			}
			body := rec.Body.String()
			if strings.Contains(body, "secret internals") || strings.Contains(body, "goroutine") {
				t.Errorf("internals leaked: %s", body)
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("body lacks %q: %s", tt.want, body)
			}
		})
	}
}
