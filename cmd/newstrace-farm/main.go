// Command newstrace-farm is a feed farm for load tests: it serves N feeds
// (RSS 2.0 and Atom) with articles built from the shared corpus pages, on
// many loopback addresses so per-host politeness behaves as on the web, and
// it can run one measurement of `newstrace worker` processes against it.
//
//	newstrace-farm serve --feeds 10000 --hosts 200 --new-per-minute 100
//	newstrace-farm bench --feeds 1000 --workers 2 --backend postgres --duration 5m --bin /tmp/newstrace
//
// Only loopback addresses are ever bound or requested. See docs/benchmarks.md
// ("Feed farm") for the recorded figures and docs/scaling.md for what they mean.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "newstrace-farm:", err)
		os.Exit(1)
	}
}

const usage = `Usage:
  newstrace-farm serve [flags]   serve the farm until interrupted (OPML at /opml, counters at /stats)
  newstrace-farm bench [flags]   run one measurement of newstrace workers against a fresh farm

Run 'newstrace-farm serve -h' or 'newstrace-farm bench -h' for the flags.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// farmFlags are the farm's settings, shared by serve and bench.
type farmFlags struct {
	cfg     Config
	hosts   int
	port    int
	corpora string
}

func (ff *farmFlags) register(fs *flag.FlagSet) {
	d := DefaultConfig()
	ff.cfg = d
	fs.IntVar(&ff.cfg.Feeds, "feeds", d.Feeds, "number of feeds")
	fs.IntVar(&ff.hosts, "hosts", 200, "loopback hosts the feeds are spread over (127.0.1.1, 127.0.1.2, …)")
	fs.IntVar(&ff.port, "port", 0, "port on every host (0: pick one, the same on every host when free)")
	fs.Uint64Var(&ff.cfg.Seed, "seed", d.Seed, "seed of every per-feed choice")
	fs.Float64Var(&ff.cfg.NewPerMinute, "new-per-minute", 0, "new items per minute over all feeds (default feeds/100)")
	fs.IntVar(&ff.cfg.Backlog, "backlog", 0, "items already published at start, over all feeds (bench default: min(feeds, 1000))")
	fs.IntVar(&ff.cfg.Items, "items", d.Items, "items each feed lists")
	fs.Float64Var(&ff.cfg.Slow, "slow", d.Slow, "share of slow feeds (1-5 s)")
	fs.Float64Var(&ff.cfg.Fail, "fail", d.Fail, "share of failing feeds (500, 429, reset, no answer)")
	fs.Float64Var(&ff.cfg.Redirect, "redirect", d.Redirect, "share of redirecting feeds (301, 302 chain)")
	fs.Float64Var(&ff.cfg.Atom, "atom", d.Atom, "share of Atom feeds")
	fs.Float64Var(&ff.cfg.Copies, "copies", d.Copies, "share of new items that copy another feed's recent article")
	fs.StringVar(&ff.corpora, "corpora", "", "shared corpora folder (default NEWSTRACE_CORPORA or ../shared/corpora)")
}

// start loads the templates, binds the hosts and serves the farm on them.
// Stop it with the returned function.
func (ff *farmFlags) start(log *slog.Logger) (*Farm, func(), error) {
	if ff.cfg.NewPerMinute == 0 {
		ff.cfg.NewPerMinute = float64(ff.cfg.Feeds) / 100
	}
	corpora := ff.corpora
	if corpora == "" {
		var err error
		if corpora, err = CorporaDir(os.Getenv); err != nil {
			return nil, nil, err
		}
	}
	tpls, err := LoadTemplates(corpora)
	if err != nil {
		return nil, nil, err
	}
	ff.cfg.Templates = tpls
	lns, urls, err := ListenHosts(ff.hosts, ff.port)
	if err != nil {
		return nil, nil, err
	}
	farm, err := New(ff.cfg, urls)
	if err != nil {
		closeAll(lns)
		return nil, nil, err
	}
	srv := &http.Server{Handler: farm.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	for _, ln := range lns {
		go func() { _ = srv.Serve(ln) }()
	}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			_ = srv.Close()
		}
	}
	log.Info("farm serving", "feeds", ff.cfg.Feeds, "hosts", len(urls), "first", urls[0],
		"templates", len(tpls), "new_per_minute", ff.cfg.NewPerMinute)
	return farm, stop, nil
}

// ListenHosts binds n loopback addresses, 127.0.1.1 upwards, on port (0:
// one free port, reused on every address when it is free there too). It
// returns the listeners and their base URLs.
func ListenHosts(n, port int) ([]net.Listener, []string, error) {
	if n < 1 || n > 254*254 {
		return nil, nil, fmt.Errorf("--hosts %d: want 1..%d", n, 254*254)
	}
	lns := make([]net.Listener, 0, n)
	urls := make([]string, 0, n)
	for i := range n {
		ip := fmt.Sprintf("127.0.%d.%d", 1+i/254, 1+i%254)
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, fmt.Sprint(port)))
		if err != nil && port != 0 && i > 0 {
			ln, err = net.Listen("tcp", net.JoinHostPort(ip, "0"))
		}
		if err != nil {
			closeAll(lns)
			return nil, nil, fmt.Errorf("listen on %s: %w", ip, err)
		}
		if i == 0 && port == 0 {
			port = ln.Addr().(*net.TCPAddr).Port
		}
		lns = append(lns, ln)
		urls = append(urls, "http://"+ln.Addr().String())
	}
	return lns, urls, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		_ = ln.Close()
	}
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ff farmFlags
	ff.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	farm, stop, err := ff.start(log)
	if err != nil {
		return err
	}
	defer stop()
	base := farm.hosts[0]
	fmt.Fprintf(stdout, "farm: %d feeds on %d hosts (%s … %s)\n  OPML:  %s/opml\n  stats: %s/stats\n",
		ff.cfg.Feeds, len(farm.hosts), farm.hosts[0], farm.hosts[len(farm.hosts)-1], base, base)
	fmt.Fprintf(stdout, "  import: curl -s %s/opml > farm.opml && newstrace feeds import farm.opml\n", base)
	<-ctx.Done()
	st := farm.Stats()
	fmt.Fprintf(stdout, "farm: %d polls (%d × 200, %d × 304, %d errors), %d redirects, %d articles\n",
		st.Polls, st.Feed200, st.Feed304, st.Errors, st.Redirects, st.Articles)
	return nil
}

// splitEnv parses repeated KEY=VALUE flags.
type envList []string

func (e *envList) String() string { return strings.Join(*e, " ") }
func (e *envList) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("want KEY=VALUE, got %q", v)
	}
	*e = append(*e, v)
	return nil
}
