package search

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/newstrace/newstrace"
)

// Format writes q back in the query language; Parse(Format(q)) gives q again
// for any q that Parse returned. Paging and the user are not part of it.
func Format(q newstrace.SearchQuery) string {
	var parts []string
	for _, c := range q.Clauses {
		terms := make([]string, 0, len(c.Any))
		for _, t := range c.Any {
			terms = append(terms, formatTerm(t, c.Negated))
		}
		s := strings.Join(terms, " OR ")
		if c.Negated {
			s = "-" + s
		}
		parts = append(parts, s)
	}
	for _, v := range q.Sources {
		parts = append(parts, "source:"+formatValue(v))
	}
	for _, v := range q.Langs {
		parts = append(parts, "lang:"+formatValue(v))
	}
	for _, v := range q.Authors {
		parts = append(parts, "author:"+formatValue(v))
	}
	if q.After != nil {
		parts = append(parts, "after:"+formatDate(*q.After))
	}
	if q.Before != nil {
		parts = append(parts, "before:"+formatDate(*q.Before))
	}
	if q.Starred != nil {
		parts = append(parts, map[bool]string{true: "is:starred", false: "is:unstarred"}[*q.Starred])
	}
	if q.Unread != nil {
		parts = append(parts, map[bool]string{true: "is:unread", false: "is:read"}[*q.Unread])
	}
	if q.StoryID != 0 {
		parts = append(parts, "story:"+strconv.FormatInt(q.StoryID, 10))
	}
	return strings.Join(parts, " ")
}

// formatTerm quotes what would not read back as the same bare word; after
// the "-" of an exclusion a word may itself start with "-". The operator OR
// is only the bare token: "-OR" and "OR*" read back as the word OR, and
// quoting them would make a phrase.
func formatTerm(t newstrace.SearchTerm, negated bool) string {
	text := strings.ReplaceAll(t.Text, `"`, " ")
	var s string
	if t.Phrase || text != t.Text || (text == "OR" && !negated && !t.Prefix) || text == "" || strings.ContainsFunc(text, isSpace) ||
		(!negated && strings.HasPrefix(text, "-")) || strings.HasSuffix(text, "*") || looksLikeFilter(text) {
		s = `"` + text + `"`
	} else {
		s = text
	}
	if t.Prefix {
		s += "*"
	}
	return s
}

func looksLikeFilter(s string) bool {
	key, _, ok := strings.Cut(s, ":")
	return ok && isFilter(strings.ToLower(key))
}

func formatValue(v string) string {
	v = strings.ReplaceAll(v, `"`, " ")
	if v == "" || strings.ContainsFunc(v, isSpace) {
		return `"` + v + `"`
	}
	return v
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }

func formatDate(t time.Time) string {
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}
