package extract

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/clean"
)

// Kinds of removed parts found by the provenance rules.
const (
	KindHeader    = "header"     // "July 23rd, 2017 - Outlet -" byline lines
	KindViaFooter = "via_footer" // "from Outlet http://ift.tt/…"
	KindCredit    = "credit"     // "Source: X", "Translated by Y" lines at the tail
)

// cues collects what header and footer lines say about a text's origin.
type cues struct {
	date       *time.Time
	names      []string // bare names in header lines, in order
	authors    []string
	source     string
	translator string
	viaURL     string
	footerName string
	removed    []newstrace.Removed
}

var (
	translatedByRe   = regexp.MustCompile(`(?i)^(?:translated|translation|translator)(?:\s+from\s+(?:the\s+)?(.+?))?\s*(?:by|:)\s*:?\s+(.+)$`)
	translatedFromRe = regexp.MustCompile(`(?i)^translated\s+from\s+(?:the\s+)?(.+)$`)
	sourceCueRe      = regexp.MustCompile(`(?i)^(?:sources?|via|originally\s+(?:published|appeared|posted)(?:\s+(?:at|by|on|in))?|first\s+(?:published|appeared)(?:\s+(?:at|by|on|in))?|republished\s+(?:from|with permission from)|reprinted\s+(?:from|with permission from)|courtesy(?:\s+of)?)\s*:?\s+(.+)$`)
	bylineRe         = regexp.MustCompile(`(?i)^(?:by|written by|author\s*:)\s+(.+)$`)
	footerRe         = regexp.MustCompile(`(?i)^(?:from|via)\s+(?:(.+?)\s+)?(https?://\S+)$`)
	trailingURLRe    = regexp.MustCompile(`\s*(https?://\S+)$`)
	// "WASHINGTON (AP) —", "(Reuters) -" at the start of a body.
	wireCreditRe = regexp.MustCompile(`^(?:[\p{Lu}][\p{L} .,'/-]{0,60}?\s)?\((\p{Lu}[\p{L}.&']*(?:\s\p{Lu}[\p{L}.&']*){0,3})\)\s*[-—–:]`)
)

// languageNames are not sources in "translated from Arabic".
var languageNames = map[string]bool{}

func init() {
	for _, l := range strings.Fields(`arabic russian french german spanish italian persian farsi turkish chinese mandarin
		japanese portuguese ukrainian polish serbian croatian hebrew urdu hindi korean greek dutch swedish norwegian
		danish finnish czech slovak hungarian romanian bulgarian english belarusian kazakh georgian armenian azerbaijani
		pashto dari kurdish indonesian malay vietnamese thai bengali tamil catalan`) {
		languageNames[l] = true
	}
}

// shortLinkHosts are redirectors that hide the copied original.
var shortLinkHosts = map[string]bool{
	"ift.tt": true, "bit.ly": true, "t.co": true, "ow.ly": true, "buff.ly": true,
	"dlvr.it": true, "feedproxy.google.com": true, "goo.gl": true, "tinyurl.com": true,
	"trib.al": true, "fb.me": true, "wp.me": true, "is.gd": true, "j.mp": true,
}

func isShortLink(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && shortLinkHosts[strings.ToLower(strings.TrimPrefix(u.Hostname(), "www."))]
}

// separators split byline lines: a lone dash or bar between spaces.
func isSeparator(f string) bool {
	switch f {
	case "-", "–", "—", "|", "•", "·", "/", "::", "--":
		return true
	}
	return false
}

// headerSegments splits "July 23rd, 2017 - Fort Russ News -" into its
// non-empty segments and reports whether a separator was present at an
// edge of the line (a typical byline template).
func headerSegments(p string) (segs []string, seps int, edge bool) {
	fields := strings.Fields(p)
	var cur []string
	for i, f := range fields {
		if isSeparator(f) {
			seps++
			if i == 0 || i == len(fields)-1 {
				edge = true
			}
			if len(cur) > 0 {
				segs = append(segs, strings.Join(cur, " "))
				cur = nil
			}
			continue
		}
		cur = append(cur, f)
	}
	if len(cur) > 0 {
		segs = append(segs, strings.Join(cur, " "))
	}
	return segs, seps, edge
}

// segment classifications
type segKind int

const (
	segNone segKind = iota
	segDate
	segCue
	segName
)

// applySegment classifies one header segment and records what it says into c.
// It records nothing when it returns segNone.
func (c *cues) applySegment(s string, record bool) segKind {
	if t, ok := parseDate(s); ok {
		if record && c.date == nil {
			c.date = &t
		}
		return segDate
	}
	if c.applyCue(s, record) {
		return segCue
	}
	if looksLikeName(s) {
		if record {
			c.names = append(c.names, s)
		}
		return segName
	}
	return segNone
}

