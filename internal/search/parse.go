// Package search reads the query language people type into a
// newstrace.SearchQuery that every store backend understands:
//
//	floods "valley towns" evacuat* rain OR storm -sport
//	source:"Fort Russ News" lang:en author:lane after:2024-05-01 before:2024-06-01
//	is:starred is:unread story:42
//
// Words are ANDed; OR joins the terms on either side; a leading - excludes a
// term; filters narrow by metadata. Quotes make a phrase or hold a filter
// value with spaces. Anything else, including operators of the backend's own
// syntax (NEAR, ^, column:), is plain text.
package search

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/newstrace/newstrace"
)

// MaxQueryLen bounds what Parse reads, so one request cannot build a huge expression.
const MaxQueryLen = 1000

// maxTerms bounds the terms of one query for the same reason.
const maxTerms = 32

func invalid(format string, args ...any) error {
	return newstrace.Errorf(newstrace.EINVALID, format, args...)
}

// token is one lexical unit: a term, OR, or a filter.
type token struct {
	term    newstrace.SearchTerm
	negated bool
	or      bool   // the OR operator
	key     string // filter name when this is a filter
	value   string
}

// Parse reads a query. Errors are EINVALID with a one-line message meant for
// the person who typed it.
func Parse(s string) (newstrace.SearchQuery, error) {
	var q newstrace.SearchQuery
	if len(s) > MaxQueryLen {
		return q, invalid("the query is too long (at most %d characters)", MaxQueryLen)
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	toks, err := lex(s)
	if err != nil {
		return q, err
	}
	terms := 0
	// pendingOr says the previous token was OR, so the next term joins the last clause.
	pendingOr := false
	for i, t := range toks {
		switch {
		case t.or:
			if pendingOr || len(q.Clauses) == 0 || q.Clauses[len(q.Clauses)-1].Negated || i == len(toks)-1 || toks[i+1].key != "" || toks[i+1].or {
				return newstrace.SearchQuery{}, invalid("OR needs a search term on each side (excluded terms cannot be ORed)")
			}
			pendingOr = true
		case t.key != "":
			if err := applyFilter(&q, t); err != nil {
				return newstrace.SearchQuery{}, err
			}
		default:
			if !hasWordChar(t.term.Text) {
				// Punctuation alone (a lone "-", "*", "^") searches for nothing.
				if pendingOr {
					return newstrace.SearchQuery{}, invalid("OR needs a search term on each side (excluded terms cannot be ORed)")
				}
				continue
			}
			if terms++; terms > maxTerms {
				return newstrace.SearchQuery{}, invalid("too many search terms (at most %d)", maxTerms)
			}
			if pendingOr {
				if t.negated {
					return newstrace.SearchQuery{}, invalid("OR needs a search term on each side (excluded terms cannot be ORed)")
				}
				last := &q.Clauses[len(q.Clauses)-1]
				last.Any = append(last.Any, t.term)
				pendingOr = false
				continue
			}
			q.Clauses = append(q.Clauses, newstrace.SearchClause{Any: []newstrace.SearchTerm{t.term}, Negated: t.negated})
		}
	}
	if len(q.Clauses) == 0 && !hasFilter(q) {
		return newstrace.SearchQuery{}, invalid("the query is empty: type a word to search for")
	}
	return q, nil
}

// lex splits s into tokens.
func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		var t token
		if s[i] == '-' && i+1 < len(s) && !isSpaceAt(s, i+1) {
			t.negated = true
			i++
		}
		if s[i] == '"' {
			text, next, err := quoted(s, i)
			if err != nil {
				return nil, err
			}
			t.term = newstrace.SearchTerm{Text: text, Phrase: true}
			i = next
			if i < len(s) && s[i] == '*' {
				t.term.Prefix = true
				for i < len(s) && s[i] == '*' {
					i++
				}
			}
			toks = append(toks, t)
			continue
		}
		start := i
		for i < len(s) && s[i] != '"' && !isSpaceAt(s, i) {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
		word := s[start:i]
		if key, value, ok := strings.Cut(word, ":"); ok && isFilter(strings.ToLower(key)) {
			t.key = strings.ToLower(key)
			if t.negated {
				return nil, invalid("%s: filters cannot be excluded with -; exclusion works on words", t.key)
			}
			if value == "" && i < len(s) && s[i] == '"' {
				text, next, err := quoted(s, i)
				if err != nil {
					return nil, err
				}
				value, i = text, next
			}
			if strings.TrimSpace(value) == "" {
				return nil, invalid("%s: needs a value, e.g. %s", t.key, filterExample[t.key])
			}
			t.value = strings.TrimSpace(value)
			toks = append(toks, t)
			continue
		}
		if word == "OR" && !t.negated {
			toks = append(toks, token{or: true})
			continue
		}
		if trimmed := strings.TrimRight(word, "*"); trimmed != word {
			t.term.Prefix = true
			word = trimmed
		}
		t.term.Text = word
		toks = append(toks, t)
	}
	return toks, nil
}

