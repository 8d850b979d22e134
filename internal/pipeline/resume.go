package pipeline

import (
	"context"
	"path/filepath"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/ingest"
)

// fileKey is the sighting key of an ingested file or WARC record: the
// absolute path, and the record's URL inside a WARC.
func fileKey(it ingest.Item) string {
	path := it.Path
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if it.URL != "" {
		return "warc:" + path + "#" + it.URL
	}
	return "file:" + path
}

// storedBefore reports whether an earlier ingest stored this file (or WARC
// record), so an interrupted run resumes where it stopped without
// extracting again. A store without IngestStore, or a failed check, says no:
// the item then goes through the pipeline and dedup as before.
func (p *Pipeline) storedBefore(ctx context.Context, it ingest.Item) bool {
	is, ok := p.store.(newstrace.IngestStore)
	if !ok {
		return false
	}
	seen, err := is.SeenFileKey(ctx, fileKey(it))
	if err != nil {
		p.log.Warn("resume check failed", "path", it.Path, "err", err)
		return false
	}
	return seen
}
