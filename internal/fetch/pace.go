package fetch

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/newstrace/newstrace"
)

// Pacer returns a Config.Pace that books each request's slot on host with
// p (at least gap after the previous booking, in every process sharing p's
// store) and waits until the slot starts or ctx ends. A gap of zero or less
// returns nil: no pacing.
//
// The wait counts against the request's Timeout, so keep gap × (workers ×
// PerHostLimit) well under it; a booking whose request then times out only
// leaves one gap unused.
func Pacer(p newstrace.HostPacer, gap time.Duration) func(ctx context.Context, host string) error {
	if p == nil || gap <= 0 {
		return nil
	}
	return func(ctx context.Context, host string) error {
		start, err := p.ReserveHost(ctx, host, gap)
		if err != nil {
			return fmt.Errorf("book a request slot for %s: %w", host, err)
		}
		return sleepUntil(ctx, start)
	}
}

// sleepUntil waits until t or ctx's end, whichever comes first.
func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// LocalPacer is a HostPacer for one process (the embedded SQLite setup,
// where one process runs the workers): bookings live in memory. The zero
// value is ready to use.
type LocalPacer struct {
	mu   sync.Mutex
	next map[string]time.Time // host → earliest start of the next booking
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

var _ newstrace.HostPacer = (*LocalPacer)(nil)

// localPacerPrune is the map size above which bookings already past are
// dropped, so following millions of hosts does not grow it.
const localPacerPrune = 4096

// ReserveHost books the next slot on host: at least gap after the previous
// booking and not before now.
func (p *LocalPacer) ReserveHost(ctx context.Context, host string, gap time.Duration) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next == nil {
		p.next = make(map[string]time.Time)
	}
	if len(p.next) > localPacerPrune {
		for h, t := range p.next {
			if !t.After(now) {
				delete(p.next, h)
			}
		}
	}
	start := now
	if t, ok := p.next[host]; ok && t.After(now) {
		start = t
	}
	p.next[host] = start.Add(gap)
	return start, nil
}
