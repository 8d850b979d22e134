package fetch

import (
	"bytes"
	"context"
	"net/http"
	"testing"
)

// BenchmarkGet measures one fetch of a 20 KB gzipped page over loopback,
// and one refusal of a 32 MiB gzip bomb under a 1 MiB cap.
func BenchmarkGet(b *testing.B) {
	page := compress(b, "gzip", bytes.Repeat([]byte("<p>Some article text.</p>\n"), 800))
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(page)
	})
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb(b, "gzip"))
	})
	ts := newServer(b, mux)
	c := newTestClient(b, Config{MaxBodyBytes: 1 << 20})
	for _, bc := range []struct{ name, path, kind string }{{"page", "/page", ""}, {"gzip_bomb", "/bomb", KindTooLarge}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, err := c.Get(context.Background(), Request{URL: ts.URL + bc.path})
				if ErrorKind(err) != bc.kind {
					b.Fatal(err)
				}
			}
		})
	}
}
