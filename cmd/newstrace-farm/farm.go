package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// Config describes a farm. Zero values take the defaults noted.
type Config struct {
	Feeds int    // default 1000
	Seed  uint64 // every per-feed choice derives from it

	// NewPerMinute new items appear per minute over all feeds, each feed at
	// the same rate with its own phase. 0: no new items.
	NewPerMinute float64
	// Backlog items already published at start, over all feeds (spread one
	// by one, so Backlog < Feeds gives some feeds one item and others none).
	Backlog int
	Items   int // items a feed lists, newest first; default 20

	// Shares of feeds with each behaviour; the rest are plain and stable.
	Slow     float64 // answer after SlowMin..SlowMax
	Fail     float64 // always fail: 500, 429 + Retry-After, connection reset or no answer, a quarter each
	Redirect float64 // 301 to a new path (half) or a chain of two 302s (half)
	Atom     float64 // Atom instead of RSS 2.0
	Copies   float64 // share of new items whose page copies another feed's recent item

	SlowMin, SlowMax time.Duration // default 1s, 5s
	Hang             time.Duration // a "no answer" feed holds the request this long, default 60s
	RetryAfter       time.Duration // sent with 429, default 1h

	Templates []*Template      // article page templates (nil: one built-in page)
	Now       func() time.Time // default time.Now
	Start     time.Time        // when the new items start; default Now()
}

// DefaultConfig is the realistic mix the bench uses.
func DefaultConfig() Config {
	return Config{Feeds: 1000, Seed: 1, Items: 20, Slow: 0.03, Fail: 0.04, Redirect: 0.03, Atom: 0.2, Copies: 0.1}
}

func (c Config) withDefaults() Config {
	c.Feeds = cmp.Or(c.Feeds, 1000)
	c.Items = cmp.Or(c.Items, 20)
	c.SlowMin = cmp.Or(c.SlowMin, time.Second)
	c.SlowMax = max(cmp.Or(c.SlowMax, 5*time.Second), c.SlowMin)
	c.Hang = cmp.Or(c.Hang, 60*time.Second)
	c.RetryAfter = cmp.Or(c.RetryAfter, time.Hour)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Start.IsZero() {
		c.Start = c.Now()
	}
	if len(c.Templates) == 0 {
		c.Templates = []*Template{builtinTemplate()}
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.Feeds < 1:
		return errors.New("farm: need at least one feed")
	case c.NewPerMinute < 0 || c.Backlog < 0 || c.Items < 1:
		return errors.New("farm: negative rate or backlog, or no items per feed")
	case c.Slow < 0 || c.Fail < 0 || c.Redirect < 0 || c.Slow+c.Fail+c.Redirect > 1:
		return errors.New("farm: behaviour shares must be >= 0 and add up to at most 1")
	case c.Atom < 0 || c.Atom > 1 || c.Copies < 0 || c.Copies > 1:
		return errors.New("farm: Atom and Copies are shares in [0,1]")
	}
	return nil
}

// Kind is a feed's behaviour.
type Kind int

const (
	KindStable Kind = iota
	KindSlow
	KindFail500
	KindFail429
	KindReset
	KindHang
	KindMoved    // 301 to /moved/{id}
	KindRedirect // 302 → 302 → /live/{id}
)

var kindNames = [...]string{"stable", "slow", "500", "429", "reset", "hang", "moved", "302-chain"}

func (k Kind) String() string { return kindNames[k] }

// Validators says which cache validators a feed sends.
type Validators int

const (
	ETagAndLastModified Validators = iota // 85%
	LastModifiedOnly                      // 10%
	NoValidators                          // 5%: always 200
)

// Farm serves the feeds and article pages. Its state is only counters:
// what a feed lists is a function of the clock.
type Farm struct {
	cfg    Config
	hosts  []string // base URL of each host, "http://127.0.1.1:8080"
	period time.Duration
	stride int // coprime to Feeds: spreads the backlog remainder

	stats counters
	// Per feed, unix nanoseconds of the first and the latest poll (0: none).
	first, last []atomic.Int64
}

