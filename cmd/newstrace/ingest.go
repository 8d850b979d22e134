package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/newstrace/newstrace/internal/ingest"
	"golang.org/x/term"
)

func runIngest(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("ingest", "PATH... (.html .htm .txt, any of them .gz; .warc, .warc.gz; folders)")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("ingest needs at least one file or folder")
	}
	log := m.log(slog.LevelWarn)
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	p, err := m.pipeline(store, log)
	if err != nil {
		return err
	}
	// A progress bar (and its closing summary) only on a terminal; the summary
	// line goes to stdout unless that same terminal already shows it.
	opt := ingest.Options{Logger: log}
	if isTerminal(m.Stderr) {
		opt.Progress, opt.Terminal = m.Stderr, true
	}
	sum, err := ingest.Run(ctx, fs.Args(), opt, p.Ingest)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if !opt.Terminal || !isTerminal(m.Stdout) {
		writeLine(m.Stdout, "%s", sum)
	}
	if sum.Files > 0 && sum.Failed == sum.Files {
		return fmt.Errorf("ingest: every file failed")
	}
	return nil
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
