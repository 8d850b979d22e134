package fetch

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
)

// hostLimiter caps concurrent requests per host. Entries are removed when
// no request holds or waits for them, so following millions of hosts
// does not grow the map.
type hostLimiter struct {
	limit int
	mu    sync.Mutex
	hosts map[string]*hostSlot
}

type hostSlot struct {
	sem  chan struct{}
	refs int // holders plus waiters
}

func newHostLimiter(limit int) *hostLimiter {
	return &hostLimiter{limit: limit, hosts: make(map[string]*hostSlot)}
}

// acquire waits for a slot on host or for ctx to end.
func (l *hostLimiter) acquire(ctx context.Context, host string) error {
	l.mu.Lock()
	s := l.hosts[host]
	if s == nil {
		s = &hostSlot{sem: make(chan struct{}, l.limit)}
		l.hosts[host] = s
	}
	s.refs++
	l.mu.Unlock()

	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		l.unref(host, s)
		return ctx.Err()
	}
}

func (l *hostLimiter) release(host string) {
	l.mu.Lock()
	s := l.hosts[host]
	l.mu.Unlock()
	if s == nil {
		return
	}
	<-s.sem
	l.unref(host, s)
}

func (l *hostLimiter) unref(host string, s *hostSlot) {
	l.mu.Lock()
	s.refs--
	if s.refs == 0 {
		delete(l.hosts, host)
	}
	l.mu.Unlock()
}

// limitTransport takes a host slot for each round trip, redirect hops
// included, and gives it back when the response body is closed. With pace
// set it then waits for the request's turn on the host.
//
// Pacing comes after the slot on purpose: the slot is per host, so holding
// it while waiting only holds back requests to the same host, which would
// have to wait for their turn anyway; and a turn booked only once nothing
// else in this process stands between it and the wire starts on time. A
// turn booked before queueing for the slot could start late and leave less
// than the gap before the next process's turn.
type limitTransport struct {
	next    http.RoundTripper
	limiter *hostLimiter
	pace    func(ctx context.Context, host string) error
}

func (t *limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := strings.ToLower(req.URL.Hostname())
	if err := t.limiter.acquire(req.Context(), host); err != nil {
		return nil, err
	}
	if t.pace != nil {
		if err := t.pace(req.Context(), host); err != nil {
			t.limiter.release(host)
			return nil, err
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.limiter.release(host)
		return nil, err
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, release: sync.OnceFunc(func() { t.limiter.release(host) })}
	return resp, nil
}

type releaseBody struct {
	io.ReadCloser
	release func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}
