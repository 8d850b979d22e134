package match

import (
	"slices"
	"strings"
	"testing"
)

// repost wraps the article in a site's template and repeats a paragraph,
// as a scraper-blog copy does.
func repost() string {
	var parts []string
	parts = append(parts, "Fort Russ News — Your independent source. Share this: Facebook, Twitter, Telegram.",
		"Originally published by the Riverside Courier. Republished with our own headline.")
	parts = append(parts, articleParas[:5]...)
	parts = append(parts, articleParas[3]) // duplicated paragraph
	parts = append(parts, articleParas[5:]...)
	parts = append(parts, "Support independent journalism: donate today. Subscribe to our newsletter for daily updates.",
		"Tags: flood, council, Riverside, Millbrook. Related posts: Kessel river levels rise again.")
	return join(parts)
}

// excerpt is the first 2 of 8 paragraphs and a link, as a feed or an
// aggregator shows it.
func excerpt() string { return join(articleParas[:2]) + "\n\nRead more…" }

func TestNearDuplicateScenarios(t *testing.T) {
	p := DefaultParams()
	orig := FingerprintText(join(articleParas), p)
	tests := []struct {
		name      string
		text      string
		candidate bool // found through the LSH index
		near      bool
		check     func(t *testing.T, s Similarity)
	}{
		{"identical", join(articleParas), true, true, func(t *testing.T, s Similarity) {
			if s.Jaccard != 1 {
				t.Errorf("Jaccard = %v, want 1", s.Jaccard)
			}
		}},
		{"repost with template and a repeated paragraph", repost(), true, true, func(t *testing.T, s Similarity) {
			if s.Jaccard < 0.8 || s.ContainmentAB < 0.95 {
				t.Errorf("Jaccard %.3f, original in repost %.3f: want ≥ 0.8 and ≥ 0.95 (only shingles across the inserted paragraph lost)", s.Jaccard, s.ContainmentAB)
			}
		}},
		{"one paragraph edited", join(slices.Concat(articleParas[:4], []string{"Engineers said the wall would be finished in 2029."}, articleParas[5:])), true, true, nil},
		{"excerpt: first 2 of 8 paragraphs + Read more", excerpt(), false, true, func(t *testing.T, s Similarity) {
			if s.ContainmentBA < 0.9 {
				t.Errorf("excerpt in original = %.3f, want ≥ 0.9", s.ContainmentBA)
			}
			if s.Jaccard > 0.4 {
				t.Errorf("Jaccard = %.3f: an excerpt is a small part of the original", s.Jaccard)
			}
		}},
		{"same story, another outlet's words", join(sameTopicParas), false, false, func(t *testing.T, s Similarity) {
			if s.Jaccard > 0.1 {
				t.Errorf("Jaccard = %.3f, want < 0.1", s.Jaccard)
			}
		}},
		{"unrelated story", join(unrelatedParas), false, false, nil},
		{"headline alone", "The Riverside city council voted 7 to 2 on Tuesday night", false, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := FingerprintText(tt.text, p)
			ix := NewIndex(p)
			ix.Add(1, orig)
			cands := ix.Candidates(f)
			s := Compare(orig, f)
			t.Logf("Jaccard %.3f, est %.3f, C(orig in it) %.3f, C(it in orig) %.3f, shingles %d/%d, candidates %v",
				s.Jaccard, EstimateJaccard(orig.Sig, f.Sig), s.ContainmentAB, s.ContainmentBA, s.ShinglesA, s.ShinglesB, cands)
			if got := slices.Contains(cands, 1); got != tt.candidate {
				t.Errorf("candidate = %v, want %v", got, tt.candidate)
			}
			if got := s.NearDuplicate(); got != tt.near {
				t.Errorf("NearDuplicate = %v, want %v", got, tt.near)
			}
			if rev := Compare(f, orig); rev.NearDuplicate() != s.NearDuplicate() {
				t.Errorf("NearDuplicate not symmetric")
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestNearDuplicateThresholds(t *testing.T) {
	tests := []struct {
		name string
		s    Similarity
		want bool
	}{
		{"jaccard at threshold", Similarity{Jaccard: 0.8, ShinglesA: 10, ShinglesB: 10}, true},
		{"jaccard below", Similarity{Jaccard: 0.79, ContainmentAB: 0.79, ContainmentBA: 0.79, ShinglesA: 500, ShinglesB: 500}, false},
		{"excerpt A inside B", Similarity{Jaccard: 0.25, ContainmentAB: 0.95, ContainmentBA: 0.25, ShinglesA: 120, ShinglesB: 480}, true},
		{"original A inside repost B", Similarity{Jaccard: 0.7, ContainmentAB: 1, ContainmentBA: 0.7, ShinglesA: 400, ShinglesB: 570}, true},
		{"B inside A", Similarity{Jaccard: 0.3, ContainmentAB: 0.3, ContainmentBA: 0.9, ShinglesA: 300, ShinglesB: 90}, true},
		{"contained side too small", Similarity{Jaccard: 0.05, ContainmentAB: 1, ContainmentBA: 0.05, ShinglesA: MinContainedShingles - 1, ShinglesB: 900}, false},
		{"contained side at minimum", Similarity{Jaccard: 0.05, ContainmentAB: 0.8, ContainmentBA: 0.05, ShinglesA: MinContainedShingles, ShinglesB: 900}, true},
		{"large side contained but small side not", Similarity{Jaccard: 0.1, ContainmentAB: 0.1, ContainmentBA: 1, ShinglesA: 900, ShinglesB: 10}, false},
		{"zero", Similarity{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.NearDuplicate(); got != tt.want {
				t.Errorf("%+v.NearDuplicate() = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestIndex(t *testing.T) {
	p := DefaultParams()
	a := FingerprintText(join(articleParas), p)
	b := FingerprintText(repost(), p)
	c := FingerprintText(join(unrelatedParas), p)
	ix := NewIndex(p)
	ix.Add(10, a)
	ix.Add(20, b)
	ix.Add(30, c)
	ix.Add(10, a) // again: harmless
	ix.Add(40, Fingerprint{})
	tests := []struct {
		name string
		f    Fingerprint
		want []int64
	}{
		{"original finds itself and its repost", a, []int64{10, 20}},
		{"repost finds the original", b, []int64{10, 20}},
		{"unrelated finds only itself", c, []int64{30}},
		{"empty fingerprint finds nothing", Fingerprint{}, nil},
		{"text with no match", FingerprintText(strings.Repeat("completely different words here ", 40), p), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ix.Candidates(tt.f); !slices.Equal(got, tt.want) {
				t.Errorf("Candidates = %v, want %v", got, tt.want)
			}
		})
	}
	if got, want := ix.Len(), 4*p.Bands; got != want {
		t.Errorf("Len = %d, want %d", got, want)
	}
}

// TestCorpusPairs runs every pair of the shared extraction corpus (distinct
// articles from many outlets; skipped when absent): none may be a near
// duplicate unless it really is one, and LSH candidates must be rare.
func TestCorpusPairs(t *testing.T) {
	texts := realTextsAll(t)
	if texts == nil {
		t.Skip("shared corpus absent")
	}
	p := DefaultParams()
	fps := make([]Fingerprint, len(texts))
	ix := NewIndex(p)
	for i, s := range texts {
		fps[i] = FingerprintText(s, p)
		ix.Add(int64(i), fps[i])
	}
	pairs, cands, near := 0, 0, 0
	for i := range fps {
		for _, j := range ix.Candidates(fps[i]) {
			if int(j) > i {
				cands++
			}
		}
		for j := i + 1; j < len(fps); j++ {
			pairs++
			if s := Compare(fps[i], fps[j]); s.NearDuplicate() {
				near++
				t.Errorf("near duplicates %d and %d: %+v\n%.200q\n%.200q", i, j, s, texts[i], texts[j])
			}
		}
	}
	t.Logf("%d articles, %d pairs: %d LSH candidate pairs, %d near duplicates", len(texts), pairs, cands, near)
}
