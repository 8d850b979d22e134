package fetch

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzParseRetryAfter: a server's Retry-After header never panics the
// client and always gives a delay in [0, 7 days]; whole seconds are taken
// as such.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "0", "-5", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", " 3 ", "1e3", "+7"} {
		f.Add(s, int64(1445412480))
	}
	f.Fuzz(func(t *testing.T, v string, nowUnix int64) {
		now := time.Unix(nowUnix, 0)
		d := ParseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q) = %v, outside [0, %v]", v, d, maxRetryAfter)
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			want := time.Duration(0)
			if n > 0 {
				want = min(time.Duration(min(n, int64(maxRetryAfter/time.Second)))*time.Second, maxRetryAfter)
			}
			if d != want {
				t.Fatalf("ParseRetryAfter(%q) = %v, want %v", v, d, want)
			}
		}
	})
}

// FuzzClassifyIP: every address the standard library calls loopback,
// private, link-local, multicast or unspecified is refused, whatever its
// spelling (zones, IPv4-mapped/compatible, NAT64, 6to4), and an IPv4-mapped
// address is judged exactly as the IPv4 address it carries.
func FuzzClassifyIP(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "::ffff:10.0.0.1", "fe80::1%eth0", "64:ff9b::a9fe:a9fe", "2002:7f00:1::",
		"::127.0.0.1", "8.8.8.8", "2606:4700::1111", "ff02::1", "0.0.0.0", "168.63.129.16", "fd00:ec2::254", "::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			if len(s) != 4 && len(s) != 16 {
				return
			}
			ip, _ = netip.AddrFromSlice([]byte(s)) // raw bytes reach every address
		}
		got := ClassifyIP(ip)
		if !ip.IsValid() {
			if got == "" {
				t.Fatal("invalid address passes")
			}
			return
		}
		if got != ClassifyIP(ip.WithZone("")) {
			t.Fatalf("zone changes the verdict on %v", ip)
		}
		if ip.Is4In6() && got != ClassifyIP(ip.Unmap()) {
			t.Fatalf("%v is %q but %v is %q", ip, got, ip.Unmap(), ClassifyIP(ip.Unmap()))
		}
		if got == "" {
			for _, a := range []netip.Addr{ip, ip.Unmap()} {
				if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
					a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() {
					t.Fatalf("%v passes as public", ip)
				}
			}
		}
	})
}

// FuzzToUTF8: decoding a body never panics and, when it succeeds, gives
// valid UTF-8 without a byte-order mark.
func FuzzToUTF8(f *testing.F) {
	f.Add([]byte("\xef\xbb\xbfh\xe9llo"), "text/html; charset=utf-8")
	f.Add([]byte(`<meta charset="shift_jis">\x82\xa0`), "")
	f.Add([]byte("\xff\xfeh\x00i\x00"), "text/plain")
	f.Add([]byte("caf\xe9"), "text/html; charset=bogus")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		out, name, err := ToUTF8(body, contentType)
		if err != nil {
			return
		}
		if name == "" {
			t.Fatal("no encoding name")
		}
		if !utf8Valid(out) {
			t.Fatalf("ToUTF8(%q, %q) as %s gave invalid UTF-8 %q", body, contentType, name, out)
		}
	})
}

func utf8Valid(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }

// FuzzMetaRefresh: a shortener's interstitial page never panics the
// resolver, and a refresh target is an absolute http(s) URL.
func FuzzMetaRefresh(f *testing.F) {
	f.Add([]byte(`<meta http-equiv="refresh" content="0;URL='https://example.com/a'">`), "https://t.co/x")
	f.Add([]byte(`<META HTTP-EQUIV=Refresh CONTENT='1, ../b'>`), "https://bit.ly/y/z")
	f.Add([]byte(`<meta http-equiv="refresh" content="0; url=javascript:alert(1)">`), "https://t.co/x")
	f.Fuzz(func(t *testing.T, body []byte, final string) {
		got := metaRefresh(&Response{Body: body, ContentType: "text/html", FinalURL: final})
		if got == "" {
			return
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			t.Fatalf("metaRefresh gave %q", got)
		}
	})
}
