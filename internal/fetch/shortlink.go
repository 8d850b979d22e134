package fetch

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// shortHosts are link shorteners and feed redirectors seen in news feeds.
var shortHosts = map[string]bool{
	"ift.tt": true, "bit.ly": true, "t.co": true, "ow.ly": true, "buff.ly": true,
	"dlvr.it": true, "feedproxy.google.com": true, "tinyurl.com": true, "goo.gl": true,
	"trib.al": true, "fb.me": true, "lnkd.in": true,
}

// IsShortLink reports whether rawURL points at a known link shortener.
func IsShortLink(rawURL string) bool {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	return shortHosts[strings.TrimPrefix(host, "www.")]
}

// resolveReadBytes is how much of a page Resolve reads looking for a
// meta refresh; shorteners' interstitials are tiny.
const resolveReadBytes = 64 << 10

// maxMetaRefresh bounds meta-refresh hops on top of HTTP redirects.
const maxMetaRefresh = 3

// Resolve follows rawURL's redirects and returns where it lands, with the
// chain as evidence: every redirect response and, last, the final one.
// It tries HEAD first and falls back to GET when HEAD is refused (4xx/5xx
// or a dropped connection). An immediate <meta http-equiv="refresh"> on the
// landing page (t.co sends one to browsers) is followed as a hop too.
// On a final status outside 2xx it returns the final URL, the chain and a
// *StatusError.
func (c *Client) Resolve(ctx context.Context, rawURL string) (string, []Hop, error) {
	var chain []Hop
	cur := rawURL
	for i := 0; ; i++ {
		resp, err := c.resolveOnce(ctx, cur)
		if resp == nil {
			return "", chain, err
		}
		chain = append(chain, resp.Redirects...)
		chain = append(chain, Hop{URL: resp.FinalURL, Status: resp.StatusCode})
		if err != nil {
			return resp.FinalURL, chain, err
		}
		next := metaRefresh(resp)
		if next == "" || next == resp.FinalURL || i >= maxMetaRefresh {
			return resp.FinalURL, chain, nil
		}
		cur = next
	}
}

func (c *Client) resolveOnce(ctx context.Context, rawURL string) (*Response, error) {
	resp, err := c.do(ctx, Request{URL: rawURL}, getOptions{method: http.MethodHead})
	if err == nil && !looksHTML(resp) {
		return resp, nil
	}
	if err != nil {
		switch ErrorKind(err) {
		case KindHTTP4xx, KindHTTP5xx, KindNetwork, KindEncoding:
		default:
			return resp, err // refusals, timeouts and DNS will not improve with GET
		}
	}
	return c.do(ctx, Request{URL: rawURL, MaxBytes: resolveReadBytes, Accept: "text/html,*/*;q=0.5"},
		getOptions{method: http.MethodGet, truncate: true})
}

// looksHTML says whether a HEAD landed on an HTML page, which may carry a
// meta refresh we can only see with GET. Only short-link hosts get the GET,
// so resolving an ordinary article link stays one HEAD.
func looksHTML(r *Response) bool {
	return IsShortLink(r.FinalURL) && strings.Contains(strings.ToLower(r.ContentType), "html")
}

var (
	metaRefreshTag = regexp.MustCompile(`(?is)<meta\s[^>]*http-equiv\s*=\s*["']?refresh["']?[^>]*>`)
	metaContent    = regexp.MustCompile(`(?is)content\s*=\s*(?:"([^"]*)"|'([^']*)')`)
	refreshURL     = regexp.MustCompile(`(?is)^\s*(\d+)(?:\.\d*)?\s*[;,]\s*(?:url\s*=\s*)?["']?([^"'\s]+)`)
)

// metaRefresh returns the absolute target of an immediate (≤ 5 s) meta
// refresh in an HTML body, or "".
func metaRefresh(r *Response) string {
	if len(r.Body) == 0 || !strings.Contains(strings.ToLower(r.ContentType), "html") {
		return ""
	}
	tag := metaRefreshTag.Find(r.Body)
	if tag == nil {
		return ""
	}
	m := metaContent.FindSubmatch(tag)
	if m == nil {
		return ""
	}
	content := html.UnescapeString(string(m[1]) + string(m[2]))
	p := refreshURL.FindStringSubmatch(content)
	if p == nil {
		return ""
	}
	if delay, err := strconv.Atoi(p[1]); err != nil || delay > 5 {
		return ""
	}
	base, err := url.Parse(r.FinalURL)
	if err != nil {
		return ""
	}
	target, err := base.Parse(p[2])
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") {
		return ""
	}
	return target.String()
}
