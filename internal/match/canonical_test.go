package match

import (
	"testing"

	"github.com/newstrace/newstrace"
)

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"already canonical", "https://example.com/a/b", "https://example.com/a/b"},
		{"empty path becomes slash", "https://example.com", "https://example.com/"},
		{"uppercase scheme and host", "HTTPS://WWW.Example.COM/Path/X", "https://www.example.com/Path/X"},
		{"path case kept", "https://example.com/About", "https://example.com/About"},
		{"default port 80 dropped", "http://example.com:80/a", "http://example.com/a"},
		{"default port 443 dropped", "https://example.com:443/a", "https://example.com/a"},
		{"port 443 on http kept", "http://example.com:443/a", "http://example.com:443/a"},
		{"other port kept", "https://example.com:8443/a", "https://example.com:8443/a"},
		{"fragment dropped", "https://example.com/a#section-2", "https://example.com/a"},
		{"utm and fragment leave no query", "https://example.com/a?utm_source=x#frag", "https://example.com/a"},
		{"all tracking stripped", "https://example.com/a?utm_source=tw&utm_medium=social&fbclid=abc&gclid=1", "https://example.com/a"},
		{"tracking key case-insensitive", "https://example.com/a?UTM_Source=x&FBCLID=y&id=3", "https://example.com/a?id=3"},
		{"every listed tracker", "https://e.com/?dclid=1&gbraid=1&wbraid=1&msclkid=1&mc_cid=1&mc_eid=1&igshid=1&yclid=1&_ga=1&_gl=1&ref_src=1&cmpid=1&ncid=1&ocid=1&s_cid=1&__twitter_impression=true&at_medium=1&at_campaign=1&utm_whatever=1&p=1", "https://e.com/?p=1"},
		{"params sorted", "https://example.com/s?q=go&a=1&m=2", "https://example.com/s?a=1&m=2&q=go"},
		{"sort is stable for repeated keys", "https://example.com/s?b=2&a=z&b=1&a=y", "https://example.com/s?a=z&a=y&b=2&b=1"},
		{"empty pairs dropped", "https://example.com/s?&&a=1&", "https://example.com/s?a=1"},
		{"bare question mark dropped", "https://example.com/s?", "https://example.com/s"},
		{"not-quite tracking key kept", "https://example.com/s?ref=home&utm=1", "https://example.com/s?ref=home&utm=1"},
		{"trailing slash kept", "https://example.com/news/", "https://example.com/news/"},
		{"no trailing slash kept", "https://example.com/news", "https://example.com/news"},
		{"dot segments resolved", "https://example.com/a/./b/../c", "https://example.com/a/c"},
		{"dotdot at end keeps directory", "https://example.com/a/b/..", "https://example.com/a/"},
		{"dotdot above root", "https://example.com/../../a", "https://example.com/a"},
		{"escape hex upper-cased", "https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"},
		{"unreserved escape decoded", "https://example.com/%7Euser/%41bc", "https://example.com/~user/Abc"},
		{"encoded slash kept", "https://example.com/a%2fb", "https://example.com/a%2Fb"},
		{"unicode path escaped", "https://example.com/é", "https://example.com/%C3%A9"},
		{"space in path escaped", "https://example.com/a b", "https://example.com/a%20b"},
		{"encoded tracking key stripped", "https://example.com/?utm%5Fsource=x&k=v", "https://example.com/?k=v"},
		{"encoded plus in query kept", "https://example.com/?q=a%2bb", "https://example.com/?q=a%2Bb"},
		{"stray percent in query escaped", "http://00?%7%41", "http://00/?%257A"},
		{"plus in query kept", "https://example.com/?q=a+b", "https://example.com/?q=a+b"},
		{"ipv6 host", "http://[2001:DB8::1]:80/x", "http://[2001:db8::1]/x"},
		{"ipv6 host with port", "https://[::1]:8443/x", "https://[::1]:8443/x"},
		{"ipv4 host", "http://127.0.0.1:8080/x?utm_campaign=y", "http://127.0.0.1:8080/x"},
		{"user info dropped", "https://user:pw@example.com/x", "https://example.com/x"},
		{"trailing dot on host", "https://example.com./x", "https://example.com/x"},
		{"idn host to punycode", "https://Bücher.example/x", "https://xn--bcher-kva.example/x"},
		{"surrounding space trimmed", "  https://example.com/x  ", "https://example.com/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalURL(tt.in)
			if err != nil {
				t.Fatalf("CanonicalURL(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// Canonical form is a fixed point.
			again, err := CanonicalURL(got)
			if err != nil || again != got {
				t.Errorf("not idempotent: %q -> %q (%v)", got, again, err)
			}
		})
	}
}

func TestCanonicalURLErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"blank", "   "},
		{"relative path", "/news/story"},
		{"scheme-less host", "example.com/news"},
		{"protocol-relative", "//example.com/news"},
		{"ftp", "ftp://example.com/file"},
		{"javascript", "javascript:alert(1)"},
		{"mailto", "mailto:a@example.com"},
		{"opaque http", "http:example.com"},
		{"no host", "http:///path"},
		{"bad escape", "https://example.com/%zz"},
		{"space in host", "https://exa mple.com/"},
		{"control char", "https://example.com/\x7f"},
		{"garbage", "::::"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalURL(tt.in)
			if err == nil {
				t.Fatalf("CanonicalURL(%q) = %q, want an error", tt.in, got)
			}
			if code := newstrace.ErrorCode(err); code != newstrace.EINVALID {
				t.Errorf("error code = %q, want %q (%v)", code, newstrace.EINVALID, err)
			}
		})
	}
}

func TestCanonicalURLEquivalents(t *testing.T) {
	// Links that reach the same story from different shares must agree.
	variants := []string{
		"https://news.example.org/2024/05/story?id=7",
		"HTTPS://News.Example.org:443/2024/05/story?utm_source=twitter&id=7#comments",
		"https://news.example.org/2024/./05/x/../story?fbclid=IwAR0&id=7",
		"https://news.example.org/2024/05/story?id=7&utm_medium=email&mc_cid=abc&mc_eid=def",
	}
	want, err := CanonicalURL(variants[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range variants[1:] {
		got, err := CanonicalURL(v)
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if got != want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", v, got, want)
		}
	}
}

func TestHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://WWW.Example.COM/a?b":  "example.com",
		"http://news.example.org:8080": "news.example.org",
		"https://www2.example.com/":    "www2.example.com",
		"not a url at all":             "",
		"::":                           "",
		"":                             "",
	} {
		if got := Host(in); got != want {
			t.Errorf("Host(%q) = %q, want %q", in, got, want)
		}
	}
}
