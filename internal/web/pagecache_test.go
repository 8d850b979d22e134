package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newstrace/newstrace/internal/metrics"
)

// cacheClock lets a test move the page cache's clock (TTL) by hand.
type cacheClock struct{ d atomic.Int64 }

func (c *cacheClock) now() time.Time          { return testNow.Add(time.Duration(c.d.Load())) }
func (c *cacheClock) advance(d time.Duration) { c.d.Add(int64(d)) }

func withCacheClock(e *testEnv) *cacheClock {
	c := &cacheClock{}
	e.srv.cache.now = c.now
	return c
}

// TestPageCacheOwnActions: whatever a signed-in reader does shows on their
// next page load, although the page was cached just before.
func TestPageCacheOwnActions(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	addUser(t, st)
	e := newEnv(t, st, envOpts{})
	withCacheClock(e) // frozen: nothing expires by time in this test
	e.login()
	story, doc := fmt.Sprintf("/stories/%d", ids.StoryA), fmt.Sprintf("/documents/%d", ids.DocA)

	hits := func() uint64 { return metrics.PageCacheHits.Value("front") }
	e.get("/")
	before := hits()
	if front := e.get("/"); !strings.Contains(front.body, `data-doc-id="`+fmt.Sprint(ids.DocA)+`" data-read="false"`) {
		t.Fatalf("front page does not show doc A unread:\n%s", front.body)
	}
	if hits() != before+1 {
		t.Fatalf("second load of / was not a cache hit")
	}

	csrf := e.csrf(doc)
	if r := e.postForm(doc+"/state", url.Values{"csrf": {csrf}, "action": {"read"}, "next": {"/"}}); r.status != http.StatusSeeOther {
		t.Fatalf("mark read: status %d", r.status)
	}
	if front := e.get("/"); !strings.Contains(front.body, `data-doc-id="`+fmt.Sprint(ids.DocA)+`" data-read="true"`) {
		t.Errorf("front page after mark read still shows doc A unread")
	}

	e.get(doc)
	if r := e.postForm(doc+"/state", url.Values{"csrf": {csrf}, "action": {"star"}, "next": {doc}}); r.status != http.StatusSeeOther {
		t.Fatalf("star: status %d", r.status)
	}
	if page := e.get(doc); !strings.Contains(page.body, "★ Starred") {
		t.Errorf("document page after star does not show it starred")
	}

	e.get(story)
	if r := e.postForm(story+"/note", url.Values{"csrf": {csrf}, "text": {"Check the valley wire."}}); r.status != http.StatusSeeOther {
		t.Fatalf("note: status %d", r.status)
	}
	if page := e.get(story); !strings.Contains(page.body, "Check the valley wire.") {
		t.Errorf("story page after note does not show it")
	}

	// Subscribe through the JSON API, then read the feed's articles.
	_, token := addBob(t, st)
	e.callAPI(http.MethodGet, "/api/v1/articles?limit=5", token, "")
	if r := e.callAPI(http.MethodPost, "/api/v1/feeds", token, `{"url":"https://new.example/feed.xml"}`); r.status != http.StatusCreated {
		t.Fatalf("subscribe: status %d %s", r.status, r.body)
	}
	if r := e.callAPI(http.MethodGet, "/api/v1/feeds", token, ""); !strings.Contains(r.body, "new.example") {
		t.Errorf("feeds after subscribe lack the new feed: %s", r.body)
	}
}

// TestPageCacheMountedWrites: a write through a mounted API (Fever, Google
// Reader) invalidates too.
func TestPageCacheMountedWrites(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	token := addUser(t, st)
	mount := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seedDoc(t, st, 7)
		io.WriteString(w, "ok")
	})
	srv, err := New(Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return testNow },
		Loopback: true, SessionKey: []byte("0123456789abcdef0123456789abcdef"), Mount: map[string]http.Handler{"POST /fake/": mount}})
	if err != nil {
		t.Fatal(err)
	}
	srv.cache.now = (&cacheClock{}).now
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &testEnv{t: t, store: st, srv: srv, ts: ts, client: newClient(t)}

	if r := e.callAPI(http.MethodGet, "/api/v1/articles", token, ""); r.status != 200 || strings.Contains(r.body, "Story number 7") {
		t.Fatalf("articles before: %d %s", r.status, r.body)
	}
	if r := e.callAPI(http.MethodPost, "/fake/x", "", ""); r.status != 200 {
		t.Fatalf("mounted POST: %d", r.status)
	}
	if r := e.callAPI(http.MethodGet, "/api/v1/articles", token, ""); !strings.Contains(r.body, "Story number 7") {
		t.Errorf("articles after a write through a mounted handler lack it: %s", r.body)
	}
}

