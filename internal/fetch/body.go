package fetch

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/andybalholm/brotli"
)

// acceptEncoding is what we advertise; we decompress ourselves so the size
// cap applies to the decompressed bytes (a 50 KB gzip can hold 50 GB).
const acceptEncoding = "gzip, deflate, br"

// maxEncodingLayers bounds "Content-Encoding: gzip, gzip, gzip, ..." nesting.
const maxEncodingLayers = 3

// encodingError is a body we cannot decode.
type encodingError struct{ err error }

func (e *encodingError) Error() string { return e.err.Error() }
func (e *encodingError) Unwrap() error { return e.err }

// readBody reads at most max decompressed bytes of body. More than that,
// or a declared Content-Length above max, fails with errTooLarge without
// reading the rest (the first max bytes come back with it, for callers
// that accept a truncated body). The compressed stream is capped at max too.
func readBody(body io.Reader, contentEncoding string, contentLength, max int64) ([]byte, error) {
	if contentLength > max {
		return nil, fmt.Errorf("%w: Content-Length %d exceeds limit %d", errTooLarge, contentLength, max)
	}
	raw := &limitedReader{r: body, n: max + 1}
	r, err := decoder(raw, contentEncoding)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if int64(len(data)) > max || raw.n <= 0 {
		return data[:min(int64(len(data)), max)], fmt.Errorf("%w: more than %d bytes", errTooLarge, max)
	}
	if err != nil {
		if r != io.Reader(raw) && isDecodeErr(err) {
			return nil, &encodingError{fmt.Errorf("decode %s body: %w", contentEncoding, err)}
		}
		return nil, fmt.Errorf("read body: %w", err)
	}
	return data, nil
}

// decoder wraps r in the decoders for a Content-Encoding list, applied
// last-first as RFC 9110 says.
func decoder(r io.Reader, contentEncoding string) (io.Reader, error) {
	var encs []string
	for e := range strings.SplitSeq(contentEncoding, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if e != "" && e != "identity" {
			encs = append(encs, e)
		}
	}
	if len(encs) > maxEncodingLayers {
		return nil, &encodingError{fmt.Errorf("too many content encodings: %q", contentEncoding)}
	}
	for i := len(encs) - 1; i >= 0; i-- {
		switch encs[i] {
		case "gzip", "x-gzip":
			zr, err := gzip.NewReader(r)
			if err != nil {
				return nil, &encodingError{fmt.Errorf("open gzip body: %w", err)}
			}
			r = zr
		case "deflate":
			r = deflateReader(r)
		case "br":
			r = brotli.NewReader(r)
		default:
			return nil, &encodingError{fmt.Errorf("unsupported content encoding %q", encs[i])}
		}
	}
	return r, nil
}

// deflateReader handles both zlib-wrapped deflate (the standard) and raw
// deflate (what many servers actually send).
func deflateReader(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	h, err := br.Peek(2)
	if err == nil && h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
		if zr, err := zlib.NewReader(br); err == nil {
			return zr
		}
	}
	return flate.NewReader(br)
}

func isDecodeErr(err error) bool {
	var ce flate.CorruptInputError
	return errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) ||
		errors.Is(err, zlib.ErrChecksum) || errors.Is(err, zlib.ErrHeader) ||
		errors.As(err, &ce) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.HasPrefix(err.Error(), "brotli:")
}

// limitedReader is io.LimitReader that lets us see whether the limit was hit.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}
