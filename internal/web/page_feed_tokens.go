package web

import (
	"net/http"
	"strconv"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/feedout"
)

// feedTokensView lists the signed-in user's private feed tokens; Created is
// the token just made, whose URLs are shown this once.
type feedTokensView struct {
	SignedIn bool
	Tokens   []newstrace.FeedToken
	Created  *feedTokenOut
	Notice   string
	Error    string
	Feed     string // the form's value
}

// feedTokensPage lists the user's feed tokens with a form to make one and a
// button to revoke each. Tokens let a feed reader that cannot sign in read a
// private feed: the token goes in the feed URL.
func (s *Server) feedTokensPage(w http.ResponseWriter, r *http.Request) {
	v := feedTokensView{Feed: r.URL.Query().Get("feed")}
	if r.URL.Query().Has("revoked") {
		v.Notice = "Token revoked: feed readers using it get 404 from now on."
	}
	s.renderFeedTokens(w, r, http.StatusOK, v)
}

func (s *Server) renderFeedTokens(w http.ResponseWriter, r *http.Request, status int, v feedTokensView) {
	if u := state(r).user; u != nil {
		v.SignedIn = true
		list, err := s.store.FeedTokens(r.Context(), u.ID)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		v.Tokens = list
	}
	if v.Feed == "" {
		v.Feed = "/feeds/stories.atom"
	}
	s.render(w, r, status, "feed_tokens", "Feed tokens", v)
}

// addFeedToken handles the new-token form and shows the secret URLs once.
func (s *Server) addFeedToken(w http.ResponseWriter, r *http.Request) {
	feed := r.PostFormValue("feed")
	u := state(r).user
	if u == nil {
		s.renderFeedTokens(w, r, http.StatusBadRequest, feedTokensView{Feed: feed,
			Error: "Feed tokens belong to an account; create one with `newstrace user add`. On loopback with no account, feeds are open."})
		return
	}
	t, secret, err := s.createFeedToken(r.Context(), u.ID, feed)
	if err != nil {
		if statusOf(err) == http.StatusInternalServerError {
			s.errorPage(w, r, err)
			return
		}
		s.renderFeedTokens(w, r, statusOf(err), feedTokensView{Feed: feed, Error: newstrace.ErrorMessage(err)})
		return
	}
	out := s.feedTokenOut(r, t, secret)
	w.Header().Set("Cache-Control", "no-store") // the secret is on this page
	s.renderFeedTokens(w, r, http.StatusCreated, feedTokensView{Created: &out})
}

// revokeFeedToken deletes one of the user's tokens.
func (s *Server) revokeFeedToken(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	u := state(r).user
	if err != nil || u == nil {
		s.notFoundPage(w, r)
		return
	}
	if err := s.store.DeleteFeedToken(r.Context(), u.ID, id); err != nil {
		if newstrace.IsNotFound(err) {
			s.notFoundPage(w, r)
			return
		}
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/feed-tokens?revoked=1", http.StatusSeeOther)
}

// CreatedURLs lists the new token's feed URLs in a fixed order.
func (v feedTokensView) CreatedURLs() []feedLink {
	if v.Created == nil {
		return nil
	}
	var out []feedLink
	for _, f := range []feedout.Format{feedout.Atom, feedout.RSS, feedout.JSON} {
		if u, ok := v.Created.URLs[string(f)]; ok {
			out = append(out, feedLink{Format: string(f), Href: u})
		}
	}
	return out
}
