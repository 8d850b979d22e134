package trafilatura

import (
	"strings"
	"testing"
)

// trimReference is upstream's trim.
func trimReference(s string) string {
	return strings.TrimSpace(strings.Join(strings.Fields(s), " "))
}

func TestTrimMatchesUpstream(t *testing.T) {
	for _, s := range []string{
		"", " ", "a", " a", "a ", "a  b", "a\tb", "a\u00a0b", "\u3000a\u2028", "a b c",
		"a \n b", "\xff \xfe", "a\x85b", "é à", "  ", "x\r\ny",
	} {
		if got, want := trim(s), trimReference(s); got != want {
			t.Errorf("trim(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzTrim(f *testing.F) {
	f.Add("a  b\u00a0c ")
	f.Add("\xffx \t")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := trim(s), trimReference(s); got != want {
			t.Fatalf("trim(%q) = %q, want %q", s, got, want)
		}
	})
}
