package main

import (
	"context"
	"log/slog"
	"time"
)

func runPoll(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("poll", "--once | [--every DURATION]")
	once := fs.Bool("once", false, "poll every due feed once, process what it finds, then exit")
	every := fs.Duration("every", time.Minute, "without --once: how often to look for due feeds")
	if err := fs.Parse(args); err != nil {
		return err
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
	for {
		sum, err := p.PollDue(ctx)
		if err != nil {
			if ctx.Err() != nil && !*once {
				return nil
			}
			return err
		}
		writeLine(m.Stdout, "%s", sum)
		if *once {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*every):
		}
	}
}
