package fetch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newstrace/newstrace"
)

func TestGetSendsHeaders(t *testing.T) {
	var got http.Header
	ts := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Write([]byte("ok"))
	}))
	c := newTestClient(t, Config{})
	resp, err := c.Get(context.Background(), Request{URL: ts.URL, Accept: "application/rss+xml"})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != "ok" || resp.StatusCode != 200 {
		t.Fatalf("body %q status %d", resp.Body, resp.StatusCode)
	}
	for k, want := range map[string]string{
		"User-Agent":      defaultUserAgent,
		"Accept":          "application/rss+xml",
		"Accept-Encoding": acceptEncoding,
	} {
		if got.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, got.Get(k), want)
		}
	}
	if resp.ContentType == "" {
		t.Error("ContentType should be sniffed when absent")
	}
}

func TestConditionalGet(t *testing.T) {
	const etag, lastMod = `"v1"`, "Wed, 21 Oct 2015 07:28:00 GMT"
	ts := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Write([]byte("<rss/>"))
	}))
	c := newTestClient(t, Config{})
	tests := []struct {
		name            string
		req             Request
		wantNotModified bool
		wantBody        string
	}{
		{"first fetch", Request{URL: ts.URL}, false, "<rss/>"},
		{"etag matches", Request{URL: ts.URL, ETag: etag}, true, ""},
		{"last-modified matches", Request{URL: ts.URL, LastModified: lastMod}, true, ""},
		{"stale etag", Request{URL: ts.URL, ETag: `"v0"`}, false, "<rss/>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Get(context.Background(), tt.req)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if resp.NotModified != tt.wantNotModified || string(resp.Body) != tt.wantBody {
				t.Fatalf("NotModified=%v body=%q, want %v %q", resp.NotModified, resp.Body, tt.wantNotModified, tt.wantBody)
			}
			if resp.ETag != etag && tt.req.LastModified == "" {
				t.Errorf("ETag = %q, want %q (kept for next poll)", resp.ETag, etag)
			}
			if tt.req.LastModified != "" && resp.LastModified != lastMod {
				t.Errorf("LastModified = %q, want %q", resp.LastModified, lastMod)
			}
		})
	}
}

func redirectServer(t *testing.T) string {
	mux := http.NewServeMux()
	redirect := func(path, to string, code int) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, code) })
	}
	redirect("/p1", "/p2", 301)
	redirect("/p2", "/final", 308)
	redirect("/t1", "/t2", 301)
	redirect("/t2", "/final", 302)
	redirect("/s1", "/final", 303)
	redirect("/loop", "/loop", 302)
	redirect("/ping", "/pong", 301)
	redirect("/pong", "/ping", 301)
	redirect("/ftp", "ftp://example.com/x", 302)
	redirect("/file", "file:///etc/passwd", 302)
	mux.HandleFunc("/chain/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/chain/"), "%d", &n)
		if n == 0 {
			w.Write([]byte("end"))
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), 301)
	})
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("final")) })
	return newServer(t, mux).URL
}

func TestRedirects(t *testing.T) {
	base := redirectServer(t)
	c := newTestClient(t, Config{MaxRedirects: 5})
	tests := []struct {
		name      string
		path      string
		wantHops  []Hop
		permanent bool
		wantKind  string
	}{
		{name: "no redirect", path: "/final"},
		{name: "301 then 308 is permanent", path: "/p1", wantHops: []Hop{{base + "/p1", 301}, {base + "/p2", 308}}, permanent: true},
		{name: "301 then 302 is not permanent", path: "/t1", wantHops: []Hop{{base + "/t1", 301}, {base + "/t2", 302}}},
		{name: "303 is not permanent", path: "/s1", wantHops: []Hop{{base + "/s1", 303}}},
		{name: "five redirects allowed", path: "/chain/5", wantHops: make([]Hop, 5), permanent: true},
		{name: "six redirects refused", path: "/chain/6", wantKind: KindRedirects},
		{name: "self loop", path: "/loop", wantKind: KindRedirects},
		{name: "ping-pong loop", path: "/ping", wantKind: KindRedirects},
		{name: "redirect to ftp", path: "/ftp", wantKind: KindScheme},
		{name: "redirect to file", path: "/file", wantKind: KindScheme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Get(context.Background(), Request{URL: base + tt.path})
			if err != nil {
				t.Log(err)
			}
			if got := ErrorKind(err); got != tt.wantKind {
				t.Fatalf("ErrorKind = %q (%v), want %q", got, err, tt.wantKind)
			}
			if tt.wantKind != "" {
				if resp != nil {
					t.Error("want nil Response on error")
				}
				return
			}
			if len(resp.Redirects) != len(tt.wantHops) {
				t.Fatalf("hops = %v, want %d", resp.Redirects, len(tt.wantHops))
			}
			for i, h := range tt.wantHops {
				if h.URL != "" && resp.Redirects[i] != h {
					t.Errorf("hop %d = %v, want %v", i, resp.Redirects[i], h)
				}
			}
			wantPerm := ""
			if tt.permanent {
				wantPerm = resp.FinalURL
			}
			if resp.PermanentURL != wantPerm {
				t.Errorf("PermanentURL = %q, want %q", resp.PermanentURL, wantPerm)
			}
			if resp.RequestURL != base+tt.path {
				t.Errorf("RequestURL = %q", resp.RequestURL)
			}
		})
	}
}

