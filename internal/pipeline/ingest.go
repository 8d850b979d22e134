package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/extract"
	"github.com/newstrace/newstrace/internal/ingest"
)

// localSource names documents that arrive as files without any outlet cue.
const localSource = "Local files"

// Ingest stores one file (or WARC record) through the same extract → store
// path as fetched articles. The file's modification time stands for its
// first-seen time; the document's own date, when it has one, is its
// published time.
func (p *Pipeline) Ingest(ctx context.Context, it ingest.Item) (bool, error) {
	if p.storedBefore(ctx, it) {
		return false, ingest.ErrAlreadyStored
	}
	art, err := extract.Bytes(it.Data, it.ContentType, extract.Options{URL: it.URL})
	if err != nil {
		return false, fmt.Errorf("extract %s: %w", it.Path, err)
	}
	seen := it.ModTime
	if seen.IsZero() {
		seen = p.now()
	}
	doc := documentFrom(art, seen.UTC())
	path := it.Path
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	doc.Path = it.Path
	src, err := p.store.EnsureSource(ctx, newstrace.Source{Name: sourceName(art, it.URL), Language: art.Language})
	if err != nil {
		return false, fmt.Errorf("ingest %s: %w", it.Path, err)
	}
	doc.SourceID = src.ID
	// The source is known only after extraction: its learned lines are
	// stripped from the text now, as a re-clean would.
	learned := p.learnedSet(ctx, src.ID)
	doc = applyLearned(doc, learned)
	key := "file:" + path
	if it.URL != "" {
		key = "warc:" + path + "#" + it.URL
	}
	res, err := p.store.SaveDocument(ctx, doc, newstrace.Sighting{SourceID: src.ID, EntryKey: key, URL: it.URL, SeenAt: seen.UTC()})
	if err == nil {
		err = p.matchSaved(ctx, res)
	}
	if err != nil {
		return false, fmt.Errorf("ingest %s: %w", it.Path, err)
	}
	p.learnBoilerplate(ctx, src.ID, learned, res)
	return res.Created, nil
}

// sourceName picks the outlet a file's document is filed under: the site
// that published this copy (site name, republishing blog), else the outlet
// cue, else the URL's host.
func sourceName(a newstrace.Article, rawURL string) string {
	host := ""
	if u, err := url.Parse(cmp.Or(a.URL, rawURL)); err == nil {
		host = u.Hostname()
	}
	return cmp.Or(a.SiteName, a.Provenance.Republisher, a.Provenance.Outlet, host, localSource)
}
