package feedout

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

const atomNS = "http://www.w3.org/2005/Atom"

type atomFeed struct {
	XMLName   xml.Name    `xml:"feed"`
	NS        string      `xml:"xmlns,attr"`
	Base      string      `xml:"xml:base,attr,omitempty"`
	Lang      string      `xml:"xml:lang,attr,omitempty"`
	ID        string      `xml:"id"`
	Title     atomText    `xml:"title"`
	Subtitle  *atomText   `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Generator string      `xml:"generator,omitempty"`
	Entries   []atomEntry `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Body string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    *atomText      `xml:"content,omitempty"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// WriteAtom writes f as Atom 1.0 (RFC 4287): every entry has an id, a title,
// an updated date, an author (the original outlet) and an alternate link to
// the provenance page; the original article is a rel="related" link.
func WriteAtom(w io.Writer, f Feed) error {
	out := atomFeed{
		NS: atomNS, Base: f.BaseURL, Lang: f.Language,
		ID: f.id(), Title: atomText{Type: "text", Body: untitled(f.Title)},
		Updated:   atomTime(f.updated()),
		Generator: oneLine(f.Generator),
	}
	if d := oneLine(f.Description); d != "" {
		out.Subtitle = &atomText{Type: "text", Body: d}
	}
	if f.FeedURL != "" {
		out.Links = append(out.Links, atomLink{Rel: "self", Type: "application/atom+xml", Href: f.FeedURL})
	}
	if f.HomeURL != "" {
		out.Links = append(out.Links, atomLink{Rel: "alternate", Type: "text/html", Href: f.HomeURL})
	}
	for _, it := range f.Items {
		e := atomEntry{
			ID: it.ID, Title: atomText{Type: "text", Body: untitled(it.Title)},
			Updated: atomTime(it.updated()),
			Authors: []atomPerson{{Name: oneLine(creditedOutlet(it))}},
			Summary: atomText{Type: "text", Body: clean(it.summary())},
		}
		if !it.Published.IsZero() {
			e.Published = atomTime(it.Published)
		}
		e.Links = append(e.Links, atomLink{Rel: "alternate", Type: "text/html", Href: it.Link})
		if it.OriginalURL != "" {
			e.Links = append(e.Links, atomLink{Rel: "related", Type: "text/html", Href: it.OriginalURL})
		}
		for _, c := range it.Categories {
			if c = oneLine(c); c != "" {
				e.Categories = append(e.Categories, atomCategory{Term: c})
			}
		}
		if c := it.content(); c != "" {
			e.Content = &atomText{Type: "html", Body: clean(c)}
		}
		out.Entries = append(out.Entries, e)
	}
	return writeXML(w, out)
}

// creditedOutlet is who an item credits as its author.
func creditedOutlet(it Item) string {
	if o := oneLine(it.Outlet); o != "" {
		return o
	}
	return "unknown outlet"
}

func writeXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	return nil
}
