package main

// Tests of newstrace on PostgreSQL with several processes: `worker`
// processes of the built binary share one schema, the way a deployment
// runs them. They skip when NEWSTRACE_TEST_POSTGRES is unset.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/newstrace/newstrace/internal/jobs"
	"github.com/newstrace/newstrace/internal/postgres"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin.dir != "" {
		os.RemoveAll(builtBin.dir)
	}
	os.Exit(code)
}

// builtBin is the binary the multi-process tests share, built once.
var builtBin struct {
	once      sync.Once
	dir, path string
	err       error
}

func newstraceBinary(t *testing.T) string {
	t.Helper()
	builtBin.once.Do(func() {
		builtBin.dir, builtBin.err = os.MkdirTemp("", "newstrace-test-bin-")
		if builtBin.err != nil {
			return
		}
		builtBin.path = filepath.Join(builtBin.dir, "newstrace")
		cmd := exec.Command("go", "build", "-o", builtBin.path, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			builtBin.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if builtBin.err != nil {
		t.Fatal(builtBin.err)
	}
	return builtBin.path
}

// pgEnv is one test's PostgreSQL schema, dropped when the test ends.
type pgEnv struct {
	t           *testing.T
	dsn, schema string
	pool        *pgxpool.Pool // search_path is the schema
}

func newPGEnv(t *testing.T) *pgEnv {
	t.Helper()
	dsn := os.Getenv("NEWSTRACE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("set NEWSTRACE_TEST_POSTGRES=postgres://user@127.0.0.1:5432/db to run the PostgreSQL multi-process tests")
	}
	b := make([]byte, 6)
	rand.Read(b)
	e := &pgEnv{t: t, dsn: dsn, schema: "newstrace_cmd_test_" + hex.EncodeToString(b)}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = e.schema
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if e.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := e.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{e.schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", e.schema, err)
		}
		e.pool.Close()
	})
	return e
}

// global are the flags every command of the test gets. Pacing is off
// unless a test turns it on: the test server is one host.
func (e *pgEnv) global() []string {
	return []string{"--db", e.dsn, "--pg-schema", e.schema, "--allow-private", "--host-delay", "0"}
}

// cli runs one command in-process on the schema.
func (e *pgEnv) cli(args ...string) string {
	e.t.Helper()
	return mustCLI(e.t, append(e.global(), args...)...)
}

// migrate brings the schema to this binary's version (store and queue).
func (e *pgEnv) migrate() { e.t.Helper(); e.cli("migrate") }

func (e *pgEnv) queryInt(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// jobStates returns the states of the River jobs of one kind, oldest first.
func (e *pgEnv) jobStates(kind string) []string {
	e.t.Helper()
	rows, err := e.pool.Query(context.Background(), `SELECT state::text FROM river_job WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		e.t.Fatal(err)
	}
	states, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		e.t.Fatal(err)
	}
	return states
}

// waitUntil polls cond every 100ms until it holds, failing the test at
// the deadline with what.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); ; time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
	}
}

// syncBuffer collects a process's output for the test to read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// proc is a running newstrace process.
type proc struct {
	name string
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{} // closed when it exited; err is then set
	err  error
}

// startWorker starts `newstrace worker` on the schema and waits until it
// runs. The test's end kills it if it is still running.
func (e *pgEnv) startWorker(name string, flags ...string) *proc {
	e.t.Helper()
	t := e.t
	args := append(append(e.global(), "--log-level", "info", "worker"), flags...)
	p := &proc{name: name, cmd: exec.Command(newstraceBinary(t), args...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = binEnv(), p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("--- output of %s (%v):\n%s", p.name, p.err, p.out.String())
		}
	})
	waitUntil(t, 30*time.Second, name+" to run", func() bool {
		select {
		case <-p.done:
			t.Fatalf("%s exited before it ran: %v\n%s", name, p.err, p.out.String())
		default:
		}
		return strings.Contains(p.out.String(), "worker running")
	})
	return p
}

// wait waits for the process to exit and returns how long that took.
func (p *proc) wait(t *testing.T, timeout time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	select {
	case <-p.done:
		return time.Since(began)
	case <-time.After(timeout):
		t.Fatalf("%s did not exit within %s", p.name, timeout)
		return 0
	}
}

// articleHTML is a realistic page with title and paragraphs of text drawn
// from seed: pages with different seeds never match each other.
func articleHTML(title string, seed uint64) string {
	r := mrand.New(mrand.NewPCG(seed, seed+1))
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html><html lang=en><head><title>%s</title></head><body><nav><a href=/>Home</a></nav><article><h1>%s</h1>", title, title)
	for p := range 5 {
		fmt.Fprintf(&b, "<p>Paragraph %d:", p)
		for range 45 {
			if r.IntN(3) == 0 {
				b.WriteString(" " + crashWords[r.IntN(len(crashWords))])
				continue
			}
			w := make([]byte, 4+r.IntN(5))
			for k := range w {
				w[k] = byte('a' + r.IntN(26))
			}
			b.WriteString(" " + string(w))
		}
		b.WriteString(".</p>")
	}
	b.WriteString("</article><footer>All rights reserved.</footer></body></html>")
	return b.String()
}

// rssFeed is an RSS 2.0 feed of items, each a [title, link] pair.
func rssFeed(title string, items ...[2]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>%s</title><link>http://example.invalid/</link><description>test</description>`, title)
	for i, it := range items {
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s</link><guid isPermaLink="false">%s-%d</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			it[0], it[1], title, i, time.Date(2026, 1, 2, 3, i, 0, 0, time.UTC).Format(time.RFC1123Z), it[0])
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

func serveFeed(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(body))
	}
}

func servePage(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(body))
}

