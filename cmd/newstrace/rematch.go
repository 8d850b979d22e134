package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// runRematch re-fingerprints and re-matches every stored document, oldest
// id first: for stores filled before matching existed, or after a change to
// the matching rules. Matching is idempotent, so an interrupted run can
// simply be started again.
func runRematch(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("rematch", "[--every N]")
	every := fs.Duration("every", 2*time.Second, "report progress on stderr at this interval")
	if err := parseInterleaved(fs, args); err != nil {
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
	total, err := store.CountDocuments(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	last := start
	done, merged := 0, 0
	for after := int64(0); ; {
		ids, err := store.DocumentIDs(ctx, after, 500)
		if err != nil {
			return fmt.Errorf("rematch: %w", err)
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			res, err := p.Rematch(ctx, id)
			if err != nil {
				return fmt.Errorf("rematch after %d of %d documents: %w", done, total, err)
			}
			done++
			if res.Merged {
				merged++
			}
			if now := time.Now(); now.Sub(last) >= *every {
				last = now
				fmt.Fprintf(m.Stderr, "rematch: %d/%d documents (%.0f/s)\n", done, total, float64(done)/now.Sub(start).Seconds())
			}
		}
		after = ids[len(ids)-1]
	}
	writeLine(m.Stdout, "rematch: %d documents in %s, %d joined another story",
		done, time.Since(start).Round(time.Millisecond), merged)
	return nil
}
