package web

import (
	"bytes"
	"container/list"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newstrace/newstrace/internal/metrics"
)

// The page cache keeps rendered GET responses of the busiest read routes
// (front page, story and its timeline, document, search, the read API) so a
// burst of readers costs one render per page instead of one per request.
//
// Correctness rules:
//   - Keyed by user, Host and the full request URI: a response is never
//     served to another account (user 0 is single-user desktop mode, where
//     there are no accounts).
//   - Auth runs before the cache on every request (it sits inside page and
//     api), so a cached page is never a way around a login.
//   - Any write this process makes bumps a generation (trackWrites for every
//     non-GET request through this server, StoreChanged for writers outside
//     it, such as the pipeline) and an entry is served only at the generation
//     its render began under: a user's own action shows on their next load.
//   - Writes by other processes (workers on a shared PostgreSQL, the CLI)
//     show after at most the TTL.
//   - The CSRF token in a page is per browser and user; the stored body holds
//     a random placeholder in its place, and each hit gets its own token.
//   - Only 200 responses without Set-Cookie are kept; the total size is
//     capped and the least recently used entries go first.
//
// That accounts exist (asked on every request) is kept under the same
// generation and TTL; that none exist is not (see authRequired).

const (
	defaultPageCacheBytes = 32 << 20
	defaultPageCacheTTL   = 2 * time.Second
)

type pageCache struct {
	maxBytes int64
	maxEntry int // larger responses are not kept
	ttl      time.Duration
	now      func() time.Time // monotonic, not the server's domain clock
	gen      atomic.Uint64
	// placeholder stands for the request's CSRF token in stored bodies; it is
	// random per process, so no document can contain it.
	placeholder []byte

	accounts atomic.Pointer[accountsMemo]

	mu      sync.Mutex
	size    int64
	lru     *list.List // of *cachedPage, most recent first
	items   map[string]*list.Element
	flights map[string]*flight
}

type cachedPage struct {
	key      string
	gen      uint64
	expires  time.Time
	header   http.Header
	body     []byte
	hasToken bool
}

func (p *cachedPage) cost() int64 { return int64(len(p.body) + len(p.key) + 256) }

// accountsMemo remembers that accounts exist, like a cached page.
type accountsMemo struct {
	gen     uint64
	expires time.Time
}

func (c *pageCache) accountsExist() bool {
	m := c.accounts.Load()
	return m != nil && m.gen == c.gen.Load() && c.now().Before(m.expires)
}

func (c *pageCache) setAccountsExist(gen uint64) {
	c.accounts.Store(&accountsMemo{gen: gen, expires: c.now().Add(c.ttl)})
}

// flight is one render in progress that requests for the same page at the
// same generation wait for instead of rendering it again.
type flight struct {
	gen  uint64
	done chan struct{}
	page *cachedPage // nil when the response was not cacheable
}

func newPageCache(maxBytes int64, ttl time.Duration) *pageCache {
	ph := make([]byte, 32)
	_, _ = rand.Read(ph) // never fails (crypto/rand panics instead)
	return &pageCache{
		maxBytes: maxBytes, maxEntry: int(min(maxBytes/8, 2<<20)), ttl: ttl, now: time.Now,
		placeholder: []byte(hex.EncodeToString(ph)),
		lru:         list.New(), items: map[string]*list.Element{}, flights: map[string]*flight{},
	}
}

// changed makes every entry stale.
func (c *pageCache) changed() { c.gen.Add(1) }

// lookup returns a fresh entry, or a flight to wait for, or a new flight
// that the caller must lead and finish.
func (c *pageCache) lookup(key string, gen uint64) (p *cachedPage, f *flight, lead bool) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		p := el.Value.(*cachedPage)
		if p.gen == gen && now.Before(p.expires) {
			c.lru.MoveToFront(el)
			return p, nil, false
		}
		c.remove(el)
	}
	if f, ok := c.flights[key]; ok && f.gen == gen {
		return nil, f, false
	}
	f = &flight{gen: gen, done: make(chan struct{})}
	c.flights[key] = f
	return nil, f, true
}

// finish ends the flight and stores p unless it is nil or already stale.
func (c *pageCache) finish(key string, f *flight, p *cachedPage) {
	c.mu.Lock()
	if c.flights[key] == f {
		delete(c.flights, key)
	}
	if p != nil && p.gen == c.gen.Load() {
		if el, ok := c.items[key]; ok {
			c.remove(el)
		}
		c.items[key] = c.lru.PushFront(p)
		c.size += p.cost()
		for c.size > c.maxBytes && c.lru.Len() > 0 {
			c.remove(c.lru.Back())
		}
	}
	c.mu.Unlock()
	f.page = p
	close(f.done)
}

