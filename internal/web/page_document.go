package web

import (
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/sanitize"
)

type provenanceRow struct {
	Label string
	Value string
	Link  string // set when the value is a URL to link to
}

type documentView struct {
	ID         int64
	Title      string
	Authors    []string
	Published  time.Time
	FirstSeen  time.Time
	Outlet     string
	URL        string
	Language   string
	StoryID    int64
	Provenance []provenanceRow
	BodyHTML   template.HTML // sanitized here, never trusted from the store
	Paragraphs []string
	Removed    []newstrace.Removed
	Reader     *readerView // nil without a signed-in user
	Notes      notesView
}

// documentPage is the reader view of one stored copy.
func (s *Server) documentPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "document")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d, err := s.store.Document(r.Context(), id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}

	v := documentView{
		ID: d.ID, Title: d.Title, Authors: d.Authors, FirstSeen: d.FirstSeen,
		Outlet: outletOf(d), URL: d.URL, Language: d.Language, StoryID: d.StoryID,
		Provenance: provenanceRows(d.Provenance), Removed: d.Removed,
	}
	if v.Title == "" {
		v.Title = "(untitled)"
	}
	if d.Published != nil {
		v.Published = *d.Published
	}
	// The stored HTML was sanitized at ingest; sanitizing again on the way out
	// is cheap insurance against a bad row or an older policy.
	if body := strings.TrimSpace(sanitize.HTML(d.HTML)); body != "" {
		v.BodyHTML = template.HTML(body)
	} else {
		v.Paragraphs = paragraphs(d.Text)
	}
	states, err := s.readerViews(r, []int64{d.ID}, r.URL.Path)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	v.Reader = states[d.ID]
	if v.Notes, err = s.notes(r, newstrace.NoteFilter{DocumentID: d.ID}, r.URL.Path+"/note"); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "document", v.Title, v)
}

func provenanceRows(p newstrace.Provenance) []provenanceRow {
	var rows []provenanceRow
	add := func(label, value string) {
		if value = strings.TrimSpace(value); value != "" {
			rows = append(rows, provenanceRow{Label: label, Value: value})
		}
	}
	add("Outlet", p.Outlet)
	add("Original source", p.OriginalSource)
	add("Translator", p.Translator)
	if via := strings.TrimSpace(p.ViaURL); via != "" {
		row := provenanceRow{Label: "Via", Value: via}
		if strings.HasPrefix(via, "http://") || strings.HasPrefix(via, "https://") {
			row.Link = via
		}
		rows = append(rows, row)
	}
	add("Republisher", p.Republisher)
	return rows
}

var blankLines = regexp.MustCompile(`\n[ \t\r]*\n`)

// paragraphs splits plain text on blank lines.
func paragraphs(text string) []string {
	var out []string
	for _, p := range blankLines.Split(strings.ReplaceAll(text, "\r\n", "\n"), -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
