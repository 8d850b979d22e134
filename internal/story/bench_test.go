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
