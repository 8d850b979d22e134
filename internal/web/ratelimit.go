package web

import (
	"sync"
	"time"
)

// Failed logins allowed per client address within one window.
const (
	loginAttempts = 10
	loginWindow   = 15 * time.Minute
)

// loginLimiter counts failed logins per address in fixed windows. It is in
// memory only: a restart forgives, which is fine for a small server.
type loginLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	seen   map[string]*attempts
}

type attempts struct {
	start time.Time
	n     int
}

func newLoginLimiter(max int, window time.Duration) *loginLimiter {
	return &loginLimiter{max: max, window: window, seen: map[string]*attempts{}}
}

// allowed reports whether ip may try again at now.
func (l *loginLimiter) allowed(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.seen[ip]
	return !ok || now.Sub(a.start) >= l.window || a.n < l.max
}

// fail records a failed attempt.
func (l *loginLimiter) fail(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) > 10000 {
		l.sweep(now)
	}
	a, ok := l.seen[ip]
	if !ok || now.Sub(a.start) >= l.window {
		l.seen[ip] = &attempts{start: now, n: 1}
		return
	}
	a.n++
}

// reset forgets ip after a successful login.
func (l *loginLimiter) reset(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.seen, ip)
}

// sweep drops expired windows so the map cannot grow without bound.
func (l *loginLimiter) sweep(now time.Time) {
	for ip, a := range l.seen {
		if now.Sub(a.start) >= l.window {
			delete(l.seen, ip)
		}
	}
}
