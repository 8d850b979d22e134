package web

import (
	"net/http"

	"github.com/newstrace/newstrace"
)

// readerView is one document's state controls for the signed-in user.
type readerView struct {
	DocID   int64
	Read    bool
	Starred bool
	Tags    []string
	CSRF    string
	Next    string // where the forms return to
}

// notesView is the team's notes on one document or story.
type notesView struct {
	Notes    []newstrace.Note
	CanWrite bool
	Mine     string // the signed-in user's own note, to edit
	Action   string
	CSRF     string
}

func (s *Server) formCSRF(r *http.Request) string {
	st := state(r)
	return s.csrfToken(st.csrfNonce, userID(st.user))
}

// readerViews returns state controls for docIDs, keyed by id; nil without a user.
func (s *Server) readerViews(r *http.Request, docIDs []int64, next string) (map[int64]*readerView, error) {
	u := state(r).user
	if u == nil || len(docIDs) == 0 {
		return nil, nil
	}
	states, err := s.store.DocumentStates(r.Context(), u.ID, docIDs)
	if err != nil {
		return nil, err
	}
	csrf := s.formCSRF(r)
	out := make(map[int64]*readerView, len(states))
	for _, st := range states {
		out[st.DocumentID] = &readerView{DocID: st.DocumentID, Read: !st.ReadAt.IsZero(), Starred: !st.StarredAt.IsZero(),
			Tags: st.Tags, CSRF: csrf, Next: next}
	}
	return out, nil
}

// notes loads the notes on one document (f.DocumentID) or story (f.StoryID).
func (s *Server) notes(r *http.Request, f newstrace.NoteFilter, action string) (notesView, error) {
	f.Limit = -1
	ns, err := s.store.Notes(r.Context(), f)
	if err != nil {
		return notesView{}, err
	}
	v := notesView{Notes: ns, Action: action, CSRF: s.formCSRF(r)}
	if u := state(r).user; u != nil {
		v.CanWrite = true
		for _, n := range ns {
			if n.UserID == u.ID {
				v.Mine = n.Text
			}
		}
	}
	return v, nil
}
