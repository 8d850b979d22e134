package web

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/feedout"
	"github.com/newstrace/newstrace/internal/search"
)

// Outgoing feeds: every story list as Atom, RSS 2.0 and JSON Feed.
//
//	/feeds/stories.{atom,rss,json}        the latest stories
//	/feeds/sources/{id}.{ext}             stories a source carried
//	/feeds/folders/{name}.{ext}           stories the feeds of a folder carried
//	/feeds/search.{ext}?q=QUERY           stories matching a search
//	/feeds/stories/{id}.{ext}             one story's copies
//
// Access (CONTRACT): open when the server listens on loopback only (and the
// Host header names this machine); otherwise ?token=SECRET, a per-feed
// token (one token opens one feed in every format), or a signed-in session /
// API token. Anything else is a 404, never a 401, so private feed URLs
// cannot be probed. ?body=1 includes each story's sanitized body.

const (
	feedItems      = 50
	feedSummaryLen = 400
)

func (s *Server) feedRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /feeds/{file}", s.outFeed)
	mux.HandleFunc("GET /feeds/sources/{file}", s.outFeed)
	mux.HandleFunc("GET /feeds/folders/{file}", s.outFeed)
	mux.HandleFunc("GET /feeds/stories/{file}", s.outFeed)
	mux.Handle("GET /api/v1/feed-tokens", s.api(s.apiFeedTokens))
	mux.Handle("POST /api/v1/feed-tokens", s.api(s.apiCreateFeedToken))
	mux.Handle("DELETE /api/v1/feed-tokens/{id}", s.api(s.apiDeleteFeedToken))
}

// feedRef is one outgoing feed, parsed from its path.
type feedRef struct {
	kind   string // "stories", "source", "folder", "search", "story"
	arg    string // source or story id, folder name, search query
	format feedout.Format
}

// key names the feed whatever its format: what a feed token opens.
func (f feedRef) key() string {
	switch f.kind {
	case "stories":
		return "/feeds/stories"
	case "source":
		return "/feeds/sources/" + f.arg
	case "folder":
		return "/feeds/folders/" + f.arg
	case "story":
		return "/feeds/stories/" + f.arg
	case "search":
		return "/feeds/search?q=" + url.QueryEscape(f.arg)
	}
	return ""
}

// path is the feed's URL path and query in format (without any token).
func (f feedRef) path(format feedout.Format) string {
	ext := "." + string(format)
	switch f.kind {
	case "search":
		return "/feeds/search" + ext + "?q=" + url.QueryEscape(f.arg)
	case "folder":
		return "/feeds/folders/" + url.PathEscape(f.arg) + ext
	}
	return f.key() + ext
}

// parseFeedRef reads a decoded path (and the search query) of an outgoing feed.
func parseFeedRef(path, q string) (feedRef, bool) {
	rest, ok := strings.CutPrefix(path, "/feeds/")
	if !ok {
		return feedRef{}, false
	}
	dir, file := "", rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		dir, file = rest[:i], rest[i+1:]
	}
	dot := strings.LastIndexByte(file, '.')
	if dot <= 0 {
		return feedRef{}, false
	}
	format, ok := feedout.ParseFormat(file[dot+1:])
	if !ok {
		return feedRef{}, false
	}
	name := file[:dot]
	ref := feedRef{format: format}
	switch {
	case dir == "" && name == "stories":
		ref.kind = "stories"
	case dir == "" && name == "search":
		ref.kind, ref.arg = "search", strings.TrimSpace(q)
		if ref.arg == "" {
			return feedRef{}, false
		}
	case dir == "sources" || dir == "stories":
		id, err := strconv.ParseInt(name, 10, 64)
		if err != nil || id <= 0 {
			return feedRef{}, false
		}
		ref.kind, ref.arg = map[string]string{"sources": "source", "stories": "story"}[dir], strconv.FormatInt(id, 10)
	case dir == "folders" && strings.TrimSpace(name) != "" && !strings.Contains(name, "/"):
		ref.kind, ref.arg = "folder", name
	default:
		return feedRef{}, false
	}
	return ref, true
}

