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

// titleLine is a title read once for testing every paragraph against it.
type titleLine struct {
	set  bool
	norm string // Normalize(title)
}

func titleForm(title string) titleLine { return titleLine{title != "", Normalize(title)} }

// matches reports whether p (n = Normalize(p)) repeats the title, bare or
// with a "| Site" suffix. Normalize reads runes one by one, so the
// normalized title part of "Title | Site" starts n: most paragraphs fail
// that test before any suffix is split off.
func (t titleLine) matches(p, n string) bool {
	if !t.set {
		return false
	}
	if n == t.norm {
		return true
	}
	if !strings.HasPrefix(n, t.norm) {
		return false
	}
	head, _, ok := SplitTitleSuffix(p)
	return ok && Normalize(head) == t.norm
}
