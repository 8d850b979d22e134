package extract

import "testing"

// hintOfValue's ASCII path must agree with the plain split-and-lower form.
func TestHintOfValueMatchesSlow(t *testing.T) {
	for _, v := range []string{
		"", "related-posts", "Post_Related", "entry social-share", "NEWSLETTER", "x123 promo",
		"shared", "sharebar", "caption credit", "a-very-long-class-name-that-goes-on-and-on-and-on-past-sixty-four-bytes share",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaashare", "related\u00a0box", "Ünïcode related",
	} {
		if got, want := hintOfValue(v), hintOfValueSlow(v); got != want {
			t.Errorf("hintOfValue(%q) = %q, want %q", v, got, want)
		}
	}
}

func FuzzHintOfValue(f *testing.F) {
	f.Add("related-posts share")
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := hintOfValue(v), hintOfValueSlow(v); got != want {
			t.Fatalf("hintOfValue(%q) = %q, want %q", v, got, want)
		}
	})
}
