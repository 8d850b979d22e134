package match

import (
	"slices"
	"testing"
)

// TestTokensUrdu checks the Urdu cases COUNTER (Urdu news reuse) exercises:
// Arabic script split at spaces; the Urdu full stop ۔, comma ، and question
// mark ؟ end words; a zero-width non-joiner inside a word is dropped (it
// joins the word's parts, as Cf runes do everywhere); Urdu digits stay
// their own digits (NFKC does not map them to ASCII); a presentation-form
// letter is folded by NFKC; diacritics stay on their letter.
func TestTokensUrdu(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"dateline with full stop and parentheses", "شارجہ ۔28 نومبر (اے پی پی)", []string{"شارجہ", "28", "نومبر", "اے", "پی", "پی"}},
		{"comma and question mark", "کیا، کیوں؟ کب", []string{"کیا", "کیوں", "کب"}},
		{"full stop glued to the next word", "گئے۔وہ", []string{"گئے", "وہ"}},
		{"zero-width non-joiner dropped", "ہوں\u200cگے", []string{"ہوںگے"}},
		{"urdu digits", "۲۰۱۴ 2014", []string{"۲۰۱۴", "2014"}},
		{"presentation form folded", "\ufe85", []string{"ؤ"}},
		{"superscript alef kept on its letter", "اعلیٰ", []string{"اعلیٰ"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokens(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
