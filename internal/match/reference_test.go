package match

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The fingerprint code as it was before it was tuned for speed (stored
// format version 1), kept to check that the tuned code computes the same
// fingerprints on any text, beyond the few values TestStability pins.

func refFingerprintText(text string, p Params) Fingerprint {
	p.mustValidate()
	var buf [1024]uint64
	th := refTokenHashes(text, buf[:0])
	if len(th) == 0 {
		return Fingerprint{}
	}
	sh := refShingles(th, p.ShingleSize)
	sig := refMinHash(sh, p)
	return Fingerprint{Shingles: sh, Sig: sig, Bands: BandKeys(sig, p), Tokens: len(th)}
}

func refTokenHashes(text string, dst []uint64) []uint64 {
	refScanTokens(text, func(_ []byte, h uint64) { dst = append(dst, h) })
	return dst
}

func refScanTokens(text string, emit func(tok []byte, h uint64)) {
	text = norm.NFKC.String(strings.ToValidUTF8(text, "\uFFFD")) // see normalize in hash.go
	var buf [64]byte
	tok := buf[:0]
	h := tokenSeed
	perRune := false // the current token is one character of a spaceless script
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf { // ASCII fast path
			i++
			if l := asciiLower[c]; l != 0 {
				if perRune && len(tok) > 0 {
					emit(tok, h)
					tok, h = tok[:0], tokenSeed
				}
				perRune = false
				tok = append(tok, l)
				h = (h ^ uint64(l)) * tokenPrime
				continue
			}
			if len(tok) > 0 {
				emit(tok, h)
				tok, h = tok[:0], tokenSeed
			}
			perRune = false
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case unicode.IsMark(r):
			// A mark belongs to the character before it; a stray mark at the
			// start of a token stands for itself.
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if r == 0x0640 { // Arabic tatweel
				continue
			}
			spaceless := isSpaceless(r)
			if (spaceless || perRune) && len(tok) > 0 {
				emit(tok, h)
				tok, h = tok[:0], tokenSeed
			}
			perRune = spaceless
			r = unicode.ToLower(r)
		case unicode.Is(unicode.Cf, r):
			continue
		default:
			if len(tok) > 0 {
				emit(tok, h)
				tok, h = tok[:0], tokenSeed
			}
			perRune = false
			continue
		}
		n := len(tok)
		tok = utf8.AppendRune(tok, r)
		for _, c := range tok[n:] {
			h = (h ^ uint64(c)) * tokenPrime
		}
	}
	if len(tok) > 0 {
		emit(tok, h)
	}
}

func refShingles(th []uint64, size int) []uint64 {
	if len(th) == 0 {
		return nil
	}
	size = max(size, 1)
	n := max(len(th)-size+1, 1)
	// In place: window i reads th[i:i+size] and is written to th[i], which
	// no later window reads.
	for i := range n {
		h := shingleSeed
		for _, t := range th[i:min(i+size, len(th))] {
			h = (h ^ t) * shingleMul
			h ^= h >> 29
		}
		th[i] = mix64(h)
	}
	out := make([]uint64, n)
	sortUniform(out, th[:n])
	return slices.Compact(out)
}

func refMinHash(shingles []uint64, p Params) Signature {
	p.mustValidate()
	if len(shingles) == 0 {
		return nil
	}
	k := uint64(p.K)
	sig := make(Signature, p.K)
	filled := make([]bool, p.K)
	for _, s := range shingles {
		h := mix64(s ^ permSeed)
		bin := (h >> 32) * k >> 32 // fast range reduction of the high half
		v := uint32(h)
		if !filled[bin] || v < sig[bin] {
			sig[bin] = v
			filled[bin] = true
		}
	}
	for i := range sig {
		if filled[i] {
			continue
		}
		sig[i] = sig[densifyProbe(uint64(i), filled)]
	}
	return sig
}

func sameAsReference(t *testing.T, text string) {
	t.Helper()
	p := DefaultParams()
	got, want := FingerprintText(text, p), refFingerprintText(text, p)
	if !fpEqual(got, want) {
		t.Fatalf("FingerprintText(%.60q) differs from the reference implementation", text)
	}
	toks := Tokens(text)
	var buf [16]uint64
	if hs := tokenHashes(text, buf[:0]); len(hs) != len(toks) {
		t.Fatalf("tokenHashes(%.60q): %d hashes for %d tokens", text, len(hs), len(toks))
	} else {
		for i, tok := range toks {
			if hs[i] != tokenHash(tok) {
				t.Fatalf("tokenHashes(%.60q)[%d] = %#x, want tokenHash(%q) = %#x", text, i, hs[i], tok, tokenHash(tok))
			}
		}
	}
}

func TestSameAsReference(t *testing.T) {
	texts := []string{"", "a", "A", "one two", join(articleParas), "北京发布新规。", "یہ خبر ہے۔ اور بس", "ข่าว", "\u0301\u00ad\u200b",
		"\xff\xfe broken utf-8 \xc3", "e\u0301 cafe\u0301s ﬁnance ＡＢＣ ① Ⅻ", "iPhone发布 ÀÉÎ ŒUVRE straße İstanbul"}
	texts = append(texts, realTextsAll(t)...)
	r := rand.New(rand.NewPCG(8, 9))
	pieces := []string{"word", "Mixed", "ÉCOLE", "the", " ", "  ", ".", ", ", "—", "’", "\u00ad", "\u200b", "\u0301", "北", "京",
		"ข", "\u0640", "ـ", "é", "\xc3", "\xff", "123", "x2", "Ω", "ﬀ", "\n", "\t", "İ", "ß"}
	for range 3000 {
		var b strings.Builder
		for range r.IntN(80) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	// ASCII with punctuation from outside it (asciiWithSeparators), and the
	// characters that must leave that path: compatibility forms holding
	// letters or marks (™ ½ ¨ ´ ª), the soft hyphen, accented letters.
	seps := []string{"word", "Word", "x", "42", " ", ".", "’", "‘", "“", "”", "—", "–", "…", " ", " ", "«", "»", "•",
		"§", "©", "°", "±", "·", "¿", "¡", " ", "‐", "™", "½", "¨", "´", "ª", "­", "é", "́"}
	for range 3000 {
		var b strings.Builder
		for range r.IntN(60) {
			b.WriteString(seps[r.IntN(len(seps))])
		}
		texts = append(texts, b.String())
	}
	for _, text := range texts {
		sameAsReference(t, text)
	}
}

// TestSeparatorPath checks which texts take the ASCII path though not ASCII.
func TestSeparatorPath(t *testing.T) {
	for text, want := range map[string]bool{
		"He said “no” — twice…":  true,
		"it’s a test • §2 ©2024": true,
		"Brand™ goes":            false, // NFKC: "TM", letters
		"½ price":                false, // NFKC: "1⁄2", digits
		"co­operate":             false, // soft hyphen joins the halves
		"café":                   false,
		"a ¨ b":                  false, // NFKC: space + combining diaeresis
		"bad ÿ byte":             false,
	} {
		if got := asciiWithSeparators(text); got != want {
			t.Errorf("asciiWithSeparators(%q) = %v, want %v", text, got, want)
		}
	}
}

func FuzzSameAsReference(f *testing.F) {
	for _, s := range []string{"", "a", join(articleParas), "北京发布新规。", "یہ خبر ہے۔", "e\u0301 ﬁ", "\xff\xfe broken \xc3", "it’s “done” — ok…™½"} {
		f.Add(s)
	}
	f.Fuzz(sameAsReference)
}
