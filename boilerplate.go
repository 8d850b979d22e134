package newstrace

import "context"

// BoilerplateStore keeps, per source, which short lines each of the
// source's recent documents holds, so lines recurring across many of them
// (footers, newsletter calls, copyright lines) can be learned as that
// source's boilerplate, and lets the pipeline re-clean documents stored
// before a line was learned.
type BoilerplateStore interface {
	// RecordLines files lines (each once; Key identifies a normalized line)
	// as held by docID, a document of sourceID, replacing what was filed
	// for docID before; then forgets every document of the source older
	// (lower id) than its newest keep. Line texts are kept only once a key
	// is held by two documents, so unique body paragraphs cost a key each.
	RecordLines(ctx context.Context, sourceID, docID int64, lines []SourceLine, keep int) error
	// SourceLines returns the lines held by at least min of the source's
	// newest window recorded documents, most documents first (then by
	// key), and how many documents that window holds.
	SourceLines(ctx context.Context, sourceID int64, window, min int) ([]LineCount, int, error)
	// UpdateDocumentText atomically replaces a document's text, HTML and
	// removed parts when its text still equals oldText (ECONFLICT
	// otherwise: it changed since it was read). Everything else, the
	// content hash included, stays. ENOTFOUND for an unknown document.
	UpdateDocumentText(ctx context.Context, id int64, oldText, text, html string, removed []Removed) error
}

// SourceLine is one normalized line of a document.
type SourceLine struct {
	Key  string // stable hash of Norm
	Norm string // the normalized line (clean.Normalize)
	Text string // the line as found, for people
}

// LineCount is a line with the number of a source's documents holding it.
type LineCount struct {
	SourceLine
	Docs int
}