// TestPageCachePerUser: a cached page is never served to another account,
// and each browser gets its own valid CSRF token from a shared entry.
func TestPageCachePerUser(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	addUser(t, st)
	addBob(t, st)
	e := newEnv(t, st, envOpts{})
	withCacheClock(e)
	e.login()
	doc := fmt.Sprintf("/documents/%d", ids.DocA)

	alicePage := e.get(doc)
	bob := &testEnv{t: t, store: st, srv: e.srv, ts: e.ts, client: newClient(t)}
	tok := bob.csrf("/login")
	if r := bob.postForm("/login", url.Values{"csrf": {tok}, "name": {"bob"}, "password": {"bob-password"}, "next": {"/"}}); r.status != http.StatusSeeOther {
		t.Fatalf("bob login: %d", r.status)
	}
	bobPage := bob.get(doc)
	if !strings.Contains(alicePage.body, `<span class="account-name">alice</span>`) || !strings.Contains(bobPage.body, `<span class="account-name">bob</span>`) {
		t.Fatalf("pages are not per user")
	}

	// A second browser of alice's hits alice's entry but with its own token.
	alice2 := &testEnv{t: t, store: st, srv: e.srv, ts: e.ts, client: newClient(t)}
	tok = alice2.csrf("/login")
	if r := alice2.postForm("/login", url.Values{"csrf": {tok}, "name": {testUser}, "password": {testPass}, "next": {"/"}}); r.status != http.StatusSeeOther {
		t.Fatalf("alice login 2: %d", r.status)
	}
	alicePage = e.get(doc) // the login was a POST, which invalidates
	hits := metrics.PageCacheHits.Value("document")
	p2 := alice2.get(doc)
	if metrics.PageCacheHits.Value("document") != hits+1 {
		t.Fatalf("alice's second browser missed the cache")
	}
	t1, t2 := csrfRe.FindStringSubmatch(alicePage.body), csrfRe.FindStringSubmatch(p2.body)
	if t1 == nil || t2 == nil || t1[1] == t2[1] {
		t.Fatalf("CSRF tokens %v and %v: want one per browser", t1, t2)
	}
	if strings.Contains(p2.body, string(e.srv.cache.placeholder)) {
		t.Fatalf("the placeholder leaked into a page")
	}
	if r := alice2.postForm(doc+"/state", url.Values{"csrf": {t2[1]}, "action": {"star"}, "next": {doc}}); r.status != http.StatusSeeOther {
		t.Errorf("a form from a cached page was refused: %d", r.status)
	}
	if !strings.Contains(e.get(doc).body, "★ Starred") {
		t.Errorf("alice's first browser does not see the star made in her second")
	}
	if strings.Contains(bob.get(doc).body, "★ Starred") {
		t.Errorf("bob sees alice's star")
	}
}

// TestPageCacheOtherWriters: writes that do not pass through this server
// show after the TTL, or at once after StoreChanged.
func TestPageCacheOtherWriters(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	e := newEnv(t, st, envOpts{})
	clock := withCacheClock(e)

	e.get("/")
	seedDoc(t, st, 1) // as another process would
	if strings.Contains(e.get("/").body, "Story number 1") {
		t.Fatalf("a fresh entry was not served from the cache")
	}
	clock.advance(defaultPageCacheTTL + time.Millisecond)
	if !strings.Contains(e.get("/").body, "Story number 1") {
		t.Errorf("the new story is missing after the TTL")
	}

	seedDoc(t, st, 2)
	e.srv.StoreChanged()
	if !strings.Contains(e.get("/").body, "Story number 2") {
		t.Errorf("the new story is missing after StoreChanged")
	}
	// An account created by another process (the CLI) closes desktop mode
	// at once, cache or not.
	addUser(t, st)
	if r := e.get("/"); r.status != http.StatusSeeOther {
		t.Errorf("GET / after an account was created: status %d, want a redirect to login", r.status)
	}
	m := e.get("/metrics").body
	for _, want := range []string{`newstrace_page_cache_hits_total{route="front"}`, `newstrace_page_cache_misses_total{route="front"}`, "newstrace_page_cache_bytes "} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestPageCacheBounds: the cache stays under its byte cap, and errors and
// responses that set cookies are never kept.
func TestPageCacheBounds(t *testing.T) {
	c := newPageCache(64<<10, time.Minute)
	for i := range 200 {
		key := fmt.Sprintf("0\x00h\x00/p%d", i)
		_, f, lead := c.lookup(key, 0)
		if !lead {
			t.Fatalf("lookup %d did not lead", i)
		}
		c.finish(key, f, &cachedPage{key: key, expires: c.now().Add(time.Minute), body: make([]byte, 1000)})
	}
	if n, size := c.stats(); size > 64<<10 || n == 0 || n >= 200 {
		t.Errorf("%d entries, %d bytes: want under the 64 KiB cap", n, size)
	}
	if p, _, _ := c.lookup("0\x00h\x00/p199", 0); p == nil {
		t.Errorf("the most recent entry was evicted")
	}
	if p, _, _ := c.lookup("0\x00h\x00/p0", 0); p != nil {
		t.Errorf("the oldest entry survived")
	}

	for _, tt := range []struct {
		name string
		h    http.HandlerFunc
	}{
		{"error", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", http.StatusNotFound) }},
		{"cookie", func(w http.ResponseWriter, _ *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "x", Value: "y"})
			io.WriteString(w, "hi")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{header: http.Header{}}
			tt.h(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if p := rec.page(c, "k", 0, ""); p != nil {
				t.Errorf("kept a response it must not")
			}
		})
	}
}

// TestPageCacheConcurrent: many readers of a few pages while writes happen
// always get a whole, current page (run with -race).
func TestPageCacheConcurrent(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	e := newEnv(t, st, envOpts{})
	paths := []string{"/", fmt.Sprintf("/stories/%d", ids.StoryA), "/search?q=floods", "/api/v1/articles"}
	var wg sync.WaitGroup
	var bad atomic.Int64
	for w := range 8 {
		wg.Go(func() {
			c := newClient(t)
			for i := range 40 {
				resp, err := c.Get(e.ts.URL + paths[(w+i)%len(paths)])
				if err != nil {
					bad.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || len(b) == 0 || resp.Header.Get("Content-Length") != fmt.Sprint(len(b)) {
					bad.Add(1)
				}
			}
		})
	}
	for i := range 5 {
		seedDoc(t, st, 100+i)
		e.srv.StoreChanged()
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.Errorf("%d bad responses", bad.Load())
	}
	if !strings.Contains(e.get("/").body, "Story number 104") {
		t.Errorf("front page misses the last story after StoreChanged")
	}
}
