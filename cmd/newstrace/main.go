// Command newstrace follows news outlets, reads each article clean, groups
// copies of one story and traces where it came from.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "newstrace: "+oneLine(err.Error()))
		os.Exit(1)
	}
}

// oneLine keeps error output to one line, whatever a library put in the message.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// command is one sub-command.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, m *Main, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "web UI, API and background workers", runServe},
		{"worker", "background workers only (polling and processing)", runWorker},
		{"feeds", "add, import, export or list feeds", runFeeds},
		{"poll", "poll due feeds in this process (--once: one round, then exit)", runPoll},
		{"extract", "extract one document (file, URL or -) to JSON or text", runExtract},
		{"ingest", "store files and folders (.html .htm .txt, .gz, .warc) through the pipeline", runIngest},
		{"stories", "list stories", runStories},
		{"search", "search documents: words, \"phrases\", prefix*, OR, -word, filters (--json)", runSearch},
		{"trace", "one story's provenance chain (trace STORY-ID|URL [--json])", runTrace},
		{"rematch", "re-fingerprint and re-match every stored document into stories", runRematch},
		{"boilerplate", "a source's learned boilerplate lines with counts (boilerplate SOURCE)", runBoilerplate},
		{"user", "manage local accounts (user add NAME, password on stdin)", runUser},
		{"token", "create API tokens (token add USER)", runToken},
		{"webhook", "signed JSON POSTs on story.outlet_added or search.match (webhook add URL [--event E] [--query Q])", runWebhook},
		{"migrate", "apply the store's migrations and exit", runMigrate},
		{"copy", "copy a SQLite store into PostgreSQL, verified and resumable (copy --from sqlite:PATH --to postgres://…)", runCopy},
	}
}

// Run parses global flags, then dispatches to the sub-command.
func (m *Main) Run(ctx context.Context, args []string) error {
	fs := m.flagSet("newstrace", "[global flags] COMMAND [flags] [args]")
	fs.Usage = func() { m.usage(fs) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if m.envErr != nil {
		return m.envErr
	}
	rest := fs.Args()
	if len(rest) == 0 {
		m.usage(fs)
		return errors.New("no command given")
	}
	if rest[0] == "help" {
		m.usage(fs)
		return nil
	}
	for _, c := range commands() {
		if c.name == rest[0] {
			err := c.run(ctx, m, rest[1:])
			if m.hooks != nil {
				m.hooks.Wait() // webhook deliveries still in flight (bounded by their retries)
			}
			return err
		}
	}
	return fmt.Errorf("unknown command %q (see newstrace --help)", rest[0])
}

func (m *Main) usage(fs *flag.FlagSet) {
	w := m.Stderr
	fmt.Fprintln(w, "newstrace — follow outlets, read each article clean, trace every story.")
	fmt.Fprintln(w, "\nUsage: newstrace [global flags] COMMAND [flags] [args]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nGlobal flags (also accepted after the command):")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintln(w, "\nRun 'newstrace COMMAND --help' for a command's flags.")
}

// writeLine writes s and a newline, ignoring errors on closed pipes.
func writeLine(w io.Writer, format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

// printJSON writes v indented, with <, > and & kept as they are: the output is
// read by people and by programs, never embedded in HTML.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
