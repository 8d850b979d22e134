package search

import (
	"strings"
	"time"

	"github.com/newstrace/newstrace"
)

// Result is the one JSON shape of a search page, for `newstrace search
// --json` and GET /api/v1/search alike (docs/api.md): snippets as plain text
// with match offsets, so no client needs to know the markers.
type Result struct {
	Query     string `json:"query"`
	Stories   int    `json:"stories"`
	Documents int    `json:"documents"`
	Capped    bool   `json:"capped"`
	Limit     int    `json:"limit"`
	Offset    int    `json:"offset"`
	Hits      []Hit  `json:"hits"`
}

// Hit is one story's best match.
type Hit struct {
	DocumentID      int64      `json:"document_id"`
	StoryID         int64      `json:"story_id"`
	Title           string     `json:"title"`
	TitleHighlights [][2]int   `json:"title_highlights"`
	URL             string     `json:"url,omitempty"`
	Source          string     `json:"source,omitempty"`
	Language        string     `json:"language,omitempty"`
	Published       *time.Time `json:"published,omitempty"`
	FirstSeen       time.Time  `json:"first_seen"`
	Score           float64    `json:"score"`
	Snippet         string     `json:"snippet"`
	Highlights      [][2]int   `json:"highlights"` // [start, end) byte offsets of matches in Snippet
	MoreInStory     int        `json:"more_in_story"`
}

// Output converts a store result for JSON.
func Output(query string, res newstrace.SearchResult) Result {
	out := Result{Query: query, Stories: res.Stories, Documents: res.Documents, Capped: res.Capped,
		Limit: res.Limit, Offset: res.Offset, Hits: []Hit{}}
	for _, h := range res.Hits {
		snippet, marks := SplitMarks(h.Snippet)
		_, titleMarks := SplitMarks(h.TitleMarked)
		out.Hits = append(out.Hits, Hit{
			DocumentID: h.DocumentID, StoryID: h.StoryID, Title: h.Title, TitleHighlights: titleMarks, URL: h.URL,
			Source: h.Source, Language: h.Language, Published: h.Published, FirstSeen: h.FirstSeen, Score: h.Score,
			Snippet: snippet, Highlights: marks, MoreInStory: h.MoreInStory,
		})
	}
	return out
}

// Segment is a run of snippet text, matched or not.
type Segment struct {
	Text  string
	Match bool
}

// Segments splits marked text into runs; a stray or unclosed marker (from
// stored text that held one) never leaves a run open.
func Segments(s string) []Segment {
	var out []Segment
	match := false
	for s != "" {
		i := strings.IndexAny(s, newstrace.SnippetStart+newstrace.SnippetEnd)
		if i < 0 {
			out = append(out, Segment{Text: s, Match: match})
			break
		}
		if i > 0 {
			out = append(out, Segment{Text: s[:i], Match: match})
		}
		match = s[i:i+1] == newstrace.SnippetStart
		s = s[i+1:]
	}
	return out
}

// SplitMarks removes the markers and returns the plain text with the
// [start, end) byte offsets of the matched runs.
func SplitMarks(s string) (string, [][2]int) {
	var b strings.Builder
	marks := [][2]int{}
	for _, seg := range Segments(s) {
		if seg.Match {
			marks = append(marks, [2]int{b.Len(), b.Len() + len(seg.Text)})
		}
		b.WriteString(seg.Text)
	}
	return b.String(), marks
}
