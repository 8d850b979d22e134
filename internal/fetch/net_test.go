package fetch

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTimeouts(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/slow-headers", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html><p>first paragraph"))
		w.(http.Flusher).Flush()
		select { // drip: never finish
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	ts := newServer(t, mux)
	tests := []struct {
		name string
		cfg  Config
		path string
		ctx  func() (context.Context, context.CancelFunc)
		want string
	}{
		{name: "header timeout", cfg: Config{HeaderTimeout: 100 * time.Millisecond}, path: "/slow-headers", want: KindTimeout},
		{name: "whole-request timeout during body", cfg: Config{Timeout: 200 * time.Millisecond}, path: "/slow-body", want: KindTimeout},
		{name: "caller deadline", path: "/slow-headers", want: KindTimeout,
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 100*time.Millisecond)
			}},
		{name: "caller cancel", path: "/slow-headers", want: KindCanceled,
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(100*time.Millisecond, cancel)
				return ctx, cancel
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			start := time.Now()
			_, err := newTestClient(t, tt.cfg).Get(ctx, Request{URL: ts.URL + tt.path})
			if ErrorKind(err) != tt.want {
				t.Fatalf("ErrorKind = %q (%v), want %q", ErrorKind(err), err, tt.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s, timeout not enforced", d)
			}
			t.Log(err)
		})
	}
}

func TestConnectionKinds(t *testing.T) {
	tlsServer := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secure")) }))
	tlsServer.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are the point
	tlsServer.StartTLS()
	t.Cleanup(tlsServer.Close)
	trusted := tlsServer.Client().Transport.(*http.Transport).TLSClientConfig

	// A listener that accepts and immediately hangs up.
	hangup := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))

	tests := []struct {
		name string
		cfg  Config
		url  string
		want string
	}{
		{"untrusted certificate", Config{}, tlsServer.URL, KindTLS},
		{"trusted certificate", Config{TLSConfig: trusted}, tlsServer.URL, ""},
		{"wrong host name", Config{TLSConfig: &tls.Config{RootCAs: trusted.RootCAs, ServerName: "elsewhere.example"}}, tlsServer.URL, KindTLS},
		{"unknown host", Config{}, "http://nowhere.invalid/", KindDNS},
		{"connection refused", Config{}, "http://127.0.0.1:1/", KindNetwork},
		{"connection dropped", Config{}, hangup.URL, KindNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newTestClient(t, tt.cfg).Get(context.Background(), Request{URL: tt.url})
			if ErrorKind(err) != tt.want {
				t.Fatalf("ErrorKind = %q (%v), want %q", ErrorKind(err), err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), "fetch ") {
				t.Errorf("message %q does not say what was fetched", err)
			}
		})
	}
}
