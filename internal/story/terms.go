package story

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/newstrace/newstrace/internal/match"
)

// MaxTerms bounds Terms, so a candidate lookup costs a few index probes.
const MaxTerms = 24

// leadWords is how much of the text besides the title feeds Terms: a
// retelling of an event names its who/where/what in the title and lead.
const leadWords = 80

// Terms returns the terms a document is retrieved by for same-story
// candidates: capitalised words of the title and lead (names, places,
// organisations) and numbers first, then other long title words, lower
// case as match.Tokens yields them. The caller weighs them by IDF (rare
// terms first); a stop word never comes back because it is short or
// capitalised only at a sentence start.
func Terms(d Doc) []string {
	seen := map[string]bool{}
	var entities, others []string
	add := func(list *[]string, t string) {
		if !seen[t] {
			seen[t] = true
			*list = append(*list, t)
		}
	}
	scan := func(text string, limit int, titleWords bool) {
		words := splitWords(text)
		if len(words) > limit {
			words = words[:limit]
		}
		for i, w := range words {
			toks := match.Tokens(w)
			if len(toks) != 1 || utf8.RuneCountInString(toks[0]) < 3 || stopWords[toks[0]] {
				continue
			}
			t := toks[0]
			r, _ := utf8.DecodeRuneInString(w)
			switch {
			case unicode.IsDigit(r) && utf8.RuneCountInString(t) >= 3:
				add(&entities, t)
			case unicode.IsUpper(r) && (i > 0 && !sentenceEnd(words[i-1]) || titleWords):
				add(&entities, t)
			case !unicode.IsUpper(r) && !unicode.IsLower(r) && unicode.IsLetter(r):
				add(&entities, t) // scripts without case: every word may be a name
			case titleWords && utf8.RuneCountInString(t) >= 5:
				add(&others, t)
			}
		}
	}
	scan(d.Title, 30, true)
	scan(d.Text, leadWords, false)
	out := append(entities, others...)
	if len(out) > MaxTerms {
		out = out[:MaxTerms]
	}
	return slices.Clip(out)
}

func splitWords(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

func sentenceEnd(w string) bool {
	r, _ := utf8.DecodeLastRuneInString(w)
	return r == '.' || r == '!' || r == '?' || r == ':' || r == '"' || r == '”'
}

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range []string{"the", "and", "for", "but", "with", "this", "that", "these", "those", "from", "into", "after",
		"before", "over", "under", "about", "when", "what", "where", "which", "while", "who", "why", "how", "its", "his",
		"her", "their", "our", "your", "has", "have", "had", "was", "were", "are", "will", "would", "could", "should",
		"not", "all", "new", "one", "two", "said", "says", "also", "more", "most", "than", "then", "there", "here",
		"they", "them", "she", "him", "you", "can", "may", "just", "now", "out", "off", "being", "been", "some", "such"} {
		m[w] = true
	}
	return m
}()
