package web

import (
	"regexp"
)

// ownScript is the one script tag pages carry: our reader.js.
var ownScript = regexp.MustCompile(`<script src="/static/reader\.js\?v=[0-9a-f]+" defer></script>`)

// withoutOwnScript drops our reader.js tag so XSS checks can insist on no
// other "<script" in a page.
func withoutOwnScript(body string) string { return ownScript.ReplaceAllString(body, "") }
