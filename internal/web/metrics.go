package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/metrics"
)

// metricsHandler serves Prometheus metrics at /metrics: the counters the
// stages record (polls, fetch errors, extraction time, webhook deliveries)
// and gauges read from the store at scrape time. Open when the server
// listens on loopback only (and the Host names this machine); otherwise it
// needs an API token (Authorization: Bearer, as Prometheus'
// `authorization` scrape setting sends it) or a signed-in session.
func (s *Server) metricsHandler() http.Handler {
	h := metrics.Handler(s.readGauges, s.log)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !(s.loopback && localHost(r.Host)) {
			u, err := s.apiUser(r)
			if err != nil {
				s.apiError(w, r, err)
				return
			} else if u == nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="newstrace"`)
				s.apiError(w, r, newstrace.Errorf(newstrace.EUNAUTHORIZED, "a valid bearer token is required"))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// readGauges reads the store's gauges and then Config.Gauges; when one side
// fails the other is still returned (the handler logs the error).
func (s *Server) readGauges(ctx context.Context) ([]metrics.Gauge, error) {
	gs, err := s.storeGauges(ctx)
	if s.cache != nil {
		n, size := s.cache.stats()
		gs = append(gs,
			metrics.Gauge{Name: "newstrace_page_cache_entries", Help: "Responses held in the web page cache.", Value: float64(n)},
			metrics.Gauge{Name: "newstrace_page_cache_bytes", Help: "Bytes held in the web page cache.", Value: float64(size)})
	}
	if s.gauges != nil {
		more, gerr := s.gauges(ctx)
		gs = append(gs, more...)
		err = errors.Join(err, gerr)
	}
	return gs, err
}

func (s *Server) storeGauges(ctx context.Context) ([]metrics.Gauge, error) {
	c, err := s.store.Counts(ctx)
	if err != nil {
		return nil, err
	}
	return []metrics.Gauge{
		{Name: "newstrace_documents", Help: "Documents stored.", Value: float64(c.Documents)},
		{Name: "newstrace_stories", Help: "Stories stored.", Value: float64(c.Stories)},
		{Name: "newstrace_sources", Help: "Sources (outlets) known.", Value: float64(c.Sources)},
		{Name: "newstrace_feeds", Help: "Feeds followed.", Value: float64(c.Feeds)},
		{Name: "newstrace_feeds_failing", Help: "Feeds whose last poll failed.", Value: float64(c.FailingFeeds)},
	}, nil
}
