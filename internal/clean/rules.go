package clean

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxCallWords bounds the lines the call-like rules may remove: a real body
// sentence that happens to start with "Follow" or "Support" is longer.
const maxCallWords = 14

// Words is len(strings.Fields(s)) without the slice: every rule asks it
// first of every paragraph.
func Words(s string) int {
	n, inWord := 0, false
	for i := 0; i < len(s); {
		c := s[i]
		var space bool
		if c < utf8.RuneSelf {
			space = asciiSpace[c]
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			i += size
		}
		if !space && !inWord {
			n++
		}
		inWord = !space
	}
	return n
}

// CollapseSpace is strings.Join(strings.Fields(s), " ") without the word
// slice, and without allocating when s is already collapsed (most texts:
// extraction trims the same texts again and again).
func CollapseSpace(s string) string {
	if s == "" {
		return s
	}
	clean := true
	prevSpace := true // a space at the start is not trim either
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			sp := asciiSpace[c]
			if sp && (c != ' ' || prevSpace) {
				clean = false
				break
			}
			prevSpace = sp
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			clean = false
			break
		}
		prevSpace = false
		i += size
	}
	if clean && !prevSpace {
		return s
	}
	if clean { // only the trailing space
		return s[:len(s)-1]
	}
	var b strings.Builder
	b.Grow(len(s))
	pending := false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if unicode.IsSpace(r) {
			pending = b.Len() > 0
		} else {
			if pending {
				b.WriteByte(' ')
				pending = false
			}
			b.WriteString(s[i : i+size]) // invalid bytes stay as they were
		}
		i += size
	}
	return b.String()
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

var (
	socialRe = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^(please\s+)?(follow|like|find|join|connect with|add|watch|listen to)\s+us\b`),
		regexp.MustCompile(`(?i)^(share|tweet|pin|email|e-mail|print)\s+(this|on|via|it|the)\b`),
		regexp.MustCompile(`(?i)^(like|share|tweet|email|print)( this)?:?$`),
		regexp.MustCompile(`(?i)^(click|tap)\s+(here\s+)?to\s+(share|tweet|email|print|follow|subscribe)\b`),
		regexp.MustCompile(`(?i)^(subscribe|sign up|signup|register)\b.*\b(newsletter|channel|updates|feed|youtube|telegram|mailing list|our|podcast|alerts)\b`),
		regexp.MustCompile(`(?i)^(facebook|twitter|x|telegram|whatsapp|email|print|reddit|linkedin|pinterest|vk|tumblr)(\s*[|,/·•]?\s*(facebook|twitter|x|telegram|whatsapp|email|print|reddit|linkedin|pinterest|vk|tumblr))+$`),
	}
	donationRe = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^(please\s+)?(consider\s+)?(donate|donating|support us|support our|support this|make a donation|become a (patron|supporter|member|subscriber)|buy (me|us) a coffee|help us)\b`),
		regexp.MustCompile(`(?i)\b(patreon|paypal|ko-fi|liberapay)\b`),
		regexp.MustCompile(`(?i)^donations?\b`),
	}
	// "3 Responses to "Title"", "No comments:", "12 Comments".
	commentCountRe = regexp.MustCompile(`(?i)^(\d+|no|one|two|three|four|five)\s+(responses?|comments?|replies|reply|thoughts?|reactions?)(\s+(to|on)\s+(["“'‘«].+))?\s*:?$`)
	commentFormRe  = regexp.MustCompile(`(?i)^(post a comment|leave a (reply|comment)|add (a )?comment|write a comment|comments?|comments are closed|subscribe to:? post comments( \(atom\))?|cancel reply|you must be logged in to post a comment|join the discussion|discussion|show comments|view comments)[.!:]?$`)
	blogNavRe      = regexp.MustCompile(`(?i)^(((newer|older|next|previous) (post|entry|article)s?|home)\s*[|«»·-]?\s*){1,3}$`)
	// "Advertisement", "Sponsored: …", "Paid content", "Story continues below advertisement".
	advertRe = regexp.MustCompile(`(?i)^((advertisement|advertising|sponsored( content| post| links?)?|paid (content|post|partnership)|promoted( content)?|ad|anzeige|publicité)\s*($|[:\-–—|]\s*)|(story|article) continues below( this)? (advertisement|ad)\b|scroll (down )?to continue( reading)?\b)`)
	quotedRe = regexp.MustCompile(`^["“'‘«](.+)["”'’»]$`)
)

// socialCall reports a short "Follow us on X!", "Share this:" line.
func socialCall(p string, words int) bool { return words <= maxCallWords && anyMatch(socialRe, p) }

// donationCall reports a short "Donate!", "Support us on Patreon" line.
func donationCall(p string, words int) bool {
	return words <= maxCallWords && anyMatch(donationRe, p)
}

// commentWidget reports a comment count or comment form line.
func commentWidget(p string, words int) bool {
	return words <= 40 && (commentCountRe.MatchString(p) || commentFormRe.MatchString(p))
}

// advert reports a short ad label or an inline sponsored line.
func advert(p string, words int) bool { return words <= maxCallWords && advertRe.MatchString(p) }

