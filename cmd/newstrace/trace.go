package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/match"
	"github.com/newstrace/newstrace/internal/trace"
)

// runTrace prints one story's provenance chain: a tree on the terminal, or
// with --json one element of `stories --json`.
func runTrace(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("trace", "[--json] STORY-ID|URL")
	asJSON := fs.Bool("json", false, "print the story as JSON, as one element of `stories --json`")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("trace needs one story id or document URL")
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	st, err := findStory(ctx, store, fs.Arg(0))
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(m.Stdout, storyOutput(st))
	}
	return trace.Text(m.Stdout, trace.Build(st))
}

// findStory resolves a story id, or the URL (as given, then canonical) of
// any document in the story.
func findStory(ctx context.Context, store newstrace.Store, arg string) (newstrace.Story, error) {
	arg = strings.TrimSpace(arg)
	if id, err := strconv.ParseInt(arg, 10, 64); err == nil {
		st, err := store.Story(ctx, id)
		if newstrace.IsNotFound(err) {
			return st, fmt.Errorf("trace: no story %d", id)
		} else if err != nil {
			return st, fmt.Errorf("trace: story %d: %w", id, err)
		}
		return st, nil
	}
	if !strings.Contains(arg, "://") {
		return newstrace.Story{}, fmt.Errorf("trace: %q is neither a story id nor a URL", arg)
	}
	d, err := store.DocumentByURL(ctx, arg)
	if newstrace.IsNotFound(err) {
		if canon, cerr := match.CanonicalURL(arg); cerr == nil && canon != arg {
			d, err = store.DocumentByURL(ctx, canon)
		}
	}
	if newstrace.IsNotFound(err) {
		return newstrace.Story{}, fmt.Errorf("trace: no document at %s", arg)
	} else if err != nil {
		return newstrace.Story{}, fmt.Errorf("trace: find %s: %w", arg, err)
	}
	st, err := store.Story(ctx, d.StoryID)
	if err != nil {
		return st, fmt.Errorf("trace: story %d of %s: %w", d.StoryID, arg, err)
	}
	return st, nil
}
