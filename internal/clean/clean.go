// Package clean takes out of one document what is not the story: comment
// widgets, social and donation calls, repeated paragraphs, title lines and
// the blog name in their suffix. It works on paragraphs, so the HTML and the
// plain-text paths of extract share it. Learned per-source boilerplate will
// come in through Options.Boilerplate.
package clean

import (
	"strings"

	"github.com/newstrace/newstrace"
)

// Kinds of removed parts.
const (
	KindTitle       = "title"
	KindSocial      = "social"
	KindDonation    = "donation"
	KindComments    = "comments"
	KindNavigation  = "navigation"
	KindDuplicate   = "duplicate"
	KindBoilerplate = "boilerplate"
	KindAdvert      = "advertising"
)

// Options carries what the caller already knows about the document.
type Options struct {
	// Title is a hint (feed entry or page metadata); lines repeating it are removed.
	Title string
	// SiteName, when known, is the only suffix a title may lose ("Title | Site").
	SiteName string
	// Boilerplate maps normalized lines (see Normalize) to a removal kind;
	// the per-source learned boilerplate will be passed here.
	Boilerplate map[string]string
	// DistantRepeats also removes long paragraphs repeated anywhere, as
	// reposted plain text does; HTML pages (menus, recipes) repeat list
	// items on purpose, so by default only a paragraph repeating the one
	// right before it goes.
	DistantRepeats bool
}

// Result is the cleaned document.
type Result struct {
	Title       string // without a blog/site suffix; "" when none was found
	Republisher string // blog name found in a "Title - Blog" line, if any
	Paragraphs  []string
	Removed     []newstrace.Removed
}

// Document cleans paras (one paragraph per element).
func Document(paras []string, opt Options) Result {
	var res Result
	paras = tidy(paras)
	paras, norms, repeats := dropRepeatedRuns(paras)
	for _, p := range repeats {
		res.Removed = append(res.Removed, newstrace.Removed{Kind: KindDuplicate, Text: p})
	}

	// A comment section ends the story: drop it and everything after it.
	var comments []string
	quoted := ""
	if i, q := commentSectionStart(paras); i >= 0 {
		quoted, comments, paras, norms = q, paras[i:], paras[:i], norms[:i]
	}

	res.Title, res.Republisher = pickTitle(paras, opt, quoted)

	seen := make(map[string]bool, len(paras))
	title := titleForm(res.Title)
	for i, p := range paras {
		n := norms[i]
		w := Words(p) // once for all the rules below
		kind := ""
		switch {
		case opt.Boilerplate[n] != "":
			kind = opt.Boilerplate[n]
		case commentWidget(p, w):
			kind = KindComments
		case blogNavigation(p, w):
			kind = KindNavigation
		case socialCall(p, w):
			kind = KindSocial
		case donationCall(p, w):
			kind = KindDonation
		case advert(p, w):
			kind = KindAdvert
		case title.matches(p, n):
			kind = KindTitle
		case isDuplicate(n, seen, res.Paragraphs, opt.DistantRepeats):
			kind = KindDuplicate
		}
		if kind != "" {
			res.Removed = append(res.Removed, newstrace.Removed{Kind: kind, Text: p})
			continue
		}
		seen[n] = true
		res.Paragraphs = append(res.Paragraphs, p)
	}
	for _, p := range comments {
		res.Removed = append(res.Removed, newstrace.Removed{Kind: KindComments, Text: p})
	}
	return res
}

// isDuplicate reports a paragraph repeating the one right before it, or
// with distant set a long one repeated anywhere. Short repeats (table
// cells, list items, "See it now") are content.
func isDuplicate(n string, seen map[string]bool, kept []string, distant bool) bool {
	if n == "" || !seen[n] {
		return false
	}
	w := Words(n)
	return (distant && w >= 12) || (w >= 4 && len(kept) > 0 && Normalize(kept[len(kept)-1]) == n)
}

// dropRepeatedRuns removes runs of three or more paragraphs that repeat an
// earlier run: an extractor or template artifact, never writing.
// It also returns Normalize of each kept paragraph, which the caller's
// rules need again.
func dropRepeatedRuns(paras []string) (keep, keepNorm, removed []string) {
	norm := make([]string, len(paras))
	for i, p := range paras {
		norm[i] = Normalize(p)
	}
	first := make(map[string]int, len(paras))
	for i := 0; i < len(paras); {
		if j, ok := first[norm[i]]; ok && norm[i] != "" {
			k := 0
			for i+k < len(paras) && j+k < i && norm[j+k] == norm[i+k] {
				k++
			}
			if k >= 3 && substantial(paras[i:i+k]) {
				removed = append(removed, paras[i:i+k]...)
				i += k
				continue
			}
		} else {
			first[norm[i]] = i
		}
		keep = append(keep, paras[i])
		keepNorm = append(keepNorm, norm[i])
		i++
	}
	return keep, keepNorm, removed
}

// substantial reports a run holding at least two prose paragraphs (long,
// ending a sentence); repeated table rows, list items and meal plans are
// content.
func substantial(run []string) bool {
	n := 0
	for _, p := range run {
		if Words(p) >= 15 && strings.ContainsAny(p[len(p)-1:], ".!?\"”") {
			n++
		}
	}
	return n >= 2
}

// tidy trims paragraphs, collapses inner white space and drops empty ones.
func tidy(paras []string) []string {
	out := make([]string, 0, len(paras))
	for _, p := range paras {
		if p = CollapseSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
