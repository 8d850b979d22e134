package match

import (
	"fmt"
	"math"
	"slices"
)

// This file is the near-duplicate core: word shingles, MinHash signatures
// and LSH band keys. Signatures and band keys are stored, so every constant
// and every step below is part of a stored format: change one and every
// stored key is orphaned (TestStability pins them). A deliberate change must
// bump fingerprintVersion and re-fingerprint the stored documents.

// Signature is a MinHash signature: K 32-bit values, two of which agree at
// a position with probability equal to the Jaccard similarity of the
// shingle sets they were computed from.
type Signature []uint32

// Params sets the shape of fingerprints. Bands*Rows must equal K. With b
// bands of r rows, two documents whose shingle sets have Jaccard similarity
// s share at least one band key with probability 1-(1-s^r)^b; for the
// default 32x4 that is 0.23 at s=0.3, 0.87 at s=0.5, 0.999 at s=0.7 and
// 1-1e-9 at s=0.8 (the threshold, where the curve is steepest, is near
// (1/b)^(1/r) = 0.42).
type Params struct {
	K           int // signature length
	Bands       int // LSH bands (band keys per document)
	Rows        int // signature values per band
	ShingleSize int // words per shingle
}

// MaxK bounds the signature length, so a corrupt length in a stored
// fingerprint cannot ask for an absurd allocation.
const MaxK = 4096

// DefaultParams returns 128 values in 32 bands of 4 rows over 5-word
// shingles.
func DefaultParams() Params { return Params{K: 128, Bands: 32, Rows: 4, ShingleSize: 5} }

// Validate reports whether p can be used. Functions given invalid Params
// panic: Params are configuration, checked once with Validate at start.
func (p Params) Validate() error {
	switch {
	case p.K < 1 || p.K > MaxK:
		return fmt.Errorf("match params: K = %d, want 1..%d", p.K, MaxK)
	case p.Bands < 1 || p.Rows < 1:
		return fmt.Errorf("match params: bands = %d, rows = %d, want both ≥ 1", p.Bands, p.Rows)
	case p.Bands*p.Rows != p.K:
		return fmt.Errorf("match params: bands × rows = %d × %d = %d, want K = %d", p.Bands, p.Rows, p.Bands*p.Rows, p.K)
	case p.ShingleSize < 1 || p.ShingleSize > 64:
		return fmt.Errorf("match params: shingle size = %d, want 1..64", p.ShingleSize)
	}
	return nil
}

func (p Params) mustValidate() {
	if err := p.Validate(); err != nil {
		panic(err)
	}
}

// Fixed seeds. Never change them (see the top of this file).
const (
	tokenSeed   uint64 = 0xcbf29ce484222325 // FNV-1a 64 offset basis
	tokenPrime  uint64 = 0x100000001b3      // FNV-1a 64 prime
	shingleSeed uint64 = 0x6e73747261636531 // "nstrace1"
	shingleMul  uint64 = 0xff51afd7ed558ccd
	permSeed    uint64 = 0x9e3779b97f4a7c15
	densifySeed uint64 = 0xd1b54a32d192ed03
	bandSeed    uint64 = 0x8cb92ba72f3d8dd7
)

// mix64 is the SplitMix64 / Murmur3 finaliser: a bijection on uint64 with
// full avalanche.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// tokenHash is FNV-1a 64 over the token's UTF-8 bytes.
func tokenHash[T string | []byte](tok T) uint64 {
	h := tokenSeed
	for i := 0; i < len(tok); i++ {
		h ^= uint64(tok[i])
		h *= tokenPrime
	}
	return h
}

// ShingleHashes returns the sorted, distinct 64-bit hashes of every run of
// size consecutive tokens (a text shorter than size gives one shingle of
// all its tokens; no tokens give none). A size below 1 counts as 1. The
// hash of a shingle depends on its tokens and their order only, and is
// the same in every process and on every platform.
func ShingleHashes(tokens []string, size int) []uint64 {
	th := make([]uint64, len(tokens)) // shingles overwrites it
	for i, t := range tokens {
		th[i] = tokenHash(t)
	}
	return shingles(th, size)
}

// shingles hashes each window of token hashes into a new slice, sorted and
// deduplicated. It overwrites th.
func shingles(th []uint64, size int) []uint64 {
	if len(th) == 0 {
		return nil
	}
	size = max(size, 1)
	n := max(len(th)-size+1, 1)
	// In place: window i reads th[i:i+size] and is written to th[i], which
	// no later window reads.
	i := 0
	if size == 5 { // the default, unrolled: a third of the time
		for ; i+5 <= len(th); i++ {
			w := th[i : i+5 : i+5]
			h := (shingleSeed ^ w[0]) * shingleMul
			h ^= h >> 29
			h = (h ^ w[1]) * shingleMul
			h ^= h >> 29
			h = (h ^ w[2]) * shingleMul
			h ^= h >> 29
			h = (h ^ w[3]) * shingleMul
			h ^= h >> 29
			h = (h ^ w[4]) * shingleMul
			h ^= h >> 29
			th[i] = mix64(h)
		}
	}
	for ; i < n; i++ {
		h := shingleSeed
		for _, t := range th[i:min(i+size, len(th))] {
			h = (h ^ t) * shingleMul
			h ^= h >> 29
		}
		th[i] = mix64(h)
	}
	out := make([]uint64, n)
	sortUniform(out, th[:n])
	return slices.Compact(out)
}

