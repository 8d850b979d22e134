package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// benchConfig is one measurement.
type benchConfig struct {
	farm     farmFlags
	workers  int
	backend  string
	duration time.Duration
	bin      string
	pg       string
	pgDB     string
	pgPool   int
	keep     bool
	repoll   bool
	settle   time.Duration
	progress time.Duration
	logLevel string
	env      envList
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c benchConfig
	c.farm.register(fs)
	fs.IntVar(&c.workers, "workers", 1, "newstrace worker processes (SQLite: 1)")
	fs.StringVar(&c.backend, "backend", "sqlite", "store: sqlite or postgres")
	fs.DurationVar(&c.duration, "duration", 5*time.Minute, "longest run; it ends earlier once both phases are done and processing has settled")
	fs.StringVar(&c.bin, "bin", "", "the newstrace binary (build it: go build -o /tmp/newstrace ./cmd/newstrace)")
	fs.StringVar(&c.pg, "pg", os.Getenv("NEWSTRACE_TEST_POSTGRES"), "PostgreSQL server URL (default NEWSTRACE_TEST_POSTGRES)")
	fs.StringVar(&c.pgDB, "pg-db", "newstrace_farm", "database of the bench's own on that server, created when missing (\"\": the URL's database)")
	fs.IntVar(&c.pgPool, "pg-pool", 0, "workers' connection pool size (pool_max_conns in their --db; 0: the store's default)")
	fs.BoolVar(&c.keep, "keep", false, "keep the store, schema and worker logs")
	fs.BoolVar(&c.repoll, "repoll", true, "after the first round, mark every feed due again and time the second (conditional) round")
	fs.DurationVar(&c.settle, "settle", 60*time.Second, "after the first round, wait at most this long for processing to go quiet before the re-poll")
	fs.DurationVar(&c.progress, "progress", 10*time.Second, "progress line interval")
	fs.StringVar(&c.logLevel, "log-level", "warn", "workers' --log-level")
	fs.Var(&c.env, "env", "extra KEY=VALUE for the workers (repeatable), e.g. a tuning knob")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: newstrace-farm bench [flags]\n\nStarts a farm, a fresh store with its feeds, the workers; samples CPU, RSS and\nPostgreSQL connections each second; prints a markdown row.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case c.bin == "":
		return errors.New("--bin is required: go build -o /tmp/newstrace ./cmd/newstrace")
	case c.backend != "sqlite" && c.backend != "postgres":
		return fmt.Errorf("--backend %q: want sqlite or postgres", c.backend)
	case c.backend == "sqlite" && c.workers != 1:
		return errors.New("--backend sqlite runs one worker process (its queue is a local SQLite file)")
	case c.workers < 1:
		return errors.New("--workers must be at least 1")
	}
	if c.farm.cfg.Backlog == 0 && !flagSet(fs, "backlog") {
		c.farm.cfg.Backlog = min(c.farm.cfg.Feeds, 1000)
	}
	res, err := c.run(ctx, stderr)
	if res != nil {
		res.print(stdout, &c)
	}
	return err
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// worker is one newstrace worker process.
type worker struct {
	cmd     *exec.Cmd
	log     string
	first   procSample
	last    procSample
	exited  bool
	waitErr chan error
}

// mark is the cumulative CPU at a moment of the run.
type mark struct {
	at                        time.Duration
	workerTicks, pgTicks, own int64
	stats                     Stats
	docs                      int64
}

// benchResult is what one run measured.
type benchResult struct {
	backend          string
	feeds, workers   int
	elapsed          time.Duration
	burst, repoll    time.Duration // 0: not finished; repoll counts from its first poll
	repollFirst      time.Duration // first re-poll seen (after the next schedule tick)
	polledFirst      int           // feeds polled at least once by the end
	polledAgain      int           // feeds re-polled by the end
	repollFeeds      int           // feeds marked due for the re-poll (those not failing)
	notRepolled      []string      // a few of those never re-polled, with their store rows
	docs             int64
	firstDoc         time.Duration // first document seen
	lastDocChange    time.Duration
	docsAtFirst      int64
	peakDocsPerMin   float64 // best 30-second window
	loadSum          float64 // 1-minute load averages sampled, for the mean
	loadN            int
	cpuPct           []float64 // per worker over the run
	peakRSSMB        []float64
	pgCPUPct         float64
	ownCPUPct        float64
	maxConns         int
	connsByApp       map[string]int // at the moment of the maximum
	start, burstEnd  mark
	repollStart, end mark
	repollEnd        mark
	logs             logCounts
	workerExits      []string
	storeDesc        string
	cpuPerPollMS     [2]float64 // worker CPU ms per poll: first round, re-poll
}

