package newstrace

import (
	"context"
	"time"
)

// HostPacer spaces requests to one host across every process that shares
// the store, so politeness holds however many workers poll. The PostgreSQL
// store implements it; a store that does not (SQLite, one process) leaves
// the fetcher an in-memory pacer and its per-process concurrency cap.
type HostPacer interface {
	// ReserveHost books the next request slot for host: at least gap after
	// the previous booking and not before now. It returns the slot's start;
	// the caller waits until then. Bookings are atomic across processes.
	ReserveHost(ctx context.Context, host string, gap time.Duration) (time.Time, error)
}