// quoted reads the quoted string opening at s[i] and returns its content and
// the index after the closing quote.
func quoted(s string, i int) (string, int, error) {
	end := strings.IndexByte(s[i+1:], '"')
	if end < 0 {
		return "", 0, invalid("unbalanced quotes: close the phrase that starts at %q", clip(s[i:], 20))
	}
	return s[i+1 : i+1+end], i + 2 + end, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// hasWordChar reports whether s holds anything a full-text index keeps.
func hasWordChar(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0
}

var filterExample = map[string]string{
	"source": `source:"Fort Russ News"`,
	"lang":   "lang:en",
	"author": "author:lane",
	"after":  "after:2024-05-01",
	"before": "before:2024-06-01",
	"is":     "is:starred",
	"story":  "story:42",
}

func isFilter(key string) bool { _, ok := filterExample[key]; return ok }

func hasFilter(q newstrace.SearchQuery) bool {
	return len(q.Sources) > 0 || len(q.Langs) > 0 || len(q.Authors) > 0 || q.After != nil || q.Before != nil ||
		q.Starred != nil || q.Unread != nil || q.StoryID != 0
}

func applyFilter(q *newstrace.SearchQuery, t token) error {
	switch t.key {
	case "source":
		q.Sources = appendNew(q.Sources, t.value)
	case "lang":
		q.Langs = appendNew(q.Langs, strings.ToLower(t.value))
	case "author":
		q.Authors = appendNew(q.Authors, t.value)
	case "after", "before":
		d, err := parseDate(t.value)
		if err != nil {
			return invalid("%s:%s is not a date: use YYYY-MM-DD or RFC 3339, e.g. %s", t.key, clip(t.value, 30), filterExample[t.key])
		}
		// Repeated bounds narrow: the latest after and the earliest before win.
		if t.key == "after" && (q.After == nil || d.After(*q.After)) {
			q.After = &d
		}
		if t.key == "before" && (q.Before == nil || d.Before(*q.Before)) {
			q.Before = &d
		}
	case "is":
		yes, no := true, false
		switch strings.ToLower(t.value) {
		case "starred":
			q.Starred = &yes
		case "unstarred":
			q.Starred = &no
		case "unread":
			q.Unread = &yes
		case "read":
			q.Unread = &no
		default:
			return invalid("is:%s is unknown: use is:starred, is:unstarred, is:unread or is:read", clip(t.value, 30))
		}
	case "story":
		id, err := strconv.ParseInt(t.value, 10, 64)
		if err != nil || id <= 0 {
			return invalid("story:%s is not a story number, e.g. story:42", clip(t.value, 30))
		}
		q.StoryID = id
	}
	return nil
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return list
		}
	}
	return append(list, v)
}

// parseDate reads YYYY-MM-DD (midnight UTC) or an RFC 3339 instant, in UTC.
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	if t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, invalid("year out of range")
	}
	return t.UTC(), nil
}
