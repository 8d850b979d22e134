package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// nearPlain is NearCandidates without the band filter: every key sought,
// as before the filter existed. The filter must never change an answer.
func nearPlain(ctx context.Context, db *DB, bands []uint64, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	var out []int64
	for start := 0; start < len(bands); start += nearWidth {
		chunk := bands[start:min(start+nearWidth, len(bands))]
		args := make([]any, 0, len(chunk)+1)
		for _, k := range chunk {
			args = append(args, int64(k))
		}
		ids, err := queryIDs(ctx, db.reader, `SELECT document_id FROM lsh_bands WHERE band_key IN `+inList(len(chunk))+` LIMIT ?`,
			append(args, limit*4)...)
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	return out[:min(len(out), limit)], nil
}

func openBand(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func bandDocs(t *testing.T, db *DB, from, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		k := from + i
		res, err := db.SaveDocument(t.Context(), newstrace.Document{
			URL:          fmt.Sprintf("https://news.example/b/%d", k),
			CanonicalURL: fmt.Sprintf("https://news.example/b/%d", k),
			Title:        fmt.Sprintf("Doc %d", k),
			Text:         fmt.Sprintf("Text of %d.", k),
			ContentHash:  fmt.Sprintf("band-%d", k),
			FirstSeen:    time.Date(2026, 1, 1, 0, 0, k, 0, time.UTC),
		}, newstrace.Sighting{})
		if err != nil {
			t.Fatalf("SaveDocument(%d): %v", k, err)
		}
		ids[i] = res.Document.ID
	}
	return ids
}

func mustWaitFilter(t *testing.T, db *DB) {
	t.Helper()
	if _, err := db.waitBandFilter(t.Context()); err != nil {
		t.Fatalf("waitBandFilter: %v", err)
	}
}

func sameAsPlain(t *testing.T, db *DB, bands []uint64, limit int) []int64 {
	t.Helper()
	ctx := t.Context()
	got, err := db.NearCandidates(ctx, bands, limit)
	if err != nil {
		t.Fatalf("NearCandidates: %v", err)
	}
	want, err := nearPlain(ctx, db, bands, limit)
	if err != nil {
		t.Fatalf("nearPlain: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("NearCandidates(%d keys, limit %d) = %v, want %v (the table's answer)", len(bands), limit, got, want)
	}
	return got
}

// TestBandFilterSameAnswers: random saves, re-saves, document deletions
// and posting deletions, from this handle and from a second one on the same
// file (another process); every lookup through the filter answers what the
// table does, also when limits cut the postings short and when the filter
// is reloaded for being full.
func TestBandFilterSameAnswers(t *testing.T) {
	defer func(r int) { bandFilterRoom = r }(bandFilterRoom)
	bandFilterRoom = 300 // reloads several times below
	path := filepath.Join(t.TempDir(), "band.db")
	a, b := openBand(t, path), openBand(t, path)
	ctx := t.Context()
	ids := bandDocs(t, a, 0, 60)
	r := rand.New(rand.NewPCG(4, 2))
	key := func() uint64 { return uint64(r.IntN(400)) * 0x9e3779b97f4a7c15 } // small universe: shared keys
	mustWaitFilter(t, a)
	hits := 0
	for step := range 600 {
		w := a
		if r.IntN(2) == 0 {
			w = b
		}
		switch op := r.IntN(10); {
		case op < 6:
			bands := make([]uint64, 1+r.IntN(40))
			for i := range bands {
				bands[i] = key()
			}
			id := ids[r.IntN(len(ids))]
			if err := w.SaveFingerprint(ctx, id, []byte("fp"), bands); err != nil && newstrace.ErrorCode(err) != newstrace.ENOTFOUND {
				t.Fatalf("step %d: SaveFingerprint: %v", step, err)
			}
		case op < 7:
			if _, err := w.writer.ExecContext(ctx, `DELETE FROM documents WHERE id = ?`, ids[r.IntN(len(ids))]); err != nil {
				t.Fatalf("step %d: delete document: %v", step, err)
			}
		case op < 8:
			if _, err := w.writer.ExecContext(ctx, `DELETE FROM lsh_bands WHERE band_key = ?`, int64(key())); err != nil {
				t.Fatalf("step %d: delete postings: %v", step, err)
			}
		default:
			if step%50 == 0 {
				mustWaitFilter(t, b)
			}
		}
		for _, db := range []*DB{a, b} {
			bands := make([]uint64, 1+r.IntN(70))
			for i := range bands {
				bands[i] = key()
				if r.IntN(3) == 0 {
					bands[i] = r.Uint64() // never filed
				}
			}
			limit := []int{0, 1, 2, 5}[r.IntN(4)]
			hits += len(sameAsPlain(t, db, bands, limit))
		}
	}
	if hits == 0 {
		t.Fatal("no lookup found anything: the test tests nothing")
	}
	c := &a.near.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.filter == nil {
		t.Fatal("filter of the first handle not loaded")
	}
	if c.loads < 2 {
		t.Errorf("filter loaded %d times, want reloads when full", c.loads)
	}
	t.Logf("%d candidates found; %d loads; filter of %d keys, capacity %d", hits, c.loads, c.filter.Added(), c.filter.Capacity())
}

// TestBandFilterOtherProcess: a second handle on the file saves new and
// replaced fingerprints; the first handle's next lookup finds them, and so
// does a fresh open (a restart).
func TestBandFilterOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "band.db")
	a, b := openBand(t, path), openBand(t, path)
	ctx := t.Context()
	ids := bandDocs(t, a, 0, 3)
	if err := a.SaveFingerprint(ctx, ids[0], []byte("fp"), []uint64{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	mustWaitFilter(t, a)
	find := func(db *DB, key uint64, want ...int64) {
		t.Helper()
		got := sameAsPlain(t, db, []uint64{key, 1 << 40}, 0)
		if !slices.Equal(got, want) {
			t.Errorf("NearCandidates(%d) = %v, want %v", key, got, want)
		}
	}
	find(a, 1, ids[0])
	if err := b.SaveFingerprint(ctx, ids[1], []byte("fp"), []uint64{10, 11, 1 << 63}); err != nil {
		t.Fatal(err)
	}
	find(a, 10, ids[1])
	find(a, 1<<63, ids[1])
	// Replaced: the old keys stay in the filter (a wasted seek), the new ones are found.
	if err := b.SaveFingerprint(ctx, ids[0], []byte("fp"), []uint64{20, 21}); err != nil {
		t.Fatal(err)
	}
	find(a, 20, ids[0])
	find(a, 1)
	// A brand-new document made by the other handle.
	more := bandDocs(t, b, 10, 1)
	if err := b.SaveFingerprint(ctx, more[0], []byte("fp"), []uint64{30}); err != nil {
		t.Fatal(err)
	}
	find(a, 30, more[0])

	// A writer that does not stamp seq (a binary older than migration 0011).
	if _, err := b.writer.ExecContext(ctx, `INSERT INTO lsh_bands (band_key, document_id) VALUES (40, ?)`, ids[2]); err != nil {
		t.Fatal(err)
	}
	if _, err := b.writer.ExecContext(ctx, `INSERT INTO fingerprints (document_id, data, bands) VALUES (?, x'00', ?)`,
		ids[2], encodeBands([]uint64{40})); err != nil {
		t.Fatal(err)
	}
	find(a, 40, ids[2])
	if _, err := b.writer.ExecContext(ctx, `INSERT INTO lsh_bands (band_key, document_id) VALUES (41, ?)`, ids[2]); err != nil {
		t.Fatal(err)
	}
	if _, err := b.writer.ExecContext(ctx, `UPDATE fingerprints SET bands = ? WHERE document_id = ?`,
		encodeBands([]uint64{40, 41}), ids[2]); err != nil {
		t.Fatal(err)
	}
	find(a, 41, ids[2])

	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	c := openBand(t, path)
	find(c, 10, ids[1]) // before the filter is loaded: the table
	mustWaitFilter(t, c)
	for _, k := range []uint64{10, 20, 30, 40, 41} {
		if got, err := c.NearCandidates(ctx, []uint64{k}, 0); err != nil || len(got) != 1 {
			t.Errorf("after reopen, NearCandidates(%d) = %v, %v; want one id", k, got, err)
		}
	}
}

// TestBandFilterConcurrent is for -race: lookups on two handles while both
// save; afterwards every saved key is found through both filters.
func TestBandFilterConcurrent(t *testing.T) {
	defer func(r int) { bandFilterRoom = r }(bandFilterRoom)
	bandFilterRoom = 200
	path := filepath.Join(t.TempDir(), "band.db")
	dbs := []*DB{openBand(t, path), openBand(t, path)}
	ctx := t.Context()
	ids := bandDocs(t, dbs[0], 0, 40)
	var wg sync.WaitGroup
	for w := range 4 {
		db := dbs[w%2]
		wg.Go(func() {
			for i := range 10 {
				id := ids[w*10+i]
				if err := db.SaveFingerprint(ctx, id, []byte("fp"), []uint64{uint64(id) << 8, uint64(id)<<8 | 1}); err != nil {
					t.Errorf("SaveFingerprint: %v", err)
					return
				}
				if got, err := db.NearCandidates(ctx, []uint64{uint64(id) << 8}, 0); err != nil || !slices.Contains(got, id) {
					t.Errorf("NearCandidates right after own save = %v, %v; want %d", got, err, id)
				}
			}
		})
		wg.Go(func() {
			for i := range 30 {
				if _, err := db.NearCandidates(ctx, []uint64{uint64(ids[i%len(ids)]) << 8, 5}, 0); err != nil {
					t.Errorf("NearCandidates: %v", err)
				}
			}
		})
	}
	wg.Wait()
	for _, db := range dbs {
		mustWaitFilter(t, db)
		for _, id := range ids {
			if got := sameAsPlain(t, db, []uint64{uint64(id)<<8 | 1}, 0); !slices.Equal(got, []int64{id}) {
				t.Errorf("NearCandidates(key of %d) = %v", id, got)
			}
		}
	}
}
