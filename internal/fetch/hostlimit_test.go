package fetch

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// concurrencyServer records the most requests it served at once.
type concurrencyServer struct {
	cur, peak, total atomic.Int32
	hold             time.Duration
}

func (s *concurrencyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.cur.Add(1)
	s.total.Add(1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(s.hold)
	s.cur.Add(-1)
	w.Write([]byte("ok"))
}

func TestPerHostLimit(t *testing.T) {
	tests := []struct {
		name     string
		limit    int
		hosts    []string
		perHost  int
		wantPeak int32
	}{
		{"limit 2 one host", 2, []string{"a.public.test"}, 6, 2},
		{"limit 1 one host", 1, []string{"a.public.test"}, 4, 1},
		{"limit 1 two hosts", 1, []string{"a.public.test", "b.public.test"}, 3, 2},
		{"limit 3 one host", 3, []string{"a.public.test"}, 6, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &concurrencyServer{hold: 80 * time.Millisecond}
			ts := newServer(t, srv)
			c := newTestClient(t, Config{PerHostLimit: tt.limit})
			var wg sync.WaitGroup
			for _, h := range tt.hosts {
				for range tt.perHost {
					wg.Go(func() {
						if _, err := c.Get(context.Background(), Request{URL: publicURL(ts, h, "/")}); err != nil {
							t.Error(err)
						}
					})
				}
			}
			wg.Wait()
			if got := srv.peak.Load(); got != tt.wantPeak {
				t.Errorf("peak concurrency = %d, want %d", got, tt.wantPeak)
			}
			if got := srv.total.Load(); int(got) != len(tt.hosts)*tt.perHost {
				t.Errorf("served %d requests, want %d", got, len(tt.hosts)*tt.perHost)
			}
			if n := len(c.transport.(*limitTransport).limiter.hosts); n != 0 {
				t.Errorf("%d host slots left after all requests finished", n)
			}
		})
	}
}

func TestPerHostLimitWaitHonoursContext(t *testing.T) {
	release := make(chan struct{})
	var served atomic.Int32
	ts := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		<-release
	}))
	c := newTestClient(t, Config{PerHostLimit: 1})
	done := make(chan error, 1)
	go func() {
		_, err := c.Get(context.Background(), Request{URL: ts.URL})
		done <- err
	}()
	for served.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Get(ctx, Request{URL: ts.URL})
	if ErrorKind(err) != KindTimeout {
		t.Fatalf("waiting request: ErrorKind = %q (%v), want timeout", ErrorKind(err), err)
	}
	if served.Load() != 1 {
		t.Errorf("server saw %d requests, want 1 (second must wait for a slot)", served.Load())
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A redirect back to the same host must not wait for the slot the
// redirect response itself holds.
func TestPerHostLimitSameHostRedirect(t *testing.T) {
	base := redirectServer(t)
	c := newTestClient(t, Config{PerHostLimit: 1, Timeout: 2 * time.Second})
	resp, err := c.Get(context.Background(), Request{URL: base + "/chain/4"})
	if err != nil {
		t.Fatalf("Get through 4 same-host redirects with limit 1: %v", err)
	}
	if string(resp.Body) != "end" || len(resp.Redirects) != 4 {
		t.Errorf("body %q after %d redirects", resp.Body, len(resp.Redirects))
	}
}
