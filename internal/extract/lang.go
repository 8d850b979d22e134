package extract

import (
	"strings"

	"golang.org/x/text/language"
)

// minDetectRunes is the text length below which whatlanggo guesses badly
// (a German headline comes out as Spanish) unless it is confident.
const minDetectRunes = 200

// pickLanguage returns an ISO 639-1 code: the page's declaration, else the
// caller's hint, else a detection (see detectLanguage).
func pickLanguage(declared, hint, text string) string {
	if c := iso6391(declared); c != "" {
		return c
	}
	if c := iso6391(hint); c != "" {
		return c
	}
	return detectLanguage(text)
}

// iso6391 reduces a tag such as "en-US", "en_GB" or "eng" to "en".
func iso6391(tag string) string {
	tag = strings.TrimSpace(strings.ReplaceAll(tag, "_", "-"))
	if tag == "" {
		return ""
	}
	if i := strings.IndexAny(tag, ",; "); i > 0 {
		tag = tag[:i]
	}
	t, err := language.Parse(tag)
	if err != nil {
		return ""
	}
	base, conf := t.Base()
	if conf == language.No {
		return ""
	}
	s := base.String()
	if len(s) != 2 {
		return ""
	}
	return s
}
