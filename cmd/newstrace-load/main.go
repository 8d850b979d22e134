// Command newstrace-load fills a store with synthetic documents, serves it on
// loopback with the real web handler, and drives it with concurrent clients
// (front page, a story page, search, the JSON API), printing p50/p95/p99,
// errors, the page cache's hit rate per route, the process's CPU per request
// (server and clients together) and the load average. Issue 6's figure:
//
//	go run ./cmd/newstrace-load -docs 100000 -clients 100 -duration 30s
//
// -db reuses a filled store (the fill is skipped when it already holds -docs);
// -no-page-cache measures the handlers without the web page cache.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/metrics"
	"github.com/newstrace/newstrace/internal/sqlite"
	"github.com/newstrace/newstrace/internal/web"
)

// Config is one load run.
type Config struct {
	Docs     int
	Clients  int
	Duration time.Duration
	DBPath   string
	NoCache  bool // serve without the web page cache
	Out      io.Writer
}

// Result is what a run measured.
type Result struct {
	Requests, Errors int64
	P50, P95, P99    time.Duration
	PerPath          map[string][3]time.Duration
	HitRate          map[string]float64 // page cache hits / (hits + misses) per route
	CPUPerRequest    time.Duration      // process CPU (server and clients) over requests; 0 where unknown
	FirstError       string
}

func main() {
	var c Config
	flag.IntVar(&c.Docs, "docs", 100000, "documents in the store")
	flag.IntVar(&c.Clients, "clients", 100, "concurrent clients")
	flag.DurationVar(&c.Duration, "duration", 30*time.Second, "how long the clients run")
	flag.StringVar(&c.DBPath, "db", "", "store file (default: a temporary one)")
	flag.BoolVar(&c.NoCache, "no-page-cache", false, "serve without the web page cache")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	c.Out = os.Stdout
	if c.DBPath == "" {
		dir, err := os.MkdirTemp("", "newstrace-load")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer os.RemoveAll(dir)
		c.DBPath = filepath.Join(dir, "load.db")
	}
	res, err := Run(context.Background(), c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "newstrace-load:", err)
		os.Exit(1)
	}
	if res.Errors > 0 {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// words is the common vocabulary: each appears in about two thirds of the
// synthetic documents. The rest of a document is random letters, so almost
// every other word is in one document only.
var words = strings.Fields(`council budget river harbour bridge vaccine trial minister election court ruling storm
flood school teacher hospital nurse farmer market price fuel energy grid solar wind port ship strike union wage rent
housing police report witness mayor village province border treaty summit talks drought wildfire railway airport`)

func sentence(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		if r.IntN(3) == 0 {
			b.WriteString(words[r.IntN(len(words))])
			continue
		}
		w := make([]byte, 4+r.IntN(6))
		for k := range w {
			w[k] = byte('a' + r.IntN(26))
		}
		b.Write(w)
	}
	return b.String()
}

