package feedout

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// JSONFeedVersion is the version URL every JSON Feed 1.1 document carries.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url,omitempty"`
	FeedURL     string       `json:"feed_url,omitempty"`
	Description string       `json:"description,omitempty"`
	Language    string       `json:"language,omitempty"`
	Items       []jsonItem   `json:"items"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

type jsonItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url,omitempty"`
	ExternalURL   string       `json:"external_url,omitempty"`
	Title         string       `json:"title"`
	ContentHTML   string       `json:"content_html,omitempty"`
	ContentText   string       `json:"content_text,omitempty"`
	Summary       string       `json:"summary,omitempty"`
	DatePublished string       `json:"date_published,omitempty"`
	DateModified  string       `json:"date_modified,omitempty"`
	Authors       []jsonAuthor `json:"authors"`
	Tags          []string     `json:"tags,omitempty"`
	Language      string       `json:"language,omitempty"`
}

// WriteJSON writes f as JSON Feed 1.1. Every item carries content_html or
// content_text (the spec requires one), the credited outlet in authors and
// the original article in external_url.
func WriteJSON(w io.Writer, f Feed) error {
	out := jsonFeed{
		Version: JSONFeedVersion, Title: untitled(f.Title), HomePageURL: f.HomeURL, FeedURL: f.FeedURL,
		Description: oneLine(f.Description), Language: f.Language, Items: []jsonItem{},
	}
	for _, it := range f.Items {
		ji := jsonItem{
			ID: it.ID, URL: it.Link, ExternalURL: it.OriginalURL, Title: untitled(it.Title),
			Summary: oneLine(it.Credit()), Authors: []jsonAuthor{{Name: creditedOutlet(it)}},
			Language: it.Language,
		}
		if c := it.content(); c != "" {
			ji.ContentHTML = clean(c)
		} else {
			ji.ContentText = clean(it.summary())
		}
		if !it.Published.IsZero() {
			ji.DatePublished = it.Published.UTC().Format(time.RFC3339)
		}
		if t := it.updated(); !t.IsZero() {
			ji.DateModified = t.UTC().Format(time.RFC3339)
		}
		for _, c := range it.Categories {
			if c = oneLine(c); c != "" {
				ji.Tags = append(ji.Tags, c)
			}
		}
		out.Items = append(out.Items, ji)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	return nil
}
