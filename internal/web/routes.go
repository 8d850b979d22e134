package web

import (
	"io/fs"
	"net/http"
)

// Body caps for POST forms: small for plain forms, 5 MiB (plus multipart
// overhead) for OPML uploads.
const (
	formMaxBytes = 64 << 10
	opmlMaxBytes = 5 << 20
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET /static/", s.staticCache(http.StripPrefix("/static/", http.FileServerFS(static))))
	s.uiRoutes(mux)
	s.apiRoutes(mux)
	s.feedRoutes(mux) // feeds_out.go
	mux.Handle("GET /metrics", s.metricsHandler())
	s.readerRoutes(mux)
	for pattern, h := range s.mount {
		mux.Handle(pattern, h)
	}
	return mux
}

// uiRoutes lists the pages. Every page needs a login once accounts exist;
// every POST carries a CSRF token.
func (s *Server) uiRoutes(mux *http.ServeMux) {
	mux.Handle("GET /{$}", s.page(s.cached("front", s.storiesPage)))
	mux.Handle("GET /stories/{id}", s.page(s.cached("story", s.storyPage)))
	mux.Handle("GET /stories/{id}/timeline.svg", s.page(s.cached("timeline", s.storyTimeline)))
	mux.Handle("GET /documents/{id}", s.page(s.cached("document", s.documentPage)))
	mux.Handle("GET /search", s.page(s.cached("search", s.searchPage)))
	mux.Handle("GET /sources", s.page(s.sourcesPage))
	mux.Handle("POST /sources", s.page(s.form(formMaxBytes, s.addFeed)))
	mux.Handle("POST /sources/import", s.page(s.form(opmlMaxBytes+formMaxBytes, s.importOPML)))
	mux.Handle("GET /sources/export.opml", s.page(s.exportOPML))
	mux.Handle("GET /feed-tokens", s.page(s.feedTokensPage))
	mux.Handle("POST /feed-tokens", s.page(s.form(formMaxBytes, s.addFeedToken)))
	mux.Handle("POST /feed-tokens/{id}/revoke", s.page(s.form(formMaxBytes, s.revokeFeedToken)))

	mux.Handle("GET /login", s.csrfCookie(http.HandlerFunc(s.loginPage)))
	mux.Handle("POST /login", s.csrfCookie(s.form(formMaxBytes, s.login)))
	mux.Handle("POST /logout", s.page(s.form(formMaxBytes, s.logout)))

	// Anything else is a friendly 404 page.
	mux.Handle("/", s.csrfCookie(http.HandlerFunc(s.notFoundPage)))
}

// apiRoutes lists the JSON API; every call needs a token once accounts exist.
func (s *Server) apiRoutes(mux *http.ServeMux) {
	mux.Handle("GET /api/v1/feeds", s.api(s.apiFeeds))
	mux.Handle("POST /api/v1/feeds", s.api(s.apiCreateFeed))
	mux.Handle("GET /api/v1/feeds/{id}", s.api(s.apiFeed))
	mux.Handle("DELETE /api/v1/feeds/{id}", s.api(s.apiDeleteFeed))
	mux.Handle("GET /api/v1/articles", s.api(s.cached("api_articles", s.apiArticles)))
	mux.Handle("GET /api/v1/articles/{id}", s.api(s.cached("api_article", s.apiArticle)))
	mux.Handle("GET /api/v1/search", s.api(s.cached("api_search", s.apiSearch)))
	mux.Handle("GET /api/v1/stories", s.api(s.cached("api_stories", s.apiStories)))
	mux.Handle("GET /api/v1/stories/{id}", s.api(s.cached("api_story", s.apiStory)))
	mux.Handle("/api/v1/", s.api(s.apiNotFound))
}
