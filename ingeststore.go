package newstrace

import "context"

// IngestStore lets a bulk ingest resume: a re-run skips files already
// stored without reading or extracting them again. It is separate from
// Store so backends can add it on their own schedule; the pipeline uses it
// when the store has it.
type IngestStore interface {
	// SeenFileKey reports whether a sighting without a feed (a file or a
	// WARC record) was recorded with this entry key.
	SeenFileKey(ctx context.Context, entryKey string) (bool, error)
}
