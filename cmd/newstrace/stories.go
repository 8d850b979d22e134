package main

import (
	"context"
	"fmt"
	"time"

	"github.com/newstrace/newstrace"
)

// storyJSON is the CONTRACT's shape of `stories --json`.
type storyJSON struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	// RootDocumentID (additive to the CONTRACT) is the earliest original;
	// its document also carries "root": true.
	RootDocumentID int64          `json:"root_document_id,omitempty"`
	Documents      []storyDocJSON `json:"documents"`
	Edges          []edgeJSON     `json:"edges"`
}

type storyDocJSON struct {
	ID        int64  `json:"id"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	Published string `json:"published,omitempty"`
	Path      string `json:"path,omitempty"`
	Root      bool   `json:"root,omitempty"`
}

// edgeJSON: "from" is 0 for an outlet named only in a cue (a credited
// original source with no document of its own); "from_outlet" names it.
type edgeJSON struct {
	From       int64   `json:"from"`
	FromOutlet string  `json:"from_outlet,omitempty"`
	To         int64   `json:"to"`
	Kind       string  `json:"kind"`
	Confidence float64 `json:"confidence"`
}

func storyOutput(s newstrace.Story) storyJSON {
	out := storyJSON{ID: s.ID, Title: s.Title, RootDocumentID: s.RootDocumentID, Documents: []storyDocJSON{}, Edges: []edgeJSON{}}
	for _, d := range s.Documents {
		sd := storyDocJSON{ID: d.ID, URL: d.URL, Title: d.Title, Source: d.SourceName, Path: d.Path, Root: d.ID == s.RootDocumentID}
		if d.Published != nil {
			sd.Published = d.Published.UTC().Format(time.RFC3339)
		}
		out.Documents = append(out.Documents, sd)
	}
	for _, e := range s.Edges {
		out.Edges = append(out.Edges, edgeJSON{From: e.FromID, FromOutlet: e.FromOutlet, To: e.ToID, Kind: string(e.Kind), Confidence: e.Confidence})
	}
	return out
}

func runStories(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("stories", "[--json] [--limit N]")
	asJSON := fs.Bool("json", false, "print every story as JSON")
	limit := fs.Int("limit", -1, "at most N stories, newest first (-1: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	stories, err := store.Stories(ctx, newstrace.StoryFilter{Limit: *limit})
	if err != nil {
		return fmt.Errorf("list stories: %w", err)
	}
	if *asJSON {
		out := make([]storyJSON, 0, len(stories))
		for _, s := range stories {
			out = append(out, storyOutput(s))
		}
		return printJSON(m.Stdout, out)
	}
	for _, s := range stories {
		also := ""
		if n := s.SourceCount - 1; n > 0 {
			also = fmt.Sprintf("; also in %d other outlet%s", n, map[bool]string{true: "s"}[n > 1])
		}
		writeLine(m.Stdout, "%d\t%s\t(%d documents, %d outlets%s)", s.ID, s.Title, s.DocumentCount, s.SourceCount, also)
		for _, d := range s.Documents {
			when := "-"
			if d.Published != nil {
				when = d.Published.UTC().Format("2006-01-02")
			}
			writeLine(m.Stdout, "    %s  %s  %s", when, d.SourceName, firstNonEmpty(d.URL, d.Path))
		}
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
