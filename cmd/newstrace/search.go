package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/search"
)

const searchUsage = `[--json] [--limit N] [--offset N] QUERY...

Query: words (all must match), "a phrase", prefix*, a OR b, -excluded,
and filters source:"Outlet Name" lang:en author:NAME after:2024-05-01
before:2024-06-01 story:ID. Put "--" before a query that starts with -.`

// runSearch reads its own flags so that "-word" in a query is an exclusion,
// not an unknown flag: only the flags below are taken, anywhere.
func runSearch(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("search", searchUsage)
	asJSON := fs.Bool("json", false, "print the result as JSON (see docs/api.md)")
	limit := fs.Int("limit", newstrace.SearchDefaultLimit, "stories per page (1-200)")
	offset := fs.Int("offset", 0, "stories to skip")
	var flags, words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case a == "--":
			words = append(words, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-") && fs.Lookup(name) != nil || a == "-h" || a == "--help" || a == "-help":
			flags = append(flags, a)
			if f := fs.Lookup(name); f != nil && !hasValue && !isBoolFlag(f.Value) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			words = append(words, a)
		}
	}
	if err := fs.Parse(flags); err != nil {
		return err
	}
	if *limit < 1 || *limit > newstrace.SearchMaxLimit || *offset < 0 {
		return fmt.Errorf("--limit must be 1-%d and --offset at least 0", newstrace.SearchMaxLimit)
	}
	q, err := search.Parse(strings.Join(words, " "))
	if err != nil {
		return errors.New(newstrace.ErrorMessage(err))
	}
	q.Limit, q.Offset = *limit, *offset
	store, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := store.Search(ctx, q)
	if err != nil {
		if newstrace.ErrorCode(err) == newstrace.EINVALID {
			return errors.New(newstrace.ErrorMessage(err))
		}
		return fmt.Errorf("search: %w", err)
	}
	if *asJSON {
		return printJSON(m.Stdout, search.Output(search.Format(q), res))
	}
	printSearch(m, res, isTerminal(m.Stdout))
	return nil
}

type boolFlag interface{ IsBoolFlag() bool }

func isBoolFlag(v any) bool { b, ok := v.(boolFlag); return ok && b.IsBoolFlag() }

// printSearch writes one block per story: title, outlet · date, the
// snippet (matches in bold on a terminal, plain elsewhere), more copies.
func printSearch(m *Main, res newstrace.SearchResult, tty bool) {
	if len(res.Hits) == 0 {
		writeLine(m.Stdout, "No matches.")
		return
	}
	emph := func(s string) string {
		var b strings.Builder
		for _, seg := range search.Segments(strings.Map(dropControl, s)) {
			if seg.Match && tty {
				b.WriteString("\x1b[1m" + seg.Text + "\x1b[0m")
			} else {
				b.WriteString(seg.Text)
			}
		}
		return b.String()
	}
	for i, h := range res.Hits {
		when := h.FirstSeen
		if h.Published != nil {
			when = *h.Published
		}
		writeLine(m.Stdout, "%d. %s", res.Offset+i+1, emph(h.TitleMarked))
		meta := []string{firstNonEmpty(h.Source, "unknown outlet"), when.UTC().Format("2006-01-02"), "document " + strconv.FormatInt(h.DocumentID, 10)}
		if h.MoreInStory > 0 {
			meta = append(meta, fmt.Sprintf("%d more in story %d", h.MoreInStory, h.StoryID))
		}
		writeLine(m.Stdout, "   %s", strings.Join(meta, " · "))
		if h.Snippet != "" {
			writeLine(m.Stdout, "   %s", emph(strings.Join(strings.Fields(h.Snippet), " ")))
		}
		if h.URL != "" {
			writeLine(m.Stdout, "   %s", strings.Map(dropControl, h.URL))
		}
		writeLine(m.Stdout, "")
	}
	more := ""
	if res.Capped {
		more = "+"
	}
	shown := fmt.Sprintf("%d-%d", res.Offset+1, res.Offset+len(res.Hits))
	writeLine(m.Stdout, "Stories %s of %d%s (%d documents%s).", shown, res.Stories, more, res.Documents, more)
}

// dropControl removes control characters (terminal escapes from stored
// text) but keeps the snippet markers for emph to handle.
func dropControl(r rune) rune {
	if string(r) == newstrace.SnippetStart || string(r) == newstrace.SnippetEnd || r == '\t' {
		return r
	}
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return -1
	}
	return r
}
