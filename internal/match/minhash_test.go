package match

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestParamsValidate(t *testing.T) {
	tests := []struct {
		name string
		p    Params
		ok   bool
	}{
		{"default", DefaultParams(), true},
		{"64 in 16x4, 3-shingles", Params{K: 64, Bands: 16, Rows: 4, ShingleSize: 3}, true},
		{"one band of all rows", Params{K: 8, Bands: 1, Rows: 8, ShingleSize: 1}, true},
		{"zero value", Params{}, false},
		{"bands times rows not K", Params{K: 128, Bands: 20, Rows: 5, ShingleSize: 5}, false},
		{"negative rows", Params{K: 128, Bands: -32, Rows: -4, ShingleSize: 5}, false},
		{"K too large", Params{K: 8192, Bands: 2048, Rows: 4, ShingleSize: 5}, false},
		{"no shingle size", Params{K: 128, Bands: 32, Rows: 4}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.p.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate(%+v) = %v, want ok=%v", tt.p, err, tt.ok)
			}
		})
	}
}

// randomPair returns two sets of distinct random shingles sharing `common`
// elements, with `onlyA` and `onlyB` of their own.
func randomPair(r *rand.Rand, common, onlyA, onlyB int) (a, b []uint64) {
	seen := map[uint64]bool{}
	draw := func() uint64 {
		for {
			if v := r.Uint64(); !seen[v] {
				seen[v] = true
				return v
			}
		}
	}
	for range common {
		v := draw()
		a, b = append(a, v), append(b, v)
	}
	for range onlyA {
		a = append(a, draw())
	}
	for range onlyB {
		b = append(b, draw())
	}
	slices.Sort(a)
	slices.Sort(b)
	return a, b
}

func TestJaccardContainment(t *testing.T) {
	s := func(v ...uint64) []uint64 { return v }
	tests := []struct {
		name          string
		a, b          []uint64
		jac, cAB, cBA float64
	}{
		{"both empty", nil, nil, 0, 0, 0},
		{"one empty", s(1, 2), nil, 0, 0, 0},
		{"identical", s(1, 2, 3), s(1, 2, 3), 1, 1, 1},
		{"disjoint", s(1, 2), s(3, 4), 0, 0, 0},
		{"half overlap", s(1, 2, 3, 4), s(3, 4, 5, 6), 2.0 / 6, 0.5, 0.5},
		{"subset", s(2, 3), s(1, 2, 3, 4, 5, 6, 7, 8), 2.0 / 8, 1, 2.0 / 8},
		{"interleaved", s(1, 3, 5, 7, 9), s(2, 3, 4, 5, 6), 2.0 / 8, 2.0 / 5, 2.0 / 5},
		{"extremes of uint64", s(0, math.MaxUint64), s(math.MaxUint64), 0.5, 0.5, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			near := func(x, y float64) bool { return math.Abs(x-y) < 1e-12 }
			if got := Jaccard(tt.a, tt.b); !near(got, tt.jac) {
				t.Errorf("Jaccard = %v, want %v", got, tt.jac)
			}
			if got := Containment(tt.a, tt.b); !near(got, tt.cAB) {
				t.Errorf("Containment(a, b) = %v, want %v", got, tt.cAB)
			}
			if got := Containment(tt.b, tt.a); !near(got, tt.cBA) {
				t.Errorf("Containment(b, a) = %v, want %v", got, tt.cBA)
			}
			sim := Compare(Fingerprint{Shingles: tt.a}, Fingerprint{Shingles: tt.b})
			if !near(sim.Jaccard, tt.jac) || !near(sim.ContainmentAB, tt.cAB) || !near(sim.ContainmentBA, tt.cBA) {
				t.Errorf("Compare = %+v, want %v %v %v", sim, tt.jac, tt.cAB, tt.cBA)
			}
		})
	}
}

// TestMinHashEstimate checks the estimator over many random pairs. K = 128
// gives a standard error of sqrt(J(1-J)/128) ≤ 0.044, so a strict ±0.1 on
// every pair would be a 2.3-sigma bound (about 2% of pairs near J = 0.5
// would miss it by chance with any correct MinHash). The test asks what
// the statistics promise: ≥ 97% of pairs within ±0.1, none beyond ±0.2, no
// bias, mean absolute error ≤ 0.04.
func TestMinHashEstimate(t *testing.T) {
	p := DefaultParams()
	tests := []struct {
		name       string
		minN, maxN int // size of the union
	}{
		{"article-sized sets", 300, 1500},
		{"short texts", 20, 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			const pairs = 400
			within, worst, sumErr, sumSigned := 0, 0.0, 0.0, 0.0
			for range pairs {
				n := tt.minN + r.IntN(tt.maxN-tt.minN+1)
				common := r.IntN(n + 1)
				onlyA := r.IntN(n - common + 1)
				a, b := randomPair(r, common, onlyA, n-common-onlyA)
				if len(a) == 0 || len(b) == 0 {
					continue
				}
				truth := Jaccard(a, b)
				est := EstimateJaccard(MinHash(a, p), MinHash(b, p))
				e := est - truth
				sumSigned += e
				sumErr += math.Abs(e)
				worst = max(worst, math.Abs(e))
				if math.Abs(e) <= 0.1 {
					within++
				}
			}
			frac := float64(within) / pairs
			t.Logf("%d pairs: %.1f%% within ±0.1, mean |err| %.4f, bias %+.4f, worst %.3f",
				pairs, 100*frac, sumErr/pairs, sumSigned/pairs, worst)
			if frac < 0.97 || worst > 0.2 || sumErr/pairs > 0.04 || math.Abs(sumSigned/pairs) > 0.01 {
				t.Errorf("estimate too far from the truth")
			}
		})
	}
}

