// Package trace turns one story into the provenance chain people look at:
// a view model (Build), a terminal rendering (Text) and a timeline picture
// (SVG). It only reads domain values; matching decides the edges elsewhere.
package trace

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
)

// Role says where a node stands in the chain.
type Role string

const (
	RoleRoot     Role = "root"     // the story's earliest original
	RoleOriginal Role = "original" // derives from nothing we know of
	RoleCopy     Role = "copy"     // reposted, syndicated, translated or duplicated from another node
)

// TimeSource says which clock a node's time came from.
type TimeSource string

const (
	TimePublished TimeSource = "published"  // the document's own date
	TimeFirstSeen TimeSource = "first_seen" // when newstrace first saw it
	TimeUnknown   TimeSource = "unknown"
)

// Node is one document, or an outlet named only in a cue (OutletOnly).
type Node struct {
	DocumentID int64 // 0 for an outlet-only node
	OutletOnly bool
	Outlet     string
	Title      string
	URL        string
	Language   string
	Translator string // who the document says translated it
	Time       time.Time
	TimeSource TimeSource
	Role       Role
	Lane       int    // index into Chain.Lanes
	GapPrev    string // from the previous node in time order; "" for the first
	GapRoot    string // from the root; "" for the root itself
}

// HasTime reports whether the node's time is known.
func (n Node) HasTime() bool { return n.TimeSource != TimeUnknown }

// Link is one provenance edge between two nodes (indexes into Chain.Nodes),
// oriented as stored: original → derived, citing → cited.
type Link struct {
	From, To   int
	Kind       newstrace.EdgeKind
	Confidence float64
	Evidence   string
	Gap        string // From's time to To's time
}

// External is an edge between a node and a document of another story
// (a citation across stories, say), which the chain names but does not place.
type External struct {
	Node       int   // the end inside this story
	DocumentID int64 // the end outside it
	Outgoing   bool  // the edge runs from Node to DocumentID
	Kind       newstrace.EdgeKind
	Confidence float64
	Evidence   string
}

// Chain is one story's provenance, ordered along time.
type Chain struct {
	StoryID     int64
	Title       string
	Nodes       []Node // time order; outlet-only nodes just before the first document crediting them
	Links       []Link
	External    []External
	Root        int      // index of the root node, -1 when the story is empty
	Lanes       []string // outlets in order of first appearance
	Documents   int
	SourceCount int
}

