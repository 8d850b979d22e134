// Package loginlimit slows password guessing on the reader-app sync APIs:
// an address is refused after too many failed sign-ins within a window.
// It is in memory only; a restart forgives, which suits a small server.
package loginlimit

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxAddrs bounds the memory an address-spraying attacker can make us hold.
const maxAddrs = 10000

// Limiter counts failed attempts per address in a sliding window.
type Limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	fails  map[string][]time.Time
}

// New returns a limiter allowing max failures per window; now may be nil.
func New(max int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{max: max, window: window, now: now, fails: map[string][]time.Time{}}
}

// recent drops failures older than the window; l.mu must be held.
func (l *Limiter) recent(addr string) []time.Time {
	cut := l.now().Add(-l.window)
	ts := l.fails[addr]
	for len(ts) > 0 && ts[0].Before(cut) {
		ts = ts[1:]
	}
	if len(ts) == 0 {
		delete(l.fails, addr)
		return nil
	}
	l.fails[addr] = ts
	return ts
}

// Blocked reports whether addr has used up its failures.
func (l *Limiter) Blocked(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(addr)) >= l.max
}

// Fail records one failed attempt from addr.
func (l *Limiter) Fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) >= maxAddrs {
		for a := range l.fails {
			l.recent(a)
		}
	}
	l.fails[addr] = append(l.recent(addr), l.now())
}

// ClientIP is the peer address of r. Proxy headers are not trusted: behind a
// reverse proxy every client shares the proxy's limit.
func ClientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}
