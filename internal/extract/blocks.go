package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newstrace/newstrace/internal/clean"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockInfo is what the source page says about one paragraph of text that
// trafilatura's output no longer shows: how much of it was link text and
// whether a container around it names itself as page furniture.
type blockInfo struct {
	runes, linkRunes int
	hint             string // a clean.Kind* from the nearest hinting ancestor, "" if none
	n                int    // occurrences; a text seen inside and outside furniture keeps no hint
}

func (b blockInfo) linkDensity() float64 {
	if b.runes == 0 {
		return 0
	}
	return float64(b.linkRunes) / float64(b.runes)
}

// blockIndex maps clean.HashString(clean.Normalize(paragraph)) to what the
// source says about it (hashed: the index holds every paragraph of the page,
// and is asked only about the few the extractor kept).
type blockIndex map[uint64]blockInfo

// Hint kinds not in clean.
const (
	KindRelated    = "related"
	KindNewsletter = "newsletter"
	KindCaption    = "caption"
	KindByline     = "byline"
	KindLinkList   = "link_list"
)

// hintTokens name containers of page furniture, matched against whole
// class/id tokens (split at '-', '_' and spaces). They are the words
// templates use for what is not the story; none names a site.
var hintTokens = map[string]string{
	"related": KindRelated, "recommended": KindRelated, "recommendations": KindRelated,
	"outbrain": KindRelated, "taboola": KindRelated, "trending": KindRelated, "readmore": KindRelated,
	"newsletter": KindNewsletter, "newsletters": KindNewsletter, "subscribe": KindNewsletter,
	"subscription": KindNewsletter, "signup": KindNewsletter, "optin": KindNewsletter,
	"share": KindSocialHint, "sharing": KindSocialHint, "social": KindSocialHint,
	"caption": KindCaption, "figcaption": KindCaption, "credit": KindCaption, "credits": KindCaption,
	"byline": KindByline, "dateline": KindByline, "timestamp": KindByline,
	"promo": clean.KindAdvert, "advert": clean.KindAdvert, "advertisement": clean.KindAdvert,
	"sponsored": clean.KindAdvert,
}

// KindSocialHint is clean.KindSocial, named here for the table above.
const KindSocialHint = clean.KindSocial

// hintOf returns the furniture kind an element names, or "".
func hintOf(n *html.Node) string {
	switch n.DataAtom {
	case atom.Figcaption:
		return KindCaption
	case atom.Aside:
		return KindRelated
	}
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" {
			continue
		}
		if k := hintOfValue(a.Val); k != "" {
			return k
		}
	}
	return ""
}

// hintOfValue looks up each letter-and-digit token of a class or id value.
// ASCII values (nearly all) are split and lowered in a stack buffer.
func hintOfValue(v string) string {
	var buf [64]byte
	tok := buf[:0]
	for i := 0; i <= len(v); i++ {
		var c byte = ' '
		if i < len(v) {
			c = v[i]
		}
		if c >= utf8.RuneSelf {
			return hintOfValueSlow(v)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			if len(tok) < len(buf) {
				tok = append(tok, c)
			} else {
				tok = append(tok[:len(buf)-1], '-') // too long to be a hint word
			}
			continue
		}
		if len(tok) > 0 {
			if k := hintTokens[string(tok)]; k != "" {
				return k
			}
			tok = tok[:0]
		}
	}
	return ""
}

func hintOfValueSlow(v string) string {
	for _, tok := range strings.FieldsFunc(strings.ToLower(v), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if k := hintTokens[tok]; k != "" {
			return k
		}
	}
	return ""
}

// indexBlocks walks the source tree once, splitting text into paragraphs
// the way nodeParagraphs does, and records link share and furniture hints
// per paragraph. The walk is iterative so deep nesting cannot exhaust the
// stack.
func indexBlocks(root *html.Node) blockIndex {
	idx := blockIndex{}
	// The paragraph's text is hashed as it comes (it is never built):
	// hasText tells whether it holds anything but white space yet, and
	// linkRunes counts the letters of its link text.
	var cur clean.NormHasher
	hasText, linkRunes := false, 0
	curHint := ""
	flush := func() {
		key, letters := cur.Sum()
		lr := linkRunes
		cur, hasText, linkRunes = clean.NormHasher{}, false, 0
		if letters == 0 {
			return
		}
		info := blockInfo{runes: letters, linkRunes: lr, hint: curHint, n: 1}
		if old, ok := idx[key]; ok {
			// The same text twice: trust the least furniture-like reading.
			info.n = old.n + 1
			info.linkRunes = min(info.linkRunes, old.linkRunes)
			if old.hint != info.hint {
				info.hint = ""
			}
		}
		idx[key] = info
	}
	type item struct {
		n      *html.Node
		exit   bool
		inline bool
		hint   string
		inLink bool
	}
	stack := []item{{n: root}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := it.n
		if it.exit {
			if !it.inline {
				flush()
			}
			continue
		}
		switch n.Type {
		case html.TextNode:
			if !hasText {
				curHint = it.hint
				hasText = strings.TrimSpace(n.Data) != ""
			}
			cur.Add(n.Data)
			cur.Add(" ")
			if it.inLink {
				linkRunes += letterCount(n.Data)
			}
		case html.ElementNode:
			if skipped[n.Data] {
				continue
			}
			if n.Data == "br" || n.Data == "hr" {
				flush()
				continue
			}
			hint := it.hint
			if hint == "" {
				hint = hintOf(n)
			}
			inLink := it.inLink || n.DataAtom == atom.A
			isInline := inline[n.Data]
			if !isInline {
				flush()
			}
			stack = append(stack, item{n: n, exit: true, inline: isInline})
			for c := n.LastChild; c != nil; c = c.PrevSibling {
				stack = append(stack, item{n: c, hint: hint, inLink: inLink})
			}
		case html.DocumentNode:
			for c := n.LastChild; c != nil; c = c.PrevSibling {
				stack = append(stack, item{n: c})
			}
		}
	}
	flush()
	return idx
}

// letterCount counts letters and digits, the part of a text links share.
func letterCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}