// Build turns a story into its chain. Edges to documents outside the story
// are kept apart in External.
func Build(s newstrace.Story) Chain {
	c := Chain{StoryID: s.ID, Title: s.Title, Root: -1, Documents: len(s.Documents), SourceCount: s.SourceCount}

	docs := make([]Node, 0, len(s.Documents))
	for _, d := range s.Documents {
		n := Node{DocumentID: d.ID, Outlet: outletOf(d), Title: d.Title, URL: d.URL, Language: d.Language,
			Translator: d.Provenance.Translator, Role: RoleOriginal}
		switch {
		case d.Published != nil && !d.Published.IsZero():
			n.Time, n.TimeSource = d.Published.UTC(), TimePublished
		case !d.FirstSeen.IsZero():
			n.Time, n.TimeSource = d.FirstSeen.UTC(), TimeFirstSeen
		default:
			n.TimeSource = TimeUnknown
		}
		docs = append(docs, n)
	}
	// Known times first, oldest first; unknown times last; at equal times the
	// root leads (a copy dated the same day is still read after its source),
	// then ids, so the order is stable whatever order the store returned.
	isRoot := func(n Node) int {
		if n.DocumentID == s.RootDocumentID {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(docs, func(a, b Node) int {
		if a.HasTime() != b.HasTime() {
			if a.HasTime() {
				return -1
			}
			return 1
		}
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(isRoot(a), isRoot(b)), cmp.Compare(a.DocumentID, b.DocumentID))
	})

	// Outlet-only nodes, one per outlet name, placed before the earliest
	// document that credits them.
	docIndex := make(map[int64]int, len(docs))
	for i, n := range docs {
		docIndex[n.DocumentID] = i
	}
	type outletNode struct {
		name   string
		before int // index in docs
	}
	var outlets []outletNode
	outletPos := map[string]int{}
	for _, e := range s.Edges {
		if e.FromID != 0 || strings.TrimSpace(e.FromOutlet) == "" {
			continue
		}
		to, ok := docIndex[e.ToID]
		if !ok {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(e.FromOutlet))
		if i, ok := outletPos[key]; ok {
			outlets[i].before = min(outlets[i].before, to)
			continue
		}
		outletPos[key] = len(outlets)
		outlets = append(outlets, outletNode{name: strings.TrimSpace(e.FromOutlet), before: to})
	}
	slices.SortStableFunc(outlets, func(a, b outletNode) int { return cmp.Compare(a.before, b.before) })

	nodeOfDoc := make(map[int64]int, len(docs))
	nodeOfOutlet := make(map[string]int, len(outlets))
	oi := 0
	for i, d := range docs {
		for oi < len(outlets) && outlets[oi].before == i {
			nodeOfOutlet[strings.ToLower(outlets[oi].name)] = len(c.Nodes)
			c.Nodes = append(c.Nodes, Node{OutletOnly: true, Outlet: outlets[oi].name, TimeSource: TimeUnknown, Role: RoleOriginal})
			oi++
		}
		nodeOfDoc[d.DocumentID] = len(c.Nodes)
		c.Nodes = append(c.Nodes, d)
	}

	for _, e := range s.Edges {
		ext := External{Kind: e.Kind, Confidence: e.Confidence, Evidence: strings.TrimSpace(e.Evidence)}
		to, ok := nodeOfDoc[e.ToID]
		if !ok {
			if from, ok := nodeOfDoc[e.FromID]; ok && e.FromID != 0 {
				ext.Node, ext.DocumentID, ext.Outgoing = from, e.ToID, true
				c.External = append(c.External, ext)
			}
			continue
		}
		var from int
		if e.FromID != 0 {
			if from, ok = nodeOfDoc[e.FromID]; !ok {
				ext.Node, ext.DocumentID = to, e.FromID
				c.External = append(c.External, ext)
				continue
			}
		} else if from, ok = nodeOfOutlet[strings.ToLower(strings.TrimSpace(e.FromOutlet))]; !ok {
			continue
		}
		if from == to {
			continue
		}
		c.Links = append(c.Links, Link{From: from, To: to, Kind: e.Kind, Confidence: e.Confidence,
			Evidence: strings.TrimSpace(e.Evidence), Gap: gapBetween(c.Nodes[from], c.Nodes[to])})
		// The derived end of a derivation is a copy; a citing document is
		// still an original of its own.
		if e.Kind == newstrace.EdgeCites {
			continue
		}
		c.Nodes[to].Role = RoleCopy
	}

	c.Root = -1
	if i, ok := nodeOfDoc[s.RootDocumentID]; ok && s.RootDocumentID != 0 {
		c.Root = i
	} else {
		for i, n := range c.Nodes {
			if !n.OutletOnly {
				c.Root = i
				break
			}
		}
	}
	if c.Root >= 0 {
		c.Nodes[c.Root].Role = RoleRoot
	}

	lanes := map[string]int{}
	for i := range c.Nodes {
		n := &c.Nodes[i]
		key := strings.ToLower(n.Outlet)
		l, ok := lanes[key]
		if !ok {
			l = len(c.Lanes)
			lanes[key] = l
			c.Lanes = append(c.Lanes, n.Outlet)
		}
		n.Lane = l
		if i > 0 {
			n.GapPrev = gapBetween(c.Nodes[i-1], *n)
		}
		if c.Root >= 0 && i != c.Root {
			n.GapRoot = gapBetween(c.Nodes[c.Root], *n)
		}
	}
	if c.Title == "" && c.Root >= 0 {
		c.Title = c.Nodes[c.Root].Title
	}
	return c
}

// Outlets counts the outlets with a document in the chain.
func (c Chain) Outlets() int {
	seen := map[int]bool{}
	for _, n := range c.Nodes {
		if !n.OutletOnly {
			seen[n.Lane] = true
		}
	}
	return len(seen)
}

// outletOf names who published a document: the store's source, the page's
// own site name, the outlet named in its cues, else its host.
func outletOf(d newstrace.Document) string {
	for _, s := range []string{d.SourceName, d.SiteName, d.Provenance.Outlet} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	if h := hostOf(d.URL); h != "" {
		return h
	}
	if d.Path != "" {
		return d.Path
	}
	return fmt.Sprintf("document %d", d.ID)
}

func hostOf(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = host[at+1:]
	}
	return strings.TrimPrefix(host, "www.")
}

func gapBetween(a, b Node) string {
	if !a.HasTime() || !b.HasTime() {
		return "time unknown"
	}
	return FormatGap(b.Time.Sub(a.Time))
}

// FormatGap writes a time difference the way people say it: "+45m", "+3h",
// "+2 days", "+5 months", "+2 years"; "same time" under a minute; "-3h" for
// a copy dated before its original (clocks and time zones lie).
func FormatGap(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return "same time"
	case d < time.Hour:
		return fmt.Sprintf("%s%dm", sign, int(d/time.Minute))
	case d < 36*time.Hour:
		return fmt.Sprintf("%s%dh", sign, int(math.Round(d.Hours())))
	case d < 60*day:
		return fmt.Sprintf("%s%d days", sign, int(math.Round(d.Hours()/24)))
	case d < 548*day: // up to a year and a half, months read better
		return fmt.Sprintf("%s%d months", sign, int(math.Round(d.Hours()/24/30.44)))
	}
	return fmt.Sprintf("%s%d years", sign, int(math.Round(d.Hours()/24/365.25)))
}
