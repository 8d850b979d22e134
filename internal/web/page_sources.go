package web

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/feed"
)

type feedRow struct {
	ID           int64
	Title        string
	URL          string
	Folder       string
	LastPolledAt time.Time
	NextPollAt   time.Time
	FailureCount int
	LastError    string
	LastErrorAt  time.Time
}

type sourcesView struct {
	Feeds   []feedRow
	Failing int
	Notice  string // result of the last form, from the redirect's query
	Error   string // why the form just posted was refused
	Form    struct{ URL, Title, Folder string }
}

// sourcesPage lists every feed with its health, and the add/import forms.
func (s *Server) sourcesPage(w http.ResponseWriter, r *http.Request) {
	s.renderSources(w, r, http.StatusOK, sourcesView{Notice: noticeFrom(r.URL.Query())})
}

func (s *Server) renderSources(w http.ResponseWriter, r *http.Request, status int, v sourcesView) {
	feeds, err := s.store.Feeds(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	slices.SortStableFunc(feeds, func(a, b newstrace.Feed) int {
		return cmp.Or(
			cmp.Compare(strings.ToLower(a.Folder), strings.ToLower(b.Folder)),
			cmp.Compare(strings.ToLower(cmp.Or(a.Title, a.URL)), strings.ToLower(cmp.Or(b.Title, b.URL))),
		)
	})
	for _, f := range feeds {
		v.Feeds = append(v.Feeds, feedRow{
			ID: f.ID, Title: cmp.Or(f.Title, hostOf(f.URL)), URL: f.URL, Folder: f.Folder,
			LastPolledAt: f.LastPolledAt, NextPollAt: f.NextPollAt,
			FailureCount: f.FailureCount, LastError: f.LastError, LastErrorAt: f.LastErrorAt,
		})
		if f.LastError != "" || f.FailureCount > 0 {
			v.Failing++
		}
	}
	s.render(w, r, status, "sources", "Sources", v)
}

func noticeFrom(q url.Values) string {
	added, _ := strconv.Atoi(q.Get("added"))
	skipped, _ := strconv.Atoi(q.Get("skipped"))
	switch {
	case q.Has("skipped"):
		return fmt.Sprintf("Imported %s; skipped %d (already followed or not an http(s) URL).", plural(added, "feed", "feeds"), skipped)
	case q.Has("added"):
		return fmt.Sprintf("Added %s. It will be polled shortly.", plural(added, "feed", "feeds"))
	}
	return ""
}

// addFeed handles the add-feed form.
func (s *Server) addFeed(w http.ResponseWriter, r *http.Request) {
	f := newstrace.Feed{
		URL:    strings.TrimSpace(r.PostFormValue("url")),
		Title:  strings.TrimSpace(r.PostFormValue("title")),
		Folder: strings.TrimSpace(r.PostFormValue("folder")),
	}
	if err := s.createFeed(r.Context(), &f); err != nil {
		v := sourcesView{Error: newstrace.ErrorMessage(err)}
		v.Form.URL, v.Form.Title, v.Form.Folder = f.URL, f.Title, f.Folder
		if statusOf(err) == http.StatusInternalServerError {
			s.errorPage(w, r, err)
			return
		}
		s.renderSources(w, r, statusOf(err), v)
		return
	}
	http.Redirect(w, r, "/sources?added=1#feed-"+strconv.FormatInt(f.ID, 10), http.StatusSeeOther)
}

// createFeed validates and stores a new feed due now, then wakes the workers.
// The UI form, the OPML import and the API all add feeds through it.
func (s *Server) createFeed(ctx context.Context, f *newstrace.Feed) error {
	u, err := checkFeedURL(f.URL)
	if err != nil {
		return err
	}
	f.URL = u
	f.NextPollAt = s.now()
	if err := s.store.CreateFeed(ctx, f); err != nil {
		if newstrace.ErrorCode(err) == newstrace.ECONFLICT {
			return newstrace.Errorf(newstrace.ECONFLICT, "%s is already followed.", f.URL)
		}
		return fmt.Errorf("create feed %s: %w", f.URL, err)
	}
	s.log.InfoContext(ctx, "feed added", slog.Int64("feed_id", f.ID), slog.String("url", f.URL))
	if s.onFeedAdded != nil {
		// The callback may enqueue after this request ends.
		s.onFeedAdded(context.WithoutCancel(ctx), f.ID)
	}
	return nil
}

// checkFeedURL accepts absolute http(s) URLs only.
func checkFeedURL(raw string) (string, error) {
	if raw == "" {
		return "", newstrace.Errorf(newstrace.EINVALID, "A feed URL is required.")
	}
	if len(raw) > 2048 {
		return "", newstrace.Errorf(newstrace.EINVALID, "The feed URL is too long.")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", newstrace.Errorf(newstrace.EINVALID, "%q is not an http(s) URL.", raw)
	}
	return u.String(), nil
}

// importOPML adds every feed of an uploaded OPML file; ones already followed
// are skipped.
func (s *Server) importOPML(w http.ResponseWriter, r *http.Request) {
	file, _, err := r.FormFile("opml")
	if err != nil {
		s.renderSources(w, r, http.StatusBadRequest, sourcesView{Error: "Choose an OPML file to import."})
		return
	}
	defer file.Close()
	outlines, err := feed.ParseOPML(file, opmlMaxBytes)
	if err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			err = newstrace.Errorf(newstrace.EINVALID, "The file could not be read as OPML.")
		}
		s.renderSources(w, r, statusOf(err), sourcesView{Error: newstrace.ErrorMessage(err)})
		return
	}
	var added, skipped int
	for _, o := range outlines {
		f := newstrace.Feed{URL: strings.TrimSpace(o.XMLURL), Title: o.Title, SiteURL: o.HTMLURL, Folder: o.Folder}
		err := s.createFeed(r.Context(), &f)
		switch newstrace.ErrorCode(err) {
		case "":
			added++
		case newstrace.ECONFLICT, newstrace.EINVALID:
			skipped++
		default:
			s.errorPage(w, r, err)
			return
		}
	}
	http.Redirect(w, r, fmt.Sprintf("/sources?added=%d&skipped=%d", added, skipped), http.StatusSeeOther)
}

// exportOPML downloads every feed as OPML, folders kept.
func (s *Server) exportOPML(w http.ResponseWriter, r *http.Request) {
	feeds, err := s.store.Feeds(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := feed.WriteOPML(&buf, "newstrace feeds", feeds); err != nil {
		s.errorPage(w, r, fmt.Errorf("export opml: %w", err))
		return
	}
	w.Header().Set("Content-Type", "text/x-opml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="newstrace-feeds.opml"`)
	_, _ = buf.WriteTo(w)
}
