// Package match computes the fingerprints that tell two documents are the
// same: a canonical URL and a hash of normalised text.
package match

import (
	"net"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/idna"

	"github.com/newstrace/newstrace"
)

// trackingParams are query keys that identify a campaign or a click, never
// the content; they are compared lower-cased. Every "utm_*" key goes too.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "mc_cid": true, "mc_eid": true, "igshid": true, "yclid": true,
	"_ga": true, "_gl": true, "ref_src": true, "cmpid": true, "ncid": true,
	"ocid": true, "s_cid": true, "__twitter_impression": true,
	"at_medium": true, "at_campaign": true,
}

func isTracking(key string) bool {
	k := strings.ToLower(key)
	return strings.HasPrefix(k, "utm_") || trackingParams[k]
}

// CanonicalURL returns the form of an absolute http(s) URL under which two
// links to the same page compare equal: scheme and host lower-cased (and a
// trailing dot dropped), default ports, user info and fragment dropped,
// dot segments resolved, percent-encoding normalised (upper-case hex,
// unreserved characters decoded), tracking parameters removed and the
// remaining ones sorted by key (stable, so repeated keys keep their order).
// An empty path becomes "/"; any other trailing slash is kept as is.
func CanonicalURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", newstrace.Errorf(newstrace.EINVALID, "canonical URL: empty URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", newstrace.Errorf(newstrace.EINVALID, "canonical URL %q: %s", raw, urlErrMsg(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		if u.Scheme == "" {
			return "", newstrace.Errorf(newstrace.EINVALID, "canonical URL %q: not an absolute http(s) URL", raw)
		}
		return "", newstrace.Errorf(newstrace.EINVALID, "canonical URL %q: scheme %q is not http or https", raw, u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return "", newstrace.Errorf(newstrace.EINVALID, "canonical URL %q: no host", raw)
	}
	host, err := canonicalHost(u)
	if err != nil {
		return "", newstrace.Errorf(newstrace.EINVALID, "canonical URL %q: %s", raw, err.Error())
	}
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	b.WriteString(host)
	b.WriteString(canonicalPath(u.EscapedPath()))
	if q := canonicalQuery(u.RawQuery); q != "" {
		b.WriteByte('?')
		b.WriteString(q)
	}
	return b.String(), nil
}

func urlErrMsg(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}

type hostError string

func (e hostError) Error() string { return string(e) }

// canonicalHost lower-cases the host, converts an international name to
// its ASCII (punycode) form, drops trailing dots and the default port of
// the scheme, and keeps IPv6 literals bracketed.
func canonicalHost(u *url.URL) (string, error) {
	// All trailing dots: "a.example.." must not canonicalise to
	// "a.example." and then to "a.example" (found by FuzzCanonicalURL).
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	if host == "" {
		return "", hostError("no host")
	}
	if !isASCII(host) {
		if a, err := idna.Lookup.ToASCII(host); err == nil {
			host = strings.TrimRight(a, ".") // "ä。" maps to "xn--4ca."
		}
		if host == "" {
			return "", hostError("no host")
		}
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" || strings.Contains(host, ":") {
		if port == "" {
			return "[" + host + "]", nil
		}
		return net.JoinHostPort(host, port), nil
	}
	return host, nil
}

// canonicalPath normalises escapes and resolves "." and ".." segments
// (RFC 3986 §5.2.4), keeping a trailing slash if there was one.
func canonicalPath(p string) string {
	p = normEscapes(p, false)
	if p == "" {
		return "/"
	}
	segs := strings.Split(p, "/")
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
			if last {
				out = append(out, "")
			}
		case "..":
			// Never climb above the root (out[0] is the empty root segment).
			if len(out) > 1 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	r := strings.Join(out, "/")
	if !strings.HasPrefix(r, "/") {
		r = "/" + r
	}
	return r
}

// canonicalQuery drops empty pairs and tracking keys and sorts the rest by
// key. Pairs keep their (normalised) escaping, so "a+b" and "a%20b" stay as
// the page had them.
func canonicalQuery(q string) string {
	if q == "" {
		return ""
	}
	type pair struct{ key, raw string }
	var pairs []pair
	for _, part := range strings.Split(q, "&") {
		if part == "" {
			continue
		}
		// A raw space (url.Parse lets it through in a query) is encoded:
		// "?a " must not come out with a trailing space that the next
		// call trims away (found by FuzzCanonicalURL).
		part = strings.ReplaceAll(normEscapes(part, true), " ", "%20")
		k, _, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if isTracking(key) {
			continue
		}
		pairs = append(pairs, pair{key, part})
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return strings.Compare(a.key, b.key) })
	raws := make([]string, len(pairs))
	for i, p := range pairs {
		raws[i] = p.raw
	}
	return strings.Join(raws, "&")
}

// normEscapes upper-cases the hex of every %XX and decodes the ones that
// encode unreserved characters (RFC 3986 §6.2.2.2), which never change
// meaning. In a query, "+" is a space, so an encoded "+" stays encoded.
// A '%' that starts no escape becomes "%25".
func normEscapes(s string, query bool) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			// A stray '%' is written as the escape it stands for: left bare,
			// a decoded neighbour could complete it ("%7%41" → "%7A"), and
			// the canonical form would change when canonicalised again.
			b.WriteString("%25")
			continue
		}
		c := unhex(s[i+1])<<4 | unhex(s[i+2])
		if isUnreserved(c) && !(query && c == '+') {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(s[i+1 : i+3]))
		}
		i += 2
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// Host returns raw's host lower-cased and without a leading "www.", the
// form outlets are told apart by, or "" when raw does not parse.
func Host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}
