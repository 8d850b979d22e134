package match

import (
	"encoding/json"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// corpusPath is read at benchmark time only, never copied into the repo.
const corpusPath = "../../../shared/corpora/article-extraction/ground-truth.json"

// realTexts returns article bodies of 300-1000 words from the shared
// corpus (mean about 600), or nil when the corpus is absent.
func realTexts(tb testing.TB) []string {
	var out []string
	for _, a := range realTextsAll(tb) {
		if n := len(strings.Fields(a)); n >= 300 && n <= 1000 {
			out = append(out, a)
		}
	}
	return out
}

// realTextsAll returns every article body of the shared corpus, in a fixed
// order, or nil when the corpus is absent.
func realTextsAll(tb testing.TB) []string {
	data, err := os.ReadFile(corpusPath)
	if err != nil {
		tb.Logf("corpus absent (%v): using generated text", err)
		return nil
	}
	var gt map[string]struct {
		ArticleBody string `json:"articleBody"`
	}
	if err := json.Unmarshal(data, &gt); err != nil {
		tb.Fatalf("corpus: %v", err)
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(gt)) {
		out = append(out, gt[k].ArticleBody)
	}
	return out
}

// synth writes news-like text: words drawn with a Zipf law from a fixed
// vocabulary of 20,000 made-up words, so common words repeat across
// documents as they do in real news.
type synth struct {
	r     *rand.Rand
	zipf  *rand.Zipf
	vocab []string
}

func newSynth(seed uint64) *synth {
	r := rand.New(rand.NewPCG(seed, 99))
	vr := rand.New(rand.NewPCG(7, 7)) // same vocabulary for every synth
	syl := []string{"ka", "ro", "mi", "tan", "le", "vo", "sen", "du", "ar", "pi", "lo", "ne", "gru", "st", "ia", "or"}
	vocab := make([]string, 20000)
	for i := range vocab {
		var b strings.Builder
		for range 1 + vr.IntN(4) {
			b.WriteString(syl[vr.IntN(len(syl))])
		}
		vocab[i] = b.String()
	}
	return &synth{r: r, zipf: rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1)), vocab: vocab}
}

func (s *synth) text(words int) string {
	var b strings.Builder
	for i := range words {
		if i > 0 {
			if i%20 == 0 {
				b.WriteString(". ")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s.vocab[s.zipf.Uint64()])
	}
	return b.String()
}

func benchTexts(b *testing.B) []string {
	texts := realTexts(b)
	if len(texts) < 20 {
		s := newSynth(1)
		texts = texts[:0]
		for range 100 {
			texts = append(texts, s.text(600))
		}
	}
	return texts
}

var (
	indexOnce  sync.Map // size → *builtIndex
	indexMutex sync.Mutex
)

type builtIndex struct {
	ix   *Index
	fps  []Fingerprint // a sample of what was indexed
	miss []Fingerprint // documents not in the index
}

// syntheticIndex indexes n generated 600-word documents (built once per n).
func syntheticIndex(b *testing.B, n int) *builtIndex {
	indexMutex.Lock()
	defer indexMutex.Unlock()
	if v, ok := indexOnce.Load(n); ok {
		return v.(*builtIndex)
	}
	p := DefaultParams()
	s := newSynth(uint64(n))
	bi := &builtIndex{ix: NewIndex(p)}
	for id := range n {
		f := FingerprintText(s.text(600), p)
		bi.ix.Add(int64(id), f)
		if id%(n/500) == 0 {
			bi.fps = append(bi.fps, f)
		}
	}
	for range 500 {
		bi.miss = append(bi.miss, FingerprintText(s.text(600), p))
	}
	indexOnce.Store(n, bi)
	return bi
}

// reportDocs reports documents per second of wall time and per second of
// CPU time (cpu-docs/s; the honest figure when other work shares the
// machine). start is cpuTime() taken before the loop.
func reportDocs(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	if cpu := cpuTime() - start; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "cpu-docs/s")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkFingerprint: one realistic article (the shared corpus's bodies
// of 300-1000 words, else generated 600-word text) → fingerprint, and →
// fingerprint + candidate lookup in an index of 10,000 documents.
func BenchmarkFingerprint(b *testing.B) {
	p := DefaultParams()
	texts := benchTexts(b)
	var bytes, words int
	for _, t := range texts {
		bytes += len(t)
		words += len(strings.Fields(t))
	}
	b.Logf("%d texts, mean %d words, %d bytes", len(texts), words/len(texts), bytes/len(texts))
	b.Run("fingerprint", func(b *testing.B) {
		b.SetBytes(int64(bytes / len(texts)))
		b.ReportAllocs()
		i := 0
		start := cpuTime()
		for b.Loop() {
			FingerprintText(texts[i%len(texts)], p)
			i++
		}
		reportDocs(b, start)
	})
	b.Run("fingerprint+candidates/10k", func(b *testing.B) {
		bi := syntheticIndex(b, 10_000)
		for i, t := range texts { // the real texts are in the index too
			bi.ix.Add(int64(1_000_000+i), FingerprintText(t, p))
		}
		b.SetBytes(int64(bytes / len(texts)))
		b.ReportAllocs()
		i := 0
		start := cpuTime()
		for b.Loop() {
			bi.ix.Candidates(FingerprintText(texts[i%len(texts)], p))
			i++
		}
		reportDocs(b, start)
	})
}

// BenchmarkIndexCandidates: lookup alone, in indexes of 10k and 100k
// generated documents; half the queries are indexed documents (they find
// themselves), half are new.
func BenchmarkIndexCandidates(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(map[int]string{10_000: "10k", 100_000: "100k"}[n], func(b *testing.B) {
			bi := syntheticIndex(b, n)
			found := 0
			b.ReportAllocs()
			i := 0
			start := cpuTime()
			for b.Loop() {
				f := bi.miss[i%len(bi.miss)]
				if i%2 == 0 {
					f = bi.fps[i%len(bi.fps)]
				}
				found += len(bi.ix.Candidates(f))
				i++
			}
			b.ReportMetric(float64(found)/float64(b.N), "cands/op")
			reportDocs(b, start)
		})
	}
}

// minHashClassic is the textbook K-permutation MinHash (h_i(x) = high 32
// bits of a_i·x + b_i mod 2^64, a_i odd), kept to measure what one-
// permutation hashing saves.
func minHashClassic(shingles []uint64, k int) Signature {
	sig := make(Signature, k)
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	for _, s := range shingles {
		x := mix64(s)
		for i := range sig {
			if v := uint32((classicA[i]*x + classicB[i]) >> 32); v < sig[i] {
				sig[i] = v
			}
		}
	}
	return sig
}

var classicA, classicB = func() (a, b [MaxK]uint64) {
	for i := range a {
		a[i] = mix64(uint64(i)+1) | 1
		b[i] = mix64(uint64(i) + 1<<40)
	}
	return
}()

func BenchmarkMinHash(b *testing.B) {
	p := DefaultParams()
	sh := ShingleHashes(Tokens(benchTexts(b)[0]), p.ShingleSize)
	b.Logf("%d shingles", len(sh))
	b.Run("one-permutation", func(b *testing.B) {
		start := cpuTime()
		for b.Loop() {
			MinHash(sh, p)
		}
		reportDocs(b, start)
	})
	b.Run("classic-K-permutations", func(b *testing.B) {
		start := cpuTime()
		for b.Loop() {
			minHashClassic(sh, p.K)
		}
		reportDocs(b, start)
	})
}
