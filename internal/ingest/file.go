package ingest

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/newstrace/newstrace"
)

// readDocument reads one HTML or text file, decompressing .gz with a cap so
// a gzip bomb costs at most max bytes of memory.
func readDocument(ctx context.Context, f found, max int64) (Item, error) {
	fh, err := os.Open(f.path)
	if err != nil {
		return Item{}, fmt.Errorf("open: %w", err)
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return Item{}, fmt.Errorf("stat: %w", err)
	}
	var r io.Reader = ctxReader{ctx, fh}
	if f.gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return Item{}, fmt.Errorf("gunzip: %w", err)
		}
		defer zr.Close()
		r = zr
	} else if info.Size() > max {
		return Item{}, newstrace.Errorf(newstrace.ETOOLARGE, "%s is %d bytes, over the %d byte limit", f.path, info.Size(), max)
	}
	data, err := readCapped(r, max)
	if err != nil {
		return Item{}, err
	}
	it := Item{Path: f.path, Data: data, ModTime: info.ModTime(), ContentType: "text/plain"}
	if f.kind == kindHTML {
		it.ContentType = "text/html"
	}
	return it, nil
}

// readCapped reads r to the end, failing once it passes max bytes.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(len(data)) > max {
		return nil, newstrace.Errorf(newstrace.ETOOLARGE, "content over the %d byte limit", max)
	}
	return data, nil
}
