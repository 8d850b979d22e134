package ingest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

type kind int

const (
	kindSkip kind = iota
	kindHTML
	kindText
	kindWARC
)

// found is one file to ingest.
type found struct {
	path string
	kind kind
	gz   bool // gzip-compressed (a .warc.gz may hold one member per record)
}

// classify tells what a file name holds.
func classify(name string) (kind, bool) {
	name = strings.ToLower(name)
	gz := strings.HasSuffix(name, ".gz")
	name = strings.TrimSuffix(name, ".gz")
	switch filepath.Ext(name) {
	case ".html", ".htm":
		return kindHTML, gz
	case ".txt":
		return kindText, gz
	case ".warc":
		return kindWARC, gz
	}
	return kindSkip, gz
}

// collect expands paths into files, folders walked recursively in lexical
// order, so the whole count is known before any work starts.
func collect(ctx context.Context, paths []string) ([]found, error) {
	var out []found
	add := func(p string) {
		k, gz := classify(filepath.Base(p))
		out = append(out, found{path: p, kind: k, gz: gz})
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err) // *PathError names the path
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if d.Type().IsRegular() {
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("ingest: walk %s: %w", p, err)
		}
	}
	return out, nil
}
