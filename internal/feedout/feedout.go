// Package feedout writes outgoing feeds — Atom 1.0, RSS 2.0 and JSON Feed
// 1.1 — from one neutral item list, so every format says the same thing:
// each item links the story's provenance page on this server and credits the
// outlet that first published it.
//
// Callers give absolute URLs (built from the request's base URL); titles and
// text are plain text and are escaped here; Content is HTML and goes through
// the one sanitize policy before it is written.
package feedout

import (
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/newstrace/newstrace/internal/sanitize"
)

// Format is one outgoing feed format, named by its file extension.
type Format string

const (
	Atom Format = "atom"
	RSS  Format = "rss"
	JSON Format = "json"
)

// ParseFormat maps an extension ("atom", "rss", "json") to a Format.
func ParseFormat(ext string) (Format, bool) {
	switch f := Format(strings.ToLower(ext)); f {
	case Atom, RSS, JSON:
		return f, true
	}
	return "", false
}

// ContentType is the media type to serve f with.
func (f Format) ContentType() string {
	switch f {
	case Atom:
		return "application/atom+xml; charset=utf-8"
	case RSS:
		return "application/rss+xml; charset=utf-8"
	case JSON:
		return "application/feed+json; charset=utf-8"
	}
	return "application/octet-stream"
}

// Feed is one outgoing feed.
type Feed struct {
	Title       string
	Description string
	ID          string    // stable, unique (a tag: URI); defaults to FeedURL
	HomeURL     string    // absolute URL of the HTML page this feed mirrors
	FeedURL     string    // absolute URL of this feed (rel="self"), without any token
	BaseURL     string    // the server's base URL, for xml:base
	Language    string    // ISO 639-1, optional
	Updated     time.Time // newest item time; defaults to the newest item's Updated
	Generator   string
	Items       []Item
}

// Item is one story (or one copy of a story).
type Item struct {
	ID          string // stable, unique (a tag: URI)
	Title       string // plain text
	Link        string // absolute URL of the story's provenance page on this server
	OriginalURL string // the original article at its outlet, optional
	Outlet      string // the outlet credited as author: who first published it
	Authors     []string
	AlsoIn      int    // how many other outlets carry the story
	Summary     string // plain text; the credit line is prepended by Credit
	Content     string // body HTML, sanitized before writing; optional
	Categories  []string
	Language    string
	Published   time.Time
	Updated     time.Time // defaults to Published
}

// Credit is the line every format puts first in an item's summary:
// "First published by X; also in N outlets."
func (it Item) Credit() string {
	outlet := strings.TrimSpace(it.Outlet)
	if outlet == "" {
		outlet = "an unknown outlet"
	}
	s := "First published by " + outlet
	switch {
	case it.AlsoIn == 1:
		s += "; also in 1 other outlet"
	case it.AlsoIn > 1:
		s += fmt.Sprintf("; also in %d other outlets", it.AlsoIn)
	}
	return s + "."
}

// summary is the credit line, then the caller's summary.
func (it Item) summary() string {
	if s := strings.TrimSpace(it.Summary); s != "" {
		return it.Credit() + "\n\n" + s
	}
	return it.Credit()
}

func (it Item) updated() time.Time {
	if it.Updated.IsZero() {
		return it.Published
	}
	return it.Updated
}

// content is the item's body with everything unsafe removed, under the
// credit line (readers show content rather than summary when both exist).
func (it Item) content() string {
	if strings.TrimSpace(it.Content) == "" {
		return ""
	}
	return "<p><em>" + html.EscapeString(clean(it.Credit())) + "</em></p>\n" + sanitize.HTML(it.Content)
}

func (f Feed) id() string {
	if f.ID != "" {
		return f.ID
	}
	return f.FeedURL
}

// updated is f.Updated, else the newest item time, else the Unix epoch (Atom
// requires a date even for an empty feed; a fixed one keeps ETags stable).
func (f Feed) updated() time.Time {
	if !f.Updated.IsZero() {
		return f.Updated.UTC()
	}
	var t time.Time
	for _, it := range f.Items {
		if u := it.updated(); u.After(t) {
			t = u
		}
	}
	if t.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return t.UTC()
}

// LastModified is the feed's last change: what Last-Modified should say.
func (f Feed) LastModified() time.Time { return f.updated() }

// Write writes f in format.
func Write(w io.Writer, format Format, f Feed) error {
	switch format {
	case Atom:
		return WriteAtom(w, f)
	case RSS:
		return WriteRSS(w, f)
	case JSON:
		return WriteJSON(w, f)
	}
	return fmt.Errorf("feedout: unknown format %q", format)
}

// clean drops characters no feed format may carry (C0 controls other than
// tab and newline, which XML 1.0 forbids and readers choke on) and trims.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20 || r == 0x7f || r == 0xfffe || r == 0xffff:
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// oneLine is clean, with runs of white space (newlines too) folded to one space.
func oneLine(s string) string { return strings.Join(strings.Fields(clean(s)), " ") }

func untitled(s string) string {
	if s = oneLine(s); s == "" {
		return "(untitled)"
	}
	return s
}
