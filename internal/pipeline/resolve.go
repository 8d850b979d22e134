package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/fetch"
	"github.com/newstrace/newstrace/internal/match"
)

// ShortLinks resolves short links (bit.ly, t.co, ift.tt, …) to where they
// land, remembering up to Size answers in memory: a feed repeats the same
// few via links, and a shortener should see each one once. Failures are
// remembered too, so a dead link is not asked again every poll.
type ShortLinks struct {
	timeout time.Duration
	size    int

	mu    sync.Mutex
	cache map[string]Resolved
	order []string // insertion order, for eviction
}

// Resolved is where one short link led.
type Resolved struct {
	Final string // canonical final URL; "" when nothing answered
	Chain string // "STATUS URL → STATUS URL …"
	Err   string // why it failed, if it did
}

// NewShortLinks returns a resolver giving each link timeout (default 15s)
// and remembering size links (default 10000).
func NewShortLinks(timeout time.Duration, size int) *ShortLinks {
	return &ShortLinks{
		timeout: cmp.Or(timeout, 15*time.Second),
		size:    max(cmp.Or(size, 10000), 1),
		cache:   map[string]Resolved{},
	}
}

// Resolve follows rawURL through c (HEAD, then GET when needed) unless it is
// remembered.
func (s *ShortLinks) Resolve(ctx context.Context, c *fetch.Client, rawURL string) Resolved {
	s.mu.Lock()
	r, ok := s.cache[rawURL]
	s.mu.Unlock()
	if ok {
		return r
	}
	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	final, hops, err := c.Resolve(rctx, rawURL)
	cancel()
	if ctx.Err() != nil {
		return Resolved{Err: ctx.Err().Error()} // the caller gave up: not an answer to remember
	}
	r = resolvedFrom(final, hops, err)
	s.mu.Lock()
	if _, ok := s.cache[rawURL]; !ok {
		if len(s.order) >= s.size {
			delete(s.cache, s.order[0])
			s.order = s.order[1:]
		}
		s.order = append(s.order, rawURL)
	}
	s.cache[rawURL] = r
	s.mu.Unlock()
	return r
}

// resolvedFrom keeps the final URL whenever a redirect was followed, even
// to an error page: where a short link points is evidence either way.
func resolvedFrom(final string, hops []fetch.Hop, err error) Resolved {
	var r Resolved
	parts := make([]string, len(hops))
	for i, h := range hops {
		parts[i] = fmt.Sprintf("%d %s", h.Status, h.URL)
	}
	r.Chain = strings.Join(parts, " → ")
	if err != nil {
		r.Err = err.Error()
	}
	if final != "" && (err == nil || len(hops) > 1) {
		r.Final = final
		if c, cerr := match.CanonicalURL(final); cerr == nil {
			r.Final = c
		}
	}
	return r
}

// afterExtract finishes an extracted entry: the body HTML loses the
// learned lines cleaning took out of the text (extract cleans paragraphs,
// not the HTML), and a short via link is resolved.
func (p *Pipeline) afterExtract(ctx context.Context, a *newstrace.Article, learned map[string]string) {
	if len(learned) > 0 {
		a.HTML = stripHTML(a.HTML, learned)
	}
	p.resolveVia(ctx, a)
}

// resolveVia fills ViaResolved and ViaChain when the article's via link is
// a short link and resolving is configured.
func (p *Pipeline) resolveVia(ctx context.Context, a *newstrace.Article) {
	via := a.Provenance.ViaURL
	if p.cfg.ShortLinks == nil || !fetch.IsShortLink(via) {
		return
	}
	r := p.cfg.ShortLinks.Resolve(ctx, p.fetch, via)
	if r.Err != "" {
		p.log.Info("short link not resolved", "url", via, "final", r.Final, "err", r.Err)
	}
	a.Provenance.ViaResolved, a.Provenance.ViaChain = r.Final, r.Chain
}
