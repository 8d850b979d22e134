package clean

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/newstrace/newstrace"
)

// Kinds of removed parts found by the furniture rules.
const (
	KindNewsletter = "newsletter"
	KindCredit     = "credit"    // contributor and contact lines at the end of a story
	KindDateline   = "dateline"  // a line holding only a time stamp or reading time
	KindCopyright  = "copyright" // rights notices
	KindTags       = "tags"      // "Tags: a, b, c", "Filed under: X", "Labels:" lines
)

var (
	// Newsletter boxes: "Get the day's top headlines delivered to your inbox…".
	newsletterRe = regexp.MustCompile(`(?i)\b(newsletters?|inbox)\b`)
	signupRe     = regexp.MustCompile(`(?i)\b(subscrib\w*|sign(ing)?[ -]?up|delivered|get (the|our)|register|join)\b`)
	// Contributor and contact lines that close wire and newspaper copy.
	creditRe    = regexp.MustCompile(`(?i)(\bcontributed (to )?(this )?(report|story|article)|^additional reporting( by)?\b|^(write|reach|contact|email|e-mail) (to )?(the )?(\w+ ){0,4}(at|on|via)\b|^follow (him|her|them|us|\w+ \w+) on (twitter|facebook|instagram)|^have a (news )?tip\b)`)
	copyrightRe = regexp.MustCompile(`(?i)(^(copyright|©)\s|\ball rights reserved\b|\bfor your personal,? non-?commercial use\b)`)
	// "Updated at 1:23 p.m.", "NOVEMBER 20, 2019 10:43", "5 min read".
	readingTimeRe = regexp.MustCompile(`(?i)^(reading time|tempo de leitura|temps de lecture|tiempo de lectura|lesezeit)\s*:?\s*\d+\s*\p{L}*\.?$|^\d+\s*(min|mins|minutes?)\s+read$`)
	// "Tags: a, b", "Filed under: X |", "Labels:", or the label alone.
	tagLabelRe  = regexp.MustCompile(`(?i)^(tags?|tagged( with| in| as)?|topics?|keywords?|filed under|categor(y|ies)|labels?)\s*(([:：]\s*(.*))|)$`)
	yearRe      = regexp.MustCompile(`\b(19|20)\d{2}\b`)
	timeRe      = regexp.MustCompile(`\b\d{1,2}:\d{2}\b`)
	monthWordRe = regexp.MustCompile(`(?i)\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?|am|pm|a\.m|p\.m|gmt|utc|edt|est|pst|pdt|updated|posted|published|on|at|by|de|às|and)\b`)
)

// isNewsletterCall reports a short newsletter sign-up line.
func isNewsletterCall(p string) bool {
	return Words(p) <= 30 && (containsFold(p, "newsletter") || containsFold(p, "inbox")) &&
		newsletterRe.MatchString(p) && signupRe.MatchString(p)
}

// isCreditLine reports "X contributed to this report", "Write to X at …",
// "Follow her on Twitter" lines.
func isCreditLine(p string) bool { return Words(p) <= 40 && mayBeCredit(p) && creditRe.MatchString(p) }

// mayBeCredit holds for every line creditRe matches (ASCII spellings, as
// mayBeCopyright): its one unanchored arm needs "contributed", the others
// start the line.
func mayBeCredit(p string) bool {
	if containsFold(p, "contributed") {
		return true
	}
	for _, prefix := range creditPrefixes {
		if hasPrefixFold(p, prefix) {
			return true
		}
	}
	return false
}

var creditPrefixes = []string{"additional reporting", "write ", "reach ", "contact ", "email ", "e-mail ", "follow ", "have a "}

// isCopyright reports a rights notice.
func isCopyright(p string) bool {
	return Words(p) <= 60 && mayBeCopyright(p) && copyrightRe.MatchString(p)
}

// mayBeCopyright holds for every line copyrightRe matches (ASCII case
// folding: a "ſ" or Kelvin-sign spelling is not a rights notice). The
// regular expression's unanchored arms cost a backtracking scan of
// every short paragraph, and most paragraphs hold none of these words.
func mayBeCopyright(p string) bool {
	return strings.HasPrefix(p, "©") || hasPrefixFold(p, "copyright") ||
		containsFold(p, "rights reserved") || containsFold(p, "commercial use")
}

