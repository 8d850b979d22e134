package extract

import (
	"regexp"
	"strings"

	"github.com/newstrace/newstrace/internal/clean"
)

// bylineTailWord is a weekday, a month that is not also a name, or a
// "Published"-like label.
const bylineTailWord = `(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|september|october|november|december|published|updated|posted)`

var (
	// bylineTailRe is what a byline carries after the names once its
	// digits are gone: "Jeff Foust Monday", "Staff November", "wire
	// services Published". May, June, April and August are left: they are
	// also names.
	bylineTailRe = regexp.MustCompile(`(?i)(?:\s+|^)` + bylineTailWord + `(?:\s+(?:` + bylineTailWord + `|on|at))*\s*$`)
	// roleRe is a job title standing where a name should: "AP Sports
	// Writer", "Staff Correspondent".
	roleRe         = regexp.MustCompile(`(?i)\b(?:writer|correspondent|reporter|editor|columnist|contributor)s?$`)
	authorSplitRe  = regexp.MustCompile(`(?i)\s*(?:;|,|&|\band\b|\bund\b|\bet\b|\by\b|\|)\s*`)
	authorPrefixRe = regexp.MustCompile(`(?i)^\s*(?:by|written by|von|par|por|author:?)\s+`)
)

// splitAuthors turns "By Jane Doe and John Roe" or "Jane Doe, John Roe"
// into names, dropping duplicates and anything that is not a name.
func splitAuthors(s string) []string {
	s = authorPrefixRe.ReplaceAllString(strings.TrimSpace(s), "")
	var out []string
	seen := map[string]bool{}
	for _, part := range authorSplitRe.Split(s, -1) {
		part = strings.Trim(authorPrefixRe.ReplaceAllString(part, ""), " .·•|-–—")
		part = strings.Trim(bylineTailRe.ReplaceAllString(part, ""), " .·•|-–—")
		if part == "" || roleRe.MatchString(part) || credentials[strings.ToLower(strings.ReplaceAll(part, ".", ""))] || clean.Words(part) > 6 || strings.Contains(part, "://") || seen[strings.ToLower(part)] {
			continue
		}
		seen[strings.ToLower(part)] = true
		out = append(out, part)
	}
	return out
}

// credentials follow a name after a comma ("Rachael Link, MS, RD").
var credentials = map[string]bool{
	"phd": true, "md": true, "ms": true, "rd": true, "rn": true, "mph": true, "mba": true, "ma": true,
	"msc": true, "bsc": true, "ld": true, "cde": true, "cpt": true, "jr": true, "sr": true, "do": true,
	"dds": true, "np": true, "pa": true, "lac": true, "cscs": true, "facc": true, "faap": true,
}