// outFeed serves one outgoing feed.
func (s *Server) outFeed(w http.ResponseWriter, r *http.Request) {
	ref, ok := parseFeedRef(r.URL.Path, r.URL.Query().Get("q"))
	if !ok {
		s.notFoundPage(w, r)
		return
	}
	allowed, err := s.feedAllowed(r, ref)
	if err != nil {
		s.errorPage(w, r, err)
		return
	} else if !allowed {
		s.notFoundPage(w, r)
		return
	}
	base := baseURL(r, s.secure)
	f, err := s.buildFeed(r, base, ref)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	f.Generator, f.BaseURL = "newstrace", base+"/"
	f.FeedURL = base + ref.path(ref.format)
	f.ID = f.FeedURL
	var buf bytes.Buffer
	if err := feedout.Write(&buf, ref.format, f); err != nil {
		s.errorPage(w, r, err)
		return
	}
	sum := sha256.Sum256(buf.Bytes())
	h := w.Header()
	h.Set("Content-Type", ref.format.ContentType())
	h.Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	// Shared caches must not keep a private feed; readers may revalidate.
	h.Set("Cache-Control", "private, no-cache")
	// ServeContent answers If-None-Match / If-Modified-Since with 304.
	http.ServeContent(w, r, "", f.LastModified(), bytes.NewReader(buf.Bytes()))
}

// feedAllowed decides access to one feed (see the package comment above).
func (s *Server) feedAllowed(r *http.Request, ref feedRef) (bool, error) {
	if s.loopback && localHost(r.Host) {
		return true, nil
	}
	if token := r.URL.Query().Get("token"); token != "" {
		hash := HashToken(token)
		t, err := s.store.FeedTokenByHash(r.Context(), hash)
		if err != nil && !newstrace.IsNotFound(err) {
			return false, err
		}
		if err == nil && subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hash)) == 1 &&
			subtle.ConstantTimeCompare([]byte(t.Feed), []byte(ref.key())) == 1 {
			return true, nil
		}
		return false, nil
	}
	// A signed-in browser, or an API client with its bearer token.
	if s.loopback && !localHost(r.Host) {
		return false, nil
	}
	u, err := s.apiUser(r)
	if err != nil {
		return false, err
	}
	return u != nil, nil
}