// barrier holds each request until n are held at once, or until timeout;
// met says whether n ever were.
type barrier struct {
	n       int
	timeout time.Duration
	mu      sync.Mutex
	held    int
	open    chan struct{}
	met     bool
}

func newBarrier(n int, timeout time.Duration) *barrier {
	return &barrier{n: n, timeout: timeout, open: make(chan struct{})}
}

func (b *barrier) wait(ctx context.Context) {
	b.mu.Lock()
	b.held++
	if b.held == b.n && !b.met {
		b.met = true
		close(b.open)
	}
	b.mu.Unlock()
	select {
	case <-b.open:
	case <-time.After(b.timeout):
	case <-ctx.Done():
	}
}

func (b *barrier) wasMet() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.met
}

// TestPostgresConcurrentCopies: two worker processes receive two copies of
// one article at the same instant (the test server holds both page fetches
// until both arrived) and still store one document and one story.
func TestPostgresConcurrentCopies(t *testing.T) {
	tests := []struct {
		name     string
		paths    [2]string // the article URL in feed A and in feed B
		wantDocs int       // one per URL: identical text from two outlets is two copies of one story
	}{
		{name: "same URL in two feeds", paths: [2]string{"/news/shared", "/news/shared"}, wantDocs: 1},
		{name: "same text at two URLs", paths: [2]string{"/copy-1", "/copy-2"}, wantDocs: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newPGEnv(t)
			page := articleHTML("Port Strike Ends After Wage Deal", 7)
			b := newBarrier(2, 20*time.Second)
			mux := http.NewServeMux()
			var srv *httptest.Server
			mux.HandleFunc("GET /a.xml", func(w http.ResponseWriter, r *http.Request) {
				serveFeed(rssFeed("Outlet A", [2]string{"Port strike ends", srv.URL + tt.paths[0]}))(w, r)
			})
			mux.HandleFunc("GET /b.xml", func(w http.ResponseWriter, r *http.Request) {
				serveFeed(rssFeed("Outlet B", [2]string{"Port strike ends", srv.URL + tt.paths[1]}))(w, r)
			})
			article := func(w http.ResponseWriter, r *http.Request) {
				b.wait(r.Context())
				servePage(w, page)
			}
			mux.HandleFunc("GET /news/shared", article)
			mux.HandleFunc("GET /copy-1", article)
			mux.HandleFunc("GET /copy-2", article)
			srv = httptest.NewServer(mux)
			t.Cleanup(srv.Close)

			e.migrate()
			e.cli("feeds", "add", srv.URL+"/a.xml", "--title", "Outlet A")
			e.cli("feeds", "add", srv.URL+"/b.xml", "--title", "Outlet B")
			// One article at a time per process: the two copies being
			// fetched at once proves two processes hold them.
			e.startWorker("worker 1", "--process-workers", "1")
			e.startWorker("worker 2", "--process-workers", "1")

			waitUntil(t, 60*time.Second, "both entries processed", func() bool {
				states := e.jobStates("process_entry")
				return len(states) == 2 && states[0] == "completed" && states[1] == "completed"
			})
			if !b.wasMet() {
				t.Fatal("the two copies were never fetched at the same time: no race was tested")
			}
			docs := e.queryInt(`SELECT count(*) FROM documents`)
			stories := e.queryInt(`SELECT count(DISTINCT story_id) FROM documents`)
			feeds := e.queryInt(`SELECT count(DISTINCT feed_id) FROM sightings`)
			sightings := e.queryInt(`SELECT count(*) FROM sightings`)
			if docs != tt.wantDocs || stories != 1 || feeds != 2 || sightings != 2 {
				t.Errorf("%d documents (want %d), %d stories (want 1), %d sightings from %d feeds (want 2 from 2)",
					docs, tt.wantDocs, stories, sightings, feeds)
			}
			if n := e.queryInt(`SELECT count(*) FROM stories s WHERE EXISTS (SELECT 1 FROM documents d WHERE d.story_id = s.id)`); n != 1 {
				t.Errorf("%d stories hold documents, want 1", n)
			}
		})
	}
}

