package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/newstrace/newstrace/internal/match"
)

// bandCache is this process's negative cache in front of lsh_bands: a
// Bloom filter of the band keys filed there, so that NearCandidates seeks
// only keys that may be present. Most keys of a new document are not, and
// a seek that finds nothing costs as much as one that finds something.
//
// The store stays the truth. The filter is loaded from lsh_bands in the
// background on first use (until it is ready, lookups seek every key), and
// each lookup also reads, in the same statement, the fingerprints saved
// since (one seek on fingerprints_seq, migration 0011), by this process or
// any other, and adds their keys. Postings removed from the store only
// cost a wasted seek; a filter filled past its capacity is reloaded,
// larger, in the background.
type bandCache struct {
	mu      sync.Mutex
	filter  *match.BandFilter // nil until loaded
	seq     int64             // fingerprints.seq up to which filter has every key
	loading chan struct{}     // non-nil while a load runs; closed when it ends
	loads   int               // completed loads
}

// bandFilterRoom is the room a loaded filter has for new keys, besides a
// quarter of the keys it loaded, before it is reloaded larger.
var bandFilterRoom = 1 << 16

// bandFilter returns the filter and the seq it is complete up to, or nil
// (and starts loading it) if it is not loaded yet.
func (db *DB) bandFilter() (*match.BandFilter, int64) {
	c := &db.near.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.filter == nil {
		db.startBandLoad()
	}
	return c.filter, c.seq
}

// newBands are the fingerprints saved after some seq, as read by a lookup.
type newBands struct {
	last int64    // highest seq read
	keys []uint64 // their band keys
}

func (n *newBands) has(k uint64) bool { return slices.Contains(n.keys, k) }

// applyBands adds the keys of the fingerprints saved after seq from to the
// filter. The filter is then complete up to n.last if it was up to from:
// seq is given in commit order, so a snapshot holding n.last holds every
// lower seq. A lookup that raced a reload may add keys to a filter loaded
// later (harmless) without moving its seq.
func (db *DB) applyBands(from int64, n *newBands) {
	c := &db.near.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.filter == nil {
		return
	}
	for _, k := range n.keys {
		c.filter.Add(k)
	}
	if c.seq >= from {
		c.seq = max(c.seq, n.last)
	}
	if c.filter.Full() {
		db.startBandLoad()
	}
}

// startBandLoad loads a new filter in the background unless a load is
// running. c.mu must be held.
func (db *DB) startBandLoad() {
	c := &db.near.cache
	if c.loading != nil {
		return
	}
	done := make(chan struct{})
	c.loading = done
	go func() {
		defer close(done)
		start := time.Now()
		f, seq, err := db.loadBandFilter(context.Background())
		c.mu.Lock()
		defer c.mu.Unlock()
		c.loading = nil
		if err != nil {
			db.logger.Warn("load band filter; lookups seek every key meanwhile", "err", err)
			return
		}
		// Rows after seq are read again by the next lookup; adding a key
		// twice is harmless.
		c.filter, c.seq = f, seq
		c.loads++
		db.logger.Debug("loaded band filter", "keys", f.Added(), "bytes", f.Bytes(), "seq", seq,
			"took", time.Since(start).Round(time.Millisecond))
	}()
}

// loadBandFilter reads every band key of lsh_bands, and the highest
// fingerprints.seq, in one read transaction: whatever is saved after it
// has a higher seq.
func (db *DB) loadBandFilter(ctx context.Context) (*match.BandFilter, int64, error) {
	var f *match.BandFilter
	var seq int64
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM fingerprints`).Scan(&seq); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM lsh_bands`).Scan(&n); err != nil {
			return err
		}
		f = match.NewBandFilter(n + n/4 + bandFilterRoom)
		rows, err := tx.QueryContext(ctx, `SELECT band_key FROM lsh_bands`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k int64
			if err := rows.Scan(&k); err != nil {
				return err
			}
			f.Add(uint64(k))
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("load band filter: %w", err)
	}
	return f, seq, nil
}

// waitBandFilter starts loading the filter if needed and waits until a
// load ends: for tests and benchmarks, which must know the filter is used.
func (db *DB) waitBandFilter(ctx context.Context) (*match.BandFilter, error) {
	if f, _ := db.bandFilter(); f != nil {
		return f, nil
	}
	c := &db.near.cache
	c.mu.Lock()
	done := c.loading
	c.mu.Unlock()
	if done != nil {
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f, _ := db.bandFilter(); f != nil {
		return f, nil
	}
	return nil, fmt.Errorf("band filter did not load (see the log)")
}
