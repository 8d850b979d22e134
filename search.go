package newstrace

import (
	"context"
	"time"
)

// Snippet markers: a highlighted match in SearchHit.Snippet and TitleMarked
// sits between SnippetStart and SnippetEnd. They are control characters that
// never survive extraction, so callers escape the text first and only then
// turn the markers into emphasis (<mark> in HTML, bold on a terminal).
const (
	SnippetStart = "\x02"
	SnippetEnd   = "\x03"
)

// Search limits: a page holds at most SearchMaxLimit story groups.
const (
	SearchDefaultLimit = 20
	SearchMaxLimit     = 200
)

// SearchTerm is one word, "quoted phrase" or prefix* of a query.
type SearchTerm struct {
	Text   string `json:"text"`             // the word, or the phrase's words as typed
	Phrase bool   `json:"phrase,omitempty"` // typed in quotes: its words in this order
	Prefix bool   `json:"prefix,omitempty"` // typed with a trailing *: matches words starting with Text
}

// SearchClause is one condition on the words of a document: it matches when
// any of Any does (a single term, or terms joined by OR); a Negated clause
// matches when none does.
type SearchClause struct {
	Any     []SearchTerm `json:"any"`
	Negated bool         `json:"negated,omitempty"`
}

// SearchQuery is a parsed search, independent of any backend. Clauses are
// ANDed; each filter list matches any of its values; filters are ANDed with
// each other and with the clauses.
type SearchQuery struct {
	Clauses []SearchClause `json:"clauses,omitempty"`

	Sources []string   `json:"sources,omitempty"` // source names, case-insensitive; any source that carried the document
	Langs   []string   `json:"langs,omitempty"`   // ISO 639-1 codes, lower case
	Authors []string   `json:"authors,omitempty"` // any author's name contains it, case-insensitive
	After   *time.Time `json:"after,omitempty"`   // published (else first seen) at or after
	Before  *time.Time `json:"before,omitempty"`  // published (else first seen) strictly before
	Starred *bool      `json:"starred,omitempty"` // starred by UserID
	Unread  *bool      `json:"unread,omitempty"`  // not (or, when false, already) read by UserID
	StoryID int64      `json:"story_id,omitempty"`

	// Set by the caller, not the query text.
	UserID int64 `json:"-"` // whose starred/read state is:starred and is:unread consult; 0 has none
	Limit  int   `json:"-"` // story groups per page; 0 means SearchDefaultLimit
	Offset int   `json:"-"` // story groups to skip
}

// HasTerms reports whether the query has a positive word condition, i.e.
// whether results can be ranked by relevance.
func (q SearchQuery) HasTerms() bool {
	for _, c := range q.Clauses {
		if !c.Negated {
			return true
		}
	}
	return false
}

// SearchHit is the best matching document of one story.
type SearchHit struct {
	DocumentID  int64      `json:"document_id"`
	StoryID     int64      `json:"story_id"`
	Title       string     `json:"title"`
	TitleMarked string     `json:"title_marked"` // Title with matches between the snippet markers
	URL         string     `json:"url,omitempty"`
	Source      string     `json:"source,omitempty"`
	Language    string     `json:"language,omitempty"`
	Published   *time.Time `json:"published,omitempty"`
	FirstSeen   time.Time  `json:"first_seen"`
	Score       float64    `json:"score"`   // relevance, higher is better (bm25 negated); 0 without terms
	Snippet     string     `json:"snippet"` // a short excerpt with matches between the snippet markers
	MoreInStory int        `json:"more_in_story"`
}

// SearchResult is one page of hits, one per story, best first (newest first
// when the query has no terms).
type SearchResult struct {
	Hits      []SearchHit `json:"hits"`
	Stories   int         `json:"stories"`   // story groups matched (what pages count)
	Documents int         `json:"documents"` // documents matched
	// Capped is set when more documents matched than a search examines (the
	// newest ones are kept); Stories and Documents then count those only.
	Capped bool `json:"capped,omitempty"`
	Limit  int  `json:"limit"`
	Offset int  `json:"offset"`
}

// SearchStore runs parsed searches.
type SearchStore interface {
	// Search returns one page of q's results grouped by story. A query with
	// neither clauses nor filters is EINVALID.
	Search(ctx context.Context, q SearchQuery) (SearchResult, error)
}
