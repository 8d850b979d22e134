package extract

import (
	"net/url"
	"strings"

	"github.com/newstrace/newstrace/internal/match"
)

// canonicalURL resolves ref against base and canonicalizes it through
// match.CanonicalURL (tracking parameters removed); "" when it is not an
// http(s) URL.
func canonicalURL(ref, base string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if b, err := url.Parse(base); err == nil && base != "" {
		u = b.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	c, err := match.CanonicalURL(u.String())
	if err != nil {
		return ""
	}
	return c
}
