package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

// Template is a corpus page cut into pieces: markup kept as it is, text of
// content elements (p, h1–h3, title, li, blockquote, figcaption) whose words
// each article replaces, and the canonical link, which becomes the
// article's own URL. Metadata that would make every article of a template
// look alike to the extractor (JSON-LD, og:/twitter: titles, descriptions,
// URLs, dates) is dropped, so title and date come from the page text or the
// feed, and two articles of one template are different documents.
type Template struct {
	Name string
	segs []segment
	size int
}

type segKind uint8

const (
	segRaw segKind = iota
	segText
	segCanonical
)

type segment struct {
	kind segKind
	data []byte
}

var contentTags = map[string]bool{
	"p": true, "h1": true, "h2": true, "h3": true, "title": true, "li": true,
	"blockquote": true, "figcaption": true,
}

// CompileTemplate cuts page into a Template.
func CompileTemplate(name string, page []byte) *Template {
	t := &Template{Name: name}
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	depth := 0        // open content elements
	rawText := false  // inside script or style: text is code
	dropping := false // inside a JSON-LD script
	hasCanon := false // a canonical link was seen
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			break
		}
		raw := slices.Clone(z.Raw())
		switch tt {
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, attrs := tagOf(z)
			switch {
			case name == "script" && strings.Contains(strings.ToLower(attrs["type"]), "ld+json"):
				dropping = tt == xhtml.StartTagToken
				continue
			case name == "script" || name == "style":
				rawText = tt == xhtml.StartTagToken
			case name == "link" && hasToken(attrs["rel"], "canonical"):
				if !hasCanon {
					t.add(segCanonical, nil)
					hasCanon = true
				}
				continue
			case name == "meta" && dropMeta(attrs):
				continue
			case contentTags[name] && tt == xhtml.StartTagToken:
				depth++
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script":
				if dropping {
					dropping = false
					continue
				}
				rawText = false
			case "style":
				rawText = false
			case "head":
				if !hasCanon {
					t.add(segCanonical, nil)
					hasCanon = true
				}
			default:
				if contentTags[string(name)] && depth > 0 {
					depth--
				}
			}
		case xhtml.TextToken:
			if dropping {
				continue
			}
			if !rawText && depth > 0 {
				t.add(segText, raw)
				continue
			}
		}
		t.add(segRaw, raw)
	}
	return t
}

// add appends a piece, merging it with the previous one of the same kind.
func (t *Template) add(k segKind, data []byte) {
	t.size += len(data)
	if n := len(t.segs); n > 0 && k != segCanonical && t.segs[n-1].kind == k {
		t.segs[n-1].data = append(t.segs[n-1].data, data...)
		return
	}
	t.segs = append(t.segs, segment{kind: k, data: data})
}

func tagOf(z *xhtml.Tokenizer) (string, map[string]string) {
	name, more := z.TagName()
	attrs := map[string]string{}
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		attrs[string(k)] = string(v)
	}
	return string(name), attrs
}

