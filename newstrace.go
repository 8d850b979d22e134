// Package newstrace holds the domain: outlets, feeds, documents, stories and
// provenance edges, plus the store interface every backend implements.
// It imports nothing of ours so every other package can depend on it.
package newstrace

import (
	"net/url"
	"strings"
	"time"
)

// Source is an outlet: a newspaper, a blog, a wire service.
// It owns feeds and (later) learned boilerplate.
type Source struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	SiteURL   string    `json:"site_url,omitempty"`
	Language  string    `json:"language,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Feed is one subscription URL with its polling state.
type Feed struct {
	ID       int64  `json:"id"`
	SourceID int64  `json:"source_id"`
	URL      string `json:"url"`
	Title    string `json:"title,omitempty"`
	SiteURL  string `json:"site_url,omitempty"`
	Folder   string `json:"folder,omitempty"` // OPML folder / category, "" for none

	// Conditional GET validators from the last 200 response.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`

	LastPolledAt time.Time `json:"last_polled_at,omitzero"`
	NextPollAt   time.Time `json:"next_poll_at,omitzero"`
	FailureCount int       `json:"failure_count"`
	LastError    string    `json:"last_error,omitempty"`
	LastErrorAt  time.Time `json:"last_error_at,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
}

// SourceName names the source a new feed gets: its title, else its host.
func (f Feed) SourceName() string {
	if t := strings.TrimSpace(f.Title); t != "" {
		return t
	}
	if u, err := url.Parse(f.URL); err == nil && u.Hostname() != "" {
		return strings.TrimPrefix(u.Hostname(), "www.")
	}
	return f.URL
}

// Provenance holds the cues a document gives about where its text came from.
type Provenance struct {
	Outlet         string `json:"outlet,omitempty"`          // who published this copy's text (e.g. "Fort Russ News")
	OriginalSource string `json:"original_source,omitempty"` // credited original ("Source: X", "translated from X")
	Translator     string `json:"translator,omitempty"`
	ViaURL         string `json:"via_url,omitempty"`     // link back to the copied original (often a short link)
	Republisher    string `json:"republisher,omitempty"` // a site that reposted it (blog name in a title suffix)
	// ViaResolved is where a short ViaURL lands (canonical form), found by
	// following its redirects; ViaChain is that chain as evidence, one
	// "STATUS URL" per hop joined by " → " (a string keeps Provenance comparable).
	ViaResolved string `json:"via_resolved,omitempty"`
	ViaChain    string `json:"via_chain,omitempty"`
}

// IsZero reports whether no cue was found.
func (p Provenance) IsZero() bool { return p == Provenance{} }

// Removed is a part of a page that extraction or cleaning took out of the
// text, kept so nothing is silently lost.
type Removed struct {
	Kind string `json:"kind"` // e.g. "boilerplate", "social", "donation", "comments", "duplicate", "header", "footer", "title_suffix"
	Text string `json:"text"`
}

// Article is what extraction yields for one page or text, before storing.
type Article struct {
	URL          string     `json:"url,omitempty"`
	CanonicalURL string     `json:"canonical_url,omitempty"`
	Title        string     `json:"title"`
	Published    *time.Time `json:"published,omitempty"`
	Authors      []string   `json:"authors"`
	SiteName     string     `json:"site_name,omitempty"`
	Language     string     `json:"language,omitempty"`
	Text         string     `json:"text"`           // paragraphs separated by one blank line
	HTML         string     `json:"html,omitempty"` // sanitized body HTML for the reader view, may be empty
	Provenance   Provenance `json:"provenance"`
	Removed      []Removed  `json:"removed"`
}

// Document is one stored copy of an article at one URL.
type Document struct {
	ID           int64      `json:"id"`
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url"`
	Title        string     `json:"title"`
	Authors      []string   `json:"authors"`
	Published    *time.Time `json:"published,omitempty"`
	FirstSeen    time.Time  `json:"first_seen"`
	Language     string     `json:"language,omitempty"`
	SiteName     string     `json:"site_name,omitempty"`
	Text         string     `json:"text"`
	HTML         string     `json:"html,omitempty"`
	Removed      []Removed  `json:"removed"`
	Provenance   Provenance `json:"provenance"`
	ContentHash  string     `json:"content_hash"`   // hash of the normalized text (see match.ContentHash)
	Path         string     `json:"path,omitempty"` // file path when it came from ingest
	StoryID      int64      `json:"story_id"`
	SourceID     int64      `json:"source_id,omitempty"` // the first source that brought it
	SourceName   string     `json:"source,omitempty"`    // filled on reads
	CreatedAt    time.Time  `json:"created_at"`
}

// Sighting records that a feed entry (or ingested file) pointed at a document.
// A document seen in two feeds has two sightings.
type Sighting struct {
	DocumentID int64     `json:"document_id"`
	FeedID     int64     `json:"feed_id,omitempty"`
	SourceID   int64     `json:"source_id,omitempty"`
	EntryKey   string    `json:"entry_key,omitempty"` // feed entry GUID, else link, else hash
	URL        string    `json:"url,omitempty"`
	SeenAt     time.Time `json:"seen_at"`
}

// EdgeKind names how one document's text derives from another's.
type EdgeKind string

const (
	EdgeDuplicate   EdgeKind = "duplicate" // same canonical URL or identical text
	EdgeRepost      EdgeKind = "repost"
	EdgeSyndication EdgeKind = "syndication"
	EdgeTranslation EdgeKind = "translation"
	EdgeCites       EdgeKind = "cites"
)

// Edge is a provenance link from an original to what derives from it
// (original → repost/syndication/translation; citing document → cited).
// An outlet named only in a cue, with no document of its own (the seed's
// "Al Mayadeen"), is an edge with FromID 0 and FromOutlet set.
type Edge struct {
	FromID     int64    `json:"from"`
	FromOutlet string   `json:"from_outlet,omitempty"`
	ToID       int64    `json:"to"`
	Kind       EdgeKind `json:"kind"`
	Confidence float64  `json:"confidence"`
	Evidence   string   `json:"evidence,omitempty"`
}

// Story groups documents telling one story; the root is the earliest original.
type Story struct {
	ID             int64      `json:"id"`
	Title          string     `json:"title"`
	RootDocumentID int64      `json:"root_document_id"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Documents      []Document `json:"documents,omitempty"`
	Edges          []Edge     `json:"edges,omitempty"`
	DocumentCount  int        `json:"document_count"`
	SourceCount    int        `json:"source_count"`
}

// User is a local account.
type User struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Token is an API token; only its hash is stored.
type Token struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"`
	Hash      string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}
