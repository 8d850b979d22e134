package match

import "slices"

// Index is an in-memory LSH index over band keys, for tests, the eval tool
// and benchmarks; the store keeps the same (band key → document) pairs in
// an indexed table. A lookup costs one hash probe per band plus the
// candidates it returns, whatever the number of documents. Not safe for
// concurrent use; holds up to 2^31 postings (67M documents at 32 bands).
type Index struct {
	p    Params
	head map[uint64]int32 // band key → newest posting
	next []int32          // posting → older posting with the same key, or -1
	ids  []int64          // posting → document id
}

// NewIndex returns an empty index for fingerprints made with p.
func NewIndex(p Params) *Index {
	p.mustValidate()
	return &Index{p: p, head: make(map[uint64]int32)}
}

// Add files id under each of f's band keys. A fingerprint without keys
// (empty text) is not indexed. Adding the same id twice is harmless.
func (ix *Index) Add(id int64, f Fingerprint) {
	for _, k := range f.Bands {
		prev, ok := ix.head[k]
		if !ok {
			prev = -1
		}
		ix.head[k] = int32(len(ix.ids))
		ix.next = append(ix.next, prev)
		ix.ids = append(ix.ids, id)
	}
}

// Len returns the number of (band key, id) postings.
func (ix *Index) Len() int { return len(ix.ids) }

// Candidates returns the ids sharing at least one band key with f, sorted
// and without repeats (f's own id too, if it was added).
func (ix *Index) Candidates(f Fingerprint) []int64 {
	var out []int64
	for _, k := range f.Bands {
		e, ok := ix.head[k]
		if !ok {
			continue
		}
		for ; e >= 0; e = ix.next[e] {
			out = append(out, ix.ids[e])
		}
	}
	if len(out) > 1 {
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out
}
