package match

import (
	"slices"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"only punctuation", "... — !!! \n", nil},
		{"english", "The Council's plan, approved 7-2.", []string{"the", "council", "s", "plan", "approved", "7", "2"}},
		{"case and accents", "CAFÉ Café cafe\u0301", []string{"café", "café", "café"}},
		{"NFKC fullwidth and ligature", "ＡＢＣ１２３ ﬁnal", []string{"abc123", "final"}},
		{"soft hyphen and zero-width space", "infor\u00admation news\u200broom", []string{"information", "newsroom"}},
		{"non-breaking space splits", "a\u00a0b", []string{"a", "b"}},
		{"cyrillic and greek", "Москва ΑΘΗΝΑ", []string{"москва", "αθηνα"}},
		{"urdu", "یہ خبر ہے۔ اور بس", []string{"یہ", "خبر", "ہے", "اور", "بس"}},
		{"arabic with guillemets", "«الخبر» العاجل", []string{"الخبر", "العاجل"}},
		{"arabic tatweel dropped", "كتـــاب كتاب", []string{"كتاب", "كتاب"}},
		{"arabic marks kept", "كِتَاب", []string{"كِتَاب"}},
		{"hindi with vowel signs", "नई दिल्ली", []string{"नई", "दिल्ली"}},
		{"chinese per character", "北京发布新规。", []string{"北", "京", "发", "布", "新", "规"}},
		{"japanese kana per character", "ニュースです", []string{"ニ", "ュ", "ー", "ス", "で", "す"}},
		{"mixed latin and han", "iPhone发布2024年", []string{"iphone", "发", "布", "2024", "年"}},
		{"thai keeps marks with their letter", "ข่าว", []string{"ข่", "า", "ว"}},
		{"korean by words", "서울 뉴스", []string{"서울", "뉴스"}},
		{"stray leading mark", "\u0301a", []string{"\u0301a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Tokens(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// The allocation-free path the fingerprint uses agrees.
			th := tokenHashes(tt.in, nil)
			if len(th) != len(got) {
				t.Fatalf("tokenHashes gave %d hashes for %d tokens", len(th), len(got))
			}
			for i, tok := range got {
				if th[i] != tokenHash(tok) {
					t.Errorf("token %d %q: hash %x, want %x", i, tok, th[i], tokenHash(tok))
				}
			}
		})
	}
}

func TestShingleHashes(t *testing.T) {
	words := func(s string) []string { return Tokens(s) }
	tests := []struct {
		name   string
		tokens []string
		size   int
		want   int // distinct shingles
	}{
		{"none", nil, 5, 0},
		{"shorter than size is one shingle", words("a b c"), 5, 1},
		{"exactly size", words("a b c d e"), 5, 1},
		{"sliding window", words("a b c d e f g"), 5, 3},
		{"repeats collapse", words("a b a b a b a b"), 2, 2},
		{"size one is the word set", words("x y x z"), 1, 3},
		{"size below one counts as one", words("x y x z"), 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ShingleHashes(tt.tokens, tt.size)
			if len(got) != tt.want {
				t.Fatalf("ShingleHashes(%q, %d) has %d shingles, want %d", tt.tokens, tt.size, len(got), tt.want)
			}
			if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Errorf("ShingleHashes not sorted and distinct: %x", got)
			}
		})
	}
	// Order matters within a shingle, and a shingle is not its words' set.
	if a, b := ShingleHashes(words("a b c"), 3), ShingleHashes(words("c b a"), 3); slices.Equal(a, b) {
		t.Errorf("reordered words hash equal: %x", a)
	}
	if a, b := ShingleHashes(words("ab c"), 2), ShingleHashes(words("a bc"), 2); slices.Equal(a, b) {
		t.Errorf("moved word boundary hashes equal: %x", a)
	}
}

func TestFingerprintTextComposes(t *testing.T) {
	p := DefaultParams()
	for _, text := range []string{"", "one", join(articleParas), "北京发布新规。", "یہ خبر ہے۔ اور بس"} {
		f := FingerprintText(text, p)
		toks := Tokens(text)
		sh := ShingleHashes(toks, p.ShingleSize)
		sig := MinHash(sh, p)
		want := Fingerprint{Shingles: sh, Sig: sig, Bands: BandKeys(sig, p), Tokens: len(toks)}
		if !fpEqual(f, want) {
			t.Errorf("FingerprintText(%.30q) differs from Tokens→ShingleHashes→MinHash→BandKeys", text)
		}
	}
}

func fpEqual(a, b Fingerprint) bool {
	return a.Tokens == b.Tokens && slices.Equal(a.Shingles, b.Shingles) &&
		slices.Equal(a.Sig, b.Sig) && slices.Equal(a.Bands, b.Bands)
}
