// Package ingest feeds files into the pipeline in bulk: HTML and text files,
// gzipped or not, folders of them, and WARC archives. It only finds and
// reads; what happens to each document is the handler's business.
package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Item is one document to ingest.
type Item struct {
	Path        string    // the file it came from (the archive for a WARC record)
	Data        []byte    // decompressed, at most Options.MaxFileBytes
	ModTime     time.Time // file modification time, or the WARC record's WARC-Date
	ContentType string    // "" or a hint: from the extension, or a WARC record's HTTP header
	URL         string    // the WARC record's target URI; "" for plain files
}

// Options tune Run; zero values take the defaults.
type Options struct {
	Progress     io.Writer // nil: report nothing
	Terminal     bool      // a progress bar on Progress rather than one line at the end
	MaxFileBytes int64     // cap on one document after decompression; default 50 MiB
	Logger       *slog.Logger
}

// DefaultMaxFileBytes caps one document when Options.MaxFileBytes is 0.
const DefaultMaxFileBytes = 50 << 20

// Summary counts what Run did. Files counts the files found (skipped ones
// too); a WARC file yields one document per HTML response, so Stored,
// Duplicates and Failed count documents and may exceed Files.
type Summary struct {
	Files, Stored, Duplicates, Failed, Skipped int
	// Resumed counts documents a handler skipped with ErrAlreadyStored
	// (stored by an earlier, interrupted run).
	Resumed int
	Elapsed time.Duration
}

// ErrAlreadyStored is what a handler returns for a document an earlier run
// already stored: it is counted in Summary.Resumed, not as a failure.
var ErrAlreadyStored = errors.New("already stored")

func (s Summary) String() string {
	resumed := ""
	if s.Resumed > 0 {
		resumed = fmt.Sprintf(", %d already stored", s.Resumed)
	}
	return fmt.Sprintf("ingest: %s, %d stored, %s, %d failed, %d skipped%s in %.1fs",
		plural(s.Files, "file"), s.Stored, plural(s.Duplicates, "duplicate"), s.Failed, s.Skipped, resumed, s.Elapsed.Seconds())
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// handler stores one item, reporting whether it was new.
type handler func(ctx context.Context, it Item) (created bool, err error)

// Run finds every supported file under paths, in a stable sorted order, and
// hands each document to handle. A failing file or document is counted and
// logged, not returned; Run returns an error only for a path that can't be
// read at all (before any document is handled) or when ctx ends.
func Run(ctx context.Context, paths []string, opt Options, handle func(ctx context.Context, it Item) (created bool, err error)) (Summary, error) {
	began := time.Now()
	opt.MaxFileBytes = cmp.Or(opt.MaxFileBytes, DefaultMaxFileBytes)
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if handle == nil {
		return Summary{}, errors.New("ingest: nil handler")
	}
	files, err := collect(ctx, paths)
	if err != nil {
		return Summary{}, err
	}
	r := &run{opt: opt, log: opt.Logger.With(slog.String("component", "ingest")), handle: handle}
	r.sum.Files = len(files)
	prog := newProgress(opt.Progress, opt.Terminal, len(files))
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			r.sum.Elapsed = time.Since(began)
			prog.abort()
			return r.sum, fmt.Errorf("ingest: %w", err)
		}
		if err := r.file(ctx, f); err != nil { // only ctx errors come back
			r.sum.Elapsed = time.Since(began)
			prog.abort()
			return r.sum, fmt.Errorf("ingest %s: %w", f.path, err)
		}
		prog.step()
	}
	r.sum.Elapsed = time.Since(began)
	prog.finish(r.sum)
	return r.sum, nil
}

// run holds the state of one Run.
type run struct {
	opt    Options
	log    *slog.Logger
	handle handler
	sum    Summary
}

// file ingests one found file. It returns an error only when ctx ended.
func (r *run) file(ctx context.Context, f found) error {
	switch f.kind {
	case kindSkip:
		r.sum.Skipped++
		r.log.DebugContext(ctx, "skipping unsupported file", slog.String("path", f.path))
		return nil
	case kindWARC:
		return r.warc(ctx, f)
	}
	it, err := readDocument(ctx, f, r.opt.MaxFileBytes)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.fail(ctx, f.path, "", err)
		return nil
	}
	return r.item(ctx, it)
}

// item hands one document to the handler and counts the outcome.
func (r *run) item(ctx context.Context, it Item) error {
	created, err := r.handle(ctx, it)
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, ErrAlreadyStored):
		r.sum.Resumed++
	case err != nil:
		r.fail(ctx, it.Path, it.URL, err)
	case created:
		r.sum.Stored++
		// One line per committed document (debug level): after a crash, the
		// log says what was stored.
		r.log.DebugContext(ctx, "stored", slog.String("path", it.Path), slog.String("url", it.URL))
	default:
		r.sum.Duplicates++
	}
	return nil
}

func (r *run) fail(ctx context.Context, path, url string, err error) {
	r.sum.Failed++
	attrs := []any{slog.String("path", path), slog.String("error", err.Error())}
	if url != "" {
		attrs = append(attrs, slog.String("url", url))
	}
	r.log.WarnContext(ctx, "ingest failed", attrs...)
}

// ctxReader makes long reads (big archives, decompression) stop when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