// baseURL is this server as the request reached it. Proxy headers are not
// trusted; behind TLS, SecureCookies says https.
func baseURL(r *http.Request, secure bool) string {
	scheme := "http"
	if r.TLS != nil || secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// buildFeed loads the stories of one feed.
func (s *Server) buildFeed(r *http.Request, base string, ref feedRef) (feedout.Feed, error) {
	ctx := r.Context()
	full := r.URL.Query().Get("body") == "1"
	folders, err := s.sourceFolders(r)
	if err != nil {
		return feedout.Feed{}, err
	}
	var f feedout.Feed
	switch ref.kind {
	case "stories":
		stories, err := s.store.Stories(ctx, newstrace.StoryFilter{Limit: feedItems})
		if err != nil {
			return f, err
		}
		f = feedout.Feed{Title: "newstrace: latest stories", Description: "The latest stories, each credited to the outlet that first published it.", HomeURL: base + "/"}
		for _, st := range stories {
			root, _ := rootOf(st)
			f.Items = append(f.Items, storyFeedItem(base, st, root, folders, full))
		}
	case "source":
		id, _ := strconv.ParseInt(ref.arg, 10, 64)
		src, err := s.store.Source(ctx, id)
		if err != nil {
			return f, err
		}
		docs, err := s.store.Documents(ctx, newstrace.DocumentFilter{SourceID: id, Limit: feedItems})
		if err != nil {
			return f, err
		}
		f = feedout.Feed{Title: "newstrace: " + src.Name, Description: "Stories " + src.Name + " carried.", HomeURL: base + "/sources", Language: src.Language}
		f.Items, err = s.docFeedItems(r, base, docs, folders, full)
		if err != nil {
			return f, err
		}
	case "folder":
		all, err := s.store.Folders(ctx)
		if err != nil {
			return f, err
		}
		if !slices.ContainsFunc(all, func(x newstrace.Folder) bool { return x.Name == ref.arg }) {
			return f, newstrace.Errorf(newstrace.ENOTFOUND, "There is no folder %q.", ref.arg)
		}
		items, err := s.store.Items(ctx, newstrace.ItemFilter{Folder: ref.arg, Limit: feedItems})
		if err != nil {
			return f, err
		}
		docs := make([]newstrace.Document, len(items))
		for i, it := range items {
			docs[i] = it.Document
		}
		f = feedout.Feed{Title: "newstrace: " + ref.arg, Description: "Stories the feeds in folder " + ref.arg + " carried.", HomeURL: base + "/sources"}
		if f.Items, err = s.docFeedItems(r, base, docs, folders, full); err != nil {
			return f, err
		}
	case "search":
		q, err := search.Parse(ref.arg)
		if err != nil {
			return f, err
		}
		q.Limit = feedItems
		res, err := s.store.Search(ctx, q)
		if err != nil {
			return f, err
		}
		ids := make([]int64, 0, len(res.Hits))
		for _, h := range res.Hits {
			ids = append(ids, h.DocumentID)
		}
		docs, err := s.store.DocumentsByID(ctx, ids)
		if err != nil {
			return f, err
		}
		byID := make(map[int64]newstrace.Document, len(docs))
		for _, d := range docs {
			byID[d.ID] = d
		}
		ordered := make([]newstrace.Document, 0, len(ids))
		for _, id := range ids { // best first, as the search ranked them
			if d, ok := byID[id]; ok {
				ordered = append(ordered, d)
			}
		}
		f = feedout.Feed{Title: "newstrace search: " + ref.arg, Description: "Stories matching " + ref.arg + ".", HomeURL: base + "/search?q=" + url.QueryEscape(ref.arg)}
		if f.Items, err = s.docFeedItems(r, base, ordered, folders, full); err != nil {
			return f, err
		}
	case "story":
		id, _ := strconv.ParseInt(ref.arg, 10, 64)
		st, err := s.store.Story(ctx, id)
		if err != nil {
			return f, err
		}
		root, _ := rootOf(st)
		title := cmp.Or(st.Title, root.Title, "(untitled)")
		f = feedout.Feed{Title: "newstrace story: " + title, Description: "Every copy of one story, with the outlet that first published it.", HomeURL: base + "/stories/" + ref.arg}
		for _, d := range st.Documents {
			it := storyFeedItem(base, st, d, folders, full)
			it.ID = base + "/documents/" + strconv.FormatInt(d.ID, 10)
			it.Link = base + "/stories/" + ref.arg + "#doc-" + strconv.FormatInt(d.ID, 10)
			it.Title = cmp.Or(d.Title, title)
			it.OriginalURL = d.URL
			if d.ID != root.ID {
				it.Summary = "This copy: " + outletOf(d) + ".\n\n" + it.Summary
			}
			f.Items = append(f.Items, it)
		}
	}
	return f, nil
}

// docFeedItems turns documents into story items, once per story, in order:
// each shows the document's title and date, credits the story's root outlet
// and links the story's provenance page.
func (s *Server) docFeedItems(r *http.Request, base string, docs []newstrace.Document, folders map[int64]string, full bool) ([]feedout.Item, error) {
	var items []feedout.Item
	seen := make(map[int64]bool)
	for _, d := range docs {
		if d.StoryID == 0 || seen[d.StoryID] {
			continue
		}
		seen[d.StoryID] = true
		st, err := s.store.Story(r.Context(), d.StoryID)
		if newstrace.IsNotFound(err) {
			continue // merged away since the list was read
		} else if err != nil {
			return nil, err
		}
		items = append(items, storyFeedItem(base, st, d, folders, full))
	}
	return items, nil
}

// storyFeedItem builds one item for story st, shown through document d.
func storyFeedItem(base string, st newstrace.Story, d newstrace.Document, folders map[int64]string, full bool) feedout.Item {
	root, ok := rootOf(st)
	if !ok {
		root = d
	}
	link := base + "/stories/" + strconv.FormatInt(st.ID, 10)
	it := feedout.Item{
		ID: link, Link: link, Title: cmp.Or(d.Title, st.Title, root.Title),
		OriginalURL: root.URL, Outlet: outletOf(root), Authors: root.Authors,
		AlsoIn: max(st.SourceCount-1, 0), Summary: excerpt(d.Text, feedSummaryLen),
		Language: d.Language, Published: timeOf(d), Updated: st.UpdatedAt,
	}
	if it.Updated.Before(it.Published) {
		it.Updated = it.Published
	}
	if full {
		it.Content = d.HTML
		if strings.TrimSpace(it.Content) == "" && d.Text != "" {
			var b strings.Builder
			for _, p := range paragraphs(d.Text) {
				b.WriteString("<p>" + htmlEscape(p) + "</p>\n")
			}
			it.Content = b.String()
		}
	}
	cats := make(map[string]bool)
	for _, doc := range st.Documents {
		if f := folders[doc.SourceID]; f != "" {
			cats[f] = true
		}
	}
	for _, e := range st.Edges {
		if e.Kind != "" && e.Kind != newstrace.EdgeDuplicate {
			cats[string(e.Kind)] = true
		}
	}
	for c := range cats {
		it.Categories = append(it.Categories, c)
	}
	slices.Sort(it.Categories)
	return it
}

// sourceFolders maps each source to the folder of its feeds.
func (s *Server) sourceFolders(r *http.Request) (map[int64]string, error) {
	feeds, err := s.store.Feeds(r.Context())
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(feeds))
	for _, f := range feeds {
		if f.Folder != "" {
			m[f.SourceID] = f.Folder
		}
	}
	return m, nil
}

