package fetch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"

	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/metrics"
)

// errorBodyBytes caps the body kept from a non-2xx response.
const errorBodyBytes = 64 << 10

// getOptions are internal knobs for Resolve.
type getOptions struct {
	method   string
	truncate bool // keep the first cap bytes instead of failing
}

// Get fetches r.URL following redirects. A 304 returns NotModified and no
// error. Any other status outside 2xx returns the Response (body included,
// if it fit) and a *StatusError. Other failures return a nil Response and
// an *Error; see ErrorKind.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	resp, err := c.do(ctx, r, getOptions{method: http.MethodGet})
	if err != nil {
		metrics.FetchErrors.Inc(ErrorKind(err))
	}
	return resp, err
}

func (c *Client) do(ctx context.Context, r Request, opt getOptions) (*Response, error) {
	u, err := checkURL(r.URL)
	if err != nil {
		return nil, err
	}
	limit := c.cfg.MaxBodyBytes
	if r.MaxBytes > 0 {
		limit = r.MaxBytes
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, opt.method, u.String(), nil)
	if err != nil {
		return nil, userError(KindScheme, newstrace.EINVALID, r.URL, err, "invalid URL %q: %v", r.URL, err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", cmp.Or(r.Accept, "*/*"))
	req.Header.Set("Accept-Encoding", acceptEncoding)
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}

	start := time.Now() // durations use the monotonic clock, not cfg.Now
	var hops []Hop
	resp, err := c.httpClient(r.URL, &hops).Do(req)
	if err != nil {
		err = c.wrapErr(r.URL, err, time.Since(start))
		c.log.DebugContext(ctx, "fetch failed", "url", r.URL, "kind", ErrorKind(err), "error", err)
		return nil, err
	}
	defer func() {
		// Drain a little so the connection can be reused: a decoder stops
		// at its own end marker, before the HTTP body's.
		io.CopyN(io.Discard, resp.Body, 4<<10)
		resp.Body.Close()
	}()

	out := &Response{
		RequestURL:   r.URL,
		FinalURL:     resp.Request.URL.String(),
		StatusCode:   resp.StatusCode,
		Header:       resp.Header,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         cmp.Or(resp.Header.Get("ETag"), r.ETag),
		LastModified: cmp.Or(resp.Header.Get("Last-Modified"), r.LastModified),
		Redirects:    hops,
		PermanentURL: permanentURL(hops, resp.Request.URL.String()),
	}
	if resp.StatusCode == http.StatusNotModified {
		out.NotModified = true
		return out, nil
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		out.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), c.cfg.Now())
	}

	var body []byte
	var bodyErr error
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	if !ok {
		// An error page is kept only as a clue; don't spend the full cap on it.
		limit, opt.truncate = min(limit, errorBodyBytes), true
	}
	if opt.method != http.MethodHead {
		body, bodyErr = readBody(resp.Body, resp.Header.Get("Content-Encoding"), resp.ContentLength, limit)
		if opt.truncate && errors.Is(bodyErr, errTooLarge) {
			bodyErr = nil // keep the first limit bytes
		}
	}
	c.log.DebugContext(ctx, "fetched", "url", r.URL, "final_url", out.FinalURL, "status", resp.StatusCode,
		"bytes", len(body), "redirects", len(hops), "duration_ms", time.Since(start).Milliseconds())

	if !ok {
		if bodyErr == nil {
			out.Body = body
		}
		return out, &StatusError{URL: out.FinalURL, Code: resp.StatusCode, RetryAfter: out.RetryAfter}
	}
	if bodyErr != nil {
		return nil, c.bodyErr(r.URL, out.FinalURL, limit, bodyErr, time.Since(start))
	}
	out.Body = body
	if out.ContentType == "" && len(body) > 0 {
		out.ContentType = http.DetectContentType(body)
	}
	return out, nil
}

// httpClient is a per-call client sharing the transport: it records the
// redirect chain and keeps cookies only for this call (some sites bounce
// through a cookie-setting redirect before serving the page).
func (c *Client) httpClient(rawURL string, hops *[]Hop) *http.Client {
	jar, _ := cookiejar.New(nil) // never fails with nil options
	return &http.Client{
		Transport: c.transport,
		Jar:       jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			prev := via[len(via)-1].URL.String()
			status := 0
			if req.Response != nil {
				status = req.Response.StatusCode
			}
			*hops = append(*hops, Hop{URL: prev, Status: status})
			next := req.URL.String()
			if _, err := checkURL(next); err != nil {
				var fe *Error
				errors.As(err, &fe)
				return userError(fe.Kind, newstrace.EINVALID, rawURL, fe.Err, "%s (redirected from %s)", fe.Msg, rawURL)
			}
			if len(via) > c.cfg.MaxRedirects {
				return &Error{Kind: KindRedirects, URL: rawURL,
					Msg: fmt.Sprintf("fetch %s: stopped after %d redirects (last to %s)", rawURL, c.cfg.MaxRedirects, next)}
			}
			seen := 0
			for _, v := range via {
				if v.URL.String() == next {
					seen++
				}
			}
			// One revisit is allowed: a cookie-setting bounce back is common.
			if seen >= 2 {
				return &Error{Kind: KindRedirects, URL: rawURL,
					Msg: fmt.Sprintf("fetch %s: redirect loop at %s", rawURL, next)}
			}
			return nil
		},
	}
}

// permanentURL returns final when every hop was a permanent redirect.
func permanentURL(hops []Hop, final string) string {
	if len(hops) == 0 {
		return ""
	}
	for _, h := range hops {
		if h.Status != http.StatusMovedPermanently && h.Status != http.StatusPermanentRedirect {
			return ""
		}
	}
	return final
}

// checkURL accepts only absolute http and https URLs with a host.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, userError(KindScheme, newstrace.EINVALID, raw, err, "invalid URL %q: %v", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, userError(KindScheme, newstrace.EINVALID, raw, nil,
			"refusing to fetch %s: scheme %q is not allowed (only http and https)", raw, u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, userError(KindScheme, newstrace.EINVALID, raw, nil, "refusing to fetch %s: no host", raw)
	}
	return u, nil
}

// wrapErr turns a client error into an *Error naming the hop that failed.
func (c *Client) wrapErr(rawURL string, err error, elapsed time.Duration) error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe // from CheckRedirect: already complete
	}
	hop, cause := rawURL, err
	var ue *url.Error
	if errors.As(err, &ue) {
		hop, cause = ue.URL, ue.Err
	}
	where := hop
	if hop != rawURL {
		where = fmt.Sprintf("%s (redirected from %s)", hop, rawURL)
	}
	var blocked *blockedAddrError
	if errors.As(err, &blocked) {
		return userError(KindPrivateAddress, newstrace.EINVALID, rawURL, cause,
			"refusing to fetch %s: %v (use --allow-private to allow)", where, blocked)
	}
	kind := causeKind(cause)
	msg := fmt.Sprintf("fetch %s: %v", where, cause)
	if kind == KindTimeout {
		msg = fmt.Sprintf("fetch %s: timed out after %s: %v", where, elapsed.Round(time.Millisecond), cause)
	}
	return &Error{Kind: kind, URL: rawURL, Msg: msg, Err: cause}
}

// bodyErr wraps a failure while reading the body.
func (c *Client) bodyErr(rawURL, finalURL string, limit int64, err error, elapsed time.Duration) error {
	if errors.Is(err, errTooLarge) {
		return userError(KindTooLarge, newstrace.ETOOLARGE, rawURL, err,
			"refusing to read %s: body is larger than the %s limit", finalURL, byteSize(limit))
	}
	var ee *encodingError
	if errors.As(err, &ee) {
		return &Error{Kind: KindEncoding, URL: rawURL, Msg: fmt.Sprintf("fetch %s: %v", finalURL, err), Err: err}
	}
	kind := causeKind(err)
	msg := fmt.Sprintf("fetch %s: %v", finalURL, err)
	if kind == KindTimeout {
		msg = fmt.Sprintf("fetch %s: body not complete after %s", finalURL, elapsed.Round(time.Millisecond))
	}
	return &Error{Kind: kind, URL: rawURL, Msg: msg, Err: err}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d-byte", n)
}
