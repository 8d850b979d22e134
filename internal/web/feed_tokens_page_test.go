package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestFeedTokensPage creates a private feed token in the UI, uses its URL
// from another client (remote, not signed in), lists and revokes it.
func TestFeedTokensPage(t *testing.T) {
	st := openStore(t)
	seed(t, st)

	// No account on loopback: the page explains that feeds are open.
	open := newEnv(t, st, envOpts{})
	if r := open.get("/feed-tokens"); r.status != http.StatusOK || !strings.Contains(r.body, "Feed tokens belong to an account") {
		t.Errorf("no account: status %d, body lacks the explanation", r.status)
	}

	addUser(t, st)
	e := newEnv(t, st, envOpts{remote: true})
	e.login()
	csrf := e.csrf("/feed-tokens")
	if r := e.postForm("/feed-tokens", url.Values{"csrf": {csrf}, "feed": {"/feeds/nope.atom"}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, `role="alert"`) {
		t.Errorf("bad feed: status %d", r.status)
	}
	r := e.postForm("/feed-tokens", url.Values{"csrf": {csrf}, "feed": {"/feeds/stories.rss"}})
	if r.status != http.StatusCreated || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: status %d, cache %q", r.status, r.header.Get("Cache-Control"))
	}
	m := regexp.MustCompile(`value="(http[^"]+/feeds/stories\.atom\?token=[^"]+)"`).FindStringSubmatch(r.body)
	if m == nil || !strings.Contains(r.body, "shown only once") {
		t.Fatalf("created page lacks the Atom URL with its token:\n%s", r.body)
	}
	feedURL := html.UnescapeString(m[1])

	// The URL works for a client with no session.
	get := func() int {
		resp, err := http.Get(feedURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get(); s != http.StatusOK {
		t.Fatalf("GET %s: %d", feedURL, s)
	}

	list := e.get("/feed-tokens")
	id := regexp.MustCompile(`action="/feed-tokens/(\d+)/revoke"`).FindStringSubmatch(list.body)
	if id == nil || !strings.Contains(list.body, "/feeds/stories") || strings.Contains(list.body, "token=") {
		t.Fatalf("list lacks the token (or shows its secret):\n%s", list.body)
	}
	if r := e.postForm("/feed-tokens/"+id[1]+"/revoke", url.Values{"csrf": {e.csrf("/feed-tokens")}}); r.status != http.StatusSeeOther {
		t.Fatalf("revoke: status %d", r.status)
	}
	if s := get(); s != http.StatusNotFound {
		t.Errorf("revoked token: GET status %d, want 404", s)
	}
	if r := e.get("/feed-tokens?revoked=1"); !strings.Contains(r.body, "Token revoked") || !strings.Contains(r.body, "No feed tokens yet") {
		t.Errorf("after revoke the page does not say so")
	}
	if r := e.postForm("/feed-tokens/"+id[1]+"/revoke", url.Values{"csrf": {e.csrf("/feed-tokens")}}); r.status != http.StatusNotFound {
		t.Errorf("revoke again: status %d, want 404", r.status)
	}
	// Without the CSRF token nothing is created.
	if r := e.postForm("/feed-tokens", url.Values{"feed": {"/feeds/stories.atom"}}); r.status == http.StatusCreated {
		t.Errorf("create without csrf: status %d", r.status)
	}
}
