package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/metrics"
	"github.com/newstrace/newstrace/internal/sqlite"
)

// testNow is the fixed clock every test server runs on.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	xssTitle = `<script>alert(1)</script>`
	testUser = "alice"
	testPass = "correct horse battery"
)

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	db.Now = func() time.Time { return testNow }
	t.Cleanup(func() { db.Close() })
	return db
}

// seeded names what seed put in the store.
type seeded struct {
	FeedA, FeedB   int64 // FeedB is failing
	DocA, DocB     int64 // DocA has HTML and provenance; DocB an XSS title and text only
	StoryA, StoryB int64
}

// seed stores two feeds, a story seen in both outlets, an XSS-titled story
// and an edge between them.
func seed(t *testing.T, st newstrace.Store) seeded {
	t.Helper()
	ctx := context.Background()
	var s seeded
	fa := newstrace.Feed{URL: "https://planet.example/feed.xml", Title: "Daily Planet", Folder: "World", NextPollAt: testNow.Add(time.Hour),
		LastPolledAt: testNow.Add(-time.Hour)}
	fb := newstrace.Feed{URL: "https://mirror.example/rss", Title: "Mirror Blog", FailureCount: 3,
		LastError: "fetch feed: 503 Service Unavailable", LastErrorAt: testNow.Add(-10 * time.Minute), NextPollAt: testNow.Add(2 * time.Hour)}
	for _, f := range []*newstrace.Feed{&fa, &fb} {
		if err := st.CreateFeed(ctx, f); err != nil {
			t.Fatalf("create feed: %v", err)
		}
	}
	s.FeedA, s.FeedB = fa.ID, fb.ID

	pub := testNow.Add(-3 * time.Hour)
	a := newstrace.Document{
		URL: "https://planet.example/2026/floods", Title: "Floods reach the valley towns",
		Authors: []string{"Lois Lane", "Clark Kent"}, Published: &pub, Language: "en", SiteName: "Daily Planet",
		Text: "Water rose overnight.\n\nResidents moved to higher ground.",
		HTML: `<p onclick="steal()">Water rose <b>overnight</b>.</p><script>alert(2)</script>` +
			`<p><img src="https://img.example/a.jpg" onerror="steal()" alt="river"></p>` +
			`<p><a href="javascript:alert(3)">bad link</a> Residents moved to higher ground.</p>`,
		Provenance:  newstrace.Provenance{OriginalSource: "Valley Wire", Translator: "Jimmy Olsen", ViaURL: "https://t.example/abc"},
		Removed:     []newstrace.Removed{{Kind: "social", Text: "Share on Facebook"}, {Kind: "donation", Text: "Support our journalism"}},
		ContentHash: "hash-a",
	}
	res, err := st.SaveDocument(ctx, a, newstrace.Sighting{FeedID: fa.ID, EntryKey: "a", URL: a.URL, SeenAt: testNow.Add(-2 * time.Hour)})
	if err != nil {
		t.Fatalf("save document a: %v", err)
	}
	s.DocA, s.StoryA = res.Document.ID, res.Document.StoryID
	// The same article carried by another outlet's feed (its entry links to
	// the original): one document, seen in two sources.
	copyA := a
	if _, err := st.SaveDocument(ctx, copyA, newstrace.Sighting{FeedID: fb.ID, EntryKey: "a2", URL: "https://mirror.example/floods-copy", SeenAt: testNow.Add(-time.Hour)}); err != nil {
		t.Fatalf("save copy of a: %v", err)
	}

	b := newstrace.Document{
		URL: "https://mirror.example/xss", Title: xssTitle, Language: "fr",
		Text:        "First paragraph <b>not bold</b>.\n\nSecond paragraph.",
		ContentHash: "hash-b",
	}
	if res, err = st.SaveDocument(ctx, b, newstrace.Sighting{FeedID: fb.ID, EntryKey: "b", URL: b.URL, SeenAt: testNow.Add(-30 * time.Minute)}); err != nil {
		t.Fatalf("save document b: %v", err)
	}
	s.DocB, s.StoryB = res.Document.ID, res.Document.StoryID
	if err := st.AddEdge(ctx, s.StoryA, newstrace.Edge{FromID: s.DocA, ToID: s.DocB, Kind: newstrace.EdgeRepost, Confidence: 0.87, Evidence: "same lead paragraph"}); err != nil {
		t.Fatalf("add edge: %v", err)
	}
	return s
}

