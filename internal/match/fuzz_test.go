package match

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzCanonicalURL: CanonicalURL never panics; what it returns is an
// absolute http(s) URL that is its own canonical form and carries no
// tracking parameter.
func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"https://Example.COM:443/a/./b/../c?utm_source=x&b=2&a=1#frag",
		"http://user:pw@xn--bcher-kva.example./%7euser/%2F?q=%41+b&fbclid=1",
		"https://[::1]:8080/..//x?",
		"http://bücher.example/ä?ä=ö",
		"https://example.com/%zz?%=&=&a=%2b",
		"https://a.example/p;x?UTM_Medium=z&_ga=1&ref_src=2",
		"http://a/b/c/./../../g",
		" https://a.example ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := CanonicalURL(raw)
		if err != nil {
			return
		}
		again, err := CanonicalURL(c)
		if err != nil {
			t.Fatalf("CanonicalURL(%q) = %q, which it then refuses: %v", raw, c, err)
		}
		if again != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, c, again)
		}
		u, err := url.Parse(c)
		if err != nil {
			t.Fatalf("CanonicalURL(%q) = %q does not parse: %v", raw, c, err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Fragment != "" {
			t.Fatalf("CanonicalURL(%q) = %q is not a bare absolute http(s) URL", raw, c)
		}
		for _, part := range strings.Split(u.RawQuery, "&") {
			k, _, _ := strings.Cut(part, "=")
			if key, err := url.QueryUnescape(k); err == nil && isTracking(key) {
				t.Fatalf("CanonicalURL(%q) = %q keeps tracking parameter %q", raw, c, key)
			}
		}
	})
}

// FuzzContentHash: ContentHash never panics, gives "" or 32 hex digits, and
// does not change when the text is reflowed (whitespace runs replaced,
// leading and trailing whitespace added).
func FuzzContentHash(f *testing.F) {
	for _, s := range []string{
		"Hello, World!",
		"  Ünïcödé\u00adtext\u200b with   soft\thyphens\n\nand paragraphs ",
		"ﬁ ligature ①② ＦＵＬＬ",
		"",
		"e\u0301 \u0301 a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		h := ContentHash(text)
		if h != "" && len(h) != 32 {
			t.Fatalf("ContentHash(%q) = %q, want 32 hex digits", text, h)
		}
		reflowed := "\n\t " + strings.Join(strings.Fields(text), "\n  ") + " \r\n"
		if h2 := ContentHash(reflowed); h2 != h {
			t.Fatalf("reflow changed the hash: %q -> %q vs %q -> %q", text, h, reflowed, h2)
		}
	})
}
