package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
)

// Reader state: read/unread, stars, tags and team notes, as forms (they
// work without JavaScript; reader.js only saves the round trip) and as JSON.
// All of it is per account, so it needs one: in single-user desktop mode
// (no accounts) the controls are hidden and the routes answer 403.

func (s *Server) readerRoutes(mux *http.ServeMux) {
	mux.Handle("POST /documents/{id}/state", s.page(s.form(formMaxBytes, s.postDocumentState)))
	mux.Handle("POST /documents/{id}/note", s.page(s.form(formMaxBytes, s.postDocumentNote)))
	mux.Handle("POST /documents/{id}/tags", s.page(s.form(formMaxBytes, s.postDocumentTags)))
	mux.Handle("POST /stories/{id}/note", s.page(s.form(formMaxBytes, s.postStoryNote)))
	mux.Handle("POST /mark-all-read", s.page(s.form(formMaxBytes, s.postMarkAllRead)))

	for _, action := range []string{"read", "unread", "star", "unstar"} {
		mux.Handle("POST /api/v1/articles/{id}/"+action, s.api(s.apiSetState(action)))
	}
	mux.Handle("GET /api/v1/articles/{id}/state", s.api(s.apiDocumentState))
	mux.Handle("POST /api/v1/articles/{id}/tags", s.api(s.apiEditTags))
	mux.Handle("PUT /api/v1/articles/{id}/note", s.api(s.apiPutNote("document")))
	mux.Handle("PUT /api/v1/stories/{id}/note", s.api(s.apiPutNote("story")))
	mux.Handle("GET /api/v1/notes", s.api(s.apiNotes))
	mux.Handle("POST /api/v1/mark-all-read", s.api(s.apiMarkAllRead))
}

var errNoAccount = newstrace.Errorf(newstrace.EFORBIDDEN,
	"Reading state is kept per account. Create one with `newstrace user add NAME` and sign in.")

// readerUser is the signed-in user, or errNoAccount.
func readerUser(r *http.Request) (newstrace.User, error) {
	if u := state(r).user; u != nil {
		return *u, nil
	}
	return newstrace.User{}, errNoAccount
}

// setState applies read|unread|star|unstar to one document.
func (s *Server) setState(r *http.Request, userID, docID int64, action string) error {
	switch action {
	case "read", "unread":
		return s.store.SetRead(r.Context(), userID, []int64{docID}, action == "read")
	case "star", "unstar":
		return s.store.SetStarred(r.Context(), userID, []int64{docID}, action == "star")
	}
	return newstrace.Errorf(newstrace.EINVALID, "unknown action %q", action)
}

