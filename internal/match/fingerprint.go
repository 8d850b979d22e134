package match

import (
	"encoding/binary"
	"hash/crc32"
	"math"

	"github.com/newstrace/newstrace"
)

// Fingerprint is what near-duplicate detection keeps of a text: its shingle
// set for exact comparison, its MinHash signature and its LSH band keys.
type Fingerprint struct {
	Shingles []uint64  // sorted, distinct shingle hashes
	Sig      Signature // nil when the text has no tokens
	Bands    []uint64  // one key per band; nil when Sig is nil
	Tokens   int       // word tokens in the text
}

// FingerprintText tokenizes, shingles and signs text. A text without a
// single word gives the zero Fingerprint: no shingles, no signature and no
// band keys, so empty documents never become candidates of each other.
// It equals composing Tokens, ShingleHashes, MinHash and BandKeys.
func FingerprintText(text string, p Params) Fingerprint {
	p.mustValidate()
	var buf [1024]uint64
	th := tokenHashes(text, buf[:0])
	if len(th) == 0 {
		return Fingerprint{}
	}
	sh := shingles(th, p.ShingleSize)
	sig := MinHash(sh, p)
	return Fingerprint{Shingles: sh, Sig: sig, Bands: BandKeys(sig, p), Tokens: len(th)}
}

// Binary format (all integers little-endian):
//
//	"NTF" version(1 byte)
//	uvarint tokens, uvarint len(Shingles), uvarint len(Sig), uvarint len(Bands)
//	Shingles (8 bytes each, strictly increasing), Sig (4 bytes each), Bands (8 bytes each)
//	CRC-32C of everything before it (4 bytes)
//
// A 600-word article takes about 5.4 KB, most of it the shingles.
const (
	fingerprintMagic   = "NTF"
	fingerprintVersion = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Marshal encodes f for a BLOB column. f must be as FingerprintText made it
// (shingles sorted and distinct), or UnmarshalFingerprint will refuse it.
func (f Fingerprint) Marshal() []byte {
	n := 4 + 4*binary.MaxVarintLen64 + 8*len(f.Shingles) + 4*len(f.Sig) + 8*len(f.Bands) + 4
	b := make([]byte, 0, n)
	b = append(b, fingerprintMagic...)
	b = append(b, fingerprintVersion)
	b = binary.AppendUvarint(b, uint64(f.Tokens))
	b = binary.AppendUvarint(b, uint64(len(f.Shingles)))
	b = binary.AppendUvarint(b, uint64(len(f.Sig)))
	b = binary.AppendUvarint(b, uint64(len(f.Bands)))
	for _, s := range f.Shingles {
		b = binary.LittleEndian.AppendUint64(b, s)
	}
	for _, v := range f.Sig {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	for _, k := range f.Bands {
		b = binary.LittleEndian.AppendUint64(b, k)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// uvarintLen is the length of v's shortest encoding; a longer one is
// refused so that every fingerprint has exactly one encoding.
func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

func corrupt(format string, args ...any) error {
	return newstrace.Errorf(newstrace.EINVALID, "unmarshal fingerprint: "+format, args...)
}

// UnmarshalFingerprint decodes what Marshal wrote. Any damage (wrong magic
// or version, a checksum mismatch, impossible counts, unsorted shingles,
// missing or extra bytes) is an error with code EINVALID; it never panics
// and never allocates more than the input's size justifies.
func UnmarshalFingerprint(data []byte) (Fingerprint, error) {
	var f Fingerprint
	if len(data) < len(fingerprintMagic)+1+4+4 {
		return f, corrupt("%d bytes is too short", len(data))
	}
	if string(data[:3]) != fingerprintMagic {
		return f, corrupt("not a fingerprint (bad magic)")
	}
	if data[3] != fingerprintVersion {
		return f, corrupt("version %d, want %d", data[3], fingerprintVersion)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return f, corrupt("checksum mismatch")
	}
	rest := body[4:]
	var counts [4]uint64
	for i := range counts {
		v, n := binary.Uvarint(rest)
		if n <= 0 || n != uvarintLen(v) {
			return f, corrupt("bad header")
		}
		counts[i], rest = v, rest[n:]
	}
	tokens, nSh, nSig, nBands := counts[0], counts[1], counts[2], counts[3]
	switch {
	case tokens > math.MaxInt32:
		return f, corrupt("%d tokens", tokens)
	case nSh > tokens:
		return f, corrupt("%d shingles from %d tokens", nSh, tokens)
	case nSig > MaxK:
		return f, corrupt("signature of %d values", nSig)
	case (nSh == 0) != (nSig == 0):
		return f, corrupt("%d shingles with a signature of %d values", nSh, nSig)
	case (nSig == 0) != (nBands == 0) || nBands > 0 && nSig%nBands != 0:
		return f, corrupt("%d band keys for a signature of %d values", nBands, nSig)
	case uint64(len(rest)) != 8*nSh+4*nSig+8*nBands: // nSh ≤ tokens < 2^31: no overflow
		return f, corrupt("%d bytes of data, header says %d", len(rest), 8*nSh+4*nSig+8*nBands)
	}
	f.Tokens = int(tokens)
	if nSh > 0 {
		f.Shingles = make([]uint64, nSh)
		for i := range f.Shingles {
			f.Shingles[i] = binary.LittleEndian.Uint64(rest[8*i:])
			if i > 0 && f.Shingles[i] <= f.Shingles[i-1] {
				return Fingerprint{}, corrupt("shingles not sorted and distinct")
			}
		}
		rest = rest[8*nSh:]
		f.Sig = make(Signature, nSig)
		for i := range f.Sig {
			f.Sig[i] = binary.LittleEndian.Uint32(rest[4*i:])
		}
		rest = rest[4*nSig:]
		f.Bands = make([]uint64, nBands)
		for i := range f.Bands {
			f.Bands[i] = binary.LittleEndian.Uint64(rest[8*i:])
		}
	}
	return f, nil
}
