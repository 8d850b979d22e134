package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/pipeline"
)

// boilerplateJSON is the shape of `boilerplate SOURCE --json`.
type boilerplateJSON struct {
	Source    string            `json:"source"`
	SourceID  int64             `json:"source_id"`
	Documents int               `json:"documents"` // in the learning window
	Threshold int               `json:"threshold"` // documents a line must be in
	Lines     []boilerplateLine `json:"lines"`
}

type boilerplateLine struct {
	Docs int    `json:"docs"`
	Text string `json:"text"`
}

// runBoilerplate lists a source's learned boilerplate lines with the
// number of its recent documents holding each.
func runBoilerplate(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("boilerplate", "SOURCE (name or id) [--json]")
	asJSON := fs.Bool("json", false, "print as JSON")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("boilerplate needs exactly one SOURCE (name or id)")
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	src, err := findSource(ctx, store, fs.Arg(0))
	if err != nil {
		return err
	}
	lines, docs, err := pipeline.LearnedLines(ctx, store, src.ID)
	if err != nil {
		return fmt.Errorf("boilerplate of %s: %w", src.Name, err)
	}
	out := boilerplateJSON{Source: src.Name, SourceID: src.ID, Documents: docs,
		Threshold: pipeline.BoilerplateThreshold(docs), Lines: []boilerplateLine{}}
	for _, l := range lines {
		out.Lines = append(out.Lines, boilerplateLine{Docs: l.Docs, Text: l.Text})
	}
	if *asJSON {
		return printJSON(m.Stdout, out)
	}
	writeLine(m.Stdout, "%s (source %d): %d learned lines over its last %d documents (a line needs %d)",
		src.Name, src.ID, len(lines), docs, out.Threshold)
	for _, l := range out.Lines {
		writeLine(m.Stdout, "%5d  %s", l.Docs, l.Text)
	}
	return nil
}

// findSource finds a source by id or by name (case-insensitive).
func findSource(ctx context.Context, st newstrace.Store, arg string) (newstrace.Source, error) {
	if id, err := strconv.ParseInt(arg, 10, 64); err == nil {
		return st.Source(ctx, id)
	}
	srcs, err := st.Sources(ctx)
	if err != nil {
		return newstrace.Source{}, fmt.Errorf("list sources: %w", err)
	}
	for _, s := range srcs {
		if strings.EqualFold(s.Name, arg) {
			return s, nil
		}
	}
	return newstrace.Source{}, newstrace.Errorf(newstrace.ENOTFOUND, "source %q not found", arg)
}
