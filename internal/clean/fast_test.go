package clean

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The fast forms below must agree with the plain ones they replaced.

func normalizeReference(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

var fastSamples = []string{
	"", " ", "Hello, World!", "  ÉCOLE  d'été\u00a02024 ", "İstanbul ΣΊΣΥΦΟΣ", "\xffA\xfe b",
	"Copyright 2024 Example Media", "© 2019 Foo", "ALL RIGHTS RESERVED.", "For your personal, non-commercial use only",
	"tab\tseparated\nlines\u2028here", "Jane Doe contributed to this report.", "Additional reporting by AP",
	"Write to Jane at jane@example.com", "FOLLOW her on Twitter", "Have a news tip? Email us", "Sign up for our NEWSLETTER",
	"Get it in your Inbox", "E-mail the author at x", "ǅ ǈ ǋ", "K ſ", "copyrighted material", "no notice here",
}

func TestFastFormsMatchReference(t *testing.T) {
	for _, s := range fastSamples {
		checkFastForms(t, s)
	}
}

func FuzzFastForms(f *testing.F) {
	for _, s := range fastSamples {
		f.Add(s)
	}
	f.Fuzz(checkFastForms)
}

func checkFastForms(t *testing.T, s string) {
	if got, want := Normalize(s), normalizeReference(s); got != want {
		t.Fatalf("Normalize(%q) = %q, want %q", s, got, want)
	}
	h, letters := NormalizeHash(s)
	n := Normalize(s)
	if h != HashString(n) || letters != utf8.RuneCountInString(strings.ReplaceAll(n, " ", "")) {
		t.Fatalf("NormalizeHash(%q) = %x, %d; want %x, %d", s, h, letters, HashString(n), utf8.RuneCountInString(strings.ReplaceAll(n, " ", "")))
	}
	// In pieces: every split point of s (by bytes, so runes may be cut).
	for cut := 0; cut <= len(s) && cut < 64; cut++ {
		var nh NormHasher
		nh.Add(s[:cut])
		nh.Add(s[cut:])
		if ph, pl := nh.Sum(); s[:cut]+s[cut:] == s && utf8.ValidString(s[:cut]) && (ph != h || pl != letters) {
			t.Fatalf("NormHasher(%q | %q) = %x, %d; want %x, %d", s[:cut], s[cut:], ph, pl, h, letters)
		}
	}
	if got, want := Words(s), len(strings.Fields(s)); got != want {
		t.Fatalf("Words(%q) = %d, want %d", s, got, want)
	}
	// The guard may only skip lines the expression would not match
	// (ASCII spellings; see mayBeCopyright).
	if copyrightRe.MatchString(s) && !mayBeCopyright(s) && isASCIIFoldSafe(s) {
		t.Fatalf("mayBeCopyright(%q) = false, but copyrightRe matches", s)
	}
	if creditRe.MatchString(s) && !mayBeCredit(s) && isASCIIFoldSafe(s) {
		t.Fatalf("mayBeCredit(%q) = false, but creditRe matches", s)
	}
	if newsletterRe.MatchString(s) && !containsFold(s, "newsletter") && !containsFold(s, "inbox") && isASCIIFoldSafe(s) {
		t.Fatalf("newsletter pre-check misses %q", s)
	}
}

// isASCIIFoldSafe reports text without the two non-ASCII runes that fold
// to ASCII letters (the Kelvin sign and the long s).
func isASCIIFoldSafe(s string) bool { return !strings.ContainsAny(s, "\u212aſ") }

// titleLineByHash is the rule as it was before titleLine: both texts
// reduced to NormalizeHash, the suffix split tried on every paragraph.
func titleLineByHash(p, title string) bool {
	if title == "" {
		return false
	}
	nt, nl := NormalizeHash(title)
	if h, l := NormalizeHash(p); h == nt && l == nl {
		return true
	}
	if t, _, ok := SplitTitleSuffix(p); ok {
		if h, l := NormalizeHash(t); h == nt && l == nl {
			return true
		}
	}
	return false
}

func TestTitleLineForms(t *testing.T) {
	title := "Iran says talks will resume"
	for _, c := range []struct {
		p    string
		want bool
	}{
		{"Iran says talks will resume", true},
		{"IRAN SAYS: talks will resume!", true},
		{"Iran says talks will resume | Daily Blog", true},
		{"Iran says talks will resume - The Tehran Times", true},
		{"Iran says talks will resume soon, officials said.", false},
		{"Iran says talks will resume - and then they did not, which nobody at the ministry had expected at all", false},
		{"Officials: Iran says talks will resume", false},
		{"", false},
	} {
		if got := isTitleLine(c.p, title); got != c.want || got != titleLineByHash(c.p, title) {
			t.Errorf("isTitleLine(%q) = %v, want %v (by hash %v)", c.p, got, c.want, titleLineByHash(c.p, title))
		}
	}
	if isTitleLine("anything", "") {
		t.Error("an empty title matched")
	}
}

// FuzzTitleLine holds titleLine to the hash form it replaced.
func FuzzTitleLine(f *testing.F) {
	f.Add("Iran says talks will resume | Blog", "Iran says talks will resume")
	f.Add("Title - Site Name", "title")
	f.Add("«Título» — Diário", "Título")
	f.Fuzz(func(t *testing.T, p, title string) {
		if got, want := isTitleLine(p, title), titleLineByHash(p, title); got != want {
			t.Fatalf("isTitleLine(%q, %q) = %v, hash form %v", p, title, got, want)
		}
	})
}
