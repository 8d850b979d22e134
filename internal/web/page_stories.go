package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/newstrace/newstrace"
)

const storiesPerPage = 30

type storyItem struct {
	ID       int64
	Title    string
	Outlet   string
	Time     time.Time
	Language string
	AlsoIn   string      // "also in N outlets" when others carry it too
	DocID    int64       // the root copy, which read/star act on
	State    *readerView // nil without a signed-in user
}

type storiesView struct {
	Stories  []storyItem
	Page     int
	PrevPage int // 0 when on the first page
	NextPage int // 0 when on the last page
	// MarkBefore is when this page was rendered: mark-all-read leaves what
	// arrived later unread. Empty without a signed-in user.
	MarkBefore string
	CSRF       string
}

// storiesPage lists the latest stories, each once, under its root copy.
func (s *Server) storiesPage(w http.ResponseWriter, r *http.Request) {
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	// One extra row tells whether a next page exists.
	stories, err := s.store.Stories(r.Context(), newstrace.StoryFilter{Limit: storiesPerPage + 1, Offset: (page - 1) * storiesPerPage})
	if err != nil {
		s.errorPage(w, r, err)
		return
	}

	v := storiesView{Page: page}
	if page > 1 {
		v.PrevPage = page - 1
	}
	if len(stories) > storiesPerPage {
		stories, v.NextPage = stories[:storiesPerPage], page+1
	}
	var docIDs []int64
	for _, st := range stories {
		it := newStoryItem(st)
		v.Stories = append(v.Stories, it)
		if it.DocID != 0 {
			docIDs = append(docIDs, it.DocID)
		}
	}
	states, err := s.readerViews(r, docIDs, r.URL.RequestURI())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	for i := range v.Stories {
		v.Stories[i].State = states[v.Stories[i].DocID]
	}
	if state(r).user != nil {
		v.MarkBefore, v.CSRF = s.now().UTC().Format(time.RFC3339Nano), s.formCSRF(r)
	}
	s.render(w, r, http.StatusOK, "stories", "Latest stories", v)
}

func newStoryItem(st newstrace.Story) storyItem {
	it := storyItem{ID: st.ID, Title: st.Title, Time: st.CreatedAt}
	if st.SourceCount > 1 {
		it.AlsoIn = "also in " + plural(st.SourceCount-1, "other outlet", "other outlets")
	}
	if root, ok := rootOf(st); ok {
		it.Outlet, it.Time, it.Language, it.DocID = outletOf(root), timeOf(root), root.Language, root.ID
		if it.Title == "" {
			it.Title = root.Title
		}
	}
	if it.Title == "" {
		it.Title = "(untitled)"
	}
	return it
}

// rootOf returns the story's root document, else its first one.
func rootOf(st newstrace.Story) (newstrace.Document, bool) {
	for _, d := range st.Documents {
		if d.ID == st.RootDocumentID {
			return d, true
		}
	}
	if len(st.Documents) > 0 {
		return st.Documents[0], true
	}
	return newstrace.Document{}, false
}