// applyCue reads "translated by X", "Source: X", "By X", "via X".
func (c *cues) applyCue(s string, record bool) bool {
	s = strings.TrimSpace(strings.TrimRight(s, " .;"))
	if m := translatedByRe.FindStringSubmatch(s); m != nil && looksLikeName(m[2]) {
		if record {
			c.translator = firstNonEmpty(c.translator, m[2])
			if m[1] != "" && !languageNames[strings.ToLower(m[1])] {
				c.source = firstNonEmpty(c.source, m[1])
			}
		}
		return true
	}
	if m := translatedFromRe.FindStringSubmatch(s); m != nil && clean.Words(m[1]) <= 6 {
		if record && !languageNames[strings.ToLower(m[1])] {
			c.source = firstNonEmpty(c.source, m[1])
		}
		return true
	}
	if m := footerRe.FindStringSubmatch(s); m != nil {
		if record {
			c.viaURL = firstNonEmpty(c.viaURL, m[2])
			if m[1] != "" {
				c.footerName = firstNonEmpty(c.footerName, m[1])
			}
		}
		return true
	}
	if m := sourceCueRe.FindStringSubmatch(s); m != nil {
		val := m[1]
		link := ""
		if u := trailingURLRe.FindStringSubmatch(val); u != nil {
			link = u[1]
			val = strings.TrimSpace(strings.TrimSuffix(val, u[0]))
		}
		if val != "" && !looksLikeName(val) {
			return false
		}
		if record {
			c.source = firstNonEmpty(c.source, val)
			c.viaURL = firstNonEmpty(c.viaURL, link)
		}
		return true
	}
	if m := bylineRe.FindStringSubmatch(s); m != nil && looksLikeName(m[1]) {
		if record {
			c.authors = append(c.authors, splitAuthors(m[1])...)
		}
		return true
	}
	return false
}

// looksLikeName accepts a short capitalised phrase with no sentence end:
// "Fort Russ News", "Al Mayadeen", "RT.com"; rejects sentences.
func looksLikeName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || clean.Words(s) > 7 || len([]rune(s)) > 70 {
		return false
	}
	r := []rune(s)
	if !unicode.IsUpper(r[0]) && !unicode.IsDigit(r[0]) {
		return false
	}
	last := r[len(r)-1]
	return last != '?' && last != '!' && last != ':' && !strings.Contains(s, ". ")
}

// parseHeaderLine classifies a byline line; ok only when every segment is a
// date, a cue or a name and the line has a date or cue, a byline-style
// edge separator, or follows another header line.
func (c *cues) parseHeaderLine(p string, afterHeader bool) bool {
	if clean.Words(p) > 30 {
		return false
	}
	segs, seps, edge := headerSegments(p)
	if len(segs) == 0 {
		return seps > 0 // a line of dashes
	}
	strong := false
	for _, s := range segs {
		switch c.applySegment(s, false) {
		case segNone:
			return false
		case segDate, segCue:
			strong = true
		}
	}
	if !strong && !(seps > 0 && (edge || afterHeader)) {
		return false
	}
	for _, s := range segs {
		c.applySegment(s, true)
	}
	return true
}

// scanHead removes header lines from the top of paras. One headline may
// precede them; the first other line after them ends the header.
func (c *cues) scanHead(paras []string) []string {
	limit := min(len(paras)-1, 6)
	keep := make([]string, 0, len(paras))
	started, skipped := false, 0
	for i, p := range paras {
		if i < limit && skipped < 2 && c.parseHeaderLine(p, started) {
			c.removed = append(c.removed, newstrace.Removed{Kind: KindHeader, Text: p})
			started = true
			continue
		}
		if started {
			skipped = 2
		}
		skipped++
		keep = append(keep, p)
	}
	return keep
}

// scanTail removes via footers and credit lines from the end of paras.
func (c *cues) scanTail(paras []string) []string {
	end := len(paras)
	for end > 1 && len(paras)-end < 5 {
		p := paras[end-1]
		kind := ""
		switch {
		case clean.Words(p) > 20:
		case footerRe.MatchString(p):
			c.applyCue(p, true)
			kind = KindViaFooter
		case isURL(p):
			c.viaURL = firstNonEmpty(c.viaURL, p)
			kind = KindViaFooter
		default:
			segs, _, _ := headerSegments(p)
			if len(segs) > 0 && allCues(c, segs) {
				for _, s := range segs {
					c.applySegment(s, true)
				}
				kind = KindCredit
			}
		}
		if kind == "" {
			break
		}
		c.removed = append(c.removed, newstrace.Removed{Kind: kind, Text: p})
		end--
	}
	return paras[:end]
}

func allCues(c *cues, segs []string) bool {
	for _, s := range segs {
		if c.applyCue(s, false) {
			continue
		}
		// a date next to a cue ("Source: X - July 3, 2019") is fine
		if _, ok := parseDate(s); ok && len(segs) > 1 {
			continue
		}
		return false
	}
	return true
}

func isURL(p string) bool {
	if strings.ContainsAny(p, " \t") || !(strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://")) {
		return false
	}
	_, err := url.Parse(p)
	return err == nil
}

// provenance resolves outlet and original source: a footer name picks the
// header name it abbreviates ("Fort Russ" → "Fort Russ News") as the outlet
// and leaves the other header name as the original source.
func (c *cues) provenance() newstrace.Provenance {
	p := newstrace.Provenance{OriginalSource: c.source, Translator: c.translator, ViaURL: c.viaURL}
	names := c.names
	if c.footerName != "" {
		outlet := -1
		for i, n := range names {
			if clean.SameName(n, c.footerName) {
				outlet = i
				break
			}
		}
		if outlet >= 0 {
			p.Outlet = names[outlet]
			names = append(names[:outlet:outlet], names[outlet+1:]...)
		} else {
			p.Outlet = c.footerName
		}
	} else if len(names) > 0 {
		p.Outlet, names = names[0], names[1:]
	}
	for _, n := range names {
		if p.OriginalSource == "" && !clean.SameName(n, p.Outlet) {
			p.OriginalSource = n
		}
	}
	return p
}

// wireCredit finds "CITY (AP) —" at the start of the body.
func wireCredit(paras []string) string {
	if len(paras) == 0 {
		return ""
	}
	if m := wireCreditRe.FindStringSubmatch(paras[0]); m != nil {
		return m[1]
	}
	return ""
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return strings.TrimSpace(b)
}
