package match

import (
	"math/bits"
	"sync/atomic"
)

// BandFilter is a Bloom filter of LSH band keys: a store keeps one per
// process in front of its postings table, so that a lookup seeks only the
// keys that may be filed, and most keys of a new document are not. It can
// say a key is present that is not (about 0.5% of absent keys when filled
// to its capacity), never the reverse.
//
// It is a split-block filter (the layout of Parquet's): each key sets one
// bit in each of the eight 32-bit words of one 256-bit block, so Add and
// MayContain touch one cache line. Add and MayContain are safe for
// concurrent use; the filter never shrinks (a removed key stays "maybe").
type BandFilter struct {
	words    []uint32 // 8 per block
	blocks   uint64
	capacity int
	added    atomic.Int64
}

// bandFilterBits is the filter's size per key of capacity: 12 bits keeps
// false positives near 0.5% when full (1.5 MB per million keys).
const bandFilterBits = 12

// bandFilterSalt are Parquet's split-block constants: odd multipliers that
// pick one bit of each word from the same 32-bit hash.
var bandFilterSalt = [8]uint32{0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d,
	0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31}

// NewBandFilter returns an empty filter sized for capacity keys.
func NewBandFilter(capacity int) *BandFilter {
	capacity = max(capacity, 1024)
	blocks := uint64((capacity*bandFilterBits + 255) / 256)
	return &BandFilter{words: make([]uint32, 8*blocks), blocks: blocks, capacity: capacity}
}

// slot returns key's block offset and the 32-bit hash picking its bits.
// Band keys are already uniform hashes; the multiply decorrelates the
// filter's bits from the key's so that crafted keys cannot crowd a block
// any more than random ones.
func (f *BandFilter) slot(key uint64) (uint64, uint32) {
	h := (key ^ 0x2545f4914f6cdd1d) * 0x9e3779b97f4a7c15
	hi, _ := bits.Mul64(h, f.blocks)
	return hi * 8, uint32(h)
}

// Add records key.
func (f *BandFilter) Add(key uint64) {
	off, x := f.slot(key)
	w := f.words[off : off+8 : off+8]
	for i, s := range bandFilterSalt {
		if bit := uint32(1) << ((x * s) >> 27); atomic.LoadUint32(&w[i])&bit == 0 {
			atomic.OrUint32(&w[i], bit)
		}
	}
	f.added.Add(1)
}

// MayContain reports whether key may have been added: false means it
// certainly was not.
func (f *BandFilter) MayContain(key uint64) bool {
	off, x := f.slot(key)
	w := f.words[off : off+8 : off+8]
	for i, s := range bandFilterSalt {
		if atomic.LoadUint32(&w[i])&(uint32(1)<<((x*s)>>27)) == 0 {
			return false
		}
	}
	return true
}

// Full reports whether more keys were added than the filter was sized for
// (repeats count too): it is still correct, but passes more absent keys,
// and is worth rebuilding larger.
func (f *BandFilter) Full() bool { return f.added.Load() > int64(f.capacity) }

// Capacity is the number of keys the filter was sized for.
func (f *BandFilter) Capacity() int { return f.capacity }

// Added is the number of Add calls.
func (f *BandFilter) Added() int64 { return f.added.Load() }

// Bytes is the filter's memory.
func (f *BandFilter) Bytes() int { return 4 * len(f.words) }
