package fetch

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// paceRecorder is a Config.Pace that records each call's host.
type paceRecorder struct {
	mu    sync.Mutex
	hosts []string
	err   error
}

func (p *paceRecorder) pace(_ context.Context, host string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hosts = append(p.hosts, host)
	return p.err
}

// Every request and every redirect hop gets its turn, on its own host.
func TestPaceEveryHop(t *testing.T) {
	final := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("end")) }))
	first := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			http.Redirect(w, r, "/b", http.StatusFound)
			return
		}
		http.Redirect(w, r, publicURL(final, "B.public.test", "/end"), http.StatusMovedPermanently)
	}))
	rec := &paceRecorder{}
	c := newTestClient(t, Config{Pace: rec.pace})
	resp, err := c.Get(context.Background(), Request{URL: publicURL(first, "a.public.test", "/a")})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "end" || len(resp.Redirects) != 2 {
		t.Fatalf("body %q after %d redirects", resp.Body, len(resp.Redirects))
	}
	want := []string{"a.public.test", "a.public.test", "b.public.test"}
	if !slices.Equal(rec.hosts, want) {
		t.Errorf("paced hosts %q, want %q (one per hop, lower case)", rec.hosts, want)
	}
}

// A Pace error fails the request before anything is sent and frees the
// host slot.
func TestPaceErrorFailsRequest(t *testing.T) {
	var served atomic.Int32
	ts := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }))
	boom := errors.New("store is down")
	c := newTestClient(t, Config{Pace: (&paceRecorder{err: boom}).pace, PerHostLimit: 1})
	for range 2 { // a leaked slot would make the second wait for the timeout
		_, err := c.Get(context.Background(), Request{URL: ts.URL})
		if !errors.Is(err, boom) {
			t.Fatalf("Get = %v, want the Pace error", err)
		}
	}
	if n := served.Load(); n != 0 {
		t.Errorf("server saw %d requests", n)
	}
	if n := len(c.transport.(*limitTransport).limiter.hosts); n != 0 {
		t.Errorf("%d host slots left after the requests failed", n)
	}
}

// Requests to one host start at least the gap apart; another host is not
// held back; a request waiting for its turn gives up when its context ends.
func TestPacerSpacing(t *testing.T) {
	const gap = 150 * time.Millisecond
	var mu sync.Mutex
	arrivals := map[string][]time.Time{}
	ts := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals[r.Host] = append(arrivals[r.Host], time.Now())
		mu.Unlock()
		w.Write([]byte("ok"))
	}))
	c := newTestClient(t, Config{Pace: Pacer(&LocalPacer{}, gap), PerHostLimit: 4})
	var wg sync.WaitGroup
	began := time.Now()
	for range 4 {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), Request{URL: publicURL(ts, "a.public.test", "/")}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		if _, err := c.Get(context.Background(), Request{URL: publicURL(ts, "b.public.test", "/")}); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	var a, b []time.Time
	for host, times := range arrivals {
		switch host[:1] {
		case "a":
			a = times
		case "b":
			b = times
		}
	}
	if len(a) != 4 || len(b) != 1 {
		t.Fatalf("arrivals: %d on a, %d on b", len(a), len(b))
	}
	slices.SortFunc(a, func(x, y time.Time) int { return x.Compare(y) })
	for i := 1; i < len(a); i++ {
		if d := a[i].Sub(a[i-1]); d < gap-10*time.Millisecond {
			t.Errorf("requests %d and %d to one host %s apart, want ≥ %s", i-1, i, d, gap)
		}
	}
	if d := b[0].Sub(began); d > gap {
		t.Errorf("the only request to another host waited %s", d)
	}

	// The next turn on a is about a gap away; a request that may only
	// wait 20ms gives up without being sent.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Get(ctx, Request{URL: publicURL(ts, "a.public.test", "/")})
	if kind := ErrorKind(err); kind != KindTimeout {
		t.Errorf("waiting for a turn past the deadline: ErrorKind = %q (%v), want timeout", kind, err)
	}
	mu.Lock()
	n := 0
	for host, times := range arrivals {
		if host[:1] == "a" {
			n += len(times)
		}
	}
	mu.Unlock()
	if n != 4 {
		t.Errorf("server saw %d requests to a, want 4 (the cancelled one must not be sent)", n)
	}
}

func TestPacerOff(t *testing.T) {
	if Pacer(&LocalPacer{}, 0) != nil || Pacer(nil, time.Second) != nil {
		t.Error("Pacer with no gap or no pacer must be nil (no pacing)")
	}
}

func TestLocalPacer(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &LocalPacer{Now: func() time.Time { return now }}
	ctx := context.Background()
	book := func(host string, gap time.Duration) time.Time {
		t.Helper()
		at, err := p.ReserveHost(ctx, host, gap)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	if got := book("a", time.Second); !got.Equal(now) {
		t.Errorf("first booking at %v, want now", got)
	}
	if got := book("a", time.Second); !got.Equal(now.Add(time.Second)) {
		t.Errorf("second booking at %v, want now+1s", got)
	}
	if got := book("b", time.Second); !got.Equal(now) {
		t.Errorf("other host booked at %v, want now", got)
	}
	now = now.Add(10 * time.Second) // idle host: the next booking is now, not in the past
	if got := book("a", time.Second); !got.Equal(now) {
		t.Errorf("booking after idle at %v, want now", got)
	}
	for i := range localPacerPrune + 2 { // past bookings are pruned
		book(string(rune('c'+i)), time.Millisecond)
		now = now.Add(time.Second)
	}
	if n := len(p.next); n > localPacerPrune+1 {
		t.Errorf("%d bookings kept, want at most %d", n, localPacerPrune+1)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := p.ReserveHost(cctx, "a", time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("ReserveHost on a cancelled context = %v", err)
	}
}
