package web

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/newstrace/newstrace"
)

type feedsResponse struct {
	Feeds []newstrace.Feed `json:"feeds"`
}

type createFeedRequest struct {
	URL    string `json:"url"`
	Title  string `json:"title"`
	Folder string `json:"folder"`
}

func (s *Server) apiFeeds(w http.ResponseWriter, r *http.Request) {
	feeds, err := s.store.Feeds(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, feedsResponse{Feeds: nonNil(feeds)})
}

func (s *Server) apiCreateFeed(w http.ResponseWriter, r *http.Request) {
	var req createFeedRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.apiError(w, r, err)
		return
	}
	f := newstrace.Feed{URL: strings.TrimSpace(req.URL), Title: strings.TrimSpace(req.Title), Folder: strings.TrimSpace(req.Folder)}
	if err := s.createFeed(r.Context(), &f); err != nil {
		s.apiError(w, r, err)
		return
	}
	// Read back so the answer shows what the store filled in (source, times).
	stored, err := s.store.Feed(r.Context(), f.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/feeds/"+strconv.FormatInt(f.ID, 10))
	s.writeJSON(w, r, http.StatusCreated, stored)
}

func (s *Server) apiFeed(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "feed")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	f, err := s.store.Feed(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, f)
}

func (s *Server) apiDeleteFeed(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "feed")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := s.store.DeleteFeed(r.Context(), id); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// decodeJSON reads a small JSON body. Requiring the JSON media type also
// stops cross-site forms, which cannot send it without a CORS preflight.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return newstrace.Errorf(newstrace.EINVALID, "Content-Type must be application/json")
	}
	r.Body = http.MaxBytesReader(w, r.Body, formMaxBytes)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return newstrace.Errorf(newstrace.ETOOLARGE, "request body is over %d bytes", formMaxBytes)
		}
		return newstrace.Errorf(newstrace.EINVALID, "request body is not valid JSON: %v", err)
	}
	return nil
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
