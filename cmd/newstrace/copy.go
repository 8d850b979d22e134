package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/newstrace/newstrace/internal/postgres"
	"github.com/newstrace/newstrace/internal/storecopy"
)

// runCopy moves a whole SQLite store into PostgreSQL and verifies it. It is
// resumable: run it again after an interruption (Ctrl-C stops between
// batches) and it continues where the destination ends.
func runCopy(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("copy", "--from sqlite:PATH --to postgres://… [--pg-schema S]\n\n"+
		"Copies every table of a SQLite store into a PostgreSQL schema (migrated first), keeping ids,\n"+
		"then checks row counts and sampled rows. Stop serve and worker on the SQLite store first.\n"+
		"Interrupted? Run the same command again: it resumes.")
	from := fs.String("from", "", "the SQLite store to copy: sqlite:PATH")
	to := fs.String("to", "", "the PostgreSQL database: postgres://… (default: --db when it is one)")
	batch := fs.Int("batch", 2000, "rows per batch; each batch is one PostgreSQL transaction")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("copy takes no arguments (got %q): use --from and --to", fs.Arg(0))
	}
	path, ok := strings.CutPrefix(*from, "sqlite:")
	path = strings.TrimPrefix(path, "//")
	if !ok || path == "" {
		return fmt.Errorf("copy --from must be sqlite:PATH (got %q)", *from)
	}
	dsn := *to
	if dsn == "" && m.isPostgres() {
		dsn = m.DB
	}
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return fmt.Errorf("copy --to must be a postgres:// URL (got %q)", dsn)
	}
	if *batch < 1 {
		return fmt.Errorf("copy --batch must be at least 1 (got %d)", *batch)
	}
	log := m.log(slog.LevelWarn)
	slog.SetDefault(log) // the SQLite store logs its migrations through the default logger

	src, err := storecopy.OpenSQLite(ctx, path)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer src.Close()
	// A setup command: it brings the destination schema to this binary's version.
	dst, err := postgres.Open(ctx, dsn, postgres.Options{Schema: m.pgSchema(), Migrate: true, MaxConns: 4, Logger: log})
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer dst.Close()

	cfg := storecopy.Config{Source: src, Dest: dst.Pool(), Schema: dst.Schema(), BatchRows: *batch,
		Progress: m.Stderr, Terminal: isTerminal(m.Stderr), Logger: log}
	rep, err := storecopy.Copy(ctx, cfg)
	if err != nil && !errors.Is(err, storecopy.ErrMismatch) && !errors.Is(err, storecopy.ErrSourceChanged) {
		return fmt.Errorf("copy: %w", err)
	}
	printCopyReport(m, rep, dst.Schema())
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	return nil
}

func printCopyReport(m *Main, rep storecopy.Report, schema string) {
	width := len("table")
	for _, t := range rep.Tables {
		width = max(width, len(t.Table))
	}
	writeLine(m.Stdout, "%-*s %10s %10s %10s  %s", width, "table", "sqlite", "postgres", "copied", "ok")
	for _, t := range rep.Tables {
		ok := "ok"
		if !t.OK() {
			ok = "DIFFERS"
		}
		writeLine(m.Stdout, "%-*s %10d %10d %10d  %s", width, t.Table, t.Source, t.Dest, t.Copied, ok)
	}
	for _, s := range rep.Skipped {
		writeLine(m.Stdout, "not copied: %s (only in %s): %s", s.Table, s.Side, s.Reason)
	}
	for _, t := range rep.Tables {
		if len(t.Filled) > 0 {
			writeLine(m.Stdout, "defaults: %s.%s (not in the SQLite store)", t.Table, strings.Join(t.Filled, ", "+t.Table+"."))
		}
		if !t.OK() {
			writeLine(m.Stdout, "%s: %s", t.Table, t.Problem)
		}
	}
	rate := ""
	if s := rep.Elapsed.Seconds(); rep.Copied > 0 && s > 0 {
		rate = fmt.Sprintf(" (%.0f rows/s)", float64(rep.Copied)/s)
	}
	verdict := "verified"
	if !rep.OK() {
		verdict = "verification FAILED"
	}
	writeLine(m.Stdout, "copied %d rows into schema %s in %s%s; %d tables %s",
		rep.Copied, schema, rep.Elapsed.Round(time.Millisecond), rate, len(rep.Tables), verdict)
}