type counters struct {
	inFlight                                               atomic.Int64 // feed requests being answered
	polls, feed200, feed304, redirects, articles, notFound atomic.Int64
	err500, err429, resets, hangs, slow                    atomic.Int64
}

// New returns a farm whose feeds live on hosts (base URLs, at least one);
// feed i is on hosts[i % len(hosts)].
func New(cfg Config, hosts []string) (*Farm, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if len(hosts) == 0 {
		return nil, errors.New("farm: no hosts")
	}
	f := &Farm{cfg: cfg, hosts: hosts,
		first: make([]atomic.Int64, cfg.Feeds), last: make([]atomic.Int64, cfg.Feeds)}
	f.stride = coprimeStride(cfg.Feeds)
	if cfg.NewPerMinute > 0 {
		f.period = time.Duration(float64(cfg.Feeds) / cfg.NewPerMinute * float64(time.Minute))
	} else {
		f.period = time.Hour // only spaces the backlog items
	}
	return f, nil
}

// coprimeStride returns a number near 0.618·n coprime to n (1 for tiny n).
func coprimeStride(n int) int {
	gcd := func(a, b int) int {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	for s := max(n*618/1000, 1); s < n; s++ {
		if gcd(s, n) == 1 {
			return s
		}
	}
	return 1
}

// FeedURL is feed id's subscription URL.
func (f *Farm) FeedURL(id int) string { return f.host(id) + "/f/" + strconv.Itoa(id) }

func (f *Farm) host(id int) string { return f.hosts[id%len(f.hosts)] }

// KindOf is feed id's behaviour.
func (f *Farm) KindOf(id int) Kind {
	c := f.cfg
	u := unit(f.cfg.Seed, tagKind, uint64(id))
	switch {
	case u < c.Slow:
		return KindSlow
	case u < c.Slow+c.Fail:
		return KindFail500 + Kind(mix(f.cfg.Seed, tagFailKind, uint64(id))%4)
	case u < c.Slow+c.Fail+c.Redirect:
		if mix(f.cfg.Seed, tagRedirectKind, uint64(id))%2 == 0 {
			return KindMoved
		}
		return KindRedirect
	}
	return KindStable
}

// ValidatorsOf says which validators feed id sends.
func (f *Farm) ValidatorsOf(id int) Validators {
	switch u := unit(f.cfg.Seed, tagValidators, uint64(id)); {
	case u < 0.85:
		return ETagAndLastModified
	case u < 0.95:
		return LastModifiedOnly
	}
	return NoValidators
}

// IsAtom says whether feed id is Atom (else RSS 2.0).
func (f *Farm) IsAtom(id int) bool { return unit(f.cfg.Seed, tagAtom, uint64(id)) < f.cfg.Atom }

// backlog is how many items feed id had at start.
func (f *Farm) backlog(id int) int {
	n := f.cfg.Backlog / f.cfg.Feeds
	// The remainder goes to exactly rem feeds, spread by a permutation
	// (id*stride mod Feeds, stride coprime to Feeds) rather than the first ones.
	if rem := f.cfg.Backlog % f.cfg.Feeds; rem > 0 && (id*f.stride)%f.cfg.Feeds < rem {
		n++
	}
	return n
}

// phase is when feed id's first new item appears after Start.
func (f *Farm) phase(id int) time.Duration {
	return time.Duration(unit(f.cfg.Seed, tagPhase, uint64(id)) * float64(f.period))
}

// Count is how many items feed id has published by t (backlog included).
func (f *Farm) Count(id int, t time.Time) int {
	n := f.backlog(id)
	if f.cfg.NewPerMinute <= 0 {
		return n
	}
	since := t.Sub(f.cfg.Start) - f.phase(id)
	if since < 0 {
		return n
	}
	return n + int(since/f.period) + 1
}

// Published is when item j of feed id appeared.
func (f *Farm) Published(id, j int) time.Time {
	b := f.backlog(id)
	if j < b {
		return f.cfg.Start.Add(-time.Duration(b-j) * f.period).Truncate(time.Second)
	}
	return f.cfg.Start.Add(f.phase(id) + time.Duration(j-b)*f.period)
}

// ItemsPublished is the total over all feeds by t.
func (f *Farm) ItemsPublished(t time.Time) int64 {
	var n int64
	for id := range f.cfg.Feeds {
		n += int64(f.Count(id, t))
	}
	return n
}

// source follows copies: which feed and item's article item j of feed id
// shows. A copy shows the latest item another feed had when it appeared
// (each step goes back in time, so chains end; at Copies 0.1 one of 32
// steps has odds of 1e-32).
func (f *Farm) source(id, j int) (int, int) {
	for range 32 {
		if f.cfg.Feeds < 2 || j < f.backlog(id) || unit(f.cfg.Seed, tagCopy, uint64(id), uint64(j)) >= f.cfg.Copies {
			return id, j
		}
		g := (id + 1 + int(mix(f.cfg.Seed, tagCopyOf, uint64(id), uint64(j))%uint64(f.cfg.Feeds-1))) % f.cfg.Feeds
		// Strictly before: items appearing at the same instant must not copy each other.
		gj := f.Count(g, f.Published(id, j).Add(-time.Nanosecond)) - 1
		if gj < 0 {
			return id, j
		}
		id, j = g, gj
	}
	return id, j
}

// ArticleURL is the page of item j of feed id, on the feed's host.
func (f *Farm) ArticleURL(id, j int) string {
	return f.host(id) + "/a/" + strconv.Itoa(id) + "/" + strconv.Itoa(j)
}

// PolledSince counts feeds whose latest poll was at or after t.
func (f *Farm) PolledSince(t time.Time) int {
	n, ts := 0, t.UnixNano()
	for i := range f.last {
		if f.last[i].Load() >= ts {
			n++
		}
	}
	return n
}

// NotPolledSince lists up to limit feeds whose latest poll was before t.
func (f *Farm) NotPolledSince(t time.Time, limit int) []int {
	var ids []int
	ts := t.UnixNano()
	for i := range f.last {
		if len(ids) == limit {
			break
		}
		if f.last[i].Load() < ts {
			ids = append(ids, i)
		}
	}
	return ids
}

// FeedsPolled counts feeds polled at least once.
func (f *Farm) FeedsPolled() int { return f.PolledSince(time.Unix(0, 1)) }

// Stats is the farm's counters, served at /stats.
type Stats struct {
	Uptime         float64 `json:"uptime_seconds"`
	Feeds          int     `json:"feeds"`
	Hosts          int     `json:"hosts"`
	FeedsPolled    int     `json:"feeds_polled"`    // distinct feeds polled at least once
	InFlight       int64   `json:"in_flight"`       // feed requests being answered now
	Polls          int64   `json:"polls"`           // feed requests answered (not counting redirect hops)
	Feed200        int64   `json:"feed_200"`        // full feed documents
	Feed304        int64   `json:"feed_304"`        // conditional GETs answered Not Modified
	Redirects      int64   `json:"redirects"`       // 301/302 hops
	Articles       int64   `json:"articles"`        // article pages served
	Errors         int64   `json:"errors"`          // err_500 + err_429 + resets + hangs
	Err500         int64   `json:"err_500"`         //
	Err429         int64   `json:"err_429"`         //
	Resets         int64   `json:"resets"`          // connections reset
	Hangs          int64   `json:"hangs"`           // requests never answered
	Slow           int64   `json:"slow"`            // answers delayed 1-5 s
	NotFound       int64   `json:"not_found"`       // unknown paths or items
	ItemsPublished int64   `json:"items_published"` // items published so far, over all feeds (backlog included)
}

// Stats returns the counters now.
func (f *Farm) Stats() Stats {
	s := &f.stats
	st := Stats{
		Uptime: f.cfg.Now().Sub(f.cfg.Start).Seconds(), Feeds: f.cfg.Feeds, Hosts: len(f.hosts),
		FeedsPolled: f.FeedsPolled(), InFlight: s.inFlight.Load(), Polls: s.polls.Load(), Feed200: s.feed200.Load(), Feed304: s.feed304.Load(),
		Redirects: s.redirects.Load(), Articles: s.articles.Load(),
		Err500: s.err500.Load(), Err429: s.err429.Load(), Resets: s.resets.Load(), Hangs: s.hangs.Load(),
		Slow: s.slow.Load(), NotFound: s.notFound.Load(), ItemsPublished: f.ItemsPublished(f.cfg.Now()),
	}
	st.Errors = st.Err500 + st.Err429 + st.Resets + st.Hangs
	st.Uptime = math.Round(st.Uptime*10) / 10
	return st
}

// Handler serves every host: /f/{id} (subscription URLs), /moved/{id},
// /hop/{id}, /live/{id} (redirect targets), /a/{feed}/{item} (articles),
// /opml and /stats.
func (f *Farm) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /f/{id}", f.serveEntry)
	mux.HandleFunc("GET /moved/{id}", f.serveTarget(KindMoved))
	mux.HandleFunc("GET /hop/{id}", f.serveHop)
	mux.HandleFunc("GET /live/{id}", f.serveTarget(KindRedirect))
	mux.HandleFunc("GET /a/{feed}/{item}", f.serveArticle)
	mux.HandleFunc("GET /opml", f.serveOPML)
	mux.HandleFunc("GET /stats", f.serveStats)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.stats.notFound.Add(1)
		http.NotFound(w, r)
	})
	return mux
}

