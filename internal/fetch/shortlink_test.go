package fetch

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestIsShortLink(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want bool
	}{
		{"bit.ly", "https://bit.ly/3xYz", true},
		{"t.co upper case", "https://T.CO/abc", true},
		{"ift.tt", "http://ift.tt/1a2b", true},
		{"feedproxy", "http://feedproxy.google.com/~r/foo/~3/bar/", true},
		{"www prefix", "https://www.tinyurl.com/x", true},
		{"trailing dot", "https://bit.ly./x", true},
		{"with port", "https://lnkd.in:443/x", true},
		{"article", "https://www.reuters.com/world/story", false},
		{"lookalike suffix", "https://notbit.ly/x", false},
		{"subdomain of google", "https://news.google.com/x", false},
		{"not http", "ftp://bit.ly/x", false},
		{"garbage", "::not a url", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsShortLink(tt.url); got != tt.want {
				t.Errorf("IsShortLink(%q) = %v, want %v", tt.url, got, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	var mu sync.Mutex
	methods := map[string][]string{} // host+path → methods seen
	var port string
	story := func(host string) string { return "http://" + host + ":" + port + "/story" }
	ts := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		key := host + r.URL.Path
		mu.Lock()
		methods[key] = append(methods[key], r.Method)
		mu.Unlock()
		switch key {
		case "bit.ly/abc":
			http.Redirect(w, r, "http://ow.ly:"+port+"/def", 301)
		case "ow.ly/def":
			http.Redirect(w, r, story("news.public.test"), 302)
		case "ift.tt/nohead":
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			http.Redirect(w, r, story("news.public.test"), 301)
		case "t.co/meta":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<html><head><meta name="referrer" content="always"><META http-equiv="refresh" content="0;URL=` + story("blog.public.test") + `"></head></html>`))
		case "dlvr.it/big":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte(`<meta http-equiv="refresh" content="0;url=/landing">` + strings.Repeat("<!-- pad -->", 20000)))
		case "dlvr.it/landing":
			w.Write([]byte("plain"))
		case "bit.ly/dead":
			http.NotFound(w, r)
		case "bit.ly/inside":
			http.Redirect(w, r, "http://db.private.test:"+port+"/admin", 301)
		case "news.public.test/story", "blog.public.test/story":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><p>story</p></html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	_, port, _ = net.SplitHostPort(ts.Listener.Addr().String())
	u := func(host, path string) string { return "http://" + host + ":" + port + path }
	c := newTestClient(t, Config{})

	tests := []struct {
		name       string
		url        string
		wantFinal  string
		wantChain  []Hop
		wantKind   string
		wantMethod map[string]string // host+path → methods joined
	}{
		{
			name:       "two shorteners, HEAD only",
			url:        u("bit.ly", "/abc"),
			wantFinal:  story("news.public.test"),
			wantChain:  []Hop{{u("bit.ly", "/abc"), 301}, {u("ow.ly", "/def"), 302}, {story("news.public.test"), 200}},
			wantMethod: map[string]string{"bit.ly/abc": "HEAD", "news.public.test/story": "HEAD"},
		},
		{
			name:       "HEAD refused, GET follows",
			url:        u("ift.tt", "/nohead"),
			wantFinal:  story("news.public.test"),
			wantChain:  []Hop{{u("ift.tt", "/nohead"), 301}, {story("news.public.test"), 200}},
			wantMethod: map[string]string{"ift.tt/nohead": "HEAD GET"},
		},
		{
			name:       "meta refresh interstitial",
			url:        u("t.co", "/meta"),
			wantFinal:  story("blog.public.test"),
			wantChain:  []Hop{{u("t.co", "/meta"), 200}, {story("blog.public.test"), 200}},
			wantMethod: map[string]string{"t.co/meta": "HEAD GET", "blog.public.test/story": "HEAD"},
		},
		{
			name:      "meta refresh at the top of a page larger than the read cap",
			url:       u("dlvr.it", "/big"),
			wantFinal: u("dlvr.it", "/landing"),
			wantChain: []Hop{{u("dlvr.it", "/big"), 200}, {u("dlvr.it", "/landing"), 200}},
		},
		{
			name:      "dead short link",
			url:       u("bit.ly", "/dead"),
			wantFinal: u("bit.ly", "/dead"),
			wantChain: []Hop{{u("bit.ly", "/dead"), 404}},
			wantKind:  KindHTTP4xx,
		},
		{
			name:     "short link into private network",
			url:      u("bit.ly", "/inside"),
			wantKind: KindPrivateAddress,
			// no GET retry after a refusal
			wantMethod: map[string]string{"bit.ly/inside": "HEAD"},
		},
		{
			name:     "scheme refused",
			url:      "file:///etc/passwd",
			wantKind: KindScheme,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			clear(methods)
			mu.Unlock()
			final, chain, err := c.Resolve(context.Background(), tt.url)
			if ErrorKind(err) != tt.wantKind {
				t.Fatalf("ErrorKind = %q (%v), want %q", ErrorKind(err), err, tt.wantKind)
			}
			if final != tt.wantFinal {
				t.Errorf("final = %q, want %q", final, tt.wantFinal)
			}
			if tt.wantChain != nil && !equalHops(chain, tt.wantChain) {
				t.Errorf("chain = %v, want %v", chain, tt.wantChain)
			}
			if tt.wantKind == KindHTTP4xx {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != 404 {
					t.Errorf("want *StatusError 404, got %v", err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for k, want := range tt.wantMethod {
				if got := strings.Join(methods[k], " "); got != want {
					t.Errorf("%s saw %q, want %q", k, got, want)
				}
			}
		})
	}
}

func equalHops(a, b []Hop) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMetaRefresh(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"plain", `<meta http-equiv="refresh" content="0; url=https://example.com/a">`, "https://example.com/a"},
		{"quoted url", `<meta content="0;URL='https://example.com/b'" http-equiv="Refresh">`, "https://example.com/b"},
		{"relative", `<meta http-equiv=refresh content="1;url=/c">`, "https://t.co/c"},
		{"entity in url", `<meta http-equiv="refresh" content="0;url=https://example.com/?a=1&amp;b=2">`, "https://example.com/?a=1&b=2"},
		{"slow auto-reload ignored", `<meta http-equiv="refresh" content="300">`, ""},
		{"slow redirect ignored", `<meta http-equiv="refresh" content="600; url=https://example.com/">`, ""},
		{"javascript ignored", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`, ""},
		{"none", `<p>hello</p>`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Response{FinalURL: "https://t.co/x", ContentType: "text/html", Body: []byte(tt.body)}
			if got := metaRefresh(r); got != tt.want {
				t.Errorf("metaRefresh = %q, want %q", got, tt.want)
			}
		})
	}
}
