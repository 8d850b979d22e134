package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/jobs"
	"github.com/newstrace/newstrace/internal/pipeline"
	"github.com/newstrace/newstrace/internal/postgres"
	"github.com/newstrace/newstrace/internal/web"
)

func runServe(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("serve", "[--addr HOST:PORT] [--no-workers]")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	noWorkers := fs.Bool("no-workers", false, "serve only; leave polling and processing to `newstrace worker` processes")
	wo := workerFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := wo.fromEnv(fs, m.Getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Arg(0))
	}
	log := m.log(slog.LevelInfo)
	loopback, err := isLoopbackAddr(*addr)
	if err != nil {
		return err
	}
	m.pgMaxConns = wo.poolSize()
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	users, err := store.CountUsers(ctx)
	if err != nil {
		return fmt.Errorf("count accounts: %w", err)
	}
	if !loopback && users == 0 {
		return fmt.Errorf("refusing to serve on %s with no account: create one with 'newstrace user add NAME' or listen on 127.0.0.1", *addr)
	}
	key, err := m.sessionKey(ctx, store)
	if err != nil {
		return err
	}

	var runner *jobs.Runner
	switch {
	case !*noWorkers:
		if runner, err = m.startWorkers(ctx, store, log, wo); err != nil {
			return err
		}
		defer stopWorkers(runner, log, wo.stopTimeout)
	case m.isPostgres():
		// Web only, but on the shared queue: a feed added here is polled by
		// a worker process at once instead of at the next schedule tick.
		if runner, err = m.newRunner(ctx, store, log, wo); err != nil {
			return err
		}
		defer runner.Stop(context.Background()) // never started: this only releases it
	}
	cfg := web.Config{Store: store, Logger: log, Now: m.Now, Loopback: loopback, SessionKey: key}
	if runner != nil {
		cfg.Gauges = runner.Gauges // newstrace_queue_jobs; absent with --no-workers on SQLite
		cfg.OnFeedAdded = func(ctx context.Context, feedID int64) {
			if err := runner.EnqueuePoll(ctx, feedID); err != nil {
				log.Warn("enqueue poll of new feed", "feed_id", feedID, "err", err)
			}
		}
	}
	if cfg.Mount, err = readerAPIs(store, log, m.Now, key, cfg.OnFeedAdded); err != nil {
		return fmt.Errorf("start web server: %w", err)
	}
	srv, err := web.New(cfg)
	if err != nil {
		return fmt.Errorf("start web server: %w", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if m.OnListen != nil {
		m.OnListen(ln.Addr().String())
	}
	fmt.Fprintf(m.Stderr, "newstrace: serving on http://%s (data: %s)\n", ln.Addr(), m.dataDir())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("shutdown", "err", err)
	}
	return nil
}

func runWorker(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("worker", "[--poll-workers N] [--process-workers N] [--schedule-every D] [--job-timeout D] [--rescue-after D] [--stop-timeout D]")
	wo := workerFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("worker takes no arguments, got %q", fs.Arg(0))
	}
	if err := wo.fromEnv(fs, m.Getenv); err != nil {
		return err
	}
	log := m.log(slog.LevelInfo)
	m.pgMaxConns = wo.poolSize()
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	runner, err := m.startWorkers(ctx, store, log, wo)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stderr, "newstrace: worker running; stop with Ctrl-C")
	<-ctx.Done()
	stopWorkers(runner, log, wo.stopTimeout)
	return nil
}

// workerOptions are the job runner's flags, shared by serve and worker.
type workerOptions struct {
	pollWorkers, processWorkers int
	scheduleEvery               time.Duration
	jobTimeout, rescueAfter     time.Duration
	stopTimeout                 time.Duration
}

// workerEnv names the environment variable behind each worker flag.
var workerEnv = map[string]string{
	"poll-workers":    "NEWSTRACE_POLL_WORKERS",
	"process-workers": "NEWSTRACE_PROCESS_WORKERS",
	"schedule-every":  "NEWSTRACE_SCHEDULE_EVERY",
	"job-timeout":     "NEWSTRACE_JOB_TIMEOUT",
	"rescue-after":    "NEWSTRACE_RESCUE_AFTER",
	"stop-timeout":    "NEWSTRACE_STOP_TIMEOUT",
}

func workerFlags(fs *flag.FlagSet) *workerOptions {
	o := &workerOptions{}
	fs.IntVar(&o.pollWorkers, "poll-workers", 16, "feeds polled at once by this process (env NEWSTRACE_POLL_WORKERS)")
	fs.IntVar(&o.processWorkers, "process-workers", 4, "articles fetched and processed at once by this process (env NEWSTRACE_PROCESS_WORKERS)")
	fs.DurationVar(&o.scheduleEvery, "schedule-every", 10*time.Second, "how often due feeds are looked up (env NEWSTRACE_SCHEDULE_EVERY)")
	fs.DurationVar(&o.jobTimeout, "job-timeout", 5*time.Minute, "longest one article may take to process (env NEWSTRACE_JOB_TIMEOUT)")
	fs.DurationVar(&o.rescueAfter, "rescue-after", 0, "a job running this long is taken for lost (its worker died) and run again by another; at least --job-timeout (env NEWSTRACE_RESCUE_AFTER; default --job-timeout + 1m)")
	fs.DurationVar(&o.stopTimeout, "stop-timeout", 30*time.Second, "on SIGTERM or Ctrl-C, how long running jobs may take to finish before they are cancelled and put back in the queue (env NEWSTRACE_STOP_TIMEOUT)")
	return o
}

