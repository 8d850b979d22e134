package extract

import (
	"strings"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/clean"
	"golang.org/x/net/html"
)

// tokenFallback extracts from HTML the parser refuses (it caps nesting at
// 512 open elements): a streaming pass over the tokens keeps visible text,
// breaking paragraphs at block tags, and the text rules take it from there.
func tokenFallback(s string, opt Options) (newstrace.Article, error) {
	z := html.NewTokenizer(strings.NewReader(s))
	var paras []string
	var cur strings.Builder
	title, inTitle, skip := "", false, 0
	flush := func() {
		if p := clean.CollapseSpace(cur.String()); p != "" {
			paras = append(paras, p)
		}
		cur.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush()
			a := newArticle(opt)
			a.Title = title
			finish(&a, paras, opt, "", false)
			if a.Text == "" {
				return a, newstrace.Errorf(newstrace.EINVALID, "no article text found in html")
			}
			return a, nil
		case html.TextToken:
			switch {
			case inTitle:
				title += string(z.Text())
			case skip == 0:
				cur.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "body" {
				skip = 0 // a <head> left open
			}
			if tag == "title" {
				inTitle = tt == html.StartTagToken
				continue
			}
			if skipped[tag] && tt != html.SelfClosingTagToken {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
				continue
			}
			if inline[tag] {
				cur.WriteByte(' ')
			} else {
				flush()
			}
		}
	}
}