// TestPostgresWorkerKilled: a worker SIGKILLed while it fetches an
// article loses nothing: another worker retries the job once River
// takes it for lost, and the article is stored once.
func TestPostgresWorkerKilled(t *testing.T) {
	t.Parallel()
	e := newPGEnv(t)
	arrived := make(chan struct{}, 10)
	var mu sync.Mutex
	requests := 0
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
		serveFeed(rssFeed("Outlet K", [2]string{"Flood barrier approved", srv.URL + "/kill/article"}))(w, r)
	})
	mux.HandleFunc("GET /kill/article", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		first := requests == 1
		mu.Unlock()
		arrived <- struct{}{}
		if first { // held until the worker fetching it dies
			select {
			case <-r.Context().Done():
				return
			case <-time.After(60 * time.Second):
			}
		}
		servePage(w, articleHTML("Flood Barrier Approved", 11))
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	e.migrate()
	e.cli("feeds", "add", srv.URL+"/feed.xml")
	w1 := e.startWorker("worker 1", "--process-workers", "1")
	select {
	case <-arrived:
	case <-time.After(30 * time.Second):
		t.Fatal("worker 1 never fetched the article")
	}
	w1.cmd.Process.Kill() // SIGKILL: no stop, no cleanup
	w1.wait(t, 10*time.Second)
	if states := e.jobStates("process_entry"); !slices.Equal(states, []string{"running"}) {
		t.Fatalf("after the kill the job is %v, want [running] (stuck with its dead worker)", states)
	}
	killedAt := time.Now()

	// Worker 2 takes a job running for 4s as lost (its own job timeout is
	// 3s, so no live job runs that long).
	e.startWorker("worker 2", "--job-timeout", "3s", "--rescue-after", "4s")
	waitUntil(t, 90*time.Second, "the killed job to be retried and completed", func() bool {
		return slices.Equal(e.jobStates("process_entry"), []string{"completed"})
	})
	t.Logf("job retried and completed %s after the kill", time.Since(killedAt).Round(100*time.Millisecond))
	if n := e.queryInt(`SELECT count(*) FROM documents`); n != 1 {
		t.Errorf("%d documents, want 1", n)
	}
	if n := e.queryInt(`SELECT count(*) FROM sightings`); n != 1 {
		t.Errorf("%d sightings, want 1", n)
	}
	if n := e.queryInt(`SELECT attempt FROM river_job WHERE kind = 'process_entry'`); n != 2 {
		t.Errorf("job completed at attempt %d, want 2 (the killed one, then the retry)", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if requests != 2 {
		t.Errorf("article fetched %d times, want 2", requests)
	}
}

// TestPostgresWorkerSIGTERM: SIGTERM lets a running job finish within
// --stop-timeout; past it the job is cancelled and put back in the queue,
// where the next worker finds it. Either way the worker exits 0.
func TestPostgresWorkerSIGTERM(t *testing.T) {
	t.Parallel()
	e := newPGEnv(t)
	arrived := make(chan struct{}, 10)
	gate := make(chan struct{}) // closed: the article is served
	var mu sync.Mutex
	requests := 0
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
		serveFeed(rssFeed("Outlet T", [2]string{"Tram line extended", srv.URL + "/term/article"}))(w, r)
	})
	mux.HandleFunc("GET /term/article", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		arrived <- struct{}{}
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		case <-time.After(60 * time.Second):
		}
		servePage(w, articleHTML("Tram Line Extended", 13))
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	waitArrival := func(who string) {
		t.Helper()
		select {
		case <-arrived:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s never fetched the article", who)
		}
	}
	exitedZero := func(p *proc, within time.Duration) {
		t.Helper()
		took := p.wait(t, within)
		if p.err != nil {
			t.Fatalf("%s exited with %v after SIGTERM, want 0", p.name, p.err)
		}
		t.Logf("%s exited 0, %s after SIGTERM", p.name, took.Round(10*time.Millisecond))
	}

	e.migrate()
	e.cli("feeds", "add", srv.URL+"/feed.xml")

	// The job outlasts --stop-timeout: cancelled, back to the queue.
	w1 := e.startWorker("worker 1", "--process-workers", "1", "--stop-timeout", "1s")
	waitArrival("worker 1")
	w1.cmd.Process.Signal(syscall.SIGTERM)
	exitedZero(w1, 20*time.Second)
	if states := e.jobStates("process_entry"); len(states) != 1 || (states[0] != "available" && states[0] != "retryable") {
		t.Fatalf("job cut short by SIGTERM is %v, want available or retryable", states)
	}

	// The next worker takes it; SIGTERM now waits for it to finish.
	w2 := e.startWorker("worker 2", "--process-workers", "1", "--stop-timeout", "30s")
	waitArrival("worker 2")
	w2.cmd.Process.Signal(syscall.SIGTERM)
	waitUntil(t, 10*time.Second, "worker 2 to begin stopping", func() bool {
		return strings.Contains(w2.out.String(), "stopping workers")
	})
	close(gate)
	exitedZero(w2, 30*time.Second)
	if states := e.jobStates("process_entry"); !slices.Equal(states, []string{"completed"}) {
		t.Errorf("job finished during the soft stop is %v, want [completed]", states)
	}
	if n := e.queryInt(`SELECT count(*) FROM documents`); n != 1 {
		t.Errorf("%d documents, want 1", n)
	}
}

