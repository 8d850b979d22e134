package match

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ContentHash fingerprints text so that copies differing only in layout,
// case, quote style or punctuation hash equal: Unicode NFKC, lower case,
// every run of punctuation, symbols and whitespace collapsed to one space,
// invisible format characters (soft hyphen, zero-width space) removed,
// trimmed. It returns the first 32 hex digits of the SHA-256, or "" when
// nothing is left to hash.
func ContentHash(text string) string {
	n := normalize(text)
	if n == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(n))
	return hex.EncodeToString(sum[:16])
}

func normalize(text string) string {
	// Invalid bytes first become U+FFFD: NFKC treats a stray byte differently
	// at the start of a string than after a space, so reflowing a copy would
	// otherwise change its hash (found by FuzzContentHash).
	text = strings.ToLower(norm.NFKC.String(strings.ToValidUTF8(text, "\uFFFD")))
	var b strings.Builder
	b.Grow(len(text))
	space := false
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		case unicode.Is(unicode.Cf, r):
			// Invisible: a soft hyphen must not split a word in two.
		default:
			space = true
		}
	}
	return b.String()
}
