package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/feed"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/pipeline"
)

// hostileFeeds serves one feed per limit breach and one good feed.
func hostileFeeds(t *testing.T) *httptest.Server {
	t.Helper()
	rss := func(items string) string {
		return `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://x.example/</link>` + items + `</channel></rss>`
	}
	item := func(i int, link, content string) string {
		return fmt.Sprintf(`<item><title>Item %d</title><guid>g%d-%s</guid><link>%s</link><description>%s</description></item>`,
			i, i, link, link, html.EscapeString(content))
	}
	para := strings.Repeat("The council met on Tuesday and approved the new budget after a long debate about schools. ", 6)
	var gzBomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gzBomb, gzip.BestCompression)
	zw.Write([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>`))
	zw.Write(bytes.Repeat([]byte("A"), 64<<20))
	zw.Close()

	mux := http.NewServeMux()
	var base string
	mux.HandleFunc("/good.xml", func(w http.ResponseWriter, r *http.Request) {
		var items strings.Builder
		for i := range 3 {
			items.WriteString(item(i, fmt.Sprintf("%s/article/%d", base, i), ""))
		}
		io.WriteString(w, rss(items.String()))
	})
	mux.HandleFunc("/article/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<html><head><title>Good article %s</title></head><body><article><h1>Good article %s</h1><p>%s</p><p>%s %s</p></article></body></html>",
			r.URL.Path, r.URL.Path, para, para, r.URL.Path)
	})
	mux.HandleFunc("/too-large.xml", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, rss(item(1, base+"/article/x", strings.Repeat("x", 512<<10))))
	})
	mux.HandleFunc("/entities.xml", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss version="2.0"><channel><title>&lol3;</title></channel></rss>`)
	})
	mux.HandleFunc("/deep.xml", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><description>`+strings.Repeat("<a>", 5000)+strings.Repeat("</a>", 5000)+`</description></item></channel></rss>`)
	})
	mux.HandleFunc("/many.xml", func(w http.ResponseWriter, r *http.Request) {
		var items strings.Builder
		for i := range 40 {
			items.WriteString(item(i, fmt.Sprintf("%s/article/many%d", base, i), ""))
		}
		io.WriteString(w, rss(items.String()))
	})
	mux.HandleFunc("/page-large.xml", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, rss(item(1, base+"/huge-page", "")))
	})
	mux.HandleFunc("/huge-page", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<html><body><article><p>"+strings.Repeat("big page ", 200<<10)+"</p></article></body></html>")
	})
	mux.HandleFunc("/gzip-bomb.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(gzBomb.Bytes())
	})
	mux.HandleFunc("/redirect/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/redirect/"), "%d", &n)
		http.Redirect(w, r, fmt.Sprintf("/redirect/%d", n+1), http.StatusFound)
	})
	mux.HandleFunc("/slow.xml", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	})
	ts := httptest.NewServer(mux)
	base = ts.URL
	t.Cleanup(ts.Close)
	return ts
}

// TestLimitBreachesSurface polls one feed per limit breach and one good feed
// in one round: every bad feed keeps a clear error (LastError) that /sources
// shows, and the good feed's articles are stored all the same.
func TestLimitBreachesSurface(t *testing.T) {
	ts := hostileFeeds(t)
	st := openStore(t)
	ctx := context.Background()
	fc := fetch.New(fetch.Config{AllowPrivate: true, Timeout: time.Second, MaxBodyBytes: 256 << 10, MaxRedirects: 3,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	p, err := pipeline.New(pipeline.Config{Store: st, Fetch: fc, Now: func() time.Time { return testNow },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Limits: feed.Limits{MaxBytes: 256 << 10, MaxEntries: 10, MaxDepth: 64}, MaxFeedBytes: 256 << 10, MaxPageBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	breaches := []struct {
		name, path string
		want       []string // every word must be in LastError (case-insensitive)
	}{
		{"feed too large", "/too-large.xml", []string{"limit"}},
		{"entity bomb", "/entities.xml", []string{"entit"}},
		{"too deep", "/deep.xml", []string{"deep"}},
		{"too many entries", "/many.xml", []string{"entries", "10"}},
		{"page too large", "/page-large.xml", []string{"huge-page", "limit"}},
		{"decompression bomb", "/gzip-bomb.xml", []string{"limit"}},
		{"too many redirects", "/redirect/0", []string{"redirect"}},
		{"timeout", "/slow.xml", []string{"timed out"}},
	}
	ids := map[string]int64{}
	for _, b := range breaches {
		f, err := p.AddFeed(ctx, ts.URL+b.path, b.name, "")
		if err != nil {
			t.Fatal(err)
		}
		ids[b.name] = f.ID
	}
	good, err := p.AddFeed(ctx, ts.URL+"/good.xml", "good", "")
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	sum, err := p.PollDue(ctx)
	if err != nil {
		t.Fatalf("poll round stopped: %v (%s)", err, sum)
	}
	t.Logf("%s in %v", sum, time.Since(began).Round(time.Millisecond))

	env := newEnv(t, st, envOpts{})
	page := env.get("/sources")
	if page.status != 200 {
		t.Fatalf("/sources: %d", page.status)
	}
	shown := html.UnescapeString(page.body)
	for _, b := range breaches {
		f, err := st.Feed(ctx, ids[b.name])
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-20s LastError: %s", b.name, f.LastError)
		for _, w := range b.want {
			if !strings.Contains(strings.ToLower(f.LastError), strings.ToLower(w)) {
				t.Errorf("%s: LastError %q lacks %q", b.name, f.LastError, w)
			}
		}
		if f.LastError != "" && !strings.Contains(shown, f.LastError) {
			t.Errorf("%s: /sources does not show %q", b.name, f.LastError)
		}
	}
	docs, err := st.Documents(ctx, newstrace.DocumentFilter{FeedID: good.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 {
		t.Errorf("good feed: %d documents stored, want 3", len(docs))
	}
	if f, _ := st.Feed(ctx, good.ID); f.LastError != "" {
		t.Errorf("good feed has an error: %q", f.LastError)
	}
}