// sortUniform writes src sorted into dst (same length). The values are
// hashes, uniform over uint64, so a counting sort on the top bits into
// about len/2 buckets followed by insertion sort of each bucket (two values
// on average) is linear; it takes 2 µs at 600 values where slices.Sort
// takes 4.4 µs. (One bucket per value, or two 8-bit LSD passes before the
// insertion sort, measured slower.)
func sortUniform(dst, src []uint64) {
	n := len(src)
	if n < 64 {
		copy(dst, src)
		slices.Sort(dst)
		return
	}
	bitsN := 1
	for 1<<(bitsN+1) <= n/2 && bitsN < 16 {
		bitsN++
	}
	shift := 64 - bitsN
	var stack [1<<10 + 1]int32 // zeroed on every call: enough below 8,192 values
	var count []int32
	if 1<<bitsN < len(stack) {
		count = stack[:1<<bitsN+1]
	} else {
		count = make([]int32, 1<<bitsN+1)
	}
	for _, v := range src {
		count[v>>shift+1]++
	}
	var biggest int32
	for i := 1; i < len(count); i++ {
		biggest = max(biggest, count[i])
		count[i] += count[i-1]
	}
	if biggest > 64 { // not uniform (crafted input): avoid quadratic work
		copy(dst, src)
		slices.Sort(dst)
		return
	}
	for _, v := range src {
		b := v >> shift
		dst[count[b]] = v
		count[b]++
	}
	// count[b] is now the end of bucket b; buckets are ordered, so one
	// insertion sort over all of dst moves values only within a bucket.
	for i := 1; i < n; i++ {
		v := dst[i]
		j := i
		for ; j > 0 && dst[j-1] > v; j-- {
			dst[j] = dst[j-1]
		}
		dst[j] = v
	}
}

// MinHash computes the K-value signature of a shingle set (duplicates in
// shingles do not matter; order does not matter). An empty set has no
// signature: nil.
//
// It uses one-permutation hashing with optimal densification (Li, Owen &
// Zhang 2012; Shrivastava 2017) rather than K independent permutations:
// each shingle is hashed once, the hash picks one of K bins and the bin
// keeps its smallest value; a bin no shingle fell into copies the value of
// a non-empty bin chosen by a fixed pseudo-random probe sequence that
// depends only on the bin's index. Two signatures still agree at each
// position with probability equal to the Jaccard similarity, with no more
// variance than K permutations when sets have hundreds of shingles, and the
// cost is O(n + K) instead of O(n·K): 2.3 µs for a 600-word article instead
// of about 100 µs (see BenchmarkMinHash), which is what keeps fingerprinting
// above 20,000 documents a second on one core.
func MinHash(shingles []uint64, p Params) Signature {
	p.mustValidate()
	if len(shingles) == 0 {
		return nil
	}
	k := uint64(p.K)
	sig := make(Signature, p.K)
	var stack [128]bool
	filled := stack[:0]
	if p.K <= len(stack) {
		filled = stack[:p.K]
	} else {
		filled = make([]bool, p.K)
	}
	// Branch-free: an empty bin holds the largest value, which any value
	// replaces; whether v replaces the minimum is a coin toss the branch
	// predictor loses.
	for i := range sig {
		sig[i] = math.MaxUint32
	}
	for _, s := range shingles {
		h := mix64(s ^ permSeed)
		bin := (h >> 32) * k >> 32 // fast range reduction of the high half
		sig[bin] = min(sig[bin], uint32(h))
		filled[bin] = true
	}
	for i := range sig {
		if filled[i] {
			continue
		}
		sig[i] = sig[densifyProbe(uint64(i), filled)]
	}
	return sig
}

// densifyProbe returns the first non-empty bin of bin i's fixed probe
// sequence. At least one bin must be filled. After 1<<16 probes (a chance
// below e^-500 when even one bin in 128 is filled) it falls back to the next
// filled bin in order, so it always ends and stays deterministic.
func densifyProbe(i uint64, filled []bool) int {
	k := uint64(len(filled))
	for attempt := range uint64(1 << 16) {
		j := (mix64(densifySeed^i<<32^attempt) >> 32) * k >> 32
		if filled[j] {
			return int(j)
		}
	}
	for d := uint64(1); ; d++ {
		if j := (i + d) % k; filled[j] {
			return int(j)
		}
	}
}

// BandKeys returns one 64-bit key per band, the band's index mixed in, so
// all keys can live in one indexed column: two documents are candidates
// when they share any key. A signature of the wrong length (or none) has no
// keys.
func BandKeys(sig Signature, p Params) []uint64 {
	p.mustValidate()
	if len(sig) != p.K {
		return nil
	}
	keys := make([]uint64, p.Bands)
	for b := range keys {
		h := mix64(bandSeed + uint64(b))
		for _, v := range sig[b*p.Rows : (b+1)*p.Rows] {
			h = mix64(h ^ uint64(v))
		}
		keys[b] = h
	}
	return keys
}

// EstimateJaccard is the share of positions where the signatures agree: an
// unbiased estimate of the Jaccard similarity of the underlying sets, with
// a standard error of at most 0.5/sqrt(K) (0.044 for K = 128). Signatures
// of different lengths, or empty ones, estimate 0.
func EstimateJaccard(a, b Signature) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / float64(len(a))
}