// feedID reads {id}; false (after a 404) when it names no feed.
func (f *Farm) feedID(w http.ResponseWriter, r *http.Request, name string) (int, bool) {
	id, err := strconv.Atoi(r.PathValue(name))
	if err != nil || id < 0 || id >= f.cfg.Feeds {
		f.stats.notFound.Add(1)
		http.NotFound(w, r)
		return 0, false
	}
	return id, true
}

func (f *Farm) serveEntry(w http.ResponseWriter, r *http.Request) {
	id, ok := f.feedID(w, r, "id")
	if !ok {
		return
	}
	switch f.KindOf(id) {
	case KindMoved:
		f.redirect(w, r, f.host(id)+"/moved/"+strconv.Itoa(id), http.StatusMovedPermanently)
	case KindRedirect:
		f.redirect(w, r, f.host(id)+"/hop/"+strconv.Itoa(id), http.StatusFound)
	default:
		f.serveFeed(w, r, id)
	}
}

func (f *Farm) serveHop(w http.ResponseWriter, r *http.Request) {
	id, ok := f.feedID(w, r, "id")
	if !ok {
		return
	}
	if f.KindOf(id) != KindRedirect {
		f.stats.notFound.Add(1)
		http.NotFound(w, r)
		return
	}
	f.redirect(w, r, f.host(id)+"/live/"+strconv.Itoa(id), http.StatusFound)
}

