// Package fetch is the only HTTP client that talks to the outside world.
// It treats every server as hostile: it refuses private addresses at dial
// time, caps bodies after decompression, bounds every phase in time,
// limits redirects and concurrency per host, and reports permanent moves.
package fetch

import (
	"cmp"
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/netip"
	"time"
)

const (
	defaultUserAgent = "newstrace/0.1 (+https://github.com/newstrace/newstrace)"
	idleConnTimeout  = 90 * time.Second
	maxHeaderBytes   = 256 << 10
)

// Config sets the limits of a Client. Zero values take the defaults.
type Config struct {
	Timeout        time.Duration // whole request including body, default 30s
	ConnectTimeout time.Duration // TCP connect and TLS handshake each, default 10s
	HeaderTimeout  time.Duration // request sent → response headers, default 20s
	MaxBodyBytes   int64         // after decompression, default 10 MiB
	MaxRedirects   int           // default 10; negative follows none
	AllowPrivate   bool          // allow loopback/private/link-local targets (--allow-private)
	UserAgent      string        // default "newstrace/0.1 (+https://github.com/newstrace/newstrace)"
	PerHostLimit   int           // concurrent requests per host, default 2
	Logger         *slog.Logger  // default slog.Default()
	Now            func() time.Time

	// Pace, when set, is called for every request, redirect hops
	// included, once the per-host slot is held and before the request is
	// sent; it returns when the request may go (nil) or why it may not
	// (the request then fails with that error). See Pacer: it spaces
	// requests to one host across every process sharing a store.
	Pace func(ctx context.Context, host string) error

	// IPPolicy decides which resolved addresses are refused when
	// AllowPrivate is false: it returns "" to allow, else the words for
	// "IP is ___ address". Default ClassifyIP. Tests use it to block one
	// loopback address while allowing another.
	IPPolicy func(netip.Addr) string
	// LookupHost replaces DNS resolution (tests, or a caller's resolver).
	// The dial-time address check still applies to what it returns.
	LookupHost func(ctx context.Context, host string) ([]netip.Addr, error)
	// TLSConfig replaces the default TLS settings (tests trust a test CA).
	TLSConfig *tls.Config
}

func (c Config) withDefaults() Config {
	c.Timeout = cmp.Or(c.Timeout, 30*time.Second)
	c.ConnectTimeout = cmp.Or(c.ConnectTimeout, 10*time.Second)
	c.HeaderTimeout = min(cmp.Or(c.HeaderTimeout, 20*time.Second), c.Timeout)
	c.MaxBodyBytes = cmp.Or(c.MaxBodyBytes, 10<<20)
	if c.MaxRedirects == 0 {
		c.MaxRedirects = 10
	} else if c.MaxRedirects < 0 {
		c.MaxRedirects = 0
	}
	c.UserAgent = cmp.Or(c.UserAgent, defaultUserAgent)
	c.PerHostLimit = max(cmp.Or(c.PerHostLimit, 2), 1)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Client fetches URLs within the limits of its Config. It is safe for
// concurrent use; make one per process so the per-host cap is shared.
type Client struct {
	cfg       Config
	transport http.RoundTripper
	log       *slog.Logger
}

// New returns a Client for cfg, with defaults filled in.
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	return &Client{
		cfg:       cfg,
		transport: &limitTransport{next: newTransport(cfg), limiter: newHostLimiter(cfg.PerHostLimit), pace: cfg.Pace},
		log:       cfg.Logger.With("component", "fetch"),
	}
}

// Request is one fetch.
type Request struct {
	URL          string
	ETag         string // sent as If-None-Match
	LastModified string // sent as If-Modified-Since
	Accept       string // default "*/*"
	MaxBytes     int64  // overrides Config.MaxBodyBytes when > 0
}

// Hop is one response in a redirect chain.
type Hop struct {
	URL    string `json:"url"`
	Status int    `json:"status"`
}

// Response is a completed fetch.
type Response struct {
	RequestURL  string
	FinalURL    string // after redirects
	StatusCode  int
	Header      http.Header
	Body        []byte // decompressed and capped; raw bytes, charset not decoded
	ContentType string // the Content-Type header, or sniffed when absent
	NotModified bool   // 304: the caller's copy is current

	// Validators for the next conditional GET (on 304, the ones sent are
	// kept unless the server gave new ones).
	ETag, LastModified string

	Redirects []Hop // each redirect response, in order; empty if none
	// PermanentURL is FinalURL when every redirect was 301 or 308: the URL
	// a feed should remember from now on. Empty otherwise.
	PermanentURL string
	RetryAfter   time.Duration // parsed Retry-After on 429/503
}
