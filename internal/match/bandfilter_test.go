package match

import (
	"math/rand/v2"
	"sync"
	"testing"
)

func TestBandFilter(t *testing.T) {
	const n = 200_000
	f := NewBandFilter(n)
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = r.Uint64()
		f.Add(keys[i])
	}
	for _, k := range keys {
		if !f.MayContain(k) {
			t.Fatalf("MayContain(%#x) = false after Add", k)
		}
	}
	fp := 0
	const probes = 300_000
	for range probes {
		if f.MayContain(r.Uint64()) {
			fp++
		}
	}
	rate := float64(fp) / probes
	t.Logf("full filter: %d bytes, %.2f bits/key, false positives %.3f%%", f.Bytes(), float64(8*f.Bytes())/n, 100*rate)
	if rate > 0.008 {
		t.Errorf("false positive rate %.4f at capacity, want ≤ 0.008", rate)
	}
	if f.Full() {
		t.Error("Full() at capacity")
	}
	f.Add(keys[0])
	if !f.Full() {
		t.Error("not Full() past capacity")
	}
	// Sequential and crafted-looking keys spread like random ones.
	g := NewBandFilter(n)
	for i := range uint64(n) {
		g.Add(i << 20)
	}
	fp = 0
	for range probes {
		if g.MayContain(r.Uint64()) {
			fp++
		}
	}
	if rate := float64(fp) / probes; rate > 0.008 {
		t.Errorf("false positive rate %.4f with sequential keys, want ≤ 0.008", rate)
	}
}

// TestBandFilterConcurrent is for -race: adds and lookups from several
// goroutines, and every added key is found afterwards.
func TestBandFilterConcurrent(t *testing.T) {
	f := NewBandFilter(10_000)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for range 5000 {
				k := r.Uint64()
				f.Add(k)
				if !f.MayContain(k) {
					t.Errorf("MayContain(%#x) = false after Add", k)
				}
				f.MayContain(r.Uint64())
			}
		})
	}
	wg.Wait()
	if f.Added() != 20_000 {
		t.Errorf("Added() = %d, want 20000", f.Added())
	}
}