func (c *pageCache) remove(el *list.Element) {
	p := c.lru.Remove(el).(*cachedPage)
	delete(c.items, p.key)
	c.size -= p.cost()
}

// stats returns the number of entries and their bytes.
func (c *pageCache) stats() (entries int, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.size
}

// StoreChanged tells the page cache that the store changed, so every page
// renders anew on its next request. The server calls it itself after each
// non-GET request; a process that also writes elsewhere (the pipeline's
// workers) calls it after each write.
func (s *Server) StoreChanged() {
	if s.cache != nil {
		s.cache.changed()
	}
}

// trackWrites bumps the cache generation around every request that may write:
// at its first response byte (a client may act on the headers) and at its end.
func (s *Server) trackWrites(next http.Handler) http.Handler {
	if s.cache == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		defer s.cache.changed()
		next.ServeHTTP(&bumpWriter{ResponseWriter: w, bump: s.cache.changed}, r)
	})
}

type bumpWriter struct {
	http.ResponseWriter
	bump   func()
	bumped bool
}

func (b *bumpWriter) once() {
	if !b.bumped {
		b.bumped = true
		b.bump()
	}
}

func (b *bumpWriter) WriteHeader(code int) { b.once(); b.ResponseWriter.WriteHeader(code) }
func (b *bumpWriter) Write(p []byte) (int, error) {
	b.once()
	return b.ResponseWriter.Write(p)
}
func (b *bumpWriter) Unwrap() http.ResponseWriter { return b.ResponseWriter }

// cached serves GET requests of route from the page cache. It goes inside
// page or api, after the auth checks.
func (s *Server) cached(route string, h http.HandlerFunc) http.HandlerFunc {
	if s.cache == nil {
		return h
	}
	c := s.cache
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			h(w, r)
			return
		}
		st := state(r)
		uid := userID(st.user)
		key := strconv.FormatInt(uid, 10) + "\x00" + r.Host + "\x00" + r.URL.RequestURI()
		gen := c.gen.Load()
		p, f, lead := c.lookup(key, gen)
		if !lead && p == nil {
			select {
			case <-f.done:
				p = f.page
			case <-r.Context().Done():
				return // the client left
			}
		}
		if p != nil {
			metrics.PageCacheHits.Inc(route)
			s.serveCached(w, p, st.csrfNonce, uid)
			return
		}
		metrics.PageCacheMisses.Inc(route)
		if !lead {
			h(w, r) // the render we waited for was not cacheable
			return
		}
		rec := &recorder{header: http.Header{}}
		finished := false
		defer func() {
			if !finished {
				c.finish(key, f, nil) // the handler panicked
			}
		}()
		h(rec, r)
		p = rec.page(c, key, gen, s.csrfToken(st.csrfNonce, uid))
		finished = true
		c.finish(key, f, p)
		rec.writeTo(w)
	}
}

func (s *Server) serveCached(w http.ResponseWriter, p *cachedPage, nonce string, uid int64) {
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	body := p.body
	if p.hasToken {
		body = bytes.ReplaceAll(body, s.cache.placeholder, []byte(s.csrfToken(nonce, uid)))
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// recorder buffers a handler's response so it can be stored, then sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

// page returns the response as a cache entry, or nil when it must not be kept.
func (r *recorder) page(c *pageCache, key string, gen uint64, token string) *cachedPage {
	if r.status != http.StatusOK || r.body.Len() > c.maxEntry || r.header.Get("Set-Cookie") != "" {
		return nil
	}
	body := r.body.Bytes()
	p := &cachedPage{key: key, gen: gen, expires: c.now().Add(c.ttl), header: r.header.Clone()}
	p.header.Del("Content-Length")
	if token != "" && bytes.Contains(body, []byte(token)) {
		body, p.hasToken = bytes.ReplaceAll(body, []byte(token), c.placeholder), true
	} else {
		body = bytes.Clone(body)
	}
	p.body = body
	return p
}

func (r *recorder) writeTo(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.header {
		h[k] = v
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.header.Get("Content-Length") == "" && r.status != http.StatusNoContent && r.status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(r.body.Len()))
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}
