// Package web serves the reader UI, the JSON API under /api/v1/, /healthz and
// local accounts. Routes are listed in one function per surface (routes.go);
// handlers are methods on Server, one file per page or resource, and every
// handler reads load → error response → build view → render.
package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/metrics"
)

// Config holds the server's dependencies.
type Config struct {
	Store    newstrace.Store
	Logger   *slog.Logger
	Now      func() time.Time
	Loopback bool // listening on a loopback address only
	// SessionKey signs session cookies and CSRF tokens; at least 32 bytes.
	SessionKey []byte
	// OnFeedAdded, when set, asks the workers to poll a new feed now.
	OnFeedAdded   func(ctx context.Context, feedID int64)
	SecureCookies bool // behind TLS
	// Mount serves extra patterns with their own auth, as they are: the
	// Fever and Google Reader APIs ("/fever/", "/reader/api/0/", …).
	Mount map[string]http.Handler
	// Gauges, when set, adds gauges read at each /metrics scrape after the
	// store's (the job queue's depth when this process runs workers).
	Gauges metrics.GaugeFunc
	// PageCacheBytes caps the cache of rendered read pages (pagecache.go):
	// 0 means 32 MiB, negative turns the cache off.
	PageCacheBytes int64
	// PageCacheTTL bounds how long a write by another process (workers on a
	// shared store, the CLI) can take to show; 0 means 2 s. Writes made
	// through this server, or reported with StoreChanged, show at once.
	PageCacheTTL time.Duration
}

// Server is the HTTP surface. Build it with New.
type Server struct {
	store       newstrace.Store
	log         *slog.Logger
	now         func() time.Time
	loopback    bool
	key         []byte
	onFeedAdded func(ctx context.Context, feedID int64)
	secure      bool
	mount       map[string]http.Handler
	gauges      metrics.GaugeFunc

	tmpl    *templates
	limiter *loginLimiter
	cache   *pageCache // nil when off
	handler http.Handler
}

// New checks cfg and parses the embedded templates once.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: config needs a store")
	}
	if len(cfg.SessionKey) < 32 {
		return nil, fmt.Errorf("web: session key must be at least 32 bytes, got %d", len(cfg.SessionKey))
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{
		store:       cfg.Store,
		log:         cfg.Logger.With(slog.String("component", "web")),
		now:         cfg.Now,
		loopback:    cfg.Loopback,
		key:         append([]byte(nil), cfg.SessionKey...),
		onFeedAdded: cfg.OnFeedAdded,
		secure:      cfg.SecureCookies,
		mount:       cfg.Mount,
		gauges:      cfg.Gauges,
		tmpl:        tmpl,
		limiter:     newLoginLimiter(loginAttempts, loginWindow),
	}
	if cfg.PageCacheBytes >= 0 {
		s.cache = newPageCache(cmp.Or(cfg.PageCacheBytes, defaultPageCacheBytes), cmp.Or(cfg.PageCacheTTL, defaultPageCacheTTL))
	}
	s.handler = s.secureHeaders(s.recoverPanics(s.trackWrites(s.routes())))
	return s, nil
}

// Handler returns the root handler with every route and middleware.
func (s *Server) Handler() http.Handler { return s.handler }