func (c *benchConfig) run(ctx context.Context, progress io.Writer) (*benchResult, error) {
	log := slog.New(slog.NewTextHandler(progress, &slog.HandlerOptions{Level: slog.LevelWarn}))
	work, err := os.MkdirTemp("", "newstrace-farm-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if !c.keep {
			os.RemoveAll(work)
		} else {
			fmt.Fprintf(progress, "kept: %s\n", work)
		}
	}()

	farm, stopFarm, err := c.farm.start(log)
	if err != nil {
		return nil, err
	}
	defer stopFarm()
	opml := filepath.Join(work, "farm.opml")
	if err := os.WriteFile(opml, farm.OPML(), 0o644); err != nil {
		return nil, err
	}

	var store benchStore
	if c.backend == "postgres" {
		ps, err := newPGStore(ctx, c.pg, c.pgDB, hasFlag(ctx, c.bin, "migrate", "pg-schema"))
		if err != nil {
			return nil, err
		}
		ps.pool = c.pgPool
		store = ps
		if out, err := commandOutput(ctx, c.bin, store.Env(), append([]string{"migrate"}, store.Args()...)...); err != nil {
			store.Close(c.keep)
			return nil, fmt.Errorf("newstrace migrate: %w\n%s", err, out)
		}
	} else {
		store = newSQLiteStore(work)
	}
	defer store.Close(c.keep)
	importArgs := append(append([]string{"feeds", "import"}, store.Args()...), opml)
	if out, err := commandOutput(ctx, c.bin, store.Env(), importArgs...); err != nil {
		return nil, fmt.Errorf("newstrace feeds import: %w\n%s", err, out)
	} else {
		fmt.Fprintf(progress, "%s: %s", store.Describe(), out)
	}

	// Workers.
	env := append(append(os.Environ(), "NEWSTRACE_ALLOW_PRIVATE=1"), store.Env()...)
	env = append(env, c.env...)
	workers := make([]*worker, c.workers)
	for i := range workers {
		w, err := startWorker(c.bin, append([]string{"worker", "--allow-private", "--log-level", c.logLevel}, store.WorkerArgs()...), env,
			filepath.Join(work, fmt.Sprintf("worker-%d.log", i+1)))
		if err != nil {
			stopWorkers(workers[:i])
			return nil, err
		}
		workers[i] = w
	}
	began := time.Now()
	fmt.Fprintf(progress, "started %d worker(s) (pids %s); farm %s … %s; %d feeds, backlog %d items, %.0f new items/min\n",
		len(workers), pids(workers), farm.hosts[0], farm.hosts[len(farm.hosts)-1], c.farm.cfg.Feeds, c.farm.cfg.Backlog, farm.cfg.NewPerMinute)

	res := &benchResult{backend: c.backend, feeds: c.farm.cfg.Feeds, workers: c.workers, storeDesc: store.Describe()}
	for _, w := range workers {
		w.first, _ = readProc(w.cmd.Process.Pid)
		w.last = w.first
	}
	ownFirst, _ := procTicks(os.Getpid())
	pgTicks, pgLast := int64(0), map[int]int64{}
	docs, lastDocs, lastDocChange := int64(0), int64(-1), time.Duration(0)
	var docHist []int64 // documents at each second
	sample := func() mark {
		var m mark
		m.at = time.Since(began)
		for _, w := range workers {
			if w.exited {
				m.workerTicks += w.last.CPUTicks - w.first.CPUTicks
				continue
			}
			if s, err := readProc(w.cmd.Process.Pid); err == nil {
				w.last = s
			}
			m.workerTicks += w.last.CPUTicks - w.first.CPUTicks
		}
		if byApp, ps, err := store.Connections(ctx); err == nil && byApp != nil {
			// The store names its connections (River's included: they come
			// from the same pool); anything else in the database is listed
			// with the maximum but not counted.
			n := byApp["newstrace"]
			if n > res.maxConns {
				res.maxConns, res.connsByApp = n, byApp
			}
			for _, pid := range ps {
				if t, err := procTicks(pid); err == nil {
					pgTicks += t - pgLast[pid]
					pgLast[pid] = t
				}
			}
		}
		m.pgTicks = pgTicks
		own, _ := procTicks(os.Getpid())
		m.own = own - ownFirst
		m.stats = farm.Stats()
		if n, err := store.Documents(ctx); err == nil {
			docs = n
		}
		m.docs = docs
		docHist = append(docHist, docs)
		if l, err := loadAvg(); err == nil {
			res.loadSum += l
			res.loadN++
		}
		if docs != lastDocs {
			if lastDocs <= 0 && docs > 0 {
				res.firstDoc, res.docsAtFirst = m.at, docs
			}
			lastDocs, lastDocChange = docs, m.at
		}
		return m
	}
	res.start = sample()

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	nextProgress := c.progress
	var repollAt time.Time
	idle := 0 // consecutive samples without a feed request in flight
	phase := "first round"
	feeds := c.farm.cfg.Feeds
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
		}
		m := sample()
		for _, w := range workers {
			select {
			case err := <-w.waitErr:
				w.exited = true
				res.workerExits = append(res.workerExits, fmt.Sprintf("pid %d exited at %s: %v", w.cmd.Process.Pid, m.at.Round(time.Second), err))
			default:
			}
		}
		quiet := m.at - lastDocChange
		if m.stats.InFlight == 0 {
			idle++
		} else {
			idle = 0
		}
		switch {
		case res.burst == 0 && m.stats.FeedsPolled >= feeds:
			res.burst, res.burstEnd = m.at, m
			phase = "settling"
		case res.burst != 0 && repollAt.IsZero() && c.repoll && idle >= 3 && (quiet >= 5*time.Second || m.at-res.burst >= c.settle):
			// idle: no feed request in flight for 3 s, so every first-round
			// poll, the 20 s timeouts included, has been recorded: a feed still
			// being polled would be marked due and then overwritten by its failure.
			repollAt = time.Now()
			n, err := store.RepollAll(ctx)
			if err != nil || n == 0 {
				log.Warn("re-poll: mark feeds due", "feeds", n, "err", err)
				c.repoll = false
				break
			}
			res.repollFeeds = n
			res.repollStart = sample()
			phase = "re-poll"
		case !repollAt.IsZero() && res.repoll == 0:
			n := farm.PolledSince(repollAt)
			if n > 0 && res.repollFirst == 0 {
				res.repollFirst = m.at
			}
			if n >= res.repollFeeds {
				res.repollEnd = m
				res.repoll = m.at - res.repollFirst
				phase = "settling"
			}
		}
		done := res.burst != 0 && (!c.repoll || res.repoll != 0) && quiet >= 10*time.Second
		if m.at >= nextProgress || done || m.at >= c.duration {
			nextProgress += c.progress
			again := ""
			if !repollAt.IsZero() {
				again = fmt.Sprintf(" re-polled %d/%d", farm.PolledSince(repollAt), res.repollFeeds)
			}
			fmt.Fprintf(progress, "%4ds %-11s polled %d/%d%s | polls %d (200: %d, 304: %d, err %d) articles %d docs %d | workers cpu %.0f%% rss %s | pg conns %d cpu %.0f%%\n",
				int(m.at.Seconds()), phase, m.stats.FeedsPolled, feeds, again, m.stats.Polls, m.stats.Feed200, m.stats.Feed304,
				m.stats.Errors, m.stats.Articles, m.docs, cpuPct(m.workerTicks, m.at), rssList(workers, false),
				res.maxConns, cpuPct(m.pgTicks, m.at))
		}
		if done || m.at >= c.duration {
			break
		}
	}
	res.end = sample()
	if !repollAt.IsZero() && res.repoll == 0 {
		for _, id := range farm.NotPolledSince(repollAt, 50) {
			if st := store.FeedState(ctx, farm.FeedURL(id)); !strings.Contains(st, "failures=0 ") {
				continue // failing: not marked due
			} else if len(res.notRepolled) < 5 {
				res.notRepolled = append(res.notRepolled, fmt.Sprintf("feed %d (%s): %s", id, farm.KindOf(id), st))
			}
		}
	}
	res.elapsed = res.end.at
	res.polledFirst = res.end.stats.FeedsPolled
	if !repollAt.IsZero() {
		res.polledAgain = farm.PolledSince(repollAt)
	}
	res.docs, res.lastDocChange = res.end.docs, lastDocChange
	res.peakDocsPerMin = peakRate(docHist, 30)
	for _, w := range workers {
		res.cpuPct = append(res.cpuPct, cpuPct(w.last.CPUTicks-w.first.CPUTicks, res.elapsed))
		res.peakRSSMB = append(res.peakRSSMB, float64(w.last.HWMKB)/1024)
	}
	res.pgCPUPct = cpuPct(res.end.pgTicks, res.elapsed)
	res.ownCPUPct = cpuPct(res.end.own, res.elapsed)
	if res.burst != 0 {
		res.cpuPerPollMS[0] = perPollMS(res.start, res.burstEnd)
	}
	if res.repollStart.at != 0 {
		res.cpuPerPollMS[1] = perPollMS(res.repollStart, res.endOr())
	}
	stopWorkers(workers)
	res.logs = logCounts{unexpected: map[string]int{}, example: map[string]string{}}
	for _, w := range workers {
		countLog(w.log, farm, &res.logs)
	}
	if c.keep {
		fmt.Fprintf(progress, "worker logs: %s\n", filepath.Join(work, "worker-*.log"))
	}
	return res, ctx.Err()
}

