package pipeline

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/feed"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/sqlite"
)

// TestResolveShortVia processes entries whose text ends in a short via
// link, against a loopback "internet" where every host name lands on one
// httptest server, and checks what the stored document's provenance says.
func TestResolveShortVia(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	var port string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		key := host + r.URL.Path
		mu.Lock()
		hits[key]++
		mu.Unlock()
		switch key {
		case "bit.ly/abc":
			http.Redirect(w, r, "http://ow.ly:"+port+"/def", http.StatusMovedPermanently)
		case "ow.ly/def":
			http.Redirect(w, r, "http://news.example.test:"+port+"/story?utm_source=twitter", http.StatusFound)
		case "news.example.test/story":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<p>story</p>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ts.Close)
	_, port, _ = net.SplitHostPort(ts.Listener.Addr().String())
	u := func(host, path string) string { return "http://" + host + ":" + port + path }
	chain := fmt.Sprintf("301 %s → 302 %s → 200 %s", u("bit.ly", "/abc"), u("ow.ly", "/def"), u("news.example.test", "/story?utm_source=twitter"))

	tests := []struct {
		name      string
		resolve   bool
		via       string
		wantFinal string
		wantChain string
		wantHits  map[string]int // after processing the entry twice
	}{
		{"chain followed and cached", true, u("bit.ly", "/abc"), u("news.example.test", "/story"), chain,
			map[string]int{"bit.ly/abc": 1, "ow.ly/def": 1, "news.example.test/story": 1}},
		{"dead link kept as evidence", true, u("bit.ly", "/dead"), "", "404 " + u("bit.ly", "/dead"),
			map[string]int{"bit.ly/dead": 2}}, // HEAD, then GET; once: the failure is remembered
		{"not a short link", true, u("news.example.test", "/other"), "", "", map[string]int{}},
		{"resolving off", false, u("bit.ly", "/abc"), "", "", map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			clear(hits)
			mu.Unlock()
			db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "nt.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			cfg := Config{Store: db, Fetch: fetch.New(fetch.Config{
				AllowPrivate: true,
				LookupHost: func(context.Context, string) ([]netip.Addr, error) {
					return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
				},
			})}
			if tt.resolve {
				cfg.ShortLinks = NewShortLinks(0, 10)
			}
			p, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			f := newstrace.Feed{URL: "https://blog.test/rss", Title: "Blog"}
			if err := db.CreateFeed(t.Context(), &f); err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				paras := append(body(i, 4), "from Fort Russ News "+tt.via)
				e := feed.Entry{Key: fmt.Sprint(i), Title: fmt.Sprintf("Copied story %d", i), ContentHTML: strings.TrimPrefix(
					string(fixturePage("Blog", i, paras)), "<html>")}
				res, err := p.ProcessEntry(t.Context(), f, e)
				if err != nil {
					t.Fatalf("ProcessEntry: %v", err)
				}
				d, err := db.Document(t.Context(), res.Document.ID)
				if err != nil {
					t.Fatal(err)
				}
				pr := d.Provenance
				if pr.ViaURL != tt.via || pr.ViaResolved != tt.wantFinal || pr.ViaChain != tt.wantChain {
					t.Errorf("entry %d provenance = via %q resolved %q chain %q,\nwant via %q resolved %q chain %q",
						i, pr.ViaURL, pr.ViaResolved, pr.ViaChain, tt.via, tt.wantFinal, tt.wantChain)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if fmt.Sprint(hits) != fmt.Sprint(tt.wantHits) {
				t.Errorf("requests = %v, want %v", hits, tt.wantHits)
			}
		})
	}
}

func TestShortLinksCacheCap(t *testing.T) {
	s := NewShortLinks(0, 2)
	c := fetch.New(fetch.Config{LookupHost: func(context.Context, string) ([]netip.Addr, error) {
		return nil, &net.DNSError{Err: "no such host", IsNotFound: true}
	}})
	for _, l := range []string{"http://bit.ly/1", "http://bit.ly/2", "http://bit.ly/3", "http://bit.ly/3"} {
		if r := s.Resolve(t.Context(), c, l); r.Err == "" || r.Final != "" {
			t.Errorf("Resolve(%s) = %+v, want a remembered failure", l, r)
		}
	}
	if len(s.cache) != 2 || len(s.order) != 2 || s.order[0] != "http://bit.ly/2" {
		t.Errorf("cache holds %v (order %v), want the 2 newest", s.cache, s.order)
	}
}
