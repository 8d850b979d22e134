// Package sanitize holds the one HTML policy for everything shown to readers:
// feed content, extracted article bodies and anything served as HTML.
package sanitize

import (
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

var (
	once   sync.Once
	policy *bluemonday.Policy
)

// Policy returns the shared policy: bluemonday's UGC policy (no scripts, no
// event handlers, no javascript:/data: URLs, no style), with links forced to
// open safely and referrers withheld from the outlets being read.
func Policy() *bluemonday.Policy {
	once.Do(func() {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.RequireNoReferrerOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(true)
		p.AllowURLSchemes("http", "https", "mailto")
		policy = p
	})
	return policy
}

// HTML returns s with everything unsafe removed.
func HTML(s string) string { return Policy().Sanitize(s) }
