package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
)

//go:embed templates/*.html static/*
var assets embed.FS

// pages are the templates rendered inside the layout.
var pages = []string{"stories", "story", "document", "sources", "login", "error", "search", "feed_tokens"}

type templates struct {
	byName map[string]*template.Template
	cssURL string // carries a content hash, so the stylesheet can be cached long
	jsURL  string // likewise for reader.js
}

var funcs = template.FuncMap{
	"fmtTime": fmtTime,
	"isoTime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	},
	"host":   hostOf,
	"plural": plural,
	"join":   strings.Join,
}

// parseTemplates parses the layout with each page once, at start.
func parseTemplates() (*templates, error) {
	css, err := assets.ReadFile("static/style.css")
	if err != nil {
		return nil, fmt.Errorf("read stylesheet: %w", err)
	}
	sum := sha256.Sum256(css)
	js, err := assets.ReadFile("static/reader.js")
	if err != nil {
		return nil, fmt.Errorf("read script: %w", err)
	}
	jsSum := sha256.Sum256(js)
	t := &templates{
		byName: make(map[string]*template.Template, len(pages)),
		cssURL: "/static/style.css?v=" + hex.EncodeToString(sum[:6]),
		jsURL:  "/static/reader.js?v=" + hex.EncodeToString(jsSum[:6]),
	}
	for _, name := range pages {
		tpl, err := template.New(name).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/reader_parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		t.byName[name] = tpl
	}
	return t, nil
}

// layoutView is what every page gets: the page's own view in Page.
type layoutView struct {
	Title  string
	Nav    string // which header link is current
	CSSURL string
	JSURL  string
	User   *newstrace.User
	CSRF   string
	Page   any
	// Feeds are the page's outgoing feeds, for autodiscovery (feeds_out.go).
	Feeds []feedLink
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 page instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, page any) {
	st := state(r)
	v := layoutView{
		Title:  title,
		Nav:    name,
		CSSURL: s.tmpl.cssURL,
		JSURL:  s.tmpl.jsURL,
		User:   st.user,
		CSRF:   s.csrfToken(st.csrfNonce, userID(st.user)),
		Page:   page,
	}
	if fp, ok := page.(feedPage); ok {
		v.Feeds = fp.feedLinks()
	}
	var buf bytes.Buffer
	if err := s.tmpl.byName[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.ErrorContext(r.Context(), "render page", slog.String("page", name), slog.Any("err", err))
		if name != "error" {
			s.errorPage(w, r, fmt.Errorf("render %s: %w", name, err))
			return
		}
		http.Error(w, "Something went wrong.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

// hostOf returns the host of u without "www.", or u itself when unparsable.
func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return u
	}
	return strings.TrimPrefix(p.Hostname(), "www.")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// outletOf names where a document was published.
func outletOf(d newstrace.Document) string {
	switch {
	case d.SourceName != "":
		return d.SourceName
	case d.SiteName != "":
		return d.SiteName
	case d.URL != "":
		return hostOf(d.URL)
	}
	return "unknown outlet"
}

// timeOf is when a document says it was published, else when we first saw it.
func timeOf(d newstrace.Document) time.Time {
	if d.Published != nil && !d.Published.IsZero() {
		return *d.Published
	}
	return d.FirstSeen
}
