package trace

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/newstrace/newstrace"
)

// TextOptions shape the terminal rendering.
type TextOptions struct {
	Width int  // columns; lines longer than this are cut with "…" (0: 80)
	Color bool // ANSI bold/dim/colour
}

// Text writes the chain as a tree from the root. On a terminal it fits the
// window and uses colour (unless NO_COLOR is set); anywhere else it is plain
// text 80 columns wide.
func Text(w io.Writer, c Chain) error {
	opt := TextOptions{Width: 80}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 20 {
			opt.Width = cols
		}
		opt.Color = os.Getenv("NO_COLOR") == ""
	}
	return WriteText(w, c, opt)
}

// WriteText writes the chain with explicit options (tests, and callers that
// know their terminal).
func WriteText(w io.Writer, c Chain, opt TextOptions) error {
	if opt.Width <= 0 {
		opt.Width = 80
	}
	t := &textWriter{w: bufio.NewWriter(w), opt: opt, c: c}
	t.write()
	return t.w.Flush()
}

type textWriter struct {
	w   *bufio.Writer
	opt TextOptions
	c   Chain
}

const (
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiReset = "\x1b[0m"
)

var kindColor = map[newstrace.EdgeKind]string{
	newstrace.EdgeRepost:      "\x1b[31m",
	newstrace.EdgeSyndication: "\x1b[34m",
	newstrace.EdgeTranslation: "\x1b[35m",
	newstrace.EdgeCites:       "\x1b[33m",
	newstrace.EdgeDuplicate:   "\x1b[90m",
}

// seg is a piece of a line with an optional ANSI style; the line is cut to
// width on the plain text, then styled.
type seg struct{ text, style string }

func (t *textWriter) line(segs ...seg) {
	room := t.opt.Width
	var b strings.Builder
	for _, s := range segs {
		txt := s.text
		n := utf8.RuneCountInString(txt)
		if n > room {
			if room <= 0 {
				break
			}
			r := []rune(txt)
			txt = string(r[:room-1]) + "…"
			n = room
		}
		room -= n
		if t.opt.Color && s.style != "" && txt != "" {
			b.WriteString(s.style + txt + ansiReset)
		} else {
			b.WriteString(txt)
		}
	}
	t.w.WriteString(strings.TrimRight(b.String(), " ") + "\n")
}