func TestSchemeRefused(t *testing.T) {
	c := newTestClient(t, Config{AllowPrivate: true})
	tests := []struct{ name, url string }{
		{"file", "file:///etc/passwd"},
		{"ftp", "ftp://example.com/feed.xml"},
		{"gopher", "gopher://example.com/1"},
		{"javascript", "javascript:alert(1)"},
		{"no scheme", "example.com/feed"},
		{"no host", "http:///feed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: tt.url})
			if ErrorKind(err) != KindScheme {
				t.Fatalf("ErrorKind = %q (%v), want scheme", ErrorKind(err), err)
			}
			if newstrace.ErrorCode(err) != newstrace.EINVALID {
				t.Errorf("ErrorCode = %q, want invalid", newstrace.ErrorCode(err))
			}
		})
	}
}

func TestPrivateAddressRefused(t *testing.T) {
	var hits atomic.Int32
	ts := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/to-private":
			http.Redirect(w, r, "http://db.private.test"+strings.TrimPrefix(r.Host, "127.0.0.1")+"/secret", 302)
		case "/to-private-ip":
			http.Redirect(w, r, "http://127.0.0.2"+strings.TrimPrefix(r.Host, "127.0.0.1")+"/secret", 302)
		default:
			w.Write([]byte("ok"))
		}
	}))
	strict := New(Config{Timeout: 5 * time.Second}) // the real policy: loopback refused
	seam := newTestClient(t, Config{})
	tests := []struct {
		name     string
		c        *Client
		url      string
		wantMsg  string
		wantHits int
	}{
		{"loopback server refused", strict, ts.URL + "/", "refusing to fetch " + ts.URL + "/: 127.0.0.1 is a loopback address (use --allow-private to allow)", 0},
		{"blocked IP literal", seam, "http://127.0.0.2:1/", "127.0.0.2 is a loopback address", 0},
		{"hostname resolving to blocked IP", seam, publicURL(ts, "intranet.private.test", "/"), "127.0.0.2 is a loopback address", 0},
		{"mapped IPv6 literal", strict, "http://[::ffff:127.0.0.1]:1/", "127.0.0.1 is a loopback address", 0},
		{"redirect hop to blocked host", seam, ts.URL + "/to-private", "(redirected from " + ts.URL + "/to-private)", 1},
		{"redirect hop to blocked IP", seam, ts.URL + "/to-private-ip", "127.0.0.2 is a loopback address", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			resp, err := tt.c.Get(context.Background(), Request{URL: tt.url})
			if ErrorKind(err) != KindPrivateAddress || resp != nil {
				t.Fatalf("ErrorKind = %q (%v), want private_address", ErrorKind(err), err)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q does not contain %q", err, tt.wantMsg)
			}
			if newstrace.ErrorCode(err) != newstrace.EINVALID {
				t.Errorf("ErrorCode = %q, want invalid", newstrace.ErrorCode(err))
			}
			if h := int(hits.Load()); h != tt.wantHits {
				t.Errorf("server hit %d times, want %d", h, tt.wantHits)
			}
		})
	}
	t.Run("allowed with AllowPrivate", func(t *testing.T) {
		c := New(Config{AllowPrivate: true, Timeout: 5 * time.Second})
		if _, err := c.Get(context.Background(), Request{URL: ts.URL + "/"}); err != nil {
			t.Fatal(err)
		}
	})
}

// An environment proxy must not carry requests around the address check.
func TestProxyEnvironmentIgnored(t *testing.T) {
	var proxied atomic.Int32
	proxy := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { proxied.Add(1) }))
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	t.Setenv("NO_PROXY", "")
	c := newTestClient(t, Config{})
	_, err := c.Get(context.Background(), Request{URL: "http://db.private.test:80/"})
	if ErrorKind(err) != KindPrivateAddress {
		t.Fatalf("ErrorKind = %q (%v), want private_address", ErrorKind(err), err)
	}
	if n := proxied.Load(); n != 0 {
		t.Fatalf("proxy received %d requests", n)
	}
}

func TestStatusErrors(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	ts := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			w.WriteHeader(410)
			w.Write([]byte("gone"))
		case "/busy":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(503)
		case "/slowdown":
			w.Header().Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
			w.WriteHeader(429)
		case "/boom":
			w.WriteHeader(500)
		case "/huge-error":
			w.WriteHeader(502)
			w.Write([]byte(strings.Repeat("e", 1<<20)))
		}
	}))
	c := newTestClient(t, Config{Now: func() time.Time { return now }})
	tests := []struct {
		name     string
		path     string
		code     int
		kind     string
		retry    time.Duration
		wantBody string
	}{
		{"410 gone", "/gone", 410, KindHTTP4xx, 0, "gone"},
		{"503 retry seconds", "/busy", 503, KindHTTP5xx, 120 * time.Second, ""},
		{"429 retry date", "/slowdown", 429, KindHTTP4xx, 90 * time.Second, ""},
		{"500", "/boom", 500, KindHTTP5xx, 0, ""},
		{"error page truncated", "/huge-error", 502, KindHTTP5xx, 0, strings.Repeat("e", errorBodyBytes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Get(context.Background(), Request{URL: ts.URL + tt.path})
			var se *StatusError
			if !errors.As(err, &se) || se.Code != tt.code || se.RetryAfter != tt.retry {
				t.Fatalf("err = %#v, want StatusError %d retry %s", err, tt.code, tt.retry)
			}
			if ErrorKind(err) != tt.kind {
				t.Errorf("ErrorKind = %q, want %q", ErrorKind(err), tt.kind)
			}
			if resp == nil || resp.StatusCode != tt.code || resp.RetryAfter != tt.retry || string(resp.Body) != tt.wantBody {
				t.Errorf("resp = %d %s, %d body bytes", resp.StatusCode, resp.RetryAfter, len(resp.Body))
			}
		})
	}
}