func TestMinHashProperties(t *testing.T) {
	p := DefaultParams()
	a := ShingleHashes(Tokens(join(articleParas)), p.ShingleSize)
	if sig := MinHash(nil, p); sig != nil {
		t.Errorf("MinHash(empty) = %v, want nil", sig)
	}
	sig := MinHash(a, p)
	if len(sig) != p.K {
		t.Fatalf("len(sig) = %d, want %d", len(sig), p.K)
	}
	// Order and repeats of the input do not matter.
	shuffled := slices.Clone(a)
	shuffled = append(shuffled, a[:10]...)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if got := MinHash(shuffled, p); !slices.Equal(got, sig) {
		t.Errorf("MinHash depends on order or repeats")
	}
	// A single shingle fills every position with one value (densification).
	one := MinHash(a[:1], p)
	for i := range one {
		if one[i] != one[0] {
			t.Fatalf("single-shingle signature not constant at %d", i)
		}
	}
	if BandKeys(sig[:10], p) != nil || BandKeys(nil, p) != nil {
		t.Errorf("BandKeys of a wrong-length signature should be nil")
	}
	if EstimateJaccard(sig, sig[:64]) != 0 || EstimateJaccard(nil, nil) != 0 || EstimateJaccard(sig, sig) != 1 {
		t.Errorf("EstimateJaccard edge cases wrong")
	}
	// The band index is mixed in: a constant signature has distinct keys.
	keys := BandKeys(one, p)
	if len(slices.Compact(slices.Sorted(slices.Values(keys)))) != p.Bands {
		t.Errorf("band keys of a constant signature repeat: %x", keys)
	}
}

func TestIdenticalTexts(t *testing.T) {
	p := DefaultParams()
	text := join(articleParas)
	tests := []struct {
		name string
		b    string
	}{
		{"same string", text},
		{"reflowed and re-cased", strings.ToUpper(strings.ReplaceAll(text, "\n\n", "\n  \n\t"))},
		{"curly vs straight quotes", strings.ReplaceAll(text, `"`, "“")},
	}
	fa := FingerprintText(text, p)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := FingerprintText(tt.b, p)
			if !fpEqual(fa, fb) {
				t.Errorf("fingerprints differ")
			}
		})
	}
}

// TestStability pins hashes of a fixed input. If it fails, stored
// signatures and band keys would no longer match new ones: do not update
// the pins unless the change is deliberate and fingerprintVersion is bumped
// with a re-fingerprinting migration.
func TestStability(t *testing.T) {
	p := DefaultParams()
	f := FingerprintText("The Riverside city council voted 7 to 2 on Tuesday night to build a flood barrier. یہ خبر ہے۔ 北京发布新规。", p)
	long := FingerprintText(join(articleParas), p) // long enough for the bucket sort
	hex8 := func(v []uint64) string {
		var b []byte
		for _, x := range v {
			b = binary.BigEndian.AppendUint64(b, x)
		}
		return hex.EncodeToString(b)
	}
	hex4 := func(v []uint32) string {
		var b []byte
		for _, x := range v {
			b = binary.BigEndian.AppendUint32(b, x)
		}
		return hex.EncodeToString(b)
	}
	tests := []struct {
		name, got, want string
	}{
		{"token hash", hex8([]uint64{tokenHash("council")}), "e704ab73c530b2cc"},
		{"first shingles", hex8(f.Shingles[:2]), "08c80ed5b617fac10bd641fa237c32ae"},
		{"first signature values", hex4(f.Sig[:4]), "92c0600884ccbdac84ccbdac625e1c0e"},
		{"first band keys", hex8(f.Bands[:4]), "8679e69c035dca4f5009f95398f0726ab901bbaf043165efe25baa0b7cb7223e"},
		{"last band key", hex8(f.Bands[len(f.Bands)-1:]), "6df5cafcae8579e1"},
		{"article shingles", hex8(long.Shingles[:2]), "000c9ee42b29c641004ec4aa5abbc31e"},
		{"article band keys", hex8(long.Bands[:2]), "092724d3f384ac52bd141a654638aacb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s: stored fingerprints would be orphaned", tt.got, tt.want)
			}
		})
	}
}

func TestSortUniform(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	tests := []struct {
		name string
		gen  func(n int) []uint64
	}{
		{"uniform", func(n int) []uint64 {
			v := make([]uint64, n)
			for i := range v {
				v[i] = r.Uint64()
			}
			return v
		}},
		{"with repeats", func(n int) []uint64 {
			v := make([]uint64, n)
			for i := range v {
				v[i] = r.Uint64N(uint64(n/3+1)) << 40
			}
			return v
		}},
		{"crowded top bits", func(n int) []uint64 {
			v := make([]uint64, n)
			for i := range v {
				v[i] = r.Uint64() >> 20
			}
			return v
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, n := range []int{0, 1, 63, 64, 65, 600, 5000, 20000, 70000} {
				src := tt.gen(n)
				want := slices.Sorted(slices.Values(src))
				got := make([]uint64, n)
				sortUniform(got, slices.Clone(src))
				if !slices.Equal(got, want) {
					t.Fatalf("n=%d: not sorted like slices.Sort", n)
				}
			}
		})
	}
}