func (t *textWriter) write() {
	c := t.c
	t.line(seg{fmt.Sprintf("Story %d: ", c.StoryID), ansiBold}, seg{clean(c.Title), ansiBold})
	if c.Root < 0 {
		t.line(seg{"no documents", ""})
		return
	}
	root := c.Nodes[c.Root]
	outlets := cmp.Or(c.SourceCount, c.Outlets())
	t.line(seg{fmt.Sprintf("%s in %s · root: %s, %s",
		plural(c.Documents, "copy", "copies"), plural(outlets, "outlet", "outlets"), clean(root.Outlet), when(root)), ansiDim})
	t.line()

	// The tree: each document hangs under its best-confidence parent along
	// the flow of text (original → copy; cited ← citing).
	parent := make([]int, len(c.Nodes)) // link index, -1 for none
	for i := range parent {
		parent[i] = -1
	}
	for li, l := range c.Links {
		if c.Nodes[l.From].OutletOnly {
			continue
		}
		_, ch := flow(l)
		if ch == c.Root {
			continue
		}
		if cur := parent[ch]; cur < 0 || l.Confidence > c.Links[cur].Confidence {
			parent[ch] = li
		}
	}
	children := make([][]int, len(c.Nodes))
	for ch, li := range parent {
		if li >= 0 {
			p, _ := flow(c.Links[li])
			children[p] = append(children[p], ch)
		}
	}
	used := make([]bool, len(c.Links))
	visited := make([]bool, len(c.Nodes))
	var walk func(n int, prefix string)
	walk = func(n int, prefix string) {
		visited[n] = true
		// Each node has one parent, so it sits in one children list; the
		// check only guards against a root that is also someone's child.
		kids := slices.DeleteFunc(slices.Clone(children[n]), func(k int) bool { return visited[k] })
		for i, k := range kids {
			li := parent[k]
			used[li] = true
			l := c.Links[li]
			branch, more := "├─ ", "│  "
			if i == len(kids)-1 {
				branch, more = "└─ ", "   "
			}
			label := string(l.Kind)
			if l.Kind == newstrace.EdgeCites {
				label = "cited by"
			}
			segs := []seg{{prefix + branch, ansiDim}, {label + " → ", kindColor[l.Kind]}, {clean(c.Nodes[k].Outlet), ansiBold},
				{"  " + gapBetween(c.Nodes[n], c.Nodes[k]), ""}}
			if tr := c.Nodes[k].Translator; tr != "" && l.Kind == newstrace.EdgeTranslation {
				segs = append(segs, seg{" (translated by " + clean(tr) + ")", ""})
			}
			segs = append(segs, seg{"  " + confidence(l), ansiDim})
			t.line(segs...)
			t.detail(prefix+more+"   ", c.Nodes[k])
			walk(k, prefix+more)
		}
	}
	starts := []int{c.Root}
	for i, n := range c.Nodes {
		if i != c.Root && !n.OutletOnly && parent[i] < 0 {
			starts = append(starts, i)
		}
	}
	for si, s := range starts {
		if visited[s] {
			continue
		}
		if si > 0 {
			t.line()
		}
		n := c.Nodes[s]
		tag := "(root)"
		if s != c.Root {
			tag = "(no link to the root found)"
		}
		t.line(seg{clean(n.Outlet), ansiBold}, seg{"  " + when(n), ""}, seg{"  " + tag, ansiDim})
		t.detail("   ", n)
		walk(s, "  ")
	}
	// Whatever a cycle kept unreached still gets a line.
	for i, n := range c.Nodes {
		if !visited[i] && !n.OutletOnly {
			t.line()
			t.line(seg{clean(n.Outlet), ansiBold}, seg{"  " + when(n), ""}, seg{"  (in a loop of links)", ansiDim})
			t.detail("   ", n)
		}
	}

	var credits, others []int
	for li, l := range c.Links {
		switch {
		case c.Nodes[l.From].OutletOnly:
			credits = append(credits, li)
		case !used[li]:
			others = append(others, li)
		}
	}
	if len(credits) > 0 {
		t.line()
		for _, li := range credits {
			l := c.Links[li]
			to := c.Nodes[l.To]
			head := []seg{{clean(c.Nodes[l.From].Outlet), ansiBold}, {" (named as source, no document)", ansiDim}}
			tail := []seg{{"─ " + string(l.Kind) + " → ", kindColor[l.Kind]}, {clean(to.Outlet), ansiBold}}
			if to.Translator != "" && l.Kind == newstrace.EdgeTranslation {
				tail = append(tail, seg{" (translated by " + clean(to.Translator) + ")", ""})
			}
			tail = append(tail, seg{"  " + confidence(l), ansiDim})
			// One line as in the tree's own words when it fits, else the
			// edge goes under the outlet like a branch.
			if plainLen(head)+1+plainLen(tail) <= t.opt.Width {
				t.line(append(append(head, seg{" ", ""}), tail...)...)
			} else {
				t.line(head...)
				t.line(append([]seg{{"  └", ansiDim}}, tail...)...)
			}
		}
	}
	if len(c.External) > 0 {
		t.line()
		t.line(seg{"Links to other stories:", ansiBold})
		for _, x := range c.External {
			other := fmt.Sprintf("document %d", x.DocumentID)
			from, to := clean(c.Nodes[x.Node].Outlet), other
			if !x.Outgoing {
				from, to = other, from
			}
			t.line(seg{"  " + from, ""}, seg{" ─ " + string(x.Kind) + " → ", kindColor[x.Kind]}, seg{to, ""},
				seg{"  " + confidence(Link{Confidence: x.Confidence, Evidence: x.Evidence}), ansiDim})
		}
	}
	if len(others) > 0 {
		t.line()
		t.line(seg{"Other links:", ansiBold})
		for _, li := range others {
			l := c.Links[li]
			t.line(seg{"  " + clean(c.Nodes[l.From].Outlet), ""}, seg{" ─ " + string(l.Kind) + " → ", kindColor[l.Kind]},
				seg{clean(c.Nodes[l.To].Outlet), ""}, seg{"  " + l.Gap, ""}, seg{"  " + confidence(l), ansiDim})
		}
	}
}

// detail writes a document's URL, and its title when it differs from the story's.
func (t *textWriter) detail(prefix string, n Node) {
	if n.Title != "" && !strings.EqualFold(strings.TrimSpace(n.Title), strings.TrimSpace(t.c.Title)) {
		t.line(seg{prefix, ansiDim}, seg{"“" + clean(n.Title) + "”", ""})
	}
	if n.URL != "" {
		t.line(seg{prefix, ansiDim}, seg{clean(n.URL), ansiDim})
	}
}

// flow orients a link along the flow of text: parent first.
func flow(l Link) (parent, child int) {
	if l.Kind == newstrace.EdgeCites {
		return l.To, l.From
	}
	return l.From, l.To
}

func plainLen(segs []seg) int {
	n := 0
	for _, s := range segs {
		n += utf8.RuneCountInString(s.text)
	}
	return n
}

func confidence(l Link) string {
	s := fmt.Sprintf("(%.2f", l.Confidence)
	if l.Evidence != "" {
		s += ": " + clean(l.Evidence)
	}
	return s + ")"
}

// when is a node's date for the terminal, saying when it is only the
// first-seen time.
func when(n Node) string {
	switch n.TimeSource {
	case TimePublished:
		return n.Time.Format("2006-01-02 15:04")
	case TimeFirstSeen:
		return "seen " + n.Time.Format("2006-01-02 15:04")
	}
	return "time unknown"
}

// clean makes hostile text safe for a terminal: control characters (ANSI
// escapes, carriage returns) and bidirectional overrides would let a page
// title rewrite what the reader sees.
func clean(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError
	}), " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
