package fetch

import "net/http"

// NewTransport returns a transport with the same dial-time address checks
// (private, loopback and link-local addresses refused unless
// cfg.AllowPrivate), timeouts and no proxy as a Client's, for the few callers
// that send rather than fetch (webhook deliveries).
func NewTransport(cfg Config) http.RoundTripper { return newTransport(cfg.withDefaults()) }