// excerpt is the text's first paragraphs up to about n bytes, cut at a word.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if len(text) <= n {
		return text
	}
	cut := strings.LastIndexByte(text[:n], ' ')
	if cut <= 0 {
		cut = n
	}
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return strings.TrimSpace(text[:cut]) + " …"
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// feedLinks are a page's <link rel="alternate"> autodiscovery tags and its
// Subscribe link.
type feedLink struct {
	Title  string
	Format string // "atom", "rss", "json": the template writes the media type literally
	Href   string
}

// Label names the format for people: Atom, RSS, JSON Feed.
func (l feedLink) Label() string {
	switch feedout.Format(l.Format) {
	case feedout.Atom:
		return "Atom"
	case feedout.RSS:
		return "RSS"
	case feedout.JSON:
		return "JSON Feed"
	}
	return l.Format
}

func feedLinksFor(ref feedRef, title string) []feedLink {
	var out []feedLink
	for _, f := range []feedout.Format{feedout.Atom, feedout.RSS, feedout.JSON} {
		out = append(out, feedLink{Title: title + " (" + strings.ToUpper(string(f)) + ")", Format: string(f), Href: ref.path(f)})
	}
	return out
}

// Feed tokens API.

type feedTokenOut struct {
	newstrace.FeedToken
	Token string            `json:"token,omitempty"` // shown once, at creation
	URLs  map[string]string `json:"urls"`
}

func (s *Server) feedTokenOut(r *http.Request, t newstrace.FeedToken, secret string) feedTokenOut {
	out := feedTokenOut{FeedToken: t, Token: secret, URLs: map[string]string{}}
	if ref, ok := parseFeedKey(t.Feed); ok && secret != "" {
		base := baseURL(r, s.secure)
		for _, f := range []feedout.Format{feedout.Atom, feedout.RSS, feedout.JSON} {
			p := ref.path(f)
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			out.URLs[string(f)] = base + p + sep + "token=" + url.QueryEscape(secret)
		}
	}
	return out
}

