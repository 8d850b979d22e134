package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/sanitize"
)

const (
	defaultLimit = 50
	maxLimit     = 200
)

// articleSummary is a document in lists: no body, provenance or removed parts.
type articleSummary struct {
	ID           int64      `json:"id"`
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url"`
	Title        string     `json:"title"`
	Authors      []string   `json:"authors"`
	Published    *time.Time `json:"published,omitempty"`
	FirstSeen    time.Time  `json:"first_seen"`
	Language     string     `json:"language,omitempty"`
	SiteName     string     `json:"site_name,omitempty"`
	Source       string     `json:"source,omitempty"`
	SourceID     int64      `json:"source_id,omitempty"`
	StoryID      int64      `json:"story_id"`
	ContentHash  string     `json:"content_hash"`
	Path         string     `json:"path,omitempty"`
}

func summarize(d newstrace.Document) articleSummary {
	return articleSummary{
		ID: d.ID, URL: d.URL, CanonicalURL: d.CanonicalURL, Title: d.Title, Authors: nonNil(d.Authors),
		Published: d.Published, FirstSeen: d.FirstSeen, Language: d.Language, SiteName: d.SiteName,
		Source: d.SourceName, SourceID: d.SourceID, StoryID: d.StoryID, ContentHash: d.ContentHash, Path: d.Path,
	}
}

type articlesResponse struct {
	Articles []articleSummary `json:"articles"`
	Limit    int              `json:"limit"`
	Offset   int              `json:"offset"`
}

// articleDetail is one document in full, with the sightings that brought it.
type articleDetail struct {
	newstrace.Document
	Sightings []newstrace.Sighting `json:"sightings"`
}

func (s *Server) apiArticles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset, err := pageParams(q.Get("limit"), q.Get("offset"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	feedID, err := queryID(q.Get("feed_id"), "feed_id")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	sourceID, err := queryID(q.Get("source_id"), "source_id")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	docs, err := s.store.Documents(r.Context(), newstrace.DocumentFilter{FeedID: feedID, SourceID: sourceID, Limit: limit, Offset: offset})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	resp := articlesResponse{Articles: make([]articleSummary, 0, len(docs)), Limit: limit, Offset: offset}
	for _, d := range docs {
		resp.Articles = append(resp.Articles, summarize(d))
	}
	s.writeJSON(w, r, http.StatusOK, resp)
}

func (s *Server) apiArticle(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "article")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	d, err := s.store.Document(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	sightings, err := s.store.Sightings(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	d.HTML = sanitize.HTML(d.HTML) // clients may render it as is
	d.Authors, d.Removed = nonNil(d.Authors), nonNil(d.Removed)
	s.writeJSON(w, r, http.StatusOK, articleDetail{Document: d, Sightings: nonNil(sightings)})
}

// pageParams reads limit (1..200, default 50) and offset (>= 0).
func pageParams(rawLimit, rawOffset string) (limit, offset int, err error) {
	limit, offset = defaultLimit, 0
	if rawLimit != "" {
		if limit, err = strconv.Atoi(rawLimit); err != nil || limit < 1 || limit > maxLimit {
			return 0, 0, newstrace.Errorf(newstrace.EINVALID, "limit must be an integer from 1 to %d", maxLimit)
		}
	}
	if rawOffset != "" {
		if offset, err = strconv.Atoi(rawOffset); err != nil || offset < 0 {
			return 0, 0, newstrace.Errorf(newstrace.EINVALID, "offset must be a non-negative integer")
		}
	}
	return limit, offset, nil
}

// queryID reads an optional positive id; "" means any.
func queryID(raw, name string) (int64, error) {
	if raw == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, newstrace.Errorf(newstrace.EINVALID, "%s must be a positive integer", name)
	}
	return id, nil
}