// serveTarget serves the feed at a redirect target, only for feeds of kind k.
func (f *Farm) serveTarget(k Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := f.feedID(w, r, "id")
		if !ok {
			return
		}
		if f.KindOf(id) != k {
			f.stats.notFound.Add(1)
			http.NotFound(w, r)
			return
		}
		f.serveFeed(w, r, id)
	}
}

func (f *Farm) redirect(w http.ResponseWriter, r *http.Request, to string, code int) {
	f.stats.redirects.Add(1)
	http.Redirect(w, r, to, code)
}

// serveFeed answers one poll of feed id according to its kind.
func (f *Farm) serveFeed(w http.ResponseWriter, r *http.Request, id int) {
	now := f.cfg.Now()
	f.stats.inFlight.Add(1)
	defer f.stats.inFlight.Add(-1)
	f.stats.polls.Add(1)
	f.first[id].CompareAndSwap(0, now.UnixNano())
	f.last[id].Store(now.UnixNano())

	switch f.KindOf(id) {
	case KindSlow:
		f.stats.slow.Add(1)
		span := f.cfg.SlowMax - f.cfg.SlowMin
		d := f.cfg.SlowMin + time.Duration(unit(f.cfg.Seed, tagDelay, uint64(id))*float64(span))
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	case KindFail500:
		f.stats.err500.Add(1)
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	case KindFail429:
		f.stats.err429.Add(1)
		w.Header().Set("Retry-After", strconv.Itoa(int(f.cfg.RetryAfter/time.Second)))
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	case KindReset:
		f.stats.resets.Add(1)
		resetConn(w)
		return
	case KindHang:
		f.stats.hangs.Add(1)
		select {
		case <-time.After(f.cfg.Hang):
		case <-r.Context().Done():
		}
		panic(http.ErrAbortHandler) // close without an answer
	}

	count := f.Count(id, now)
	etag, lastMod := f.validators(id, count)
	h := w.Header()
	if etag != "" {
		h.Set("ETag", etag)
	}
	if !lastMod.IsZero() {
		h.Set("Last-Modified", lastMod.UTC().Format(http.TimeFormat))
	}
	if notModified(r, etag, lastMod) {
		f.stats.feed304.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	f.stats.feed200.Add(1)
	if f.IsAtom(id) {
		h.Set("Content-Type", "application/atom+xml; charset=utf-8")
		_, _ = w.Write(f.atom(id, count))
		return
	}
	h.Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, _ = w.Write(f.rss(id, count))
}

// validators gives feed id's ETag and Last-Modified for count items, as its
// Validators choice allows ("" and zero when not sent).
func (f *Farm) validators(id, count int) (etag string, lastMod time.Time) {
	v := f.ValidatorsOf(id)
	if v == NoValidators {
		return "", time.Time{}
	}
	lastMod = f.cfg.Start.Add(-24 * time.Hour).Truncate(time.Second) // an empty feed's
	if count > 0 {
		lastMod = f.Published(id, count-1)
	}
	if v == ETagAndLastModified {
		etag = fmt.Sprintf(`"%x-%d-%d"`, f.cfg.Seed, id, count)
	}
	return etag, lastMod
}

// notModified applies RFC 9110 §13.1: If-None-Match wins over If-Modified-Since.
func notModified(r *http.Request, etag string, lastMod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etag != "" && etagListHas(inm, etag)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || lastMod.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims)
	return err == nil && !lastMod.Truncate(time.Second).After(t)
}