// parseFeedKey reads a stored key back ("/feeds/stories", "/feeds/search?q=x").
func parseFeedKey(key string) (feedRef, bool) {
	u, err := url.Parse(key)
	if err != nil {
		return feedRef{}, false
	}
	return parseFeedRef(u.Path+".atom", u.Query().Get("q"))
}

// apiCreateFeedToken: POST {"feed": "/feeds/stories.atom"} (a path or full
// URL of the feed in any format) → the token, shown once, and the feed's URLs.
func (s *Server) apiCreateFeedToken(w http.ResponseWriter, r *http.Request) {
	u := state(r).user
	if u == nil {
		s.apiError(w, r, newstrace.Errorf(newstrace.EINVALID, "feed tokens belong to an account; create one with `newstrace user add` (on loopback with no account, feeds are open)"))
		return
	}
	var in struct {
		Feed string `json:"feed"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	t, secret, err := s.createFeedToken(r.Context(), u.ID, in.Feed)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusCreated, s.feedTokenOut(r, t, secret))
}

// createFeedToken makes a token for feed (a path or full URL of the feed in
// any format) owned by userID; the API and the /feed-tokens page share it.
func (s *Server) createFeedToken(ctx context.Context, userID int64, feed string) (newstrace.FeedToken, string, error) {
	target, err := url.Parse(strings.TrimSpace(feed))
	if err != nil {
		return newstrace.FeedToken{}, "", newstrace.Errorf(newstrace.EINVALID, "feed must be a feed path such as /feeds/stories.atom")
	}
	ref, ok := parseFeedRef(target.Path, target.Query().Get("q"))
	if !ok {
		return newstrace.FeedToken{}, "", newstrace.Errorf(newstrace.EINVALID, "feed must be a feed path such as /feeds/stories.atom, got %q", feed)
	}
	secret, err := NewToken()
	if err != nil {
		return newstrace.FeedToken{}, "", err
	}
	t := newstrace.FeedToken{UserID: userID, Feed: ref.key(), Hash: HashToken(secret)}
	if err := s.store.CreateFeedToken(ctx, &t); err != nil {
		return newstrace.FeedToken{}, "", err
	}
	return t, secret, nil
}

// apiFeedTokens lists the caller's feed tokens (never the secrets).
func (s *Server) apiFeedTokens(w http.ResponseWriter, r *http.Request) {
	out := []feedTokenOut{}
	if u := state(r).user; u != nil {
		list, err := s.store.FeedTokens(r.Context(), u.ID)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		for _, t := range list {
			out = append(out, s.feedTokenOut(r, t, ""))
		}
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"feed_tokens": out})
}

// apiDeleteFeedToken revokes one of the caller's feed tokens.
func (s *Server) apiDeleteFeedToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "feed token")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	u := state(r).user
	if u == nil {
		s.apiError(w, r, newstrace.Errorf(newstrace.ENOTFOUND, "feed token %d not found", id))
		return
	}
	if err := s.store.DeleteFeedToken(r.Context(), u.ID, id); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// feedPage is a page view that has outgoing feeds of its own.
type feedPage interface{ feedLinks() []feedLink }

func (storiesView) feedLinks() []feedLink {
	return feedLinksFor(feedRef{kind: "stories"}, "Latest stories")
}

func (v storyView) feedLinks() []feedLink {
	return feedLinksFor(feedRef{kind: "story", arg: strconv.FormatInt(v.ID, 10)}, "Copies of this story")
}

func (v searchView) feedLinks() []feedLink {
	if !v.Searched || strings.TrimSpace(v.Query) == "" {
		return nil
	}
	return feedLinksFor(feedRef{kind: "search", arg: strings.TrimSpace(v.Query)}, "Search: "+v.Query)
}
