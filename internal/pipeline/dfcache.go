package pipeline

import "sync"

// DFCache keeps full-text document frequencies between Match calls. Reading
// them from the FTS vocabulary costs an index seek per term in every segment
// (about two thirds of all ingest time when done per document), while the
// counts drift slowly: a count is reused until the store has grown by a
// tenth since it was read. The size is bounded; when full it starts over.
type DFCache struct {
	mu     sync.Mutex
	max    int
	latest int // the largest store size seen in any read
	terms  map[string]dfEntry
}

type dfEntry struct{ n, total int }

// NewDFCache returns a cache holding at most max terms (default 200,000).
func NewDFCache(max int) *DFCache {
	if max <= 0 {
		max = 200_000
	}
	return &DFCache{max: max, terms: make(map[string]dfEntry)}
}

// get returns a term's cached count and the store size it was read at, while
// still fresh. A nil cache holds nothing.
func (c *DFCache) get(term string) (n, total int, ok bool) {
	if c == nil {
		return 0, 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.terms[term]
	if !ok || c.latest > e.total+e.total/10+10 {
		return 0, 0, false
	}
	return e.n, e.total, true
}

// put records the counts of terms (absent from df: zero) read at total.
func (c *DFCache) put(df map[string]int, terms []string, total int) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.latest = max(c.latest, total)
	if len(c.terms)+len(terms) > c.max {
		clear(c.terms)
	}
	for _, t := range terms {
		c.terms[t] = dfEntry{n: df[t], total: total}
	}
}
