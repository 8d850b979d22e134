package ingest

// A small WARC reader rather than a library: we need only response records
// (headers, a Content-Length block, the HTTP response inside), the standard
// library parses the HTTP part, and gzip.Reader already reads the
// one-member-per-record layout of .warc.gz as one stream. nlnwa/gowarc
// would add four modules for this.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/newstrace/newstrace"
)

// maxWARCHeader bounds one record's header block, so garbage can't grow it.
const maxWARCHeader = 64 << 10

// warc ingests every HTML response record of one archive. A broken record
// header ends the file (its framing is lost); a broken record body fails
// only that record.
func (r *run) warc(ctx context.Context, f found) error {
	fh, err := os.Open(f.path)
	if err != nil {
		r.fail(ctx, f.path, "", fmt.Errorf("open: %w", err))
		return nil
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		r.fail(ctx, f.path, "", fmt.Errorf("stat: %w", err))
		return nil
	}
	var src io.Reader = ctxReader{ctx, fh}
	if f.gz {
		zr, err := gzip.NewReader(src)
		if err != nil {
			r.fail(ctx, f.path, "", fmt.Errorf("gunzip: %w", err))
			return nil
		}
		defer zr.Close()
		src = zr
	}
	br := bufio.NewReaderSize(src, 64<<10)
	for n := 1; ; n++ {
		hdr, err := readWARCHeader(br)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.fail(ctx, f.path, "", fmt.Errorf("warc record %d: %w", n, err))
			return nil
		}
		it, ok, err := r.warcRecord(br, hdr, f.path, info.ModTime())
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var framing *framingError
			r.fail(ctx, f.path, it.URL, fmt.Errorf("warc record %d: %w", n, err))
			if errors.As(err, &framing) {
				return nil
			}
			continue
		}
		if ok {
			if err := r.item(ctx, it); err != nil {
				return err
			}
		}
	}
}

// framingError means the stream can't be followed past this record.
type framingError struct{ err error }

func (e *framingError) Error() string { return e.err.Error() }
func (e *framingError) Unwrap() error { return e.err }

// warcRecord reads one record's block. ok is false for records that are not
// HTML responses (requests, metadata, images...); those non-HTML responses
// count as skipped.
func (r *run) warcRecord(br *bufio.Reader, hdr textproto.MIMEHeader, path string, fileTime time.Time) (it Item, ok bool, err error) {
	size, err := strconv.ParseInt(strings.TrimSpace(hdr.Get("Content-Length")), 10, 64)
	if err != nil || size < 0 {
		return Item{}, false, &framingError{fmt.Errorf("bad Content-Length %q", hdr.Get("Content-Length"))}
	}
	it = Item{Path: path, URL: strings.Trim(strings.TrimSpace(hdr.Get("WARC-Target-URI")), "<>"), ModTime: fileTime}
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(hdr.Get("WARC-Date"))); err == nil {
		it.ModTime = t
	}
	isResponse := strings.EqualFold(strings.TrimSpace(hdr.Get("WARC-Type")), "response")
	isHTTP := strings.HasPrefix(strings.ToLower(hdr.Get("Content-Type")), "application/http")
	// The block carries HTTP headers too; allow them on top of the body cap.
	if !isResponse || !isHTTP || size > r.opt.MaxFileBytes+maxWARCHeader {
		if _, err := io.CopyN(io.Discard, br, size); err != nil {
			return it, false, &framingError{fmt.Errorf("skip block: %w", err)}
		}
		if isResponse && isHTTP {
			return it, false, newstrace.Errorf(newstrace.ETOOLARGE, "%s: block of %d bytes over the limit", it.URL, size)
		}
		if isResponse {
			r.sum.Skipped++
		}
		return it, false, nil
	}
	block := make([]byte, size)
	if _, err := io.ReadFull(br, block); err != nil {
		return it, false, &framingError{fmt.Errorf("read block: %w", err)}
	}
	body, ctype, err := httpBody(block, r.opt.MaxFileBytes)
	if err != nil {
		return it, false, err
	}
	if body == nil || !isHTML(ctype, body) {
		r.sum.Skipped++ // not a 2xx HTML page
		return it, false, nil
	}
	it.Data, it.ContentType = body, ctype
	return it, true, nil
}

// readWARCHeader reads "WARC/1.x" and the named fields up to the blank line,
// skipping the blank lines that end the previous record. It returns io.EOF
// at a clean end of stream. Lines are bounded by br's buffer, so a file
// that is not a WARC can't make it grow.
func readWARCHeader(br *bufio.Reader) (textproto.MIMEHeader, error) {
	var line string
	for line == "" {
		l, err := br.ReadSlice('\n')
		switch {
		case err == io.EOF && len(bytes.TrimSpace(l)) == 0:
			return nil, io.EOF
		case errors.Is(err, bufio.ErrBufferFull):
			return nil, errors.New("not a WARC record: line too long")
		case err != nil && err != io.EOF:
			return nil, err
		}
		line = strings.TrimRight(string(l), "\r\n")
	}
	if !strings.HasPrefix(line, "WARC/") {
		return nil, fmt.Errorf("not a WARC record: %q", truncate(line, 40))
	}
	raw, err := readHeaderBytes(br)
	if err != nil {
		return nil, err
	}
	hdr, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw))).ReadMIMEHeader()
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("header: %w", err)
	}
	return hdr, nil
}

// readHeaderBytes copies header lines up to and including the blank line.
func readHeaderBytes(br *bufio.Reader) ([]byte, error) {
	var buf bytes.Buffer
	for {
		l, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, errors.New("header line too long")
		}
		if err != nil {
			return nil, fmt.Errorf("header: %w", err)
		}
		buf.Write(l)
		if buf.Len() > maxWARCHeader {
			return nil, errors.New("header too long")
		}
		if len(bytes.TrimRight(l, "\r\n")) == 0 {
			return buf.Bytes(), nil
		}
	}
}

// httpBody strips the HTTP response headers from a block and undoes chunked
// and gzip encodings. It returns a nil body for non-2xx responses.
func httpBody(block []byte, max int64) (body []byte, ctype string, err error) {
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(block)), nil)
	if err != nil {
		return nil, "", fmt.Errorf("http response: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, "", nil
	}
	var rd io.Reader = resp.Body
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return nil, "", fmt.Errorf("gunzip body: %w", err)
		}
		defer zr.Close()
		rd = zr
	default:
		return nil, "", fmt.Errorf("unsupported Content-Encoding %q", enc)
	}
	body, err = readCapped(rd, max)
	if err != nil {
		return nil, "", fmt.Errorf("body: %w", err)
	}
	return body, resp.Header.Get("Content-Type"), nil
}

// isHTML accepts declared HTML, or sniffed HTML when no type was declared.
func isHTML(ctype string, body []byte) bool {
	if ctype == "" {
		ctype = http.DetectContentType(body)
	}
	mt, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(ctype, ";")[0]))
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