// backTo is the form's "next" when it is a local path, else fallback.
func backTo(r *http.Request, fallback string) string {
	next := r.PostFormValue("next")
	if u, err := url.Parse(next); err == nil && strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") &&
		!strings.Contains(next, `\`) && u.Host == "" {
		return next
	}
	return fallback
}

func (s *Server) postDocumentState(w http.ResponseWriter, r *http.Request) {
	u, err := readerUser(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, err := pathID(r, "document")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	if err := s.setState(r, u.ID, id, r.PostFormValue("action")); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, backTo(r, "/documents/"+strconv.FormatInt(id, 10)), http.StatusSeeOther)
}

func (s *Server) postDocumentNote(w http.ResponseWriter, r *http.Request) {
	s.postNote(w, r, "document")
}
func (s *Server) postStoryNote(w http.ResponseWriter, r *http.Request) { s.postNote(w, r, "story") }

func (s *Server) postNote(w http.ResponseWriter, r *http.Request, what string) {
	u, err := readerUser(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, err := pathID(r, what)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	n := newstrace.Note{UserID: u.ID, Text: r.PostFormValue("text")}
	path := "/documents/"
	if what == "story" {
		n.StoryID, path = id, "/stories/"
	} else {
		n.DocumentID = id
	}
	if _, err := s.store.SetNote(r.Context(), n); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, path+strconv.FormatInt(id, 10)+"#notes", http.StatusSeeOther)
}

func (s *Server) postDocumentTags(w http.ResponseWriter, r *http.Request) {
	u, err := readerUser(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	id, err := pathID(r, "document")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	tag := strings.TrimSpace(r.PostFormValue("tag"))
	if len(tag) > 100 {
		s.errorPage(w, r, newstrace.Errorf(newstrace.EINVALID, "A tag is at most 100 characters."))
		return
	}
	if r.PostFormValue("action") == "remove" {
		err = s.store.RemoveTag(r.Context(), u.ID, []int64{id}, tag)
	} else {
		err = s.store.AddTag(r.Context(), u.ID, []int64{id}, tag)
	}
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/documents/"+strconv.FormatInt(id, 10)+"#tags", http.StatusSeeOther)
}

// postMarkAllRead marks what the reader saw read: "before" is when the page
// was rendered, so what arrived since stays unread.
func (s *Server) postMarkAllRead(w http.ResponseWriter, r *http.Request) {
	u, err := readerUser(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	f := newstrace.MarkFilter{Before: s.now(), Ingested: true}
	if b, err := time.Parse(time.RFC3339Nano, r.PostFormValue("before")); err == nil {
		f.Before = b
	}
	if f.FeedID, err = queryID(r.PostFormValue("feed_id"), "feed_id"); err != nil {
		s.errorPage(w, r, err)
		return
	}
	if _, err := s.store.MarkAllRead(r.Context(), u.ID, f); err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, backTo(r, "/"), http.StatusSeeOther)
}

// stateResponse is one document's state for the caller.
type stateResponse struct {
	ID        int64     `json:"id"`
	Read      bool      `json:"read"`
	Starred   bool      `json:"starred"`
	ReadAt    time.Time `json:"read_at,omitzero"`
	StarredAt time.Time `json:"starred_at,omitzero"`
	Tags      []string  `json:"tags"`
}

func (s *Server) documentState(r *http.Request, userID, id int64) (stateResponse, error) {
	st, err := s.store.DocumentStates(r.Context(), userID, []int64{id})
	if err != nil {
		return stateResponse{}, err
	}
	if len(st) == 0 {
		return stateResponse{}, newstrace.Errorf(newstrace.ENOTFOUND, "article %d not found", id)
	}
	return stateResponse{ID: id, Read: !st[0].ReadAt.IsZero(), Starred: !st[0].StarredAt.IsZero(),
		ReadAt: st[0].ReadAt, StarredAt: st[0].StarredAt, Tags: nonNil(st[0].Tags)}, nil
}

// requireJSON keeps cross-site forms out of body-less POSTs: a form cannot
// send application/json without a CORS preflight.
func requireJSON(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return newstrace.Errorf(newstrace.EINVALID, "Content-Type must be application/json")
	}
	return nil
}

func (s *Server) apiSetState(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := readerUser(r)
		if err == nil {
			err = requireJSON(r)
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		id, err := pathID(r, "article")
		if err == nil {
			err = s.setState(r, u.ID, id, action)
		}
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		st, err := s.documentState(r, u.ID, id)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		s.writeJSON(w, r, http.StatusOK, st)
	}
}

func (s *Server) apiDocumentState(w http.ResponseWriter, r *http.Request) {
	u, err := readerUser(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	id, err := pathID(r, "article")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	st, err := s.documentState(r, u.ID, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, st)
}

func (s *Server) apiEditTags(w http.ResponseWriter, r *http.Request) {
	u, err := readerUser(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	id, err := pathID(r, "article")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var req struct {
		Add    []string `json:"add"`
		Remove []string `json:"remove"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiError(w, r, err)
		return
	}
	for _, t := range req.Add {
		if err := s.store.AddTag(r.Context(), u.ID, []int64{id}, t); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	for _, t := range req.Remove {
		if err := s.store.RemoveTag(r.Context(), u.ID, []int64{id}, t); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	st, err := s.documentState(r, u.ID, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, st)
}

func (s *Server) apiPutNote(what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := readerUser(r)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		id, err := pathID(r, what)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		var req struct {
			Text string `json:"text"`
		}
		if err := decodeJSON(w, r, &req); err != nil {
			s.apiError(w, r, err)
			return
		}
		n := newstrace.Note{UserID: u.ID, Text: req.Text}
		if what == "story" {
			n.StoryID = id
		} else {
			n.DocumentID = id
		}
		n, err = s.store.SetNote(r.Context(), n)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		s.writeJSON(w, r, http.StatusOK, n)
	}
}

func (s *Server) apiNotes(w http.ResponseWriter, r *http.Request) {
	if _, err := readerUser(r); err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, _, err := pageParams(q.Get("limit"), "")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var f newstrace.NoteFilter
	f.Limit = limit
	if f.DocumentID, err = queryID(q.Get("article_id"), "article_id"); err != nil {
		s.apiError(w, r, err)
		return
	}
	if f.StoryID, err = queryID(q.Get("story_id"), "story_id"); err != nil {
		s.apiError(w, r, err)
		return
	}
	notes, err := s.store.Notes(r.Context(), f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"notes": nonNil(notes)})
}

func (s *Server) apiMarkAllRead(w http.ResponseWriter, r *http.Request) {
	u, err := readerUser(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var req struct {
		FeedID int64     `json:"feed_id"`
		Folder string    `json:"folder"`
		Tag    string    `json:"tag"`
		Before time.Time `json:"before"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiError(w, r, err)
		return
	}
	n, err := s.store.MarkAllRead(r.Context(), u.ID, newstrace.MarkFilter{FeedID: req.FeedID, Folder: req.Folder, Tag: req.Tag, Before: req.Before})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, map[string]int{"marked": n})
}
