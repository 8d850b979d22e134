package web

import (
	"net/http"
	"time"

	"github.com/newstrace/newstrace"
)

// storyJSON is a story with its documents as summaries (no bodies).
type storyJSON struct {
	ID             int64            `json:"id"`
	Title          string           `json:"title"`
	RootDocumentID int64            `json:"root_document_id"`
	CreatedAt      time.Time        `json:"created_at"`
	UpdatedAt      time.Time        `json:"updated_at"`
	DocumentCount  int              `json:"document_count"`
	SourceCount    int              `json:"source_count"`
	Documents      []articleSummary `json:"documents"`
	Edges          []newstrace.Edge `json:"edges"`
}

func storyOut(st newstrace.Story) storyJSON {
	out := storyJSON{
		ID: st.ID, Title: st.Title, RootDocumentID: st.RootDocumentID, CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt,
		DocumentCount: st.DocumentCount, SourceCount: st.SourceCount,
		Documents: make([]articleSummary, 0, len(st.Documents)), Edges: nonNil(st.Edges),
	}
	for _, d := range st.Documents {
		out.Documents = append(out.Documents, summarize(d))
	}
	return out
}

type storiesResponse struct {
	Stories []storyJSON `json:"stories"`
	Limit   int         `json:"limit"`
	Offset  int         `json:"offset"`
}

func (s *Server) apiStories(w http.ResponseWriter, r *http.Request) {
	limit, offset, err := pageParams(r.URL.Query().Get("limit"), r.URL.Query().Get("offset"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	stories, err := s.store.Stories(r.Context(), newstrace.StoryFilter{Limit: limit, Offset: offset})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	resp := storiesResponse{Stories: make([]storyJSON, 0, len(stories)), Limit: limit, Offset: offset}
	for _, st := range stories {
		resp.Stories = append(resp.Stories, storyOut(st))
	}
	s.writeJSON(w, r, http.StatusOK, resp)
}

func (s *Server) apiStory(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "story")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	st, err := s.store.Story(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, storyOut(st))
}