// hasPrefixFold is strings.HasPrefix with ASCII case folding; prefix is
// lower case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFoldASCII(s[:len(prefix)], prefix)
}

// containsFold is strings.Contains with ASCII case folding; sub is lower
// case and starts with a letter.
func containsFold(s, sub string) bool {
	first, upper := sub[0], sub[0]-'a'+'A'
	for i := 0; i+len(sub) <= len(s); i++ {
		if (s[i] == first || s[i] == upper) && equalFoldASCII(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func equalFoldASCII(s, lower string) bool {
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// isDateline reports a short line that is only a time stamp ("NOVEMBER 20,
// 2019 10:43", "Updated at 1:23 p.m.", "11/19/2019 by Jane Doe") or a
// reading time: once the date words, numbers and a "by Name" are taken out,
// at most two words remain.
func isDateline(p string) bool {
	if Words(p) > 12 {
		return false
	}
	if readingTimeRe.MatchString(p) {
		return true
	}
	// One year: a stamp. Two are a range ("29 November 2018 | 20 January
	// 2019"), a clock alone may be opening hours: both are content.
	if len(yearRe.FindAllString(p, 2)) != 1 {
		return false
	}
	// A year and a clock time together allow a weekday and a month in any language.
	allowed := 2
	if yearRe.MatchString(p) && timeRe.MatchString(p) {
		allowed = 4
	}
	rest := p
	if i := strings.Index(strings.ToLower(rest), " by "); i >= 0 {
		rest = rest[:i] // a byline after the stamp
	}
	rest = monthWordRe.ReplaceAllString(rest, " ")
	left := 0
	for _, f := range strings.FieldsFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !isDigits(f) {
			left++
		}
	}
	return left <= allowed
}

func isDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// furnitureKind classifies a paragraph at index i of n by the furniture
// rules, "" when it is story text. Credits and datelines are trusted only
// near the ends of the text, where templates put them.
func furnitureKind(p string, i, n int) string {
	switch {
	case isNewsletterCall(p):
		return KindNewsletter
	case isCopyright(p):
		return KindCopyright
	case (i < 3 || i >= n-3) && isDateline(p):
		return KindDateline
	case i >= n-4 && i > 0 && isCreditLine(p):
		return KindCredit
	}
	return ""
}

// tagLine reports a taxonomy line: a tag label with a list of short
// items, or the label alone (then the next line may be its list).
func tagLine(p string) (isTags, labelOnly bool) {
	if Words(p) > 40 {
		return false, false
	}
	m := tagLabelRe.FindStringSubmatch(p)
	if m == nil {
		return false, false
	}
	rest := strings.TrimSpace(m[len(m)-1])
	if rest == "" {
		return true, !strings.ContainsAny(p, ":：")
	}
	return isShortList(rest, 1), false
}

// isShortList reports text made of at least min items separated by
// commas, pipes, semicolons or middle dots, each of at most five words.
func isShortList(s string, min int) bool {
	items := 0
	for _, it := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",|;·•", r) }) {
		if it = strings.TrimSpace(it); it == "" {
			continue
		}
		if Words(it) > 5 || strings.HasSuffix(it, ".") {
			return false
		}
		items++
	}
	return items >= min
}

// Furniture removes newsletter calls, rights notices, time
// stamps and closing credits from cleaned paragraphs.
func Furniture(paras []string) (keep []string, removed []newstrace.Removed) {
	keep = make([]string, 0, len(paras))
	listNext := false // the line before was a tag label alone
	for i, p := range paras {
		if listNext && isShortList(p, 2) {
			removed = append(removed, newstrace.Removed{Kind: KindTags, Text: p})
			listNext = false
			continue
		}
		isTags, labelOnly := tagLine(p)
		listNext = labelOnly
		if isTags {
			removed = append(removed, newstrace.Removed{Kind: KindTags, Text: p})
			continue
		}
		if k := furnitureKind(p, i, len(paras)); k != "" {
			removed = append(removed, newstrace.Removed{Kind: k, Text: p})
			continue
		}
		keep = append(keep, p)
	}
	return keep, removed
}
