package match

import (
	"encoding/binary"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tokens splits text into the word tokens that shingles are built from.
//
// The text is put in Unicode NFKC and lower-cased rune by rune, with the same
// character classes as ContentHash: letters, numbers and combining marks make
// up words; every other rune (space, punctuation, symbols) ends a word;
// invisible format characters (Cf: soft hyphen, zero-width space and joiners)
// and the Arabic tatweel (a decorative stretch, U+0640) are dropped, so they
// never split or change a word.
//
// Scripts written without spaces between words (Han, Hiragana, Katakana,
// Bopomofo, Thai, Lao, Khmer, Myanmar) have no word boundaries a tokenizer
// can find without a dictionary, so each of their characters, with any
// combining marks that follow it, is its own token. Word shingles of size 5
// over such tokens are character 5-grams, which is the usual unit for
// near-duplicate detection in Chinese, Japanese and Thai. Latin, Cyrillic,
// Greek, Arabic, Urdu, Hebrew, Devanagari, Hangul and the rest are split at
// spaces and punctuation. A run of mixed text ("iPhone发布") splits where the
// script changes: "iphone", "发", "布".
func Tokens(text string) []string {
	var toks []string
	scanTokens(text, true, func(tok []byte, _ uint64) { toks = append(toks, string(tok)) })
	return toks
}

// tokenHashes is Tokens followed by hashing each token, without allocating
// the token strings. tokenHashes(s)[i] == tokenHash(Tokens(s)[i]).
func tokenHashes(text string, dst []uint64) []uint64 {
	if isASCII(text) || asciiWithSeparators(text) {
		return asciiTokenHashes(text, dst)
	}
	scanTokens(text, false, func(_ []byte, h uint64) { dst = append(dst, h) })
	return dst
}

// asciiWord is asciiLower over every byte value: 0 for a byte that is not
// part of a word (ASCII separators, and bytes ≥ 0x80, which
// asciiTokenHashes never sees), so indexing it needs no bounds check.
var asciiWord = func() (t [256]byte) {
	copy(t[:], asciiLower[:])
	return t
}()

// asciiTokenHashes is tokenHashes of ASCII text, which scanTokens would
// take byte by byte on its fast path: a word is a run of letters and
// digits, lower-cased, and nothing else is. One tight loop per word and no
// call per token: it takes half the time of scanTokens.
func asciiTokenHashes(text string, dst []uint64) []uint64 {
	i, n := 0, len(text)
	for {
		for i < n && asciiWord[text[i]] == 0 {
			i++
		}
		if i == n {
			return dst
		}
		h := tokenSeed
		for ; i < n; i++ {
			l := asciiWord[text[i]]
			if l == 0 {
				break
			}
			h = (h ^ uint64(l)) * tokenPrime
		}
		dst = append(dst, h)
	}
}

// asciiWithSeparators reports whether every non-ASCII character of text is
// one that only ever separates words, even after NFKC (curly quotes, dashes,
// no-break and other spaces, ellipsis, bullets): English news text is
// ASCII but for these, and then asciiTokenHashes, which treats every byte
// ≥ 0x80 as a separator, gives what the NFKC path would.
func asciiWithSeparators(text string) bool {
	seps := separatorRunes()
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError || r >= separatorLimit || !seps[r] {
			return false // invalid UTF-8, or a character that may be or join a word
		}
		i += size
	}
	return true
}

// separatorLimit bounds the table: Latin-1, the spacing modifiers and
// General Punctuation hold the separators news text uses.
const separatorLimit = 0x2070

// separatorRunes marks the runes below separatorLimit that scanTokens ends
// a word at, both as they are and after NFKC: not letters, numbers or
// marks, not dropped format characters (Cf, such as the soft hyphen, which
// join a word's halves), and without a compatibility form that holds any
// of those (™ is "TM", ½ is "1⁄2").
var separatorRunes = sync.OnceValue(func() (t [separatorLimit]bool) {
	sep := func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r) && !unicode.Is(unicode.Cf, r) && r != 0x0640
	}
	for r := rune(utf8.RuneSelf); r < separatorLimit; r++ {
		if !sep(r) || unicode.Is(unicode.Cs, r) {
			continue
		}
		ok := true
		for _, n := range norm.NFKC.String(string(r)) {
			if n < utf8.RuneSelf {
				ok = ok && asciiLower[n] == 0
			} else {
				ok = ok && sep(n)
			}
		}
		t[r] = ok
	}
	return t
})

// asciiLower maps an ASCII byte to itself lower-cased if it belongs in a
// word (letters and digits), else to 0.
var asciiLower = func() (t [utf8.RuneSelf]byte) {
	for c := range byte(utf8.RuneSelf) {
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			t[c] = c
		case 'A' <= c && c <= 'Z':
			t[c] = c + 'a' - 'A'
		}
	}
	return t
}()

// isASCII reports whether s is all ASCII, eight bytes at a time.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64([]byte(s[i:i+8]))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// scanTokens calls emit with each token's hash (tokenHash, computed on the
// way) and, if bytes is set, its bytes (valid UTF-8, lower case; the slice
// is reused after emit returns; nil otherwise).
func scanTokens(text string, bytes bool, emit func(tok []byte, h uint64)) {
	// See normalize in hash.go. ASCII text is valid and already in NFKC,
	// and news text often is ASCII: two passes saved.
	if !isASCII(text) {
		if !utf8.ValidString(text) {
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
		text = norm.NFKC.String(text)
	}
	var buf [64]byte
	tok := buf[:0]
	n := 0 // bytes in the current token (len(tok) when bytes is set)
	h := tokenSeed
	perRune := false // the current token is one character of a spaceless script
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf { // ASCII fast path
			i++
			if l := asciiLower[c]; l != 0 {
				if perRune && n > 0 {
					emit(tok, h)
					tok, n, h = tok[:0], 0, tokenSeed
				}
				perRune = false
				if bytes {
					tok = append(tok, l)
				}
				n++
				h = (h ^ uint64(l)) * tokenPrime
				continue
			}
			if n > 0 {
				emit(tok, h)
				tok, n, h = tok[:0], 0, tokenSeed
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
			if (spaceless || perRune) && n > 0 {
				emit(tok, h)
				tok, n, h = tok[:0], 0, tokenSeed
			}
			perRune = spaceless
			r = unicode.ToLower(r)
		case unicode.Is(unicode.Cf, r):
			continue
		default:
			if n > 0 {
				emit(tok, h)
				tok, n, h = tok[:0], 0, tokenSeed
			}
			perRune = false
			continue
		}
		var rb [utf8.UTFMax]byte
		enc := utf8.AppendRune(rb[:0], r)
		for _, c := range enc {
			h = (h ^ uint64(c)) * tokenPrime
		}
		if bytes {
			tok = append(tok, enc...)
		}
		n += len(enc)
	}
	if n > 0 {
		emit(tok, h)
	}
}

// isSpaceless reports whether r belongs to a script written without spaces
// between words.
func isSpaceless(r rune) bool {
	if r < 0x0E00 { // below Thai: every script here uses spaces
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Bopomofo,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}
