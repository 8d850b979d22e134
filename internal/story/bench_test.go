package story

import "testing"

// BenchmarkRelate measures one pairwise decision on prepared corpus
// documents (the cost per candidate pair in the pipeline is this plus
// preparing the two documents).
func BenchmarkRelate(b *testing.B) {
	docs := genEval(b, 1)
	ps := make([]*prepared, len(docs))
	for i := range docs {
		ps[i] = prepare(&docs[i].Doc, nil)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		relate(ps[i%len(ps)], ps[(i*7+1)%len(ps)])
	}
}

// BenchmarkPrepare measures tokenizing and weighing one document.
func BenchmarkPrepare(b *testing.B) {
	docs := genEval(b, 1)
	for i := 0; b.Loop(); i++ {
		prepare(&docs[i%len(docs)].Doc, nil)
	}
}

// BenchmarkEmbeddingCosine measures the pipeline's filter over embedding
// candidates: one 768-dimension vector against 200 others.
func BenchmarkEmbeddingCosine(b *testing.B) {
	vecs := make([][]float32, 201)
	for i := range vecs {
		vecs[i] = make([]float32, 768)
		for j := range vecs[i] {
			vecs[i][j] = float32((i*31+j*17)%101)/50 - 1
		}
	}
	var sum float64
	for b.Loop() {
		for _, v := range vecs[1:] {
			sum += EmbeddingCosine(vecs[0], v)
		}
	}
	_ = sum
}