// fill stores docs synthetic documents over 50 sources, skipping what is there.
func fill(ctx context.Context, st *sqlite.DB, docs int, out io.Writer) error {
	have, err := st.CountDocuments(ctx)
	if err != nil || have >= docs {
		return err
	}
	began := time.Now()
	r := rand.New(rand.NewPCG(uint64(have), 7))
	var srcs []newstrace.Source
	for i := range 50 {
		s, err := st.EnsureSource(ctx, newstrace.Source{Name: fmt.Sprintf("Outlet %d", i), Language: "en"})
		if err != nil {
			return err
		}
		srcs = append(srcs, s)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := have; i < docs; i++ {
		src := srcs[i%len(srcs)]
		text := sentence(r, 60) + ".\n\n" + sentence(r, 60) + ".\n\n" + sentence(r, 40) + "."
		at := t0.Add(time.Duration(i) * time.Minute)
		u := fmt.Sprintf("https://outlet%d.example/news/%d", i%len(srcs), i)
		d := newstrace.Document{URL: u, CanonicalURL: u, Title: fmt.Sprintf("Story %d: %s", i, sentence(r, 6)),
			Authors: []string{"Load Tester"}, Published: &at, FirstSeen: at, Language: "en", SiteName: src.Name,
			Text: text, HTML: "<p>" + strings.ReplaceAll(text, "\n\n", "</p><p>") + "</p>", ContentHash: fmt.Sprintf("load-%d", i), SourceID: src.ID}
		if _, err := st.SaveDocument(ctx, d, newstrace.Sighting{SourceID: src.ID, URL: u, EntryKey: "load:" + u, SeenAt: at}); err != nil {
			return fmt.Errorf("fill document %d: %w", i, err)
		}
		if (i+1)%10000 == 0 {
			fmt.Fprintf(out, "fill: %d documents (%.0f/s)\n", i+1, float64(i+1-have)/time.Since(began).Seconds())
		}
	}
	fmt.Fprintf(out, "fill: %d documents stored in %.1fs\n", docs-have, time.Since(began).Seconds())
	return nil
}

// Run fills the store, serves it on 127.0.0.1 and drives it.
func Run(ctx context.Context, c Config) (Result, error) {
	st, err := sqlite.Open(ctx, c.DBPath)
	if err != nil {
		return Result{}, err
	}
	defer st.Close()
	if err := fill(ctx, st, c.Docs, c.Out); err != nil {
		return Result{}, err
	}
	stories, err := st.Stories(ctx, newstrace.StoryFilter{Limit: 200})
	if err != nil || len(stories) == 0 {
		return Result{}, fmt.Errorf("no stories to load: %v", err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := web.Config{Store: st, Logger: quiet, Loopback: true, SessionKey: []byte(strings.Repeat("k", 32))}
	if c.NoCache {
		cfg.PageCacheBytes = -1
	}
	srv, err := web.New(cfg)
	if err != nil {
		return Result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()

	rare, err := rareWords(ctx, st, 5000)
	if err != nil {
		return Result{}, err
	}
	paths := []func(r *rand.Rand) (string, string){
		func(*rand.Rand) (string, string) { return "front", "/" },
		func(r *rand.Rand) (string, string) {
			return "story", "/stories/" + strconv.FormatInt(stories[r.IntN(len(stories))].ID, 10)
		},
		func(r *rand.Rand) (string, string) {
			return "search", "/search?q=" + url.QueryEscape(searchQuery(r, rare))
		},
		func(*rand.Rand) (string, string) { return "api", "/api/v1/articles" },
	}
	routes := map[string]string{"front": "front", "story": "story", "search": "search", "api": "api_articles"}
	hits0, misses0 := map[string]uint64{}, map[string]uint64{}
	for k, route := range routes {
		hits0[k], misses0[k] = metrics.PageCacheHits.Value(route), metrics.PageCacheMisses.Value(route)
	}
	load0, cpu0 := loadAverage(), processCPU()

	type sample struct {
		kind string
		d    time.Duration
	}
	var mu sync.Mutex
	var samples []sample
	var errs atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(c.Duration)
	var wg sync.WaitGroup
	for w := range c.Clients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			var mine []sample
			cl := &client{addr: ln.Addr().String()}
			defer cl.close()
			for i := w; time.Now().Before(deadline); i++ {
				kind, path := paths[i%len(paths)](r)
				t0 := time.Now()
				err := cl.get(path)
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				mine = append(mine, sample{kind, time.Since(t0)})
			}
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()

	cpu := processCPU() - cpu0
	load1 := loadAverage()
	res := Result{Requests: int64(len(samples)) + errs.Load(), Errors: errs.Load(), PerPath: map[string][3]time.Duration{}, HitRate: map[string]float64{}}
	if cpu > 0 && res.Requests > 0 {
		res.CPUPerRequest = cpu / time.Duration(res.Requests)
	}
	var hitsAll, lookupsAll uint64
	for k, route := range routes {
		h, m := metrics.PageCacheHits.Value(route)-hits0[k], metrics.PageCacheMisses.Value(route)-misses0[k]
		hitsAll, lookupsAll = hitsAll+h, lookupsAll+h+m
		if h+m > 0 {
			res.HitRate[k] = float64(h) / float64(h+m)
		}
	}
	if v, ok := firstErr.Load().(string); ok {
		res.FirstError = v
	}
	pct := func(ds []time.Duration) [3]time.Duration {
		if len(ds) == 0 {
			return [3]time.Duration{}
		}
		slices.Sort(ds)
		at := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
		return [3]time.Duration{at(0.50), at(0.95), at(0.99)}
	}
	by := map[string][]time.Duration{}
	var all []time.Duration
	for _, s := range samples {
		by[s.kind] = append(by[s.kind], s.d)
		all = append(all, s.d)
	}
	p := pct(all)
	res.P50, res.P95, res.P99 = p[0], p[1], p[2]
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(c.Out, "load: %d docs, %d clients, %v: %d requests (%.0f/s), %d errors; p50 %s, p95 %s, p99 %s\n",
		c.Docs, c.Clients, c.Duration, res.Requests, float64(res.Requests)/c.Duration.Seconds(), res.Errors, ms(res.P50), ms(res.P95), ms(res.P99))
	if lookupsAll > 0 {
		fmt.Fprintf(c.Out, "  page cache hit rate %.1f%%", 100*float64(hitsAll)/float64(lookupsAll))
	} else {
		fmt.Fprintf(c.Out, "  page cache off")
	}
	if res.CPUPerRequest > 0 {
		fmt.Fprintf(c.Out, "; process CPU %.1fs = %.0f µs per request (server and clients)", cpu.Seconds(), float64(res.CPUPerRequest.Nanoseconds())/1000)
	}
	if load0 != "" {
		fmt.Fprintf(c.Out, "; load average %s at start, %s at end", load0, load1)
	}
	fmt.Fprintln(c.Out)
	for _, k := range []string{"front", "story", "search", "api"} {
		q := pct(by[k])
		res.PerPath[k] = q
		fmt.Fprintf(c.Out, "  %-6s %6d requests: p50 %s, p95 %s, p99 %s; cache hits %.1f%%\n", k, len(by[k]), ms(q[0]), ms(q[1]), ms(q[2]), 100*res.HitRate[k])
	}
	if res.FirstError != "" {
		fmt.Fprintf(c.Out, "  first error: %s\n", res.FirstError)
	}
	return res, nil
}

// searchQuery picks a search: mostly one of the common words (80 %), else a
// word found in about one document (20 %), so the page cache also sees a
// long tail of one-off queries. (Two common words would be a third kind,
// but in this synthetic text each is in two thirds of the documents, which
// no real pair of words is.)
func searchQuery(r *rand.Rand, rare []string) string {
	if r.IntN(5) > 0 || len(rare) == 0 {
		return words[r.IntN(len(words))]
	}
	return rare[r.IntN(len(rare))]
}

// rareWords takes up to n words outside the common vocabulary, one from each
// of n random stored documents (by id: paging with OFFSET would scan).
func rareWords(ctx context.Context, st *sqlite.DB, n int) ([]string, error) {
	total, err := st.CountDocuments(ctx)
	if err != nil || total == 0 {
		return nil, err
	}
	common := map[string]bool{}
	for _, w := range words {
		common[w] = true
	}
	r := rand.New(rand.NewPCG(3, 5))
	seen := map[string]bool{}
	var out []string
	for tries := 0; len(out) < n && tries < 2*n; tries++ {
		d, err := st.Document(ctx, 1+r.Int64N(int64(total)))
		if newstrace.IsNotFound(err) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("pick rare search words: %w", err)
		}
		fs := strings.FieldsFunc(d.Text, func(c rune) bool { return c < 'a' || c > 'z' })
		if len(fs) == 0 {
			continue
		}
		if w := fs[r.IntN(len(fs))]; !common[w] && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out, nil
}

// client is one browser: one kept-alive HTTP/1.1 connection, requests one
// at a time, the cookies the server set sent back. It writes requests and
// reads responses itself: http.Transport's per-request goroutine hand-offs
// cost as much CPU as serving a cached page, and the clients share the
// server's two cores.
type client struct {
	addr   string
	conn   net.Conn
	br     *bufio.Reader
	buf    []byte
	cookie string
}

func (c *client) get(path string) error {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		c.conn, c.br = conn, bufio.NewReaderSize(conn, 32<<10)
	}
	_ = c.conn.SetDeadline(time.Now().Add(30 * time.Second))
	c.buf = append(c.buf[:0], "GET "...)
	c.buf = append(c.buf, path...)
	c.buf = append(c.buf, " HTTP/1.1\r\nHost: "...)
	c.buf = append(c.buf, c.addr...)
	c.buf = append(c.buf, "\r\nUser-Agent: newstrace-load\r\n"...)
	if c.cookie != "" {
		c.buf = append(c.buf, "Cookie: "...)
		c.buf = append(c.buf, c.cookie...)
		c.buf = append(c.buf, "\r\n"...)
	}
	c.buf = append(c.buf, "\r\n"...)
	err := c.roundTrip(path)
	if err != nil {
		c.close() // a fresh connection for the next request
	}
	return err
}

func (c *client) roundTrip(path string) error {
	if _, err := c.conn.Write(c.buf); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("GET %s: read body: %w", path, err)
	}
	if c.cookie == "" {
		c.cookie = cookieHeader(resp)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	if resp.Close {
		c.close()
	}
	return nil
}

func (c *client) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// cookieHeader is the Cookie header a browser would send back after resp.
func cookieHeader(resp *http.Response) string {
	var b strings.Builder
	for _, c := range resp.Cookies() {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.Name + "=" + c.Value)
	}
	return b.String()
}
