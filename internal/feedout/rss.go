package feedout

import (
	"encoding/xml"
	"io"
	"time"
)

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	DC      string     `xml:"xmlns:dc,attr"`
	Content string     `xml:"xmlns:content,attr"`
	Base    string     `xml:"xml:base,attr,omitempty"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator,omitempty"`
	Self          *atomLink `xml:"atom:link,omitempty"`
	Items         []rssItem `xml:"item"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate,omitempty"`
	Creator     string   `xml:"dc:creator"`
	Categories  []string `xml:"category"`
	Description string   `xml:"description"`
	Content     *cdata   `xml:"content:encoded,omitempty"`
}

type cdata struct {
	Value string `xml:",cdata"`
}

func rssTime(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// WriteRSS writes f as RSS 2.0: the outlet goes in dc:creator (RSS's own
// <author> must be an e-mail address), the id in a non-permalink <guid>, the
// body in content:encoded.
func WriteRSS(w io.Writer, f Feed) error {
	ch := rssChannel{
		Title: untitled(f.Title), Link: f.HomeURL, Description: oneLine(f.Description),
		Language: f.Language, LastBuildDate: rssTime(f.updated()), Generator: oneLine(f.Generator),
	}
	if ch.Description == "" {
		ch.Description = ch.Title
	}
	if f.FeedURL != "" {
		ch.Self = &atomLink{Rel: "self", Type: "application/rss+xml", Href: f.FeedURL}
	}
	for _, it := range f.Items {
		ri := rssItem{
			Title: untitled(it.Title), Link: it.Link,
			GUID:        rssGUID{IsPermaLink: "false", Value: it.ID},
			Creator:     creditedOutlet(it),
			Description: clean(it.summary()),
		}
		if t := it.Published; !t.IsZero() {
			ri.PubDate = rssTime(t)
		} else if t := it.updated(); !t.IsZero() {
			ri.PubDate = rssTime(t)
		}
		for _, c := range it.Categories {
			if c = oneLine(c); c != "" {
				ri.Categories = append(ri.Categories, c)
			}
		}
		if c := it.content(); c != "" {
			// "]]>" cannot sit inside a CDATA section; encoding/xml splits it.
			ri.Content = &cdata{Value: clean(c)}
		}
		ch.Items = append(ch.Items, ri)
	}
	doc := rssDoc{Version: "2.0", Atom: atomNS, DC: "http://purl.org/dc/elements/1.1/",
		Content: "http://purl.org/rss/1.0/modules/content/", Base: f.BaseURL, Channel: ch}
	return writeXML(w, doc)
}