// etagListHas is the weak comparison of If-None-Match against etag.
func etagListHas(list, etag string) bool {
	weak := func(s string) string {
		if len(s) > 2 && s[:2] == "W/" {
			return s[2:]
		}
		return s
	}
	for len(list) > 0 {
		var tag string
		for len(list) > 0 && (list[0] == ' ' || list[0] == ',') {
			list = list[1:]
		}
		i := 0
		for i < len(list) && list[i] != ',' {
			i++
		}
		tag, list = trimSpace(list[:i]), list[i:]
		if tag == "*" || (tag != "" && weak(tag) == weak(etag)) {
			return true
		}
	}
	return false
}

func trimSpace(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// resetConn closes the connection with a TCP RST.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func (f *Farm) serveArticle(w http.ResponseWriter, r *http.Request) {
	id, ok := f.feedID(w, r, "feed")
	if !ok {
		return
	}
	j, err := strconv.Atoi(r.PathValue("item"))
	if err != nil || j < 0 || j >= f.Count(id, f.cfg.Now()) {
		f.stats.notFound.Add(1)
		http.NotFound(w, r)
		return
	}
	f.stats.articles.Add(1)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(f.Article(id, j))
}

// Article renders item j of feed id's page: the template of the feed whose
// article it shows (its own, or the copied one's), its words replaced by the
// words of that article, its canonical URL this page's own.
func (f *Farm) Article(id, j int) []byte {
	sid, sj := f.source(id, j)
	t := f.cfg.Templates[mix(f.cfg.Seed, tagTemplate, uint64(sid))%uint64(len(f.cfg.Templates))]
	return t.Render(mix(f.cfg.Seed, tagArticle, uint64(sid), uint64(sj)), f.ArticleURL(id, j))
}

func (f *Farm) serveOPML(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/x-opml; charset=utf-8")
	_, _ = w.Write(f.OPML())
}

func (f *Farm) serveStats(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(f.Stats())
}
