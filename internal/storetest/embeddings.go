package storetest

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

// This file pins EmbeddingStore (embeddings.go), run for stores that
// implement it:
//   - a vector round-trips bit for bit (negative zero, the largest float32,
//     a subnormal included);
//   - SaveEmbedding replaces a document's vector and model;
//   - EmbeddingCandidates keeps the model's vectors dated (published, else
//     first seen) within the window, drops excludeLang only (a document of
//     unknown language stays), orders newest first and honours limit.

func sameVec(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

func hitIDs(hs []newstrace.EmbeddingHit) []int64 {
	return ids(hs, func(h newstrace.EmbeddingHit) int64 { return h.DocID })
}

func testEmbeddings(t *testing.T, s newstrace.Store) {
	es, ok := s.(newstrace.EmbeddingStore)
	if !ok {
		t.Skip("store keeps no embeddings")
	}
	ctx := t.Context()
	save := func(n int, lang string, published *time.Time, firstSeen time.Time) newstrace.Document {
		t.Helper()
		d := doc(n, published)
		d.Language, d.FirstSeen = lang, firstSeen
		return mustSave(t, s, d, newstrace.Sighting{}).Document
	}
	en := save(1, "en", ptr(at(0)), at(0))
	fr := save(2, "fr", ptr(at(2*time.Hour)), at(2*time.Hour))
	de := save(3, "de", nil, at(-time.Hour)) // dated by first seen
	old := save(4, "fr", ptr(at(-10*24*time.Hour)), at(time.Hour))
	other := save(5, "fr", ptr(at(time.Hour)), at(time.Hour))
	en2 := save(6, "en", ptr(at(3*time.Hour)), at(3*time.Hour))
	unknown := save(7, "", ptr(at(30*time.Minute)), at(30*time.Minute))
	bare := save(8, "fr", ptr(at(0)), at(0)) // no embedding

	vec := func(seed float32) []float32 { return []float32{seed, -seed / 3, 0.25, 1 - seed} }
	tricky := []float32{float32(math.Copysign(0, -1)), math.MaxFloat32, math.SmallestNonzeroFloat32, -1.5, 1.0 / 3}
	put := func(d newstrace.Document, model string, v []float32) {
		t.Helper()
		if err := es.SaveEmbedding(ctx, d.ID, model, v); err != nil {
			t.Fatalf("SaveEmbedding(%d, %s): %v", d.ID, model, err)
		}
	}
	put(en, "m", []float32{9, 9})
	put(en, "m", tricky) // replaces
	put(fr, "m", vec(0.2))
	put(de, "m", vec(0.3))
	put(old, "m", vec(0.4))
	put(other, "other-model", vec(0.5))
	put(en2, "m", vec(0.6))
	put(unknown, "m", vec(0.7))

	if model, got, err := es.Embedding(ctx, en.ID); err != nil || model != "m" || !sameVec(got, tricky) {
		t.Errorf("Embedding(%d) = %q, %v, %v; want m, %v", en.ID, model, got, err, tricky)
	}
	_, _, err := es.Embedding(ctx, bare.ID)
	wantCode(t, "Embedding(none)", err, newstrace.ENOTFOUND)
	wantCode(t, "SaveEmbedding(unknown document)", es.SaveEmbedding(ctx, bare.ID+100, "m", vec(1)), newstrace.ENOTFOUND)
	wantCode(t, "SaveEmbedding(empty vector)", es.SaveEmbedding(ctx, bare.ID, "m", nil), newstrace.EINVALID)
	wantCode(t, "SaveEmbedding(no model)", es.SaveEmbedding(ctx, bare.ID, "", vec(1)), newstrace.EINVALID)

	day := 24 * time.Hour
	tests := []struct {
		name    string
		model   string
		window  time.Duration
		exclude string
		limit   int
		want    []int64
	}{
		{"other languages in the window, newest first", "m", day, "en", 0, []int64{fr.ID, unknown.ID, de.ID}},
		{"no language excluded", "m", day, "", 0, []int64{en2.ID, fr.ID, unknown.ID, en.ID, de.ID}},
		{"no window", "m", 0, "en", 0, []int64{fr.ID, unknown.ID, de.ID, old.ID}},
		{"narrow window", "m", 90 * time.Minute, "en", 0, []int64{unknown.ID, de.ID}},
		{"limit", "m", day, "en", 2, []int64{fr.ID, unknown.ID}},
		{"model isolation", "other-model", day, "en", 0, []int64{other.ID}},
		{"unknown model", "nobody", day, "", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := es.EmbeddingCandidates(ctx, tt.model, at(0), tt.window, tt.exclude, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(hitIDs(got), tt.want) {
				t.Errorf("EmbeddingCandidates = %v, want %v", hitIDs(got), tt.want)
			}
			for _, h := range got {
				if _, v, err := es.Embedding(ctx, h.DocID); err != nil || !sameVec(h.Vec, v) {
					t.Errorf("hit %d vector %v, stored %v (%v)", h.DocID, h.Vec, v, err)
				}
			}
		})
	}

	// A new model replaces the vector: the document leaves the old model's candidates.
	put(fr, "m2", []float32{1})
	if got, err := es.EmbeddingCandidates(ctx, "m", at(0), day, "en", 0); err != nil || !slices.Equal(hitIDs(got), []int64{unknown.ID, de.ID}) {
		t.Errorf("after re-embedding with m2: candidates %v, %v; want [%d %d]", hitIDs(got), err, unknown.ID, de.ID)
	}
	if model, got, err := es.Embedding(ctx, fr.ID); err != nil || model != "m2" || !sameVec(got, []float32{1}) {
		t.Errorf("Embedding after replace = %q, %v, %v; want m2, [1]", model, got, err)
	}
}
