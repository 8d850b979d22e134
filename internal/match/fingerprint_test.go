package match

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/newstrace/newstrace"
)

func TestMarshalRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		p    Params
		text string
	}{
		{"empty text", DefaultParams(), ""},
		{"one word", DefaultParams(), "word"},
		{"article", DefaultParams(), join(articleParas)},
		{"urdu and chinese", DefaultParams(), "یہ خبر ہے۔ اور بس 北京发布新规。"},
		{"other params", Params{K: 64, Bands: 16, Rows: 4, ShingleSize: 3}, join(unrelatedParas)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := FingerprintText(tt.text, tt.p)
			data := f.Marshal()
			g, err := UnmarshalFingerprint(data)
			if err != nil {
				t.Fatalf("UnmarshalFingerprint: %v", err)
			}
			if !fpEqual(f, g) || (f.Shingles == nil) != (g.Shingles == nil) || (f.Sig == nil) != (g.Sig == nil) {
				t.Errorf("round trip changed the fingerprint")
			}
			if again := g.Marshal(); !bytes.Equal(again, data) {
				t.Errorf("re-marshal differs")
			}
			t.Logf("%d tokens, %d shingles: %d bytes", f.Tokens, len(f.Shingles), len(data))
		})
	}
}

// reseal recomputes the checksum so a test reaches the structural checks.
func reseal(b []byte) []byte {
	b = bytes.Clone(b[:len(b)-4])
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

func TestUnmarshalCorrupt(t *testing.T) {
	gf := FingerprintText(join(articleParas), DefaultParams())
	good := gf.Marshal()
	header := func(tokens, nSh, nSig, nBands uint64, payload int) []byte {
		b := []byte("NTF\x01")
		for _, v := range []uint64{tokens, nSh, nSig, nBands} {
			b = binary.AppendUvarint(b, v)
		}
		b = append(b, make([]byte, payload)...)
		return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	}
	swapped := bytes.Clone(good)
	// Swap the first two shingles.
	off := 4
	for _, v := range []int{gf.Tokens, len(gf.Shingles), len(gf.Sig), len(gf.Bands)} {
		off += len(binary.AppendUvarint(nil, uint64(v)))
	}
	copy(swapped[off:off+8], good[off+8:off+16])
	copy(swapped[off+8:off+16], good[off:off+8])
	tests := []struct {
		name string
		data []byte
	}{
		{"nil", nil},
		{"too short", []byte("NTF\x01\x00")},
		{"bad magic", reseal(append([]byte("XTF"), good[3:]...))},
		{"future version", reseal(append([]byte("NTF\x02"), good[4:]...))},
		{"flipped bit", func() []byte { b := bytes.Clone(good); b[100] ^= 0x10; return b }()},
		{"truncated", good[:len(good)-9]},
		{"truncated and resealed", reseal(good[:len(good)-8])},
		{"trailing byte resealed", reseal(append(bytes.Clone(good[:len(good)-4]), 0, 0, 0, 0, 0))},
		{"unsorted shingles", reseal(swapped)},
		{"huge shingle count", header(1<<30, 1<<30-1, 128, 32, 0)},
		{"more shingles than tokens", header(1, 2, 128, 32, 16+512+256)},
		{"tokens beyond int32", header(1<<40, 1, 128, 32, 8+512+256)},
		{"signature too long", header(10, 1, MaxK+1, 1, 8+4*(MaxK+1)+8)},
		{"shingles without signature", header(10, 1, 0, 0, 8)},
		{"signature without shingles", header(10, 0, 4, 1, 16+8)},
		{"bands do not divide signature", header(10, 1, 128, 30, 8+512+240)},
		{"signature without bands", header(10, 1, 128, 0, 8+512)},
		{"bad varint", reseal([]byte("NTF\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00\x00\x00\x00"))},
		{"non-minimal varint", reseal([]byte("NTF\x01\x80\x00\x00\x00\x00\x00\x00\x00\x00"))},
		{"header only", header(0, 0, 0, 0, 0)[:8]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := UnmarshalFingerprint(tt.data)
			if err == nil {
				t.Fatalf("UnmarshalFingerprint accepted corrupt input: %+v", f)
			}
			t.Log(err)
			if code := newstrace.ErrorCode(err); code != newstrace.EINVALID {
				t.Errorf("error code %q, want %q (%v)", code, newstrace.EINVALID, err)
			}
			if f.Shingles != nil || f.Sig != nil || f.Bands != nil || f.Tokens != 0 {
				t.Errorf("error came with a partial fingerprint")
			}
		})
	}
}

func FuzzUnmarshalFingerprint(f *testing.F) {
	f.Add(FingerprintText(join(articleParas), DefaultParams()).Marshal())
	f.Add(FingerprintText("", DefaultParams()).Marshal())
	f.Add(FingerprintText("one two three", Params{K: 8, Bands: 2, Rows: 4, ShingleSize: 2}).Marshal())
	f.Add([]byte("NTF\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fp, err := UnmarshalFingerprint(data)
		if err != nil {
			return
		}
		// Whatever is accepted is canonical: it marshals back to the input.
		if again := fp.Marshal(); !bytes.Equal(again, data) {
			t.Fatalf("accepted input does not round-trip")
		}
	})
}

func FuzzFingerprintText(f *testing.F) {
	for _, s := range []string{"", "a", join(articleParas), "北京发布新规。", "یہ خبر ہے۔", "ข่าว", "\u0301\u00ad\u200b", "\xff\xfe broken utf-8 \xc3"} {
		f.Add(s)
	}
	p := DefaultParams()
	f.Fuzz(func(t *testing.T, text string) {
		fp := FingerprintText(text, p)
		if fp.Tokens != len(Tokens(text)) {
			t.Fatalf("Tokens = %d, want %d", fp.Tokens, len(Tokens(text)))
		}
		if fp.Tokens == 0 {
			if fp.Shingles != nil || fp.Sig != nil || fp.Bands != nil {
				t.Fatalf("empty text gave a fingerprint")
			}
		} else if len(fp.Sig) != p.K || len(fp.Bands) != p.Bands || len(fp.Shingles) == 0 {
			t.Fatalf("bad shape: %d shingles, %d sig, %d bands", len(fp.Shingles), len(fp.Sig), len(fp.Bands))
		}
		for i := 1; i < len(fp.Shingles); i++ {
			if fp.Shingles[i] <= fp.Shingles[i-1] {
				t.Fatalf("shingles not sorted and distinct")
			}
		}
		g, err := UnmarshalFingerprint(fp.Marshal())
		if err != nil || !fpEqual(fp, g) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
