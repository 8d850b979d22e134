package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/search"
)

const searchPerPage = 20

type searchHitView struct {
	DocumentID  int64
	StoryID     int64
	Title       template.HTML // escaped text with <mark> around matches
	Snippet     template.HTML
	Outlet      string
	Time        time.Time
	Language    string
	MoreInStory int
}

type searchView struct {
	Query     string
	Error     string
	Searched  bool
	Hits      []searchHitView
	Stories   int
	Documents int
	Capped    bool
	First     int // 1-based number of the first hit shown
	Last      int
	PrevURL   string
	NextURL   string
}

// searchPage shows one page of results, one story per row under its best copy.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	raw := strings.TrimSpace(r.URL.Query().Get("q"))
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	v := searchView{Query: raw}
	if raw == "" {
		s.render(w, r, http.StatusOK, "search", "Search", v)
		return
	}
	q, err := search.Parse(raw)
	if err != nil {
		v.Error = newstrace.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "search", "Search", v)
		return
	}
	q.UserID, q.Limit, q.Offset = userID(state(r).user), searchPerPage, (page-1)*searchPerPage
	res, err := s.store.Search(r.Context(), q)
	if err != nil {
		if statusOf(err) == http.StatusBadRequest {
			v.Error = newstrace.ErrorMessage(err)
			s.render(w, r, http.StatusBadRequest, "search", "Search", v)
			return
		}
		s.errorPage(w, r, err)
		return
	}
	v.Searched, v.Stories, v.Documents, v.Capped = true, res.Stories, res.Documents, res.Capped
	v.First, v.Last = res.Offset+1, res.Offset+len(res.Hits)
	if page > 1 {
		v.PrevURL = searchURL(raw, page-1)
	}
	if res.Offset+len(res.Hits) < res.Stories {
		v.NextURL = searchURL(raw, page+1)
	}
	for _, h := range res.Hits {
		when := h.FirstSeen
		if h.Published != nil {
			when = *h.Published
		}
		title := h.TitleMarked
		if strings.TrimSpace(h.Title) == "" {
			title = "(untitled)"
		}
		v.Hits = append(v.Hits, searchHitView{
			DocumentID: h.DocumentID, StoryID: h.StoryID, Title: marked(title), Snippet: marked(h.Snippet),
			Outlet: firstNonBlank(h.Source, hostOf(h.URL), "unknown outlet"), Time: when, Language: h.Language, MoreInStory: h.MoreInStory,
		})
	}
	s.render(w, r, http.StatusOK, "search", "Search: "+raw, v)
}

// marked escapes every run of the text first and only then wraps matched
// runs in <mark>: nothing from a document ever reaches the page as markup.
func marked(s string) template.HTML {
	var b strings.Builder
	for _, seg := range search.Segments(s) {
		if seg.Match {
			b.WriteString("<mark>" + template.HTMLEscapeString(seg.Text) + "</mark>")
		} else {
			b.WriteString(template.HTMLEscapeString(seg.Text))
		}
	}
	return template.HTML(b.String()) //nolint:gosec // built from escaped runs only
}

func searchURL(q string, page int) string {
	v := url.Values{"q": {q}}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/search?" + v.Encode()
}

func firstNonBlank(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}
