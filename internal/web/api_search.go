package web

import (
	"net/http"

	"github.com/newstrace/newstrace/internal/search"
)

// apiSearch runs q for the caller (is:starred and is:unread read their state)
// and answers the shape of `newstrace search --json`.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	params := r.URL.Query()
	limit, offset, err := pageParams(params.Get("limit"), params.Get("offset"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q, err := search.Parse(params.Get("q"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q.UserID, q.Limit, q.Offset = userID(state(r).user), limit, offset
	res, err := s.store.Search(r.Context(), q)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, search.Output(search.Format(q), res))
}