// peakRate is the most documents gained in any window of w samples (one a
// second), per minute.
func peakRate(hist []int64, w int) float64 {
	best := int64(0)
	for i := range hist {
		j := max(i-w, 0)
		best = max(best, hist[i]-hist[j])
	}
	return float64(best) * 60 / float64(w)
}

func perPollMS(a, b mark) float64 {
	polls := b.stats.Polls - a.stats.Polls
	if polls <= 0 {
		return 0
	}
	return float64(b.workerTicks-a.workerTicks) * (1000 / clockTicks) / float64(polls)
}

// loadAvg is the machine's 1-minute load average.
func loadAvg() (float64, error) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, errors.New("empty /proc/loadavg")
	}
	return strconv.ParseFloat(f[0], 64)
}

func cpuPct(ticks int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(ticks) / clockTicks / d.Seconds() * 100
}

func startWorker(bin string, args, env []string, logPath string) (*worker, error) {
	fh, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = fh, fh
	if err := cmd.Start(); err != nil {
		fh.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	w := &worker{cmd: cmd, log: logPath, waitErr: make(chan error, 1)}
	go func() {
		w.waitErr <- cmd.Wait()
		fh.Close()
	}()
	return w, nil
}

// stopWorkers sends SIGTERM to each worker and waits; one still running
// after a minute is killed.
func stopWorkers(ws []*worker) {
	for _, w := range ws {
		if !w.exited {
			_ = w.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	deadline := time.After(time.Minute)
	for _, w := range ws {
		if w.exited {
			continue
		}
		select {
		case <-w.waitErr:
		case <-deadline:
			_ = w.cmd.Process.Kill()
			<-w.waitErr
		}
		w.exited = true
	}
}

func pids(ws []*worker) string {
	var s []string
	for _, w := range ws {
		s = append(s, fmt.Sprint(w.cmd.Process.Pid))
	}
	return strings.Join(s, ", ")
}

func rssList(ws []*worker, peak bool) string {
	var s []string
	for _, w := range ws {
		kb := w.last.RSSKB
		if peak {
			kb = w.last.HWMKB
		}
		s = append(s, fmt.Sprintf("%.0f", float64(kb)/1024))
	}
	return strings.Join(s, "+") + " MB"
}

// commandOutput runs bin with args and returns its combined output.
func commandOutput(ctx context.Context, bin string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var (
	logLevel = regexp.MustCompile(`level=(WARN|ERROR)`)
	logMsg   = regexp.MustCompile(`msg=("(?:[^"\\]|\\.)*"|\S+)`)
	logFeed  = regexp.MustCompile(`url=http://[^/ ]+/(?:f|moved|live)/(\d+)`)
)

// logCounts sorts a worker log's warnings and errors: failed polls of the
// farm's failing feeds are expected; anything else is counted by message.
type logCounts struct {
	expected   int
	unexpected map[string]int    // "LEVEL message" → lines
	example    map[string]string // "LEVEL message" → its first line, cut
}

func (lc *logCounts) total() int {
	n := 0
	for _, k := range lc.unexpected {
		n += k
	}
	return n
}

func countLog(path string, farm *Farm, lc *logCounts) {
	fh, err := os.Open(path)
	if err != nil {
		return
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		lv := logLevel.FindStringSubmatch(line)
		if lv == nil {
			continue
		}
		msg := "?"
		if m := logMsg.FindStringSubmatch(line); m != nil {
			msg = strings.Trim(m[1], `"`)
		}
		if msg == "feed poll failed" {
			if m := logFeed.FindStringSubmatch(line); m != nil {
				if id, err := strconv.Atoi(m[1]); err == nil && id < farm.cfg.Feeds {
					if k := farm.KindOf(id); k >= KindFail500 && k <= KindHang {
						lc.expected++
						continue
					}
				}
			}
		}
		key := lv[1] + " " + msg
		if lc.unexpected[key] == 0 {
			lc.example[key] = line[:min(len(line), 400)]
		}
		lc.unexpected[key]++
	}
}

// print writes the markdown row and the details behind it.
func (r *benchResult) print(w io.Writer, c *benchConfig) {
	phase := func(d time.Duration, done, total int, startAt, endAt time.Duration) string {
		if d > 0 {
			return fmt.Sprintf("%s s (%s/min)", num(d.Seconds()), num(float64(total)/d.Minutes()))
		}
		span := endAt - startAt
		if span <= 0 || done == 0 {
			return "–"
		}
		return fmt.Sprintf("%s of %s in %s s (%s/min)", num(float64(done)), num(float64(total)), num(span.Seconds()),
			num(float64(done)/span.Minutes()))
	}
	first := phase(r.burst, r.polledFirst, r.feeds, 0, r.elapsed)
	again := "–"
	if r.repollFirst > 0 {
		again = phase(r.repoll, r.polledAgain, r.repollFeeds, r.repollFirst, r.elapsed)
	}
	articles := "–"
	if r.docs > 0 {
		articles = num(r.peakDocsPerMin)
	}
	conns := "–"
	if r.backend == "postgres" {
		conns = fmt.Sprint(r.maxConns)
	}
	fmt.Fprintln(w, "| backend | feeds | workers | first round: every feed polled in | re-poll round | articles/min | worker CPU % (total) | PG CPU % | peak RSS MB (total) | max PG conns | errors |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s (%s) | %s | %s (%s) | %s | %d |\n",
		r.backend, num(float64(r.feeds)), r.workers, first, again, articles,
		joinNums(r.cpuPct), num(sum(r.cpuPct)), pgCol(r), joinNums(r.peakRSSMB), num(sum(r.peakRSSMB)), conns, r.logs.total())
	load := 0.0
	if r.loadN > 0 {
		load = r.loadSum / float64(r.loadN)
	}
	fmt.Fprintf(w, "\nrun: %s s, %s; %s documents stored; bench process (farm) CPU %s %%; machine load average %.1f (%d cores)\n",
		num(r.elapsed.Seconds()), r.storeDesc, num(float64(r.docs)), num(r.ownCPUPct), load, runtime.NumCPU())
	st := r.end.stats
	fmt.Fprintf(w, "farm: %s polls (%s × 200, %s × 304, %s slow), %s redirects, errors served %s (500: %d, 429: %d, reset: %d, no answer: %d), %s articles served, %s items published\n",
		num(float64(st.Polls)), num(float64(st.Feed200)), num(float64(st.Feed304)), num(float64(st.Slow)), num(float64(st.Redirects)),
		num(float64(st.Errors)), st.Err500, st.Err429, st.Resets, st.Hangs, num(float64(st.Articles)), num(float64(st.ItemsPublished)))
	if span := r.lastDocChange - r.firstDoc; r.docs > 0 && span > 0 {
		fmt.Fprintf(w, "articles: best 30 s %s/min; %s/min from the first document to the last\n",
			num(r.peakDocsPerMin), num(float64(r.docs-r.docsAtFirst)/span.Minutes()))
	}
	if r.burst > 0 {
		fmt.Fprintf(w, "first round: worker CPU %s %%, PG CPU %s %%\n",
			num(cpuPct(r.burstEnd.workerTicks-r.start.workerTicks, r.burst)), num(cpuPct(r.burstEnd.pgTicks-r.start.pgTicks, r.burst)))
	}
	if a, b := r.burstEnd, r.repollStart; a.at > 0 && b.at > a.at && b.docs > a.docs {
		// Between the rounds the workers only process the backlog found by the first.
		n := float64(b.docs - a.docs)
		fmt.Fprintf(w, "processing between the rounds: %s documents in %s s; per article %.0f ms worker CPU, %.0f ms PG CPU\n",
			num(n), num((b.at - a.at).Seconds()), float64(b.workerTicks-a.workerTicks)*(1000/clockTicks)/n,
			float64(b.pgTicks-a.pgTicks)*(1000/clockTicks)/n)
	}
	if r.cpuPerPollMS[0] > 0 || r.cpuPerPollMS[1] > 0 {
		fmt.Fprintf(w, "worker CPU per poll (incl. processing meanwhile): first round %.1f ms, re-poll %.1f ms\n", r.cpuPerPollMS[0], r.cpuPerPollMS[1])
	}
	if r.repollStart.at > 0 {
		d := r.repollEnd.at - r.repollStart.at
		if d <= 0 {
			d = r.end.at - r.repollStart.at
		}
		a, b := r.repollStart.stats, r.end.stats
		if r.repollEnd.at > 0 {
			b = r.repollEnd.stats
		}
		fmt.Fprintf(w, "re-poll phase: %s feeds not failing marked due; first poll %s s later; %d × 200, %d × 304, %d errors; worker CPU %s %%, PG CPU %s %%\n",
			num(float64(r.repollFeeds)), num((r.repollFirst - r.repollStart.at).Seconds()), b.Feed200-a.Feed200, b.Feed304-a.Feed304, b.Errors-a.Errors,
			num(cpuPct(r.endOr().workerTicks-r.repollStart.workerTicks, d)), num(cpuPct(r.endOr().pgTicks-r.repollStart.pgTicks, d)))
	}
	if r.backend == "postgres" {
		fmt.Fprintf(w, "connections at the maximum, by application_name: %v\n", r.connsByApp)
	}
	fmt.Fprintf(w, "worker logs: %d failed polls of the farm's failing feeds (expected), %d other warnings or errors\n", r.logs.expected, r.logs.total())
	keys := slices.Sorted(maps.Keys(r.logs.unexpected))
	slices.SortStableFunc(keys, func(a, b string) int { return r.logs.unexpected[b] - r.logs.unexpected[a] })
	for i, k := range keys {
		if i == 8 {
			fmt.Fprintf(w, "  … %d more kinds\n", len(keys)-i)
			break
		}
		fmt.Fprintf(w, "  %6d × %s\n         first: %s\n", r.logs.unexpected[k], k, r.logs.example[k])
	}
	for _, e := range r.notRepolled {
		fmt.Fprintln(w, "not re-polled:", e)
	}
	for _, e := range r.workerExits {
		fmt.Fprintln(w, "worker exit:", e)
	}
}

func (r *benchResult) endOr() mark {
	if r.repollEnd.at > 0 {
		return r.repollEnd
	}
	return r.end
}

func pgCol(r *benchResult) string {
	if r.backend != "postgres" {
		return "–"
	}
	return num(r.pgCPUPct)
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

func joinNums(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = num(x)
	}
	return strings.Join(s, " + ")
}

// num formats x without decimals above 100, with thousands separators.
func num(x float64) string {
	if x < 100 && x != float64(int64(x)) {
		return fmt.Sprintf("%.1f", x)
	}
	s := fmt.Sprintf("%.0f", x)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
