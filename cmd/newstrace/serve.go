package main

import (
	"context"
	"errors"
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
	"github.com/newstrace/newstrace/internal/web"
)

func runServe(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("serve", "[--addr HOST:PORT] [--no-workers]")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	noWorkers := fs.Bool("no-workers", false, "serve only; leave polling and processing to `newstrace worker` processes")
	if err := fs.Parse(args); err != nil {
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
	key, err := m.sessionKey()
	if err != nil {
		return err
	}

	var runner *jobs.Runner
	if !*noWorkers {
		if runner, err = m.startWorkers(ctx, store, log); err != nil {
			return err
		}
		defer stopWorkers(runner, log)
	}
	cfg := web.Config{Store: store, Logger: log, Now: m.Now, Loopback: loopback, SessionKey: key}
	if runner != nil {
		cfg.Gauges = runner.Gauges // newstrace_queue_jobs; absent with --no-workers
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
	fs := m.flagSet("worker", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := m.log(slog.LevelInfo)
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	runner, err := m.startWorkers(ctx, store, log)
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stderr, "newstrace: worker running; stop with Ctrl-C")
	<-ctx.Done()
	stopWorkers(runner, log)
	return nil
}

// startWorkers starts the job runner: on the embedded default its queue lives
// in its own SQLite file beside the store.
func (m *Main) startWorkers(ctx context.Context, store newstrace.Store, log *slog.Logger) (*jobs.Runner, error) {
	p, err := m.pipeline(store, log)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(m.DB, "postgres") {
		return nil, errors.New("workers on PostgreSQL are not available in this build yet")
	}
	queue := filepath.Join(m.dataDir(), "queue.db")
	if path, ok := strings.CutPrefix(m.DB, "sqlite:"); ok {
		queue = filepath.Join(filepath.Dir(strings.TrimPrefix(path, "//")), "queue.db")
	}
	runner, err := jobs.NewSQLite(ctx, queue, pipeline.Work{P: p}, jobs.Config{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("open job queue %s: %w", queue, err)
	}
	if err := runner.Start(ctx); err != nil {
		return nil, fmt.Errorf("start workers: %w", err)
	}
	return runner, nil
}

func stopWorkers(r *jobs.Runner, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
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
