package clean

import (
	"regexp"
	"strings"
)

// endsWithURLRe matches a footer line ending in a link ("from Outlet http://…"),
// after which blog templates print "Title - Blog name".
var endsWithURLRe = regexp.MustCompile(`https?://\S+$`)

// pickTitle decides the title and the republisher (a blog name in a title
// suffix). Evidence, strongest first: the title a comment widget quotes,
// the caller's hint, a "Title - Blog" line right after a link footer.
func pickTitle(paras []string, opt Options, quoted string) (title, republisher string) {
	tail := tailTitleLine(paras)
	blogStyle := quoted
	if blogStyle == "" {
		blogStyle = tail
	}
	hint := strings.TrimSpace(opt.Title)

	if blogStyle != "" {
		t, suf, ok := SplitTitleSuffix(blogStyle)
		switch {
		case hint != "" && Normalize(hint) == Normalize(blogStyle):
			return hint, ""
		case hint != "" && ok && Normalize(hint) == Normalize(t):
			return hint, suf
		case hint == "" && ok:
			if opt.SiteName != "" && SameName(suf, opt.SiteName) {
				return t, ""
			}
			return t, suf
		case hint == "":
			return blogStyle, ""
		}
	}
	if hint == "" {
		return "", ""
	}
	return StripSiteSuffix(hint, opt.SiteName), ""
}

// tailTitleLine returns a "Title - Blog" line among the last lines that
// follows a line ending in a link, or "".
func tailTitleLine(paras []string) string {
	for i := len(paras) - 1; i >= 1 && i >= len(paras)-4; i-- {
		p := paras[i]
		if Words(p) > 30 || strings.ContainsAny(p[len(p)-1:], ".!?") {
			continue
		}
		if _, _, ok := SplitTitleSuffix(p); !ok {
			continue
		}
		if endsWithURLRe.MatchString(paras[i-1]) {
			return p
		}
	}
	return ""
}

// isTitleLine reports a line repeating the title, bare or with a suffix.
func isTitleLine(p, title string) bool {
	if title == "" {
		return false
	}
	// Compared by NormalizeHash (with the letter count): this runs for
	// every paragraph, and building both normalized texts cost more than
	// the rest of the rule.
	nt, nl := NormalizeHash(title)
	if h, l := NormalizeHash(p); h == nt && l == nl {
		return true
	}
	if t, _, ok := SplitTitleSuffix(p); ok {
		if h, l := NormalizeHash(t); h == nt && l == nl {
			return true
		}
	}
	return false
}
