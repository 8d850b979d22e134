package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/newstrace/newstrace"
)

type storyDoc struct {
	ID       int64
	Title    string
	Outlet   string
	URL      string
	Time     time.Time
	Language string
	IsRoot   bool
}

type storyView struct {
	ID          int64
	Title       string
	SourceCount int
	First, Last time.Time
	Documents   []storyDoc
	Timeline    timelineView
	Notes       notesView // the team's notes on the story
}

// storyPage shows every copy of one story and how they derive from each other.
func (s *Server) storyPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "story")
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	st, err := s.store.Story(r.Context(), id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}

	v := storyView{ID: st.ID, Title: st.Title, SourceCount: st.SourceCount}
	labels := make(map[int64]string, len(st.Documents))
	for _, d := range st.Documents {
		sd := storyDoc{ID: d.ID, Title: d.Title, Outlet: outletOf(d), URL: d.URL, Time: timeOf(d), Language: d.Language, IsRoot: d.ID == st.RootDocumentID}
		if sd.Title == "" {
			sd.Title = "(untitled)"
		}
		v.Documents = append(v.Documents, sd)
		labels[d.ID] = sd.Outlet
	}
	slices.SortStableFunc(v.Documents, func(a, b storyDoc) int { return a.Time.Compare(b.Time) })
	if n := len(v.Documents); n > 0 {
		v.First, v.Last = v.Documents[0].Time, v.Documents[n-1].Time
	}
	if v.Title == "" && len(v.Documents) > 0 {
		v.Title = v.Documents[0].Title
	}
	v.Timeline = s.newTimelineView(r, st)
	if v.Notes, err = s.notes(r, newstrace.NoteFilter{StoryID: st.ID}, r.URL.Path+"/note"); err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "story", v.Title, v)
}

// pathID reads the {id} wildcard; anything but a positive integer names nothing.
func pathID(r *http.Request, what string) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, newstrace.Errorf(newstrace.ENOTFOUND, "There is no %s %q.", what, raw)
	}
	return id, nil
}