// addUser creates the test account and returns an API token for it.
func addUser(t *testing.T, st newstrace.Store) string {
	t.Helper()
	ctx := context.Background()
	hash, err := HashPassword(testPass)
	if err != nil {
		t.Fatal(err)
	}
	u := newstrace.User{Name: testUser, PasswordHash: hash}
	if err := st.CreateUser(ctx, &u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	token, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateToken(ctx, &newstrace.Token{UserID: u.ID, Name: "test", Hash: HashToken(token)}); err != nil {
		t.Fatalf("create token: %v", err)
	}
	return token
}

// testEnv is a running server with a browser-like client.
type testEnv struct {
	t      *testing.T
	store  *sqlite.DB
	srv    *Server
	ts     *httptest.Server
	client *http.Client

	mu    sync.Mutex
	added []int64 // feed ids passed to OnFeedAdded
}

type envOpts struct {
	remote bool              // not loopback
	gauges metrics.GaugeFunc // Config.Gauges
}

func newEnv(t *testing.T, st *sqlite.DB, o envOpts) *testEnv {
	t.Helper()
	e := &testEnv{t: t, store: st}
	srv, err := New(Config{
		Store:      st,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:        func() time.Time { return testNow },
		Loopback:   !o.remote,
		SessionKey: []byte("0123456789abcdef0123456789abcdef"),
		Gauges:     o.gauges,
		OnFeedAdded: func(_ context.Context, id int64) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.added = append(e.added, id)
		},
	})
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv.Handler())
	t.Cleanup(e.ts.Close)
	e.client = newClient(t)
	return e
}

// newClient keeps cookies and does not follow redirects, so tests see them.
func newClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (e *testEnv) do(req *http.Request) response {
	e.t.Helper()
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("read body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (e *testEnv) get(path string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.ts.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

func (e *testEnv) postForm(path string, form url.Values) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// csrf loads a page and returns the CSRF token of its first form.
func (e *testEnv) csrf(path string) string {
	e.t.Helper()
	r := e.get(path)
	m := csrfRe.FindStringSubmatch(r.body)
	if m == nil {
		e.t.Fatalf("no csrf token on %s (status %d)", path, r.status)
	}
	return m[1]
}

// login signs the env's client in.
func (e *testEnv) login() {
	e.t.Helper()
	token := e.csrf("/login")
	r := e.postForm("/login", url.Values{"csrf": {token}, "name": {testUser}, "password": {testPass}, "next": {"/"}})
	if r.status != http.StatusSeeOther {
		e.t.Fatalf("login: status %d, want 303", r.status)
	}
}

func (e *testEnv) feedsAdded() []int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]int64(nil), e.added...)
}

// seedDoc stores one more single-document story.
func seedDoc(t *testing.T, st newstrace.Store, i int) newstrace.SaveResult {
	t.Helper()
	d := newstrace.Document{
		URL:   fmt.Sprintf("https://planet.example/n/%d", i),
		Title: fmt.Sprintf("Story number %d", i), Text: fmt.Sprintf("Text %d.", i),
		ContentHash: fmt.Sprintf("hash-n-%d", i),
	}
	res, err := st.SaveDocument(context.Background(), d, newstrace.Sighting{URL: d.URL, SeenAt: testNow.Add(-time.Duration(i) * time.Minute)})
	if err != nil {
		t.Fatalf("save document %d: %v", i, err)
	}
	return res
}

func httptestRecorder(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// assertAPIError checks the {"error": {"code", "message"}} envelope.
func assertAPIError(t *testing.T, r response, code string) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type %q", ct)
	}
	var body apiErrorBody
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, r.body)
	}
	if body.Error.Code != code || body.Error.Message == "" {
		t.Errorf("error = %+v, want code %q with a message", body.Error, code)
	}
}
