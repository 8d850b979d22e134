package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// Document frequencies for ranking (rank.go) come from a per-store cache,
// which also keeps the sizes of search filters (search.go): counting a
// common word's documents reads its whole doclist (tens of ms at a million
// documents), while the count moves slowly. An entry is recounted when it is
// older than dfMaxAge, or when, since it was counted, the highest document
// id has grown or the indexed row count has dropped by more than
// dfMaxChange. A stale count shifts a term's IDF by about its relative
// error: no change of order between terms of very different frequency, and
// little between close ones.
const (
	dfMaxAge     = 10 * time.Minute
	dfMaxChange  = 0.05
	dfMaxEntries = 50_000 // the cache is dropped whole past this; one recount per term
)

type dfEntry struct {
	df, maxID, rows int64 // count; the highest document id and the indexed rows when counted
	at              time.Time
}

// dfCache is one store's cache (DB.df), shared by its connections.
type dfCache struct {
	mu sync.Mutex
	m  map[string]dfEntry
}

// searchStats is what ranking and plan choice know of a search's phrases.
type searchStats struct {
	dfs   []int64 // documents matching each phrase
	maxID int64   // the highest document id: the store's size, near enough
	rows  int64   // rows in the full-text index
}

// fresh reports whether e, counted earlier, still stands for a store of
// maxID and rows at now.
func (e dfEntry) fresh(now time.Time, maxID, rows int64) bool {
	return now.Sub(e.at) < dfMaxAge && now.Sub(e.at) >= 0 && maxID >= e.maxID &&
		float64(maxID-e.maxID) <= dfMaxChange*float64(e.maxID) && float64(e.rows-rows) <= dfMaxChange*float64(e.rows)
}

// cachedCount returns count() through the same cache and staleness rules
// as the document frequencies; key must not collide with a phrase (start it
// with a character a phrase cannot start with).
func (db *DB) cachedCount(key string, st searchStats, count func() (int64, error)) (int64, error) {
	c, now := &db.df, db.now()
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && e.fresh(now, st.maxID, st.rows) {
		return e.df, nil
	}
	n, err := count()
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if len(c.m) >= dfMaxEntries {
		clear(c.m)
	}
	c.m[key] = dfEntry{df: n, maxID: st.maxID, rows: st.rows, at: now}
	c.mu.Unlock()
	return n, nil
}

// docFreqs returns the number of documents matching each phrase (an FTS5
// expression of one phrase), from the cache or counted in tx. An empty
// phrase needs no count and gets 0.
func (db *DB) docFreqs(ctx context.Context, tx *sql.Tx, phrases []string) (searchStats, error) {
	out := make([]int64, len(phrases))
	var maxID int64
	var totals []byte
	err := tx.QueryRowContext(ctx, `SELECT (SELECT COALESCE(max(id), 0) FROM documents),
		(SELECT block FROM documents_fts_data WHERE id = 1)`).Scan(&maxID, &totals)
	if err != nil {
		return searchStats{}, fmt.Errorf("document frequencies: store size: %w", err)
	}
	n, _ := binaryUvarint(totals)
	st := searchStats{dfs: out, maxID: maxID, rows: int64(n)}
	// BM25 gives every phrase in half the rows or more the same floor IDF,
	// so counting stops there: half the cost of the commonest words' counts.
	half := (st.rows + 1) / 2
	if half <= 0 {
		half = -1 // no totals yet: count all
	}
	for i, p := range phrases {
		if p == "" {
			continue
		}
		out[i], err = db.cachedCount(p, st, func() (df int64, err error) {
			err = tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM documents_fts WHERE documents_fts MATCH ? LIMIT ?)`,
				p, half).Scan(&df)
			return df, err
		})
		if err != nil {
			return searchStats{}, fmt.Errorf("count documents matching %s: %w", p, err)
		}
	}
	return st, nil
}

// binaryUvarint decodes an SQLite varint (big-endian groups of 7 bits, the
// ninth byte whole), the format of the FTS5 totals record whose first value
// is the indexed row count.
func binaryUvarint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 9; i++ {
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}