// blogNavigation reports "Newer Post Older Post Home".
func blogNavigation(p string, words int) bool { return words <= 8 && blogNavRe.MatchString(p) }

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// commentSectionStart finds a comment section header in the second half of
// the document and returns its index and the title it quotes ("3 Responses
// to "Title""), or -1.
func commentSectionStart(paras []string) (int, string) {
	for i := len(paras) / 2; i < len(paras); i++ {
		p := paras[i]
		if m := commentCountRe.FindStringSubmatch(p); m != nil && Words(p) <= 40 {
			q := ""
			if qm := quotedRe.FindStringSubmatch(m[5]); qm != nil {
				q = strings.TrimSpace(qm[1])
			}
			return i, q
		}
		if strings.EqualFold(strings.TrimRight(p, ".!:"), "leave a reply") {
			return i, ""
		}
	}
	return -1, ""
}

// titleSeps are the separators between a title and a site or blog name,
// tried from the right.
var titleSeps = []string{" | ", " - ", " – ", " — ", " :: ", " » ", " · "}

// SplitTitleSuffix splits "Title - Blog" into its parts when the suffix is
// short enough to be a name and shorter than the title; ok is false
// otherwise, so "Left - right debate heats up in the Senate" stays whole.
func SplitTitleSuffix(s string) (title, suffix string, ok bool) {
	best := -1
	sep := ""
	for _, sp := range titleSeps {
		if i := strings.LastIndex(s, sp); i > best {
			best, sep = i, sp
		}
	}
	if best <= 0 {
		return s, "", false
	}
	title = strings.TrimSpace(s[:best])
	suffix = strings.TrimSpace(s[best+len(sep):])
	sw, tw := Words(suffix), Words(title)
	if sw == 0 || sw > 6 || len([]rune(suffix)) > 60 || tw < 2 || len(suffix) >= len(title) {
		return s, "", false
	}
	if strings.ContainsAny(suffix[len(suffix)-1:], ".?!") {
		return s, "", false // a sentence, not a name
	}
	return title, suffix, true
}

// StripSiteSuffix removes a "| Site" suffix from title when it names site.
func StripSiteSuffix(title, site string) string {
	if site == "" {
		return title
	}
	for _, sep := range titleSeps {
		if i := strings.LastIndex(title, sep); i > 0 {
			if t, suf := strings.TrimSpace(title[:i]), title[i+len(sep):]; t != "" && SameName(suf, site) {
				return t
			}
		}
	}
	return title
}

// SameName reports whether two outlet names denote the same outlet: "Fort
// Russ" and "Fort Russ News", "The Guardian" and "guardian", "RT" and "RT.com".
func SameName(a, b string) bool {
	ta, tb := nameTokens(a), nameTokens(b)
	if len(ta) == 0 || len(tb) == 0 {
		return false
	}
	if len(ta) > len(tb) {
		ta, tb = tb, ta
	}
	prefix := true
	for i := range ta {
		if ta[i] != tb[i] {
			prefix = false
			break
		}
	}
	if prefix {
		return true
	}
	sa, sb := strings.Join(ta, ""), strings.Join(tb, "")
	if len(sa) >= 4 && (strings.HasPrefix(sb, sa) || strings.HasPrefix(sa, sb)) {
		return true
	}
	common := 0
	set := map[string]bool{}
	for _, t := range tb {
		set[t] = true
	}
	for _, t := range ta {
		if set[t] {
			common++
		}
	}
	union := len(ta) + len(tb) - common
	return common >= 2 && float64(common)/float64(union) >= 0.6
}

var generic = map[string]bool{"the": true, "www": true, "com": true, "org": true, "net": true}

func nameTokens(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if !generic[f] {
			out = append(out, f)
		}
	}
	return out
}

// NormHasher hashes Normalize(text) without building it: Sum returns
// HashString(Normalize(text)) and the number of letters and digits in it,
// for text given in pieces (Add(a); Add(b) hashes as a + b). The zero value is ready to use.
type NormHasher struct {
	h       uint64
	letters int
	space   bool
	started bool
}

// Add feeds the next piece of text.
func (nh *NormHasher) Add(s string) {
	if !nh.started {
		nh.h, nh.started = fnvOffset, true
	}
	h, letters, space := nh.h, nh.letters, nh.space
	var buf [utf8.UTFMax]byte
	for _, r := range s {
		r, word := foldRune(r)
		if !word {
			space = true
			continue
		}
		if space && letters > 0 {
			h = (h ^ ' ') * fnvPrime
		}
		space = false
		letters++
		n := utf8.EncodeRune(buf[:], r)
		for _, c := range buf[:n] {
			h = (h ^ uint64(c)) * fnvPrime
		}
	}
	nh.h, nh.letters, nh.space = h, letters, space
}

// Sum returns the hash and letter count of everything added so far.
func (nh *NormHasher) Sum() (uint64, int) {
	if !nh.started {
		return fnvOffset, 0
	}
	return nh.h, nh.letters
}

// HashString is 64-bit FNV-1a of s.
func HashString(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// Normalize folds case, quotes, dashes and punctuation so repeated
// paragraphs and title lines compare equal.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		r, word := foldRune(r)
		if !word {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// foldRune is Normalize's reading of one rune: lowered as strings.ToLower
// lowers it, and whether it is a letter or digit (else a separator). ASCII
// takes a fast path; NormHasher reads runes the same way.
func foldRune(r rune) (rune, bool) {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r, 'a' <= r && r <= 'z' || '0' <= r && r <= '9'
	}
	r = unicode.ToLower(r)
	return r, unicode.IsLetter(r) || unicode.IsDigit(r)
}
