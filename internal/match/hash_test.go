package match

import (
	"regexp"
	"testing"
)

func TestContentHashEqual(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"reflowed lines", "The council approved\nthe plan on Tuesday.", "The council approved the plan\n\non   Tuesday."},
		{"case", "Breaking News", "BREAKING news"},
		{"curly vs straight quotes", "He said “no” — twice.", `He said "no" - twice.`},
		{"single quotes", "It’s ‘fine’", "It's 'fine'"},
		{"leading and trailing space", "  text here\t", "text here"},
		{"punctuation runs", "Wait... what?!", "Wait what"},
		{"NFKC fullwidth", "ＡＢＣ１２３", "abc123"},
		{"NFKC ligature", "ﬁnal ofﬁce", "final office"},
		{"NFC vs NFD accents", "caf\u00e9", "cafe\u0301"},
		{"non-breaking space", "a\u00a0b", "a b"},
		{"soft hyphen invisible", "infor\u00admation", "information"},
		{"zero-width space invisible", "news\u200broom", "newsroom"},
		{"arabic script kept", "«الخبر» العاجل", "الخبر العاجل"},
		{"urdu punctuation", "یہ خبر ہے۔", "یہ خبر ہے"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ha, hb := ContentHash(tt.a), ContentHash(tt.b)
			if ha == "" || ha != hb {
				t.Errorf("ContentHash(%q) = %q, ContentHash(%q) = %q: want equal and non-empty", tt.a, ha, tt.b, hb)
			}
		})
	}
}

func TestContentHashDiffer(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"one word changed", "The council approved the plan", "The council rejected the plan"},
		{"digits matter", "Killed 12 people", "Killed 21 people"},
		{"word split matters", "news room", "newsroom"},
		{"accents matter", "resume", "résumé"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ContentHash(tt.a) == ContentHash(tt.b) {
				t.Errorf("ContentHash(%q) == ContentHash(%q), want different", tt.a, tt.b)
			}
		})
	}
}

func TestContentHashEmptyAndShape(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" or "hex"
	}{
		{"empty", "", ""},
		{"only whitespace", " \n\t ", ""},
		{"only punctuation", "... — !!!", ""},
		{"text", "hello", "hex"},
	}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ContentHash(tt.in)
			switch tt.want {
			case "":
				if got != "" {
					t.Errorf("ContentHash(%q) = %q, want empty", tt.in, got)
				}
			default:
				if !hex32.MatchString(got) {
					t.Errorf("ContentHash(%q) = %q, want 32 hex digits", tt.in, got)
				}
			}
		})
	}
	// Pin the normalisation so a silent change (which would orphan every
	// stored hash) fails here: sha256("hello world")[:16].
	if got, want := ContentHash("Hello, World!"), "b94d27b9934d3e08a52e52d7da7dabfa"; got != want {
		t.Errorf("ContentHash pinned value = %q, want %q", got, want)
	}
}

func BenchmarkContentHash(b *testing.B) {
	text := ""
	for range 200 {
		text += "The council approved the “riverside” plan on Tuesday, officials said. "
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		ContentHash(text)
	}
}
