// Command newstrace-load fills a store with synthetic documents, serves it on
// loopback with the real web handler, and drives it with concurrent clients
// (front page, a story page, search, the JSON API), printing p50/p95/p99 and
// errors. Issue 6's figure:
//
//	go run ./cmd/newstrace-load -docs 100000 -clients 100 -duration 30s
//
// -db reuses a filled store (the fill is skipped when it already holds -docs).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/sqlite"
	"github.com/newstrace/newstrace/internal/web"
)

// Config is one load run.
type Config struct {
	Docs     int
	Clients  int
	Duration time.Duration
	DBPath   string
	Out      io.Writer
}

// Result is what a run measured.
type Result struct {
	Requests, Errors int64
	P50, P95, P99    time.Duration
	PerPath          map[string][3]time.Duration
	FirstError       string
}

func main() {
	var c Config
	flag.IntVar(&c.Docs, "docs", 100000, "documents in the store")
	flag.IntVar(&c.Clients, "clients", 100, "concurrent clients")
	flag.DurationVar(&c.Duration, "duration", 30*time.Second, "how long the clients run")
	flag.StringVar(&c.DBPath, "db", "", "store file (default: a temporary one)")
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
	srv, err := web.New(web.Config{Store: st, Logger: quiet, Loopback: true, SessionKey: []byte(strings.Repeat("k", 32))})
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
	base := "http://" + ln.Addr().String()

	paths := []func(r *rand.Rand) (string, string){
		func(*rand.Rand) (string, string) { return "front", "/" },
		func(r *rand.Rand) (string, string) {
			return "story", fmt.Sprintf("/stories/%d", stories[r.IntN(len(stories))].ID)
		},
		func(r *rand.Rand) (string, string) { return "search", "/search?q=" + words[r.IntN(len(words))] },
		func(*rand.Rand) (string, string) { return "api", "/api/v1/articles" },
	}
	tr := &http.Transport{MaxIdleConnsPerHost: c.Clients, MaxConnsPerHost: c.Clients}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()

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
			for i := w; time.Now().Before(deadline); i++ {
				kind, path := paths[i%len(paths)](r)
				t0 := time.Now()
				resp, err := client.Get(base + path)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("GET %s: %s", path, resp.Status)
					}
				}
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

	res := Result{Requests: int64(len(samples)) + errs.Load(), Errors: errs.Load(), PerPath: map[string][3]time.Duration{}}
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
	for _, k := range []string{"front", "story", "search", "api"} {
		q := pct(by[k])
		res.PerPath[k] = q
		fmt.Fprintf(c.Out, "  %-6s %6d requests: p50 %s, p95 %s, p99 %s\n", k, len(by[k]), ms(q[0]), ms(q[1]), ms(q[2]))
	}
	if res.FirstError != "" {
		fmt.Fprintf(c.Out, "  first error: %s\n", res.FirstError)
	}
	return res, nil
}
