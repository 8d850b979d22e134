package fetch

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/newstrace/newstrace"
)

func compress(t testing.TB, enc string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "deflate-raw":
		w, _ = flate.NewWriter(&buf, flate.BestCompression)
	case "br":
		w = brotli.NewWriterLevel(&buf, 5)
	default:
		return data
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bombs are 32 MiB of zeros compressed to a few tens of KB.
var (
	bombOnce sync.Once
	bombs    map[string][]byte
)

func bomb(t testing.TB, enc string) []byte {
	bombOnce.Do(func() {
		zeros := make([]byte, 32<<20)
		bombs = map[string][]byte{"gzip": compress(t, "gzip", zeros), "br": compress(t, "br", zeros), "deflate": compress(t, "deflate", zeros)}
	})
	return bombs[enc]
}

func TestReadBody(t *testing.T) {
	text := bytes.Repeat([]byte("All the news that's fit to print. "), 100)
	tests := []struct {
		name     string
		encoding string // Content-Encoding header
		body     []byte
		length   int64
		max      int64
		want     []byte
		wantErr  string // "", "too_large", "encoding"
	}{
		{name: "identity", body: text, length: -1, max: 1 << 20, want: text},
		{name: "explicit identity", encoding: "identity", body: text, length: -1, max: 1 << 20, want: text},
		{name: "gzip", encoding: "gzip", body: compress(t, "gzip", text), length: -1, max: 1 << 20, want: text},
		{name: "x-gzip upper case", encoding: "X-GZIP", body: compress(t, "gzip", text), length: -1, max: 1 << 20, want: text},
		{name: "deflate zlib", encoding: "deflate", body: compress(t, "deflate", text), length: -1, max: 1 << 20, want: text},
		{name: "deflate raw", encoding: "deflate", body: compress(t, "deflate-raw", text), length: -1, max: 1 << 20, want: text},
		{name: "brotli", encoding: "br", body: compress(t, "br", text), length: -1, max: 1 << 20, want: text},
		{name: "gzip then br", encoding: "gzip, br", body: compress(t, "br", compress(t, "gzip", text)), length: -1, max: 1 << 20, want: text},
		{name: "exactly at cap", body: text, length: -1, max: int64(len(text)), want: text},
		{name: "one byte over cap", body: text, length: -1, max: int64(len(text)) - 1, wantErr: KindTooLarge},
		{name: "content-length over cap", body: nil, length: 1 << 30, max: 1 << 20, wantErr: KindTooLarge},
		{name: "gzip bomb", encoding: "gzip", body: bomb(t, "gzip"), length: -1, max: 1 << 20, wantErr: KindTooLarge},
		{name: "deflate bomb", encoding: "deflate", body: bomb(t, "deflate"), length: -1, max: 1 << 20, wantErr: KindTooLarge},
		{name: "brotli bomb", encoding: "br", body: bomb(t, "br"), length: -1, max: 1 << 20, wantErr: KindTooLarge},
		{name: "corrupt gzip", encoding: "gzip", body: []byte("\x1f\x8bnot really gzip"), length: -1, max: 1 << 20, wantErr: KindEncoding},
		{name: "truncated gzip", encoding: "gzip", body: compress(t, "gzip", text)[:40], length: -1, max: 1 << 20, wantErr: KindEncoding},
		{name: "unknown encoding", encoding: "zstd", body: text, length: -1, max: 1 << 20, wantErr: KindEncoding},
		{name: "too many layers", encoding: "gzip,gzip,gzip,gzip", body: text, length: -1, max: 1 << 20, wantErr: KindEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readBody(bytes.NewReader(tt.body), tt.encoding, tt.length, tt.max)
			gotErr := ""
			var ee *encodingError
			switch {
			case errors.Is(err, errTooLarge):
				gotErr = KindTooLarge
			case errors.As(err, &ee):
				gotErr = KindEncoding
			case err != nil:
				gotErr = err.Error()
			}
			if gotErr != tt.wantErr {
				t.Fatalf("error = %v, want kind %q", err, tt.wantErr)
			}
			if tt.wantErr == "" && !bytes.Equal(got, tt.want) {
				t.Fatalf("body = %d bytes, want %d", len(got), len(tt.want))
			}
		})
	}
}

// endless writes until the client goes away, never declaring a length.
type endless struct{ written atomic.Int64 }

func (e *endless) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for r.Context().Err() == nil {
		n, err := w.Write(chunk)
		e.written.Add(int64(n))
		if err != nil {
			return
		}
	}
}

func TestSizeCapOverHTTP(t *testing.T) {
	const limit = 1 << 20
	end := &endless{}
	mux := http.NewServeMux()
	mux.Handle("/endless", end)
	for _, enc := range []string{"gzip", "br", "deflate"} {
		mux.HandleFunc("/bomb/"+enc, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", enc)
			w.Write(bomb(t, enc))
		})
	}
	mux.HandleFunc("/declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(limit*4))
		w.Write(make([]byte, limit*4))
	})
	mux.HandleFunc("/small-gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(compress(t, "gzip", []byte("<p>hello</p>")))
	})
	ts := newServer(t, mux)
	c := newTestClient(t, Config{MaxBodyBytes: limit})
	tests := []struct {
		name     string
		path     string
		maxBytes int64
		wantKind string
	}{
		{name: "endless plain body", path: "/endless", wantKind: KindTooLarge},
		{name: "gzip bomb", path: "/bomb/gzip", wantKind: KindTooLarge},
		{name: "brotli bomb", path: "/bomb/br", wantKind: KindTooLarge},
		{name: "deflate bomb", path: "/bomb/deflate", wantKind: KindTooLarge},
		{name: "declared length over cap", path: "/declared", wantKind: KindTooLarge},
		{name: "per-request cap raised", path: "/declared", maxBytes: limit * 4},
		{name: "small gzip decoded", path: "/small-gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Get(context.Background(), Request{URL: ts.URL + tt.path, MaxBytes: tt.maxBytes})
			if ErrorKind(err) != tt.wantKind {
				t.Fatalf("ErrorKind = %q (%v), want %q", ErrorKind(err), err, tt.wantKind)
			}
			if tt.wantKind == KindTooLarge && newstrace.ErrorCode(err) != newstrace.ETOOLARGE {
				t.Errorf("ErrorCode = %q, want too_large", newstrace.ErrorCode(err))
			}
			if tt.wantKind == "" && len(resp.Body) == 0 {
				t.Error("empty body")
			}
			if tt.path == "/small-gzip" && string(resp.Body) != "<p>hello</p>" {
				t.Errorf("body = %q", resp.Body)
			}
		})
	}
	// The endless server must have been cut off near the cap, not drained.
	if w := end.written.Load(); w > 16*limit {
		t.Errorf("server wrote %d bytes for a %d cap", w, limit)
	}
}
