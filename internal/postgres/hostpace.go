package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/newstrace/newstrace"
)

var _ newstrace.HostPacer = (*DB)(nil)

// qReserveHost books one slot in a single statement: the row lock taken by
// ON CONFLICT DO UPDATE serialises bookers of one host across processes,
// and each sees the previous booking's next_at. A new host's first slot
// starts now. Times are the database's clock, shared by every process.
const qReserveHost = `INSERT INTO host_pace AS p (host, next_at) VALUES ($1, now() + $2 * interval '1 microsecond')
	ON CONFLICT (host) DO UPDATE SET next_at = greatest(p.next_at, now()) + $2 * interval '1 microsecond'
	RETURNING p.next_at - $2 * interval '1 microsecond'`

// ReserveHost books the next request slot for host, at least gap after the
// previous booking and not before now, and returns the slot's start. The
// gap is rounded up to whole microseconds, the database's precision.
func (db *DB) ReserveHost(ctx context.Context, host string, gap time.Duration) (time.Time, error) {
	var start time.Time
	if err := db.pool.QueryRow(ctx, qReserveHost, host, (max(gap, 0) + time.Microsecond - 1).Microseconds()).Scan(&start); err != nil {
		return time.Time{}, fmt.Errorf("reserve a slot for host %s: %w", host, err)
	}
	return start.UTC(), nil
}
