package extract

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/clean"
)

// Thresholds of the structural rules, tuned on host-disjoint folds of the
// dev set (see docs/benchmarks.md).
const (
	linkParaDensity = 0.8 // share of a paragraph's letters inside links
	linkParaWords   = 25  // longer linked paragraphs are prose with a link
	hintPageShare   = 0.3 // hints flagging more of the text than this sit on the article's own container
)

// relatedLabelRe matches the label of an inline related-story link:
// "Related: …", "READ MORE: …", "See also: …".
var relatedLabelRe = regexp.MustCompile(`(?i)^\[?\s*(related|related (story|stories|article|articles|post|content|coverage)|read more|see more|more|also|see also|read also|don'?t miss|recommended|watch|listen|read|see|trending|most read|popular)\s*[:|»>-]`)

// pruneBlocks drops what the source tree shows to be page furniture inside
// trafilatura's result: headline repeats, runs of link-only paragraphs
// (related stories), labelled related links, shouting promo links and
// containers that name themselves newsletter, share bar, caption or byline.
// It returns the kept paragraphs and what it removed.
func pruneBlocks(blocks []block, idx blockIndex) (keep []string, removed []newstrace.Removed) {
	n := len(blocks)
	kind := make([]string, n)
	info := make([]blockInfo, n)
	norm := make([]string, n)
	for i, b := range blocks {
		norm[i] = clean.Normalize(b.text)
		info[i] = idx[clean.HashString(norm[i])]
	}
	isLink := func(i int) bool {
		return info[i].linkDensity() >= linkParaDensity && clean.Words(blocks[i].text) <= linkParaWords && !isURL(blocks[i].text)
	}

	// The headline: an <h1> at the top of the body.
	for i := 0; i < min(n, 3); i++ {
		if blocks[i].tag == "h1" {
			kind[i] = clean.KindTitle
		}
	}

	// Runs of link paragraphs, optionally alternating with one short teaser
	// line each ("Story title" / "One-line summary"), are related-story lists.
	for i := 0; i < n; {
		if !isLink(i) {
			i++
			continue
		}
		links, gaps, end := 1, 0, i+1
		for end < n {
			if isLink(end) {
				links++
				end++
				continue
			}
			if end+1 < n && isLink(end+1) && clean.Words(blocks[end].text) <= linkParaWords {
				gaps++
				end += 2
				links++
				continue
			}
			break
		}
		if links >= 2 && (gaps == 0 || links >= 3) {
			for j := i; j < end; j++ {
				kind[j] = KindLinkList
			}
			// A short heading right before the list is its label ("More:").
			if h := i - 1; h >= 0 && kind[h] == "" && clean.Words(blocks[h].text) <= 6 && !endsSentence(blocks[h].text) {
				kind[h] = KindLinkList
			}
		}
		i = end
	}

	// Single promo links: labelled ("Related: …") or shouting, inside the body.
	for i := range blocks {
		if kind[i] != "" || info[i].linkDensity() < 0.5 || isURL(blocks[i].text) {
			continue
		}
		t := blocks[i].text
		if relatedLabelRe.MatchString(t) && clean.Words(t) <= linkParaWords {
			kind[i] = KindRelated
		} else if i > 0 && isLink(i) && clean.Words(t) >= 3 && shouting(t) {
			kind[i] = KindRelated
		}
	}

	// Furniture hints, unless they cover much of the text: then they sit on
	// the article's own container and say nothing.
	total, hinted := 0, 0
	for i := range blocks {
		total += info[i].runes
		if info[i].hint != "" {
			hinted += info[i].runes
		}
	}
	if total > 0 && float64(hinted) <= hintPageShare*float64(total) {
		for i := range blocks {
			if kind[i] == "" && info[i].hint != "" {
				kind[i] = info[i].hint
			}
		}
	}

	for i, b := range blocks {
		if kind[i] != "" {
			removed = append(removed, newstrace.Removed{Kind: kind[i], Text: b.text})
			continue
		}
		keep = append(keep, b.text)
	}
	return keep, removed
}

// shouting reports text whose letters are all upper case.
func shouting(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters >= 8
}

// endsSentence reports text ending like a sentence.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, " \"”’')»")
	return s != "" && strings.ContainsAny(s[len(s)-1:], ".!?")
}
