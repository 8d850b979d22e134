// Package story decides how stored documents relate: near-duplicate copies
// (repost, syndication, excerpt), credited translations, citations and
// independent retellings of one event; and from a story's documents it
// builds the provenance graph with its root. It is pure: no store, no
// network; the caller brings fingerprints (internal/match), IDF weights and,
// optionally, embeddings (internal/story/embed).
package story

import (
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/match"
)

// Doc is what the matcher knows about one stored document.
type Doc struct {
	ID        int64
	URL       string
	Title     string
	Text      string
	Language  string // ISO 639-1, "" when unknown
	Source    string // outlet name of the source that brought it, "" when unknown
	Published *time.Time
	FirstSeen time.Time

	Provenance newstrace.Provenance
	FP         match.Fingerprint // match.FingerprintText(Text, match.DefaultParams())

	// Embedding is the document's vector from an OpenAI-compatible
	// embeddings endpoint (see internal/story/embed); nil when none is
	// configured. It only serves to link documents in different languages.
	Embedding []float32
}

// IDF gives inverse document frequency weights for same-story (retelling)
// similarity; the store backs it with full-text-index document counts;
// tests may use a map (see CountIDF). nil weighs every term 1.
type IDF func(term string) float64

// Relation says how two documents relate. From is the original, To derives
// from it (for cites: To quotes From). From and To are set whenever
// SameStory is.
type Relation struct {
	SameStory bool
	// Kind is "" when same story but neither copies the other (an
	// independent retelling); such pairs get no edge.
	Kind       newstrace.EdgeKind
	From, To   int64
	Confidence float64
	// Evidence is human-readable: "containment 0.97 of to in from; jaccard
	// 0.81", "credit: 'Source: Al Mayadeen'", "published 3h apart".
	Evidence string
}
