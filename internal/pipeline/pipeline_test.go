package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/sqlite"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newTestPipeline(t *testing.T) (*Pipeline, newstrace.Store, *clock) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "nt.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{t: time.Date(2024, 3, 18, 12, 0, 0, 0, time.UTC)}
	p, err := New(Config{Store: db, Fetch: fetch.New(fetch.Config{AllowPrivate: true}), Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return p, db, c
}

const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>%[1]s/</link>
<item><title>First story</title><link>%[1]s/a/1</link><guid>1</guid><pubDate>Mon, 18 Mar 2024 07:00:00 GMT</pubDate>
<description>&lt;p&gt;Feed copy of the first story, with enough words to stand in for the page when it cannot be fetched at all.&lt;/p&gt;</description></item>
</channel></rss>`

const article = `<html><head><title>First story | Wire</title><meta property="og:site_name" content="Wire"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>First story</h1>
<p>The first paragraph of the first story tells what happened in the harbour on Monday morning.</p>
<p>The second paragraph gives the background, the cost of the works and who paid for them in the end.</p>
<p>The third paragraph quotes the mayor, who said the city had waited long enough for this day.</p></article>
<footer>Follow us on Facebook!</footer></body></html>`

// TestPollConditionalGET: the first poll stores validators and the entry;
// the second sends them, gets 304 and schedules the next poll normally.
func TestPollConditionalGET(t *testing.T) {
	p, db, c := newTestPipeline(t)
	var conditional atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			if r.Header.Get("If-None-Match") == `"v1"` {
				conditional.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Cache-Control", "max-age=3600")
			fmt.Fprintf(w, rss, srv.URL)
		case "/a/1":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, article)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	f, err := p.AddFeed(ctx, srv.URL+"/feed", "", "")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := p.PollDue(ctx)
	if err != nil || sum.Stored != 1 {
		t.Fatalf("first round: %+v, %v", sum, err)
	}
	got, _ := db.Feed(ctx, f.ID)
	if got.ETag != `"v1"` || got.Title != "Wire" {
		t.Errorf("feed after poll: etag %q title %q", got.ETag, got.Title)
	}
	if want := c.t.Add(time.Hour); !got.NextPollAt.Equal(want) {
		t.Errorf("next poll %v, want %v (Cache-Control max-age=3600)", got.NextPollAt, want)
	}
	docs, _ := db.Documents(ctx, newstrace.DocumentFilter{})
	if len(docs) != 1 || !strings.Contains(docs[0].Text, "quotes the mayor") || strings.Contains(docs[0].Text, "Follow us") {
		t.Fatalf("stored documents: %+v", docs)
	}
	if docs[0].Title != "First story" {
		t.Errorf("title %q, want %q", docs[0].Title, "First story")
	}

	// Not yet due: nothing happens.
	if sum, _ := p.PollDue(ctx); sum.Feeds != 0 {
		t.Errorf("polled %d feeds before they were due", sum.Feeds)
	}
	c.t = c.t.Add(2 * time.Hour)
	sum, err = p.PollDue(ctx)
	if err != nil || sum.NotModified != 1 || conditional.Load() != 1 {
		t.Fatalf("second round: %+v, %v (conditional requests %d)", sum, err, conditional.Load())
	}
}

// TestPollFailureBackoff: failures are counted, kept on the feed with their
// message, and push the next poll further out each time; success resets them.
func TestPollFailureBackoff(t *testing.T) {
	p, db, c := newTestPipeline(t)
	var fail atomic.Bool
	fail.Store(true)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		if r.URL.Path == "/feed" {
			fmt.Fprintf(w, rss, srv.URL)
			return
		}
		fmt.Fprint(w, article)
	}))
	defer srv.Close()
	ctx := context.Background()
	f, _ := p.AddFeed(ctx, srv.URL+"/feed", "", "")
	var gaps []time.Duration
	for i := 1; i <= 3; i++ {
		if _, err := p.PollFeed(ctx, f.ID); err == nil {
			t.Fatal("want an error from a 500")
		}
		got, _ := db.Feed(ctx, f.ID)
		if got.FailureCount != i || !strings.Contains(got.LastError, "500") {
			t.Fatalf("after failure %d: count %d, last error %q", i, got.FailureCount, got.LastError)
		}
		gaps = append(gaps, got.NextPollAt.Sub(c.t))
	}
	if !(gaps[0] < gaps[1] && gaps[1] < gaps[2]) {
		t.Errorf("backoff did not grow: %v", gaps)
	}
	fail.Store(false)
	if _, err := p.PollFeed(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Feed(ctx, f.ID)
	if got.FailureCount != 0 || got.LastError != "" {
		t.Errorf("success did not reset failures: %d %q", got.FailureCount, got.LastError)
	}
}

// TestPermanentRedirectRemembered: a feed that moved with 301 is polled at
// its new address next time.
func TestPermanentRedirectRemembered(t *testing.T) {
	p, db, _ := newTestPipeline(t)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
		case "/new":
			fmt.Fprintf(w, rss, srv.URL)
		default:
			fmt.Fprint(w, article)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	f, _ := p.AddFeed(ctx, srv.URL+"/old", "", "")
	if _, err := p.PollFeed(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := db.Feed(ctx, f.ID)
	if got.URL != srv.URL+"/new" {
		t.Errorf("feed URL %q, want the redirect target", got.URL)
	}
}

// TestEntryInTwoFeeds: one article linked from two feeds is one document
// with two sightings.
func TestEntryInTwoFeeds(t *testing.T) {
	p, db, _ := newTestPipeline(t)
	var fetches atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/f1", "/f2":
			fmt.Fprintf(w, rss, srv.URL)
		default:
			fetches.Add(1)
			fmt.Fprint(w, article)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	p.AddFeed(ctx, srv.URL+"/f1", "", "")
	p.AddFeed(ctx, srv.URL+"/f2", "", "")
	sum, err := p.PollDue(ctx)
	if err != nil || sum.Stored != 1 || sum.Duplicates != 1 {
		t.Fatalf("round: %+v %v", sum, err)
	}
	docs, _ := db.Documents(ctx, newstrace.DocumentFilter{})
	if len(docs) != 1 {
		t.Fatalf("%d documents, want 1", len(docs))
	}
	s, _ := db.Sightings(ctx, docs[0].ID)
	if len(s) != 2 {
		t.Errorf("%d sightings, want 2", len(s))
	}
	if fetches.Load() != 1 {
		t.Errorf("page fetched %d times, want once", fetches.Load())
	}
}

// TestPrivateAddressRefused: without AllowPrivate, a feed on loopback fails
// with a clear error kept on the feed.
func TestPrivateAddressRefused(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "nt.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, _ := New(Config{Store: db, Fetch: fetch.New(fetch.Config{})})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("request reached the server") }))
	defer srv.Close()
	ctx := context.Background()
	f, _ := p.AddFeed(ctx, srv.URL+"/feed", "", "")
	if _, err := p.PollFeed(ctx, f.ID); err == nil {
		t.Fatal("want a refusal")
	}
	got, _ := db.Feed(ctx, f.ID)
	if !strings.Contains(got.LastError, "loopback") || !strings.Contains(got.LastError, "--allow-private") {
		t.Errorf("last error %q should say why and how to allow it", got.LastError)
	}
}
