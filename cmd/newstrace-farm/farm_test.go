package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newstrace/newstrace/internal/feed"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestFarm serves a farm over httptest; fast slow/hang timings.
func newTestFarm(t *testing.T, cfg Config) (*Farm, *httptest.Server, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	cfg.Now = clk.Now
	cfg.SlowMin, cfg.SlowMax = 50*time.Millisecond, 60*time.Millisecond
	cfg.Hang = 300 * time.Millisecond
	var farm *Farm
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { farm.Handler().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	var err error
	if farm, err = New(cfg, []string{srv.URL}); err != nil {
		t.Fatal(err)
	}
	return farm, srv, clk
}

// feedOf finds the first feed matching ok.
func feedOf(t *testing.T, f *Farm, ok func(id int) bool) int {
	t.Helper()
	for id := range f.cfg.Feeds {
		if ok(id) {
			return id
		}
	}
	t.Fatal("no such feed in the farm")
	return -1
}

var noRedirects = &http.Client{
	Timeout:       5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func get(t *testing.T, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestConditionalGET(t *testing.T) {
	farm, _, clk := newTestFarm(t, Config{Feeds: 50, NewPerMinute: 50, Backlog: 50, Seed: 7})
	stable := func(v Validators) func(int) bool {
		return func(id int) bool { return farm.KindOf(id) == KindStable && farm.ValidatorsOf(id) == v }
	}
	tests := []struct {
		name string
		id   int
		// header to send on the second request, from the first response
		cond func(*http.Response) map[string]string
		want int
	}{
		{"etag", feedOf(t, farm, stable(ETagAndLastModified)), func(r *http.Response) map[string]string {
			return map[string]string{"If-None-Match": r.Header.Get("ETag")}
		}, http.StatusNotModified},
		{"etag wins over date", feedOf(t, farm, stable(ETagAndLastModified)), func(r *http.Response) map[string]string {
			return map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": r.Header.Get("Last-Modified")}
		}, http.StatusOK},
		{"last-modified only", feedOf(t, farm, stable(LastModifiedOnly)), func(r *http.Response) map[string]string {
			return map[string]string{"If-Modified-Since": r.Header.Get("Last-Modified")}
		}, http.StatusNotModified},
		{"no validators", feedOf(t, farm, stable(NoValidators)), func(r *http.Response) map[string]string {
			return map[string]string{"If-None-Match": `"x"`, "If-Modified-Since": time.Now().Format(http.TimeFormat)}
		}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, body := get(t, farm.FeedURL(tt.id), nil)
			if first.StatusCode != http.StatusOK || len(body) == 0 {
				t.Fatalf("first GET: %d, %d bytes", first.StatusCode, len(body))
			}
			second, _ := get(t, farm.FeedURL(tt.id), tt.cond(first))
			if second.StatusCode != tt.want {
				t.Fatalf("conditional GET: %d, want %d", second.StatusCode, tt.want)
			}
			if tt.want != http.StatusNotModified {
				return
			}
			// One period later the feed has a new item: the same validators get a 200.
			clk.Add(farm.period)
			third, _ := get(t, farm.FeedURL(tt.id), tt.cond(first))
			if third.StatusCode != http.StatusOK {
				t.Fatalf("after a new item: %d, want 200", third.StatusCode)
			}
		})
	}
	st := farm.Stats()
	if st.Feed304 != 2 || st.Polls != st.Feed200+st.Feed304 {
		t.Errorf("stats: %+v", st)
	}
}

func TestNewItemsAtRate(t *testing.T) {
	const feeds, perMinute = 300, 120.0
	farm, _, clk := newTestFarm(t, Config{Feeds: feeds, NewPerMinute: perMinute, Backlog: 450, Items: 5})
	start := clk.Now()
	if got := farm.ItemsPublished(start); got != 450 {
		t.Fatalf("backlog: %d items at start, want exactly 450", got)
	}
	for _, minutes := range []int{1, 10, 60} {
		now := start.Add(time.Duration(minutes) * time.Minute)
		got := float64(farm.ItemsPublished(now) - 450)
		want := perMinute * float64(minutes)
		// Each feed's phase is uniform in its period: the count is off by at most one per feed,
		// by much less in sum.
		if math.Abs(got-want) > 3*math.Sqrt(want)+5 {
			t.Errorf("after %d min: %.0f new items, want about %.0f", minutes, got, want)
		}
	}
	// The feed document lists the newest Items, newest first, and the engine's parser reads them.
	clk.Add(time.Hour)
	id := feedOf(t, farm, func(id int) bool { return farm.KindOf(id) == KindStable && !farm.IsAtom(id) })
	_, body := get(t, farm.FeedURL(id), nil)
	p, err := feed.Parse(body, farm.FeedURL(id), feed.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	n := farm.Count(id, clk.Now())
	if len(p.Entries) != min(n, 5) || p.Entries[0].URL != farm.ArticleURL(id, n-1) {
		t.Fatalf("feed lists %d entries, first %q; want %d, first %q", len(p.Entries), p.Entries[0].URL, min(n, 5), farm.ArticleURL(id, n-1))
	}
}

func TestAtomParses(t *testing.T) {
	farm, _, _ := newTestFarm(t, Config{Feeds: 40, Backlog: 80, Atom: 0.5})
	id := feedOf(t, farm, func(id int) bool { return farm.KindOf(id) == KindStable && farm.IsAtom(id) })
	resp, body := get(t, farm.FeedURL(id), nil)
	p, err := feed.Parse(body, farm.FeedURL(id), feed.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != "atom" || len(p.Entries) != 2 || !strings.Contains(resp.Header.Get("Content-Type"), "atom") {
		t.Fatalf("format %s, %d entries, type %s", p.Format, len(p.Entries), resp.Header.Get("Content-Type"))
	}
}

func TestBehaviours(t *testing.T) {
	farm, _, _ := newTestFarm(t, Config{Feeds: 400, Backlog: 400, Slow: 0.15, Fail: 0.4, Redirect: 0.2})
	kind := func(k Kind) int { return feedOf(t, farm, func(id int) bool { return farm.KindOf(id) == k }) }
	// Fresh connections: Go's client retries a GET once when a reused
	// connection dies before an answer, which would count twice.
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	tests := []struct {
		kind  Kind
		check func(t *testing.T, id int)
	}{
		{KindSlow, func(t *testing.T, id int) {
			began := time.Now()
			resp, _ := get(t, farm.FeedURL(id), nil)
			if resp.StatusCode != 200 || time.Since(began) < 50*time.Millisecond {
				t.Fatalf("%d after %s", resp.StatusCode, time.Since(began))
			}
		}},
		{KindFail500, func(t *testing.T, id int) {
			if resp, _ := get(t, farm.FeedURL(id), nil); resp.StatusCode != 500 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}},
		{KindFail429, func(t *testing.T, id int) {
			resp, _ := get(t, farm.FeedURL(id), nil)
			if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3600" {
				t.Fatalf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}},
		{KindReset, func(t *testing.T, id int) {
			if resp, err := client.Get(farm.FeedURL(id)); err == nil {
				resp.Body.Close()
				t.Fatalf("status %d, want a transport error", resp.StatusCode)
			}
		}},
		{KindHang, func(t *testing.T, id int) {
			began := time.Now()
			resp, err := client.Get(farm.FeedURL(id))
			if err == nil {
				resp.Body.Close()
				t.Fatalf("status %d, want no answer", resp.StatusCode)
			}
			if time.Since(began) < 300*time.Millisecond {
				t.Fatalf("gave up after %s, before Hang", time.Since(began))
			}
		}},
		{KindMoved, func(t *testing.T, id int) {
			resp, _ := get(t, farm.FeedURL(id), nil)
			want := strings.Replace(farm.FeedURL(id), "/f/", "/moved/", 1)
			if resp.StatusCode != 301 || resp.Header.Get("Location") != want {
				t.Fatalf("%d → %q, want 301 → %q", resp.StatusCode, resp.Header.Get("Location"), want)
			}
			if resp, _ := get(t, want, nil); resp.StatusCode != 200 {
				t.Fatalf("target: %d", resp.StatusCode)
			}
		}},
		{KindRedirect, func(t *testing.T, id int) {
			url, hops := farm.FeedURL(id), 0
			for ; hops < 5; hops++ {
				resp, _ := get(t, url, nil)
				if resp.StatusCode == 200 {
					break
				}
				if resp.StatusCode != 302 {
					t.Fatalf("hop %d: %d", hops, resp.StatusCode)
				}
				url = resp.Header.Get("Location")
			}
			if hops != 2 || !strings.Contains(url, "/live/") {
				t.Fatalf("%d hops to %s, want 2 to /live/", hops, url)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			t.Parallel()
			tt.check(t, kind(tt.kind))
		})
	}
	t.Cleanup(func() {
		st := farm.Stats()
		if st.Err500 != 1 || st.Err429 != 1 || st.Resets != 1 || st.Hangs != 1 || st.Slow != 1 || st.Redirects != 3 {
			t.Errorf("stats: %+v", st)
		}
		// Every terminal answer counts as a poll; redirect hops do not.
		if st.Polls != 7 || st.FeedsPolled != 7 {
			t.Errorf("polls %d, feeds polled %d, want 7 and 7", st.Polls, st.FeedsPolled)
		}
	})
}

func TestShares(t *testing.T) {
	farm, _, _ := newTestFarm(t, Config{Feeds: 20000, Slow: 0.03, Fail: 0.04, Redirect: 0.03, Atom: 0.2})
	count := map[Kind]int{}
	atom, etag := 0, 0
	for id := range 20000 {
		count[farm.KindOf(id)]++
		if farm.IsAtom(id) {
			atom++
		}
		if farm.ValidatorsOf(id) == ETagAndLastModified {
			etag++
		}
	}
	near := func(name string, got int, share float64) {
		want := share * 20000
		if math.Abs(float64(got)-want) > 4*math.Sqrt(want)+3 {
			t.Errorf("%s: %d feeds, want about %.0f", name, got, want)
		}
	}
	near("slow", count[KindSlow], 0.03)
	near("failing", count[KindFail500]+count[KindFail429]+count[KindReset]+count[KindHang], 0.04)
	near("hang", count[KindHang], 0.01)
	near("redirecting", count[KindMoved]+count[KindRedirect], 0.03)
	near("atom", atom, 0.2)
	near("etag", etag, 0.85)
}

func TestArticles(t *testing.T) {
	farm, _, clk := newTestFarm(t, Config{Feeds: 30, NewPerMinute: 30, Copies: 0.5})
	clk.Add(20 * time.Minute)
	a, b := farm.Article(3, 0), farm.Article(3, 1)
	if bytes.Equal(a, b) {
		t.Fatal("two items of one feed render the same page")
	}
	for _, page := range [][]byte{a, b} {
		s := string(page)
		if strings.Contains(s, "example.org/original") || strings.Contains(s, "og:title") || strings.Contains(s, "ld+json") {
			t.Fatalf("template metadata left in the page:\n%s", s)
		}
		if !strings.Contains(s, " &amp; ") || !strings.Contains(s, "<p>© ") || !strings.Contains(s, " until the end of ") {
			t.Fatalf("character reference or short words changed:\n%s", s)
		}
	}
	if !strings.Contains(string(a), `<link rel="canonical" href="`+farm.ArticleURL(3, 0)+`">`) {
		t.Fatalf("canonical not the article's own URL:\n%s", a)
	}
	// A copy shows its source's article under its own canonical URL.
	var copied bool
	for id := range 30 {
		for j := range farm.Count(id, clk.Now()) {
			sid, sj := farm.source(id, j)
			if sid == id {
				continue
			}
			copied = true
			strip := func(p []byte, id, j int) string {
				return strings.Replace(string(p), farm.ArticleURL(id, j), "", 1)
			}
			if strip(farm.Article(id, j), id, j) != strip(farm.Article(sid, sj), sid, sj) {
				t.Fatalf("copy %d/%d differs from its source %d/%d", id, j, sid, sj)
			}
		}
	}
	if !copied {
		t.Fatal("no copies at Copies 0.5")
	}
	// Served: known items only.
	if resp, _ := get(t, farm.ArticleURL(3, 0), nil); resp.StatusCode != 200 {
		t.Fatalf("article: %d", resp.StatusCode)
	}
	if resp, _ := get(t, farm.ArticleURL(3, 999), nil); resp.StatusCode != 404 {
		t.Fatalf("future article: %d", resp.StatusCode)
	}
}

func TestSubstitute(t *testing.T) {
	var b bytes.Buffer
	in := "Ministers said that the Harbour &amp; the harbour&#8217;s ferry would run — 東京都庁舎."
	substitute(&b, []byte(in), 1)
	out := b.String()
	for _, keep := range []string{" said that the ", " &amp; the ", "&#8217;s ", " run — ", "."} {
		if !strings.Contains(out, keep) {
			t.Errorf("%q lost %q", out, keep)
		}
	}
	words := strings.Fields(out)
	if words[0][0] < 'A' || words[0][0] > 'Z' || words[0] == "Ministers" {
		t.Errorf("word not replaced, or its capital lost: %q", out)
	}
	// One word, one replacement, whatever its case.
	if h1, h2 := strings.ToLower(words[4]), strings.ToLower(strings.Split(words[7], "&")[0]); h1 != h2 {
		t.Errorf("Harbour → %q but harbour → %q", h1, h2)
	}
	b.Reset()
	substitute(&b, []byte(in), 2)
	if b.String() == out {
		t.Error("two articles got the same words")
	}
}

// The vocabulary is Zipf-like: across many articles the commonest word
// appears far more often than a mid-ranked one, and words repeat between
// articles (document frequencies as in real text).
func TestVocabularyFrequencies(t *testing.T) {
	count := map[string]int{}
	for i := range 200000 {
		count[vocabWord(splitmix(uint64(i)))]++
	}
	if top, mid := count[vocab[0]], count[vocab[1000]]; top < 50*mid || mid == 0 {
		t.Errorf("rank 0 drawn %d times, rank 1000 %d times: not Zipf-like", top, mid)
	}
	if len(count) < vocabSize/2 {
		t.Errorf("only %d distinct words of %d", len(count), vocabSize)
	}
}

func TestOPML(t *testing.T) {
	farm, _, _ := newTestFarm(t, Config{Feeds: 250})
	outs, err := feed.ParseOPML(bytes.NewReader(farm.OPML()), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 250 || outs[249].XMLURL != farm.FeedURL(249) {
		t.Fatalf("%d outlines, last %+v", len(outs), outs[len(outs)-1])
	}
}

func TestListenHosts(t *testing.T) {
	lns, urls, err := ListenHosts(3, 0)
	if err != nil {
		t.Skipf("cannot bind 127.0.1.x here: %v", err)
	}
	defer closeAll(lns)
	if len(urls) != 3 || !strings.HasPrefix(urls[2], "http://127.0.1.3:") {
		t.Fatalf("urls %v", urls)
	}
}

func TestPeakRate(t *testing.T) {
	hist := []int64{0, 0, 10, 20, 30, 30, 30, 31}
	if got := peakRate(hist, 3); got != 600 { // 30 documents in 3 s
		t.Fatalf("peakRate = %v, want 600/min", got)
	}
}

func TestProcSelf(t *testing.T) {
	s, err := readProc(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if s.RSSKB <= 0 || s.HWMKB < s.RSSKB || s.CPUTicks < 0 {
		t.Fatalf("sample %+v", s)
	}
}

func TestCountLog(t *testing.T) {
	farm, _, _ := newTestFarm(t, Config{Feeds: 400, Fail: 0.3})
	failing := feedOf(t, farm, func(id int) bool { return farm.KindOf(id) == KindFail500 })
	stable := feedOf(t, farm, func(id int) bool { return farm.KindOf(id) == KindStable })
	log := fmt.Sprintf(`time=x level=WARN msg="feed poll failed" component=pipeline feed_id=1 url=http://127.0.1.1:80/f/%d failures=1
time=x level=WARN msg="feed poll failed" component=pipeline feed_id=2 url=http://127.0.1.1:80/f/%d failures=1
time=x level=INFO msg="jobs started"
time=x level=ERROR msg="leadership.Elector: Error attempting to elect" err="timeout"
`, failing, stable)
	path := filepath.Join(t.TempDir(), "worker.log")
	if err := os.WriteFile(path, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	lc := logCounts{unexpected: map[string]int{}, example: map[string]string{}}
	countLog(path, farm, &lc)
	if lc.expected != 1 || lc.total() != 2 || lc.unexpected["WARN feed poll failed"] != 1 ||
		lc.unexpected["ERROR leadership.Elector: Error attempting to elect"] != 1 {
		t.Fatalf("counts %+v", lc)
	}
}
