package story

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/newstrace/newstrace/internal/clean"
	"github.com/newstrace/newstrace/internal/match"
)

// ownNames are the names under which d itself was published: its source,
// the blog that reposted it, its host, and the outlet named in its header
// when nothing says it is a copy.
func ownNames(d *Doc) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	add(d.Source)
	add(d.Provenance.Republisher)
	p := d.Provenance
	if p.Republisher == "" && p.ViaURL == "" && (d.Source == "" || clean.SameName(d.Source, p.Outlet)) {
		add(p.Outlet)
	}
	return out
}

// creditNames are the outlets d names as where its text came from: the
// credited original, and a header outlet that is not d's own (a repost
// keeps the original's byline line).
func creditNames(d *Doc) []string {
	var out []string
	p := d.Provenance
	if s := strings.TrimSpace(p.OriginalSource); s != "" {
		out = append(out, s)
	}
	if o := strings.TrimSpace(p.Outlet); o != "" && !containsName(ownNames(d), o) {
		out = append(out, o)
	}
	return out
}

func containsName(names []string, n string) bool {
	for _, m := range names {
		if clean.SameName(m, n) {
			return true
		}
	}
	return false
}

// credits reports whether b names a as its origin, and how: by a via link
// to a's page or host, or by naming a's outlet.
func credits(b, a *Doc) (string, bool) {
	if v := b.Provenance.ViaURL; v != "" && a.URL != "" {
		if sameURL(v, a.URL) {
			return "via link " + v, true
		}
		if h := hostOf(v); h != "" && !shortLinkHosts[h] && h == hostOf(a.URL) {
			return "via host " + h, true
		}
	}
	own := ownNames(a)
	host := hostOf(a.URL)
	for _, c := range creditNames(b) {
		if containsName(own, c) || host != "" && hostMatchesName(host, c) {
			if c == b.Provenance.OriginalSource {
				return "credit: 'Source: " + c + "'", true
			}
			return "credit: outlet '" + c + "'", true
		}
	}
	return "", false
}

// shortLinkHosts hide the page they point at; a link through one credits
// nobody by its host.
var shortLinkHosts = map[string]bool{
	"ift.tt": true, "bit.ly": true, "t.co": true, "ow.ly": true, "buff.ly": true,
	"dlvr.it": true, "feedproxy.google.com": true, "goo.gl": true, "tinyurl.com": true,
	"trib.al": true, "fb.me": true, "wp.me": true, "is.gd": true, "j.mp": true,
}

func hostOf(raw string) string { return match.Host(strings.TrimSpace(raw)) }

func sameURL(a, b string) bool {
	ua, err1 := url.Parse(strings.TrimSpace(a))
	ub, err2 := url.Parse(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return false
	}
	return hostOf(a) == hostOf(b) && strings.TrimSuffix(ua.EscapedPath(), "/") == strings.TrimSuffix(ub.EscapedPath(), "/") && ua.EscapedPath() != ""
}

// hostLabels that say nothing about the outlet.
var genericLabels = map[string]bool{"com": true, "org": true, "net": true, "co": true, "uk": true, "blogspot": true,
	"wordpress": true, "news": true, "www": true, "m": true, "amp": true, "medium": true, "substack": true}

// hostMatchesName matches "fortruss.blogspot.com" with "Fort Russ News" and
// "rt.com" with "RT": a host label equal to, or a long prefix of, the
// squashed name.
func hostMatchesName(host, name string) bool {
	sq := squash(name)
	if sq == "" {
		return false
	}
	for _, l := range strings.Split(host, ".") {
		if genericLabels[l] || l == "" {
			continue
		}
		if l == sq || len(l) >= 4 && (strings.HasPrefix(sq, l) || strings.HasPrefix(l, sq) && len(sq) >= 4) {
			return true
		}
	}
	return false
}

func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return strings.TrimPrefix(b.String(), "the")
}