// poolSize is the PostgreSQL connections one process needs: one per
// concurrent job at most (most wait on the network, not the database), and
// River's own: its LISTEN connection, fetches, leader election, the
// periodic schedule. A pool at its limit made River's elections time out
// in the feed-farm benchmark with 4 processes.
func (o *workerOptions) poolSize() int32 {
	return int32(min(o.pollWorkers+o.processWorkers, 64) + 4)
}

// fromEnv gives each worker flag not on the command line its environment value.
func (o *workerOptions) fromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, env := range workerEnv {
		if v := getenv(env); v != "" && !given[name] {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s=%q: %w", env, v, err)
			}
		}
	}
	switch {
	case o.pollWorkers < 1 || o.processWorkers < 1:
		return errors.New("--poll-workers and --process-workers must be at least 1")
	case o.scheduleEvery <= 0 || o.jobTimeout <= 0 || o.stopTimeout <= 0 || o.rescueAfter < 0:
		return errors.New("--schedule-every, --job-timeout and --stop-timeout must be positive")
	case o.rescueAfter > 0 && o.rescueAfter < o.jobTimeout:
		return fmt.Errorf("--rescue-after %s is shorter than --job-timeout %s: a job still running would be run twice", o.rescueAfter, o.jobTimeout)
	}
	return nil
}

func (o *workerOptions) config(log *slog.Logger) jobs.Config {
	return jobs.Config{
		ScheduleEvery: o.scheduleEvery, PollWorkers: o.pollWorkers, ProcessWorkers: o.processWorkers,
		PollTimeout: min(o.jobTimeout, 2*time.Minute), ProcessTimeout: o.jobTimeout,
		RescueAfter: o.rescueAfter, Logger: log,
	}
}

// startWorkers builds the job runner and starts it.
func (m *Main) startWorkers(ctx context.Context, store newstrace.Store, log *slog.Logger, wo *workerOptions) (*jobs.Runner, error) {
	runner, err := m.newRunner(ctx, store, log, wo)
	if err != nil {
		return nil, err
	}
	// Not ctx: cancelling Start's context would cancel running jobs at once.
	// A signal goes through stopWorkers, which lets them finish first.
	if err := runner.Start(context.WithoutCancel(ctx)); err != nil {
		runner.Stop(context.Background())
		return nil, fmt.Errorf("start workers: %w", err)
	}
	return runner, nil
}

// newRunner builds the job runner without starting it. On PostgreSQL the
// queue shares the store's database and schema and must have been migrated
// by 'newstrace migrate'; on the embedded default it lives in its own
// SQLite file beside the store and is migrated on the spot.
func (m *Main) newRunner(ctx context.Context, store newstrace.Store, log *slog.Logger, wo *workerOptions) (*jobs.Runner, error) {
	p, err := m.pipeline(store, log)
	if err != nil {
		return nil, err
	}
	cfg := wo.config(log)
	if pg, ok := store.(*postgres.DB); ok {
		cfg.Schema, cfg.SkipMigrate = pg.Schema(), true
		runner, err := jobs.NewPostgres(ctx, pg.Pool(), pipeline.Work{P: p}, cfg)
		if errors.Is(err, jobs.ErrQueueSchema) {
			return nil, fmt.Errorf("%w: run 'newstrace migrate' with the same --db first", err)
		}
		if err != nil {
			return nil, fmt.Errorf("open job queue: %w", err)
		}
		return runner, nil
	}
	queue := filepath.Join(m.dataDir(), "queue.db")
	if path, ok := strings.CutPrefix(m.DB, "sqlite:"); ok {
		queue = filepath.Join(filepath.Dir(strings.TrimPrefix(path, "//")), "queue.db")
	}
	runner, err := jobs.NewSQLite(ctx, queue, pipeline.Work{P: p}, cfg)
	if err != nil {
		return nil, fmt.Errorf("open job queue %s: %w", queue, err)
	}
	return runner, nil
}

// stopWorkers lets running jobs finish for up to timeout, then cancels the
// rest, which go back to the queue for the next worker.
func stopWorkers(r *jobs.Runner, log *slog.Logger, timeout time.Duration) {
	log.Info("stopping workers: running jobs may finish, then the rest go back to the queue", "stop_timeout", timeout)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := r.Stop(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Warn("stop workers", "err", err)
	}
}

// isLoopbackAddr reports whether a listen address only accepts local connections.
func isLoopbackAddr(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("bad --addr %q: want HOST:PORT", addr)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}