func hasToken(list, tok string) bool {
	for f := range strings.FieldsSeq(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}

// dropMeta: metadata naming the original article (title, description, URL,
// dates) would be the same on every article of a template.
func dropMeta(attrs map[string]string) bool {
	key := strings.ToLower(attrs["property"] + " " + attrs["name"] + " " + attrs["itemprop"])
	for _, s := range []string{"title", "description", "url", "date", "time", "published", "modified"} {
		if strings.Contains(key, s) {
			return true
		}
	}
	return false
}

// Render writes the template with its text's words replaced by the words
// of article h, and canonical as its canonical link.
func (t *Template) Render(h uint64, canonical string) []byte {
	var b bytes.Buffer
	b.Grow(t.size + 256)
	for _, s := range t.segs {
		switch s.kind {
		case segRaw:
			b.Write(s.data)
		case segCanonical:
			b.WriteString(`<link rel="canonical" href="` + html.EscapeString(canonical) + `">`)
		case segText:
			substitute(&b, s.data, h)
		}
	}
	return b.Bytes()
}

// keep are words of four letters or more left as they are, so the text
// still reads as English to a language detector.
var keep = map[string]bool{}

func init() {
	for w := range strings.FieldsSeq(`that with from have this were they been their which would there about when will
	more said what into than them also after some other could only over such most these those where while because
	before being does each just like make many much very your then even here should since through under until
	again against between both during every however might must never often same still though upon whom whose
	year years people time news says told well first last week month state government`) {
		keep[w] = true
	}
}

// substitute copies raw HTML text to b, replacing each word of four letters
// or more (except the keep list) by a word of the made-up vocabulary chosen
// by the article hash h and the word, so one word maps to the same made-up
// word throughout an article. Character references stay.
func substitute(b *bytes.Buffer, text []byte, h uint64) {
	var low [48]byte
	for i := 0; i < len(text); {
		c := text[i]
		if c == '&' { // &name; or &#123; stays whole
			j := i + 1
			for j < len(text) && j-i < 34 && (isAlnum(text[j]) || text[j] == '#') {
				j++
			}
			if j < len(text) && text[j] == ';' {
				b.Write(text[i : j+1])
				i = j + 1
				continue
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		if !unicode.IsLetter(r) {
			b.Write(text[i : i+size])
			i += size
			continue
		}
		// A run of letters: hash its lower case, count its runes.
		start, n, lh, ln := i, 0, uint64(14695981039346656037), 0
		capital := unicode.IsUpper(r)
		for i < len(text) {
			r, size = utf8.DecodeRune(text[i:])
			if !unicode.IsLetter(r) {
				break
			}
			lr := unicode.ToLower(r)
			lh = (lh ^ uint64(lr)) * 1099511628211
			if ln+4 <= len(low) {
				ln += utf8.EncodeRune(low[ln:], lr)
			}
			n++
			i += size
		}
		if n < 4 || (ln < len(low) && keep[string(low[:ln])]) {
			b.Write(text[start:i])
			continue
		}
		writeWord(b, vocabWord(splitmix(h^lh)), capital)
	}
}

// The made-up vocabulary: vocabSize words whose frequencies follow a
// Zipf–Mandelbrot law, as words in news do, so that a store of farm
// articles has realistic document frequencies (common words in most
// documents, a long tail of rare ones) while no two articles are alike.
const vocabSize = 30000

var (
	vocab    [vocabSize]string
	vocabCDF [vocabSize]float64
)

func init() {
	var b bytes.Buffer
	total := 0.0
	for i := range vocabSize {
		h := splitmix(uint64(i) + 0x5eed)
		b.Reset()
		pseudoWord(&b, h, 4+int(h>>60)%8, false)
		vocab[i] = b.String()
		total += 1 / math.Pow(float64(i)+2.7, 1.0)
		vocabCDF[i] = total
	}
	for i := range vocabCDF {
		vocabCDF[i] /= total
	}
}

// vocabWord picks a word of the vocabulary by its frequency, from hash h.
func vocabWord(h uint64) string {
	u := float64(h>>11) / (1 << 53)
	i, _ := slices.BinarySearch(vocabCDF[:], u)
	return vocab[min(i, vocabSize-1)]
}

func writeWord(b *bytes.Buffer, w string, capital bool) {
	if capital && w != "" {
		b.WriteByte(w[0] - ('a' - 'A'))
		b.WriteString(w[1:])
		return
	}
	b.WriteString(w)
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// CorporaDir finds the shared corpora: NEWSTRACE_CORPORA, else
// ../shared/corpora from the working directory or one of its parents.
func CorporaDir(getenv func(string) string) (string, error) {
	if d := getenv("NEWSTRACE_CORPORA"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "..", "shared", "corpora")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return filepath.Clean(cand), nil
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("no corpora: set NEWSTRACE_CORPORA or --corpora (../shared/corpora not found)")
		}
	}
}

// LoadTemplates compiles the article-extraction pages under corpora
// (article-extraction/html/*.html.gz), read in place, never copied.
func LoadTemplates(corpora string) ([]*Template, error) {
	paths, err := filepath.Glob(filepath.Join(corpora, "article-extraction", "html", "*.html.gz"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no article-extraction/html/*.html.gz under %s", corpora)
	}
	slices.Sort(paths)
	out := make([]*Template, 0, len(paths))
	for _, p := range paths {
		page, err := readGzip(p)
		if err != nil {
			return nil, fmt.Errorf("read corpus page %s: %w", p, err)
		}
		out = append(out, CompileTemplate(strings.TrimSuffix(filepath.Base(p), ".html.gz"), page))
	}
	return out, nil
}

func readGzip(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, 64<<20))
}

// builtinTemplate stands in when no corpus is loaded (tests).
func builtinTemplate() *Template {
	return CompileTemplate("builtin", []byte(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour council approves the new ferry timetable</title>
<link rel="canonical" href="https://example.org/original">
<meta property="og:title" content="Harbour council approves the new ferry timetable">
<script type="application/ld+json">{"headline":"Harbour council approves"}</script>
</head><body>
<nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav>
<article><h1>Harbour council approves the new ferry timetable</h1>
<p class="byline">By Morgan Reeves</p>
<p>The harbour council voted on Tuesday evening to approve a new ferry timetable that adds three crossings on
weekday mornings and moves the last evening departure forty minutes later, after a consultation that drew more
than two thousand responses from residents and commuters.</p>
<p>Councillors said the change would cost about four hundred thousand pounds a year, most of it for crew overtime,
and that the operator had agreed to keep fares at their current level until the end of next spring.</p>
<p>Several residents of the island villages told the meeting that the early crossings would let children reach
the secondary school on time for the first lesson, something the present timetable does not allow in winter.</p>
<p>The operator will publish the full schedule next month; the first extra crossings are planned for September,
once two additional deckhands have finished their training &amp; safety certification.</p>
</article>
<footer><p>© Harbour Gazette. All rights reserved.</p></footer>
</body></html>`))
}