// TestPostgresHostPacing: two worker processes fetching from one host
// keep --host-delay between request starts, together.
func TestPostgresHostPacing(t *testing.T) {
	const gap, articles = 400 * time.Millisecond, 6
	e := newPGEnv(t)
	var mu sync.Mutex
	var starts []time.Time
	inflight, peak := 0, 0
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("GET /feed.xml", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		items := make([][2]string, articles)
		for i := range items {
			items[i] = [2]string{fmt.Sprintf("Story %d", i), fmt.Sprintf("%s/pace/%d", srv.URL, i)}
		}
		serveFeed(rssFeed("Outlet P", items...))(w, r)
	})
	mux.HandleFunc("GET /pace/{n}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts = append(starts, time.Now())
		inflight++
		peak = max(peak, inflight)
		mu.Unlock()
		time.Sleep(3 * gap / 2) // longer than the gap: the other process's turn comes meanwhile
		mu.Lock()
		inflight--
		mu.Unlock()
		var n uint64
		fmt.Sscan(r.PathValue("n"), &n)
		servePage(w, articleHTML("Story "+r.PathValue("n"), 100+n))
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	e.migrate()
	e.cli("feeds", "add", srv.URL+"/feed.xml")
	pacing := []string{"--host-delay", gap.String()}
	e.startWorker("worker 1", append(pacing, "--process-workers", "1")...)
	e.startWorker("worker 2", append(pacing, "--process-workers", "1")...)
	waitUntil(t, 60*time.Second, "every article processed", func() bool {
		states := e.jobStates("process_entry")
		return len(states) == articles && !slices.ContainsFunc(states, func(s string) bool { return s != "completed" })
	})
	mu.Lock()
	defer mu.Unlock()
	if peak < 2 {
		t.Errorf("at most %d article fetch at once: the two processes never fetched together", peak)
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	const tolerance = 60 * time.Millisecond // a request sent a little after its turn
	var gaps []string
	for i := 1; i < len(starts); i++ {
		d := starts[i].Sub(starts[i-1])
		gaps = append(gaps, d.Round(time.Millisecond).String())
		if d < gap-tolerance {
			t.Errorf("requests %d and %d to one host started %s apart, want ≥ %s", i-1, i, d, gap)
		}
	}
	t.Logf("%d requests, gaps %v", len(starts), gaps)
}

// TestPostgresSchemaChecks: commands refuse an unmigrated or newer schema
// with one line pointing at the fix; migrate brings store and queue to
// this version, printing before and after, and is idempotent.
func TestPostgresSchemaChecks(t *testing.T) {
	e := newPGEnv(t)
	ctx := context.Background()
	run := func(args ...string) (string, error) {
		t.Helper()
		return runCLI(t, "", append(e.global(), args...)...)
	}
	for _, cmd := range [][]string{{"feeds", "list"}, {"worker"}, {"stories", "--json"}} {
		_, err := run(cmd...)
		if !errors.Is(err, postgres.ErrSchema) || !strings.Contains(err.Error(), "newstrace migrate") {
			t.Errorf("%v on an empty schema = %v, want postgres.ErrSchema naming 'newstrace migrate'", cmd, err)
		}
	}
	// The binary: exit 1, one line on stderr.
	cmd := exec.Command(newstraceBinary(t), append(e.global(), "worker")...)
	cmd.Env = binEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("worker on an empty schema: %v, want exit status 1", err)
	}
	if msg := strings.TrimSpace(stderr.String()); strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "newstrace migrate") {
		t.Errorf("worker on an empty schema said %q, want one line naming 'newstrace migrate'", msg)
	}

	out, err := run("migrate")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "store") || !strings.Contains(lines[0], "version 0 → ") ||
		!strings.Contains(lines[1], "job queue") || !strings.Contains(lines[1], "version 0 → ") {
		t.Fatalf("migrate said %q", out)
	}
	again, err := run("migrate")
	if err != nil {
		t.Fatal(err)
	}
	var store, queue int
	fmt.Sscanf(lines[0][strings.Index(lines[0], "→"):], "→ %d", &store)
	fmt.Sscanf(lines[1][strings.Index(lines[1], "→"):], "→ %d", &queue)
	if store == 0 || queue == 0 || !strings.Contains(again, fmt.Sprintf("version %d → %d", store, store)) ||
		!strings.Contains(again, fmt.Sprintf("version %d → %d", queue, queue)) {
		t.Errorf("migrate again said %q, want no change from %d and %d", again, store, queue)
	}
	if _, err := run("feeds", "list"); err != nil {
		t.Errorf("feeds list after migrate: %v", err)
	}

	// Store migrated but River's tables missing: workers refuse rather
	// than create them behind the operator's back.
	e2 := newPGEnv(t)
	db, err := postgres.Open(ctx, e2.dsn, postgres.Options{Schema: e2.schema, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = runCLI(t, "", append(e2.global(), "worker")...)
	if !errors.Is(err, jobs.ErrQueueSchema) || !strings.Contains(err.Error(), "newstrace migrate") {
		t.Errorf("worker without River's tables = %v, want jobs.ErrQueueSchema naming 'newstrace migrate'", err)
	}

	// A schema migrated by a newer newstrace.
	if _, err := e.pool.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES (99999, '99999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"feeds", "list"}, {"migrate"}} {
		if _, err := run(cmd...); err == nil || !strings.Contains(err.Error(), "newer") {
			t.Errorf("%v on a newer schema = %v, want a refusal", cmd, err)
		}
	}
}

// TestPostgresServeNoWorkers: a web-only process on PostgreSQL serves, and
// a feed added through it is queued for the worker processes at once.
func TestPostgresServeNoWorkers(t *testing.T) {
	e := newPGEnv(t)
	e.migrate()
	base := startServeFlags(t, e.global(), "--no-workers")
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Post(base+"/api/v1/feeds", "application/json", strings.NewReader(`{"url":"http://127.0.0.1:9/feed.xml"}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/feeds: %v %v", resp, err)
	}
	resp.Body.Close()
	if states := e.jobStates("poll_feed"); !slices.Equal(states, []string{"available"}) {
		t.Errorf("poll jobs after adding a feed: %v, want one available for a worker", states)
	}
}
