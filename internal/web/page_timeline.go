package web

import (
	"cmp"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/trace"
)

// The timeline picture is served as its own image/svg+xml resource and shown
// through <img>: an SVG loaded as an image never runs scripts, loads nothing
// and follows no links, so even a flaw in our escaping could not turn an
// outlet's name into code. Opened directly, its own CSP forbids scripts and
// every fetch; it only needs its inline <style>.
const timelineCSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// storyTimeline serves GET /stories/{id}/timeline.svg; ?w=narrow gives the
// phone layout.
func (s *Server) storyTimeline(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "story")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	st, err := s.store.Story(r.Context(), id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	width := trace.WideWidth
	if r.URL.Query().Get("w") == "narrow" {
		width = trace.NarrowWidth
	}
	svg := trace.SVGWidth(trace.Build(st), width)
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml; charset=utf-8")
	h.Set("Content-Security-Policy", timelineCSP)
	h.Set("Content-Length", strconv.Itoa(len(svg)))
	_, _ = w.Write(svg)
}

// chainItem is one step of the chain as the page lists it.
type chainItem struct {
	Anchor     string // id of this item
	Outlet     string
	DocumentID int64 // 0: an outlet named only as a source
	Title      string
	Time       time.Time
	TimeSource string // "published", "first seen", ""
	GapRoot    string
	IsRoot     bool
	Language   string
	Links      []chainLink
}

// chainLink says how this step derives from another: "repost of X".
type chainLink struct {
	Kind       string
	Word       string // between kind and other end: "of", "→", ""
	Other      string
	OtherURL   string
	Note       string // "translated by …", "another story"
	Confidence string
	Evidence   string
}

type timelineView struct {
	Show   bool // a picture needs at least two steps
	SVGURL string
	Alt    string
	Chain  []chainItem
}

// newTimelineView lists the chain in time order, each step with the links
// that bring text into it, and resolves links to documents of other stories.
func (s *Server) newTimelineView(r *http.Request, st newstrace.Story) timelineView {
	c := trace.Build(st)
	v := timelineView{Show: len(c.Nodes) > 1, SVGURL: fmt.Sprintf("/stories/%d/timeline.svg", st.ID), Alt: trace.Describe(c)}
	anchor := func(i int) string {
		if n := c.Nodes[i]; !n.OutletOnly {
			return "step-" + strconv.FormatInt(n.DocumentID, 10)
		}
		return "step-o" + strconv.Itoa(i)
	}
	for i, n := range c.Nodes {
		it := chainItem{Anchor: anchor(i), Outlet: n.Outlet, DocumentID: n.DocumentID, Title: n.Title, Time: n.Time,
			GapRoot: n.GapRoot, IsRoot: i == c.Root, Language: n.Language}
		switch n.TimeSource {
		case trace.TimePublished:
			it.TimeSource = "published"
		case trace.TimeFirstSeen:
			it.TimeSource = "first seen"
		}
		v.Chain = append(v.Chain, it)
	}
	for _, l := range c.Links {
		// A derived copy lists its original; a citing document what it cites.
		at, other, word := l.To, l.From, "of"
		if l.Kind == newstrace.EdgeCites {
			at, other, word = l.From, l.To, ""
		}
		cl := chainLink{Kind: string(l.Kind), Word: word, Other: c.Nodes[other].Outlet, OtherURL: "#" + anchor(other),
			Confidence: percent(l.Confidence), Evidence: l.Evidence}
		if tr := c.Nodes[l.To].Translator; tr != "" && l.Kind == newstrace.EdgeTranslation {
			cl.Note = "translated by " + tr
		}
		v.Chain[at].Links = append(v.Chain[at].Links, cl)
	}
	for _, x := range c.External {
		cl := chainLink{Kind: string(x.Kind), Word: "of", OtherURL: "/documents/" + strconv.FormatInt(x.DocumentID, 10),
			Note: "in another story", Confidence: percent(x.Confidence), Evidence: x.Evidence}
		if x.Outgoing {
			cl.Word = "→"
		}
		if x.Kind == newstrace.EdgeCites {
			cl.Word = ""
			if !x.Outgoing {
				cl.Kind = "cited by"
			}
		}
		cl.Other = "document " + strconv.FormatInt(x.DocumentID, 10)
		if d, err := s.store.Document(r.Context(), x.DocumentID); err == nil {
			cl.Other = outletOf(d) + ": " + cmp.Or(d.Title, "(untitled)")
		}
		v.Chain[x.Node].Links = append(v.Chain[x.Node].Links, cl)
	}
	return v
}

func percent(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }
