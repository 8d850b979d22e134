package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/extract"
	"github.com/newstrace/newstrace/internal/fetch"
)

// maxExtractInput bounds what `extract` reads from a file or stdin.
const maxExtractInput = 64 << 20

func runExtract(ctx context.Context, m *Main, args []string) error {
	fs := m.flagSet("extract", "[--url URL] [--format json|text] [--resolve] FILE|URL|-")
	pageURL := fs.String("url", "", "the URL the document came from (for canonical URL and relative links)")
	format := fs.String("format", "json", "output format: json or text")
	resolve := fs.Bool("resolve", false, "follow a short via link (provenance via_url) over the network; off: a file never touches the network")
	if err := parseInterleaved(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("extract needs exactly one FILE, URL or - (stdin)")
	}
	if *format != "json" && *format != "text" {
		return fmt.Errorf("unknown --format %q: want json or text", *format)
	}
	src := fs.Arg(0)
	data, contentType, finalURL, err := m.readInput(ctx, src)
	if err != nil {
		return err
	}
	if *pageURL == "" {
		*pageURL = finalURL
	}
	art, err := extract.Bytes(data, contentType, extract.Options{URL: *pageURL})
	if err != nil {
		return fmt.Errorf("extract %s: %w", src, err)
	}
	if *resolve {
		m.resolveVia(ctx, &art)
	}
	if *format == "text" {
		if art.Title != "" {
			writeLine(m.Stdout, "%s\n", art.Title)
		}
		writeLine(m.Stdout, "%s", art.Text)
		if p := art.Provenance; p.ViaResolved != "" {
			writeLine(m.Stdout, "\nvia %s → %s", p.ViaURL, p.ViaResolved)
		}
		return nil
	}
	return printJSON(m.Stdout, extractOutput(art))
}

// readInput reads a file, stdin ("-") or an http(s) URL through the guarded fetcher.
func (m *Main) readInput(ctx context.Context, src string) (data []byte, contentType, finalURL string, err error) {
	switch {
	case src == "-":
		data, err = io.ReadAll(io.LimitReader(m.Stdin, maxExtractInput+1))
		if err != nil {
			return nil, "", "", fmt.Errorf("read stdin: %w", err)
		}
	case strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://"):
		resp, err := m.fetcher(m.log(slog.LevelWarn), nil).Get(ctx, fetch.Request{URL: src})
		if err != nil {
			return nil, "", "", err // fetch errors already name the URL
		}
		return resp.Body, resp.ContentType, resp.FinalURL, nil
	default:
		fh, err := os.Open(src)
		if err != nil {
			return nil, "", "", fmt.Errorf("open %s: %w", src, err)
		}
		defer fh.Close()
		st, err := fh.Stat()
		if err != nil {
			return nil, "", "", fmt.Errorf("stat %s: %w", src, err)
		}
		if st.IsDir() {
			return nil, "", "", fmt.Errorf("%s is a directory (use 'newstrace ingest' for folders)", src)
		}
		data, err = io.ReadAll(io.LimitReader(fh, maxExtractInput+1))
		if err != nil {
			return nil, "", "", fmt.Errorf("read %s: %w", src, err)
		}
		contentType = contentTypeFor(src)
	}
	if len(data) > maxExtractInput {
		return nil, "", "", fmt.Errorf("%s is larger than %d MiB", src, maxExtractInput>>20)
	}
	return data, contentType, "", nil
}

// contentTypeFor hints the type from a file name; the extractor still sniffs.
func contentTypeFor(name string) string {
	n := strings.TrimSuffix(strings.ToLower(name), ".gz")
	switch {
	case strings.HasSuffix(n, ".txt"):
		return "text/plain"
	case strings.HasSuffix(n, ".html"), strings.HasSuffix(n, ".htm"):
		return "text/html"
	}
	return ""
}

// extractJSON is the CONTRACT's shape of `extract --format json`.
type extractJSON struct {
	URL          string               `json:"url"`
	CanonicalURL string               `json:"canonical_url"`
	Title        string               `json:"title"`
	Published    string               `json:"published,omitempty"`
	Authors      []string             `json:"authors"`
	SiteName     string               `json:"site_name"`
	Language     string               `json:"language"`
	Text         string               `json:"text"`
	Provenance   newstrace.Provenance `json:"provenance"`
	Removed      []newstrace.Removed  `json:"removed"`
}

func extractOutput(a newstrace.Article) extractJSON {
	out := extractJSON{
		URL: a.URL, CanonicalURL: a.CanonicalURL, Title: a.Title, Authors: a.Authors,
		SiteName: a.SiteName, Language: a.Language, Text: a.Text, Provenance: a.Provenance, Removed: a.Removed,
	}
	if a.Published != nil {
		out.Published = a.Published.UTC().Format(time.RFC3339)
	}
	if out.Authors == nil {
		out.Authors = []string{}
	}
	if out.Removed == nil {
		out.Removed = []newstrace.Removed{}
	}
	return out
}
