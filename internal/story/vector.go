package story

import (
	"math"
	"slices"
	"time"

	"github.com/newstrace/newstrace/internal/match"
)

// prepared is a Doc with what every comparison needs computed once: its
// TF-IDF term vector, sorted by term hash, and its time.
type prepared struct {
	d     *Doc
	terms []uint64  // distinct term hashes, sorted
	idf   []float64 // idf of terms[i]
	w     []float64 // tf-idf weight of terms[i]
	norm  float64   // Euclidean norm of w
	mass  float64   // sum of idf over distinct terms
	t     time.Time // published, else first seen; zero when unknown
	b     body      // the text as a token sequence, for text-reuse features
}

func prepare(d *Doc, idf IDF) *prepared {
	p := &prepared{d: d, t: d.FirstSeen}
	if d.Published != nil && !d.Published.IsZero() {
		p.t = *d.Published
	}
	counts := map[uint64]int{}
	byHash := map[uint64]string{}
	for _, tok := range match.Tokens(d.Title + "\n" + d.Text) {
		h := termHash(tok)
		counts[h]++
		byHash[h] = tok
	}
	p.terms = make([]uint64, 0, len(counts))
	for h := range counts {
		p.terms = append(p.terms, h)
	}
	slices.Sort(p.terms)
	p.idf = make([]float64, len(p.terms))
	p.w = make([]float64, len(p.terms))
	for i, h := range p.terms {
		f := 1.0
		if idf != nil {
			f = idf(byHash[h])
		}
		p.idf[i] = f
		p.w[i] = (1 + math.Log(float64(counts[h]))) * f
		p.norm += p.w[i] * p.w[i]
		p.mass += f
	}
	p.norm = math.Sqrt(p.norm)
	p.b = newBody(d.Text)
	return p
}

func termHash(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 0x100000001b3
	}
	return h
}

// cosine is the TF-IDF cosine of two prepared documents.
func cosine(a, b *prepared) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	dot := 0.0
	for i, j := 0, 0; i < len(a.terms) && j < len(b.terms); {
		switch {
		case a.terms[i] < b.terms[j]:
			i++
		case a.terms[i] > b.terms[j]:
			j++
		default:
			dot += a.w[i] * b.w[j]
			i++
			j++
		}
	}
	return dot / (a.norm * b.norm)
}

// reuse is the share of copy's vocabulary, weighted by IDF, found in orig:
// how much of what the later text says in rare words the earlier already
// said. Rewritten wire copy keeps the names, numbers and rare words of its
// source while changing the phrasing; an independent report adds its own.
func reuse(orig, copy *prepared) float64 {
	if copy.mass == 0 {
		return 0
	}
	found := 0.0
	for i, j := 0, 0; i < len(copy.terms) && j < len(orig.terms); {
		switch {
		case copy.terms[i] < orig.terms[j]:
			i++
		case copy.terms[i] > orig.terms[j]:
			j++
		default:
			found += copy.idf[i]
			i++
			j++
		}
	}
	return found / copy.mass
}

// CountIDF returns the IDF ln((n+1)/(df+1)) over a collection of n
// documents where df gives each term's document frequency (terms as
// match.Tokens yields them); unknown terms count as seen once.
func CountIDF(n int, df map[string]int) IDF {
	return func(term string) float64 {
		return math.Log(float64(n+1) / float64(df[term]+1))
	}
}

// DocFreq counts in how many of texts each token occurs, for CountIDF.
func DocFreq(texts []string) map[string]int {
	df := map[string]int{}
	for _, t := range texts {
		seen := map[string]bool{}
		for _, tok := range match.Tokens(t) {
			if !seen[tok] {
				seen[tok] = true
				df[tok]++
			}
		}
	}
	return df
}

// EmbeddingCosine is the cosine similarity of two embeddings, 0 when
// either is missing or their dimensions differ. Relate links two documents
// in different languages as a translation when it reaches EmbedCosine.
func EmbeddingCosine(a, b []float32) float64 { return cosine32(a, b) }

func cosine32(a, b []float32) float64 {
	if len(a) == 0 || len(a) != len(b) {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}
