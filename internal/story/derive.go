package story

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newstrace/newstrace/internal/match"
)

// Text-reuse features of a rewritten copy against its source, from the
// text-reuse literature (METER, COUNTER): what bag-of-words misses is that
// a journalist rewriting wire copy keeps runs of its words in order and
// keeps its sentences one by one, while an independent report on the same
// event shares names and numbers but few phrases.

// coverRun is the shortest run of tokens, in order, that counts as copied
// text (Greedy String Tiling's minimum match length).
const coverRun = 3

// body is the body text of a prepared document as a token sequence, with
// what the pairwise features need computed once.
type body struct {
	seq   []uint64 // token hashes of Text, in order
	sents [][]uint64
	// sentences as sorted distinct token hashes; sentLen is each
	// sentence's token count
	sentLen []int
	bi, tri []uint64 // sorted distinct word 2- and 3-grams
	runs    []uint64 // sorted distinct coverRun-grams
}

func newBody(text string) body {
	var b body
	for _, s := range sentences(text) {
		toks := match.Tokens(s)
		if len(toks) == 0 {
			continue
		}
		set := make([]uint64, len(toks))
		for i, t := range toks {
			h := termHash(t)
			b.seq = append(b.seq, h)
			set[i] = h
		}
		slices.Sort(set)
		b.sents = append(b.sents, slices.Compact(set))
		b.sentLen = append(b.sentLen, len(toks))
	}
	b.bi = ngrams(b.seq, 2)
	b.tri = ngrams(b.seq, 3)
	b.runs = b.tri
	if coverRun != 3 {
		b.runs = ngrams(b.seq, coverRun)
	}
	return b
}

// sentences splits text after sentence-final punctuation followed by a
// space (". ", "? ", "! ", Urdu "۔" and "؟" anywhere) and at line breaks.
func sentences(text string) []string {
	var out []string
	start := 0
	for i, r := range text {
		end := -1
		switch r {
		case '\n', '۔', '؟', '؛':
			end = i + utf8.RuneLen(r)
		case '.', '!', '?', '…':
			j := i + utf8.RuneLen(r)
			if next, _ := utf8.DecodeRuneInString(text[j:]); j == len(text) || unicode.IsSpace(next) {
				end = j
			}
		}
		if end > start {
			if s := strings.TrimSpace(text[start:end]); s != "" {
				out = append(out, s)
			}
			start = end
		}
	}
	if s := strings.TrimSpace(text[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// ngrams hashes every run of n consecutive tokens; sorted, distinct.
func ngrams(seq []uint64, n int) []uint64 {
	if len(seq) < n {
		return nil
	}
	out := make([]uint64, 0, len(seq)-n+1)
	for i := 0; i+n <= len(seq); i++ {
		h := uint64(n)
		for _, t := range seq[i : i+n] {
			h = mix(h ^ t)
		}
		out = append(out, h)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	return x ^ x>>33
}

// contained is the share of a (sorted, distinct) found in b; 0 when a is empty.
func contained(a, b []uint64) float64 {
	if len(a) == 0 {
		return 0
	}
	n := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return float64(n) / float64(len(a))
}

// reuseFeatures measure how much of cp was written from orig.
type reuseFeatures struct {
	Reuse  float64 // share of cp's IDF-weighted vocabulary found in orig
	Cosine float64 // TF-IDF cosine
	Bi     float64 // share of cp's distinct word bigrams found in orig
	Tri    float64 // share of cp's distinct word trigrams found in orig
	Cover  float64 // share of cp's tokens inside a run of ≥ coverRun tokens found in orig (GST-like)
	Sent   float64 // share of cp's tokens in sentences whose best orig sentence holds ≥ half their words
}

func features(orig, cp *prepared) reuseFeatures {
	f := reuseFeatures{Reuse: reuse(orig, cp), Cosine: cosine(orig, cp)}
	ob, cb := &orig.b, &cp.b
	f.Bi = contained(cb.bi, ob.bi)
	f.Tri = contained(cb.tri, ob.tri)
	f.Cover = coverage(cb.seq, ob.runs)
	f.Sent = aligned(cb, ob)
	return f
}

// coverage is the share of seq's tokens inside some coverRun-gram that
// occurs in runs (the other text's sorted distinct coverRun-grams).
func coverage(seq, runs []uint64) float64 {
	if len(seq) < coverRun || len(runs) == 0 {
		return 0
	}
	covered, until := 0, -1 // tokens before index until are covered
	for i := 0; i+coverRun <= len(seq); i++ {
		h := uint64(coverRun)
		for _, t := range seq[i : i+coverRun] {
			h = mix(h ^ t)
		}
		if _, ok := slices.BinarySearch(runs, h); !ok {
			continue
		}
		from := max(i, until)
		covered += i + coverRun - from
		until = i + coverRun
	}
	return float64(covered) / float64(len(seq))
}

// alignThreshold: a copy's sentence is aligned with a source sentence
// holding at least this share of its distinct words.
const alignThreshold = 0.5

// aligned is the share of cp's tokens in sentences aligned with some
// sentence of orig.
func aligned(cp, orig *body) float64 {
	total, hit := 0, 0
	for i, s := range cp.sents {
		total += cp.sentLen[i]
		if len(s) < 3 {
			continue
		}
		for _, o := range orig.sents {
			if contained(s, o) >= alignThreshold {
				hit += cp.sentLen[i]
				break
			}
		}
	}
	if total == 0 {
		return 0
	}
	return float64(hit) / float64(total)
}
