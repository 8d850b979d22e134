package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Tags keep the per-feed choices independent of each other.
const (
	tagKind uint64 = iota + 1
	tagFailKind
	tagRedirectKind
	tagValidators
	tagAtom
	tagPhase
	tagDelay
	tagCopy
	tagCopyOf
	tagTemplate
	tagArticle
	tagTitle
	tagWord
)

// mix hashes seed, tag and values into 64 bits (splitmix64 finalizer per step).
func mix(seed, tag uint64, vals ...uint64) uint64 {
	h := splitmix(seed ^ 0x9e3779b97f4a7c15)
	h = splitmix(h ^ tag)
	for _, v := range vals {
		h = splitmix(h ^ v)
	}
	return h
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// unit maps the hash to [0, 1).
func unit(seed, tag uint64, vals ...uint64) float64 {
	return float64(mix(seed, tag, vals...)>>11) / (1 << 53)
}

const (
	consonants = "bcdfghjklmnprstvwz"
	vowels     = "aeiou"
)

// pseudoWord writes a pronounceable made-up word of n letters chosen by h.
func pseudoWord(b *bytes.Buffer, h uint64, n int, capital bool) {
	for i := range n {
		var c byte
		if i%2 == 0 {
			c = consonants[h%uint64(len(consonants))]
			h /= uint64(len(consonants))
		} else {
			c = vowels[h%uint64(len(vowels))]
			h /= uint64(len(vowels))
		}
		if h < 32 {
			h = splitmix(h + uint64(i))
		}
		if i == 0 && capital {
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
	}
}

// sentence is n words of the vocabulary from h, capitalised, without a full stop.
func sentence(h uint64, n int) string {
	var b bytes.Buffer
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		writeWord(&b, vocabWord(splitmix(h+uint64(i))), i == 0)
	}
	return b.String()
}

func (f *Farm) itemTitle(id, j int) string {
	sid, sj := f.source(id, j)
	return sentence(mix(f.cfg.Seed, tagTitle, uint64(sid), uint64(sj)), 7)
}

func (f *Farm) itemSummary(id, j int) string {
	sid, sj := f.source(id, j)
	return sentence(mix(f.cfg.Seed, tagTitle, uint64(sid), uint64(sj), 1), 24) + "."
}

func (f *Farm) feedTitle(id int) string {
	return "Farm outlet " + strconv.Itoa(id) + ": " + sentence(mix(f.cfg.Seed, tagTitle, uint64(id), 1<<40), 2)
}

// xmlText escapes s for XML text and attribute values (quotes included).
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// rss renders feed id with its newest Items of count items.
func (f *Farm) rss(id, count int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rss version=\"2.0\"><channel>\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<link>%s/</link>\n<description>Synthetic feed %d of the newstrace feed farm</description>\n<language>en</language>\n",
		xmlText(f.feedTitle(id)), f.host(id), id)
	if count > 0 {
		fmt.Fprintf(&b, "<lastBuildDate>%s</lastBuildDate>\n", f.Published(id, count-1).UTC().Format(time.RFC1123Z))
	}
	for j := count - 1; j >= max(0, count-f.cfg.Items); j-- {
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">farm-%x-%d-%d</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			xmlText(f.itemTitle(id, j)), f.ArticleURL(id, j), f.cfg.Seed, id, j,
			f.Published(id, j).UTC().Format(time.RFC1123Z), xmlText(f.itemSummary(id, j)))
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes()
}

// atom renders feed id as Atom 1.0.
func (f *Farm) atom(id, count int) []byte {
	var b bytes.Buffer
	updated := f.cfg.Start.Add(-24 * time.Hour)
	if count > 0 {
		updated = f.Published(id, count-1)
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<id>urn:newstrace-farm:%x:%d</id>\n<link href=\"%s/\"/>\n<link rel=\"self\" href=\"%s\"/>\n<updated>%s</updated>\n",
		xmlText(f.feedTitle(id)), f.cfg.Seed, id, f.host(id), f.FeedURL(id), updated.UTC().Format(time.RFC3339))
	for j := count - 1; j >= max(0, count-f.cfg.Items); j-- {
		pub := f.Published(id, j).UTC().Format(time.RFC3339)
		fmt.Fprintf(&b, "<entry><title>%s</title><id>urn:newstrace-farm:%x:%d:%d</id><link href=\"%s\"/><published>%s</published><updated>%s</updated><author><name>Farm desk %d</name></author><summary>%s</summary></entry>\n",
			xmlText(f.itemTitle(id, j)), f.cfg.Seed, id, j, f.ArticleURL(id, j), pub, pub, id%97, xmlText(f.itemSummary(id, j)))
	}
	b.WriteString("</feed>\n")
	return b.Bytes()
}

// OPML lists every feed, in folders of 100.
func (f *Farm) OPML() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<opml version=\"2.0\"><head><title>newstrace feed farm</title></head><body>\n")
	for id := range f.cfg.Feeds {
		if id%100 == 0 {
			if id > 0 {
				b.WriteString("</outline>\n")
			}
			fmt.Fprintf(&b, "<outline text=\"farm %d-%d\">\n", id, min(id+99, f.cfg.Feeds-1))
		}
		typ := "rss"
		if f.IsAtom(id) {
			typ = "atom"
		}
		fmt.Fprintf(&b, "<outline type=\"%s\" text=\"%s\" xmlUrl=\"%s\" htmlUrl=\"%s/\"/>\n",
			typ, xmlText(f.feedTitle(id)), f.FeedURL(id), f.host(id))
	}
	b.WriteString("</outline>\n</body></opml>\n")
	return b.Bytes()
}
