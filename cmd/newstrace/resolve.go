package main

import (
	"context"
	"log/slog"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/pipeline"
)

// resolveVia follows the article's short via link for `extract --resolve`
// and, in text format, prints where it lands.
func (m *Main) resolveVia(ctx context.Context, a *newstrace.Article) {
	via := a.Provenance.ViaURL
	if !fetch.IsShortLink(via) {
		return
	}
	log := m.log(slog.LevelWarn)
	r := pipeline.NewShortLinks(0, 1).Resolve(ctx, m.fetcher(log, nil), via)
	if r.Err != "" {
		log.Warn("short link not resolved", "url", via, "err", r.Err)
	}
	a.Provenance.ViaResolved, a.Provenance.ViaChain = r.Final, r.Chain
}
