package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"text/tabwriter"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/feed"
)

const maxOPMLBytes = 10 << 20

func runFeeds(ctx context.Context, m *Main, args []string) error {
	usage := "add URL [--title T] [--folder F] | import FILE.opml | export | list [--json] | check FILE|URL"
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fs := m.flagSet("feeds", usage)
		fs.Usage()
		if len(args) == 0 {
			return fmt.Errorf("feeds needs a sub-command: %s", usage)
		}
		return nil
	}
	switch args[0] {
	case "add":
		return feedsAdd(ctx, m, args[1:])
	case "import":
		return feedsImport(ctx, m, args[1:])
	case "export":
		return feedsExport(ctx, m, args[1:])
	case "list":
		return feedsList(ctx, m, args[1:])
	case "check":
		return feedsCheck(ctx, m, args[1:])
	}
	return fmt.Errorf("unknown feeds sub-command %q: want %s", args[0], usage)
}

func feedsAdd(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("feeds add", "URL [--title T] [--folder F]")
	title := fs.String("title", "", "feed title (default: the feed's own)")
	folder := fs.String("folder", "", "folder to file it under")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("feeds add needs exactly one URL")
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	p, err := m.pipeline(store, m.log(slog.LevelWarn))
	if err != nil {
		return err
	}
	f, err := p.AddFeed(ctx, fs.Arg(0), *title, *folder)
	if err != nil {
		return err
	}
	writeLine(m.Stdout, "added feed %d: %s", f.ID, f.URL)
	return nil
}

func feedsImport(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("feeds import", "FILE.opml")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("feeds import needs exactly one OPML file")
	}
	fh, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("open OPML: %w", err)
	}
	defer fh.Close()
	outlines, err := feed.ParseOPML(fh, maxOPMLBytes)
	if err != nil {
		return fmt.Errorf("read OPML %s: %w", fs.Arg(0), err)
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	p, err := m.pipeline(store, m.log(slog.LevelWarn))
	if err != nil {
		return err
	}
	added, existing := 0, 0
	for _, o := range outlines {
		if _, err := p.AddFeed(ctx, o.XMLURL, o.Title, o.Folder); err != nil {
			if newstrace.ErrorCode(err) == newstrace.ECONFLICT {
				existing++
				continue
			}
			return err
		}
		added++
	}
	writeLine(m.Stdout, "imported %d feeds (%d already followed) from %s", added, existing, fs.Arg(0))
	return nil
}

func feedsExport(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("feeds export", "(writes OPML to stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	feeds, err := store.Feeds(ctx)
	if err != nil {
		return fmt.Errorf("list feeds: %w", err)
	}
	return feed.WriteOPML(m.Stdout, "newstrace subscriptions", feeds)
}

func feedsList(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("feeds list", "[--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	feeds, err := store.Feeds(ctx)
	if err != nil {
		return fmt.Errorf("list feeds: %w", err)
	}
	if *asJSON {
		if feeds == nil {
			feeds = []newstrace.Feed{}
		}
		return printJSON(m.Stdout, feeds)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tURL\tFOLDER\tLAST POLL\tNEXT POLL\tFAILURES\tLAST ERROR")
	for _, f := range feeds {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", f.ID, f.Title, f.URL, f.Folder,
			fmtTime(f.LastPolledAt), fmtTime(f.NextPollAt), f.FailureCount, f.LastError)
	}
	return tw.Flush()
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// feedsCheck parses one feed without storing it and prints the CONTRACT's
// report: {"title", "format", "entries", "errors"}.
func feedsCheck(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("feeds check", "FILE|URL|-")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("feeds check needs exactly one FILE, URL or -")
	}
	src := fs.Arg(0)
	data, _, finalURL, err := m.readInput(ctx, src)
	if err != nil {
		return err
	}
	rep, err := feed.Check(data, finalURL, feed.Limits{})
	if err != nil {
		return fmt.Errorf("check %s: %w", src, err)
	}
	return printJSON(m.Stdout, rep)
}
