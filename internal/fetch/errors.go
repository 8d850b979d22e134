package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/newstrace/newstrace"
)

// Error kinds, as returned by ErrorKind. Feeds store them next to the
// message so backoff and reports can tell a dead host from a bad URL.
const (
	KindPrivateAddress = "private_address"
	KindScheme         = "scheme"
	KindTooLarge       = "too_large"
	KindTimeout        = "timeout"
	KindDNS            = "dns"
	KindTLS            = "tls"
	KindRedirects      = "redirects"
	KindHTTP4xx        = "http_4xx"
	KindHTTP5xx        = "http_5xx"
	KindEncoding       = "encoding" // corrupt or unsupported Content-Encoding
	KindCanceled       = "canceled" // the caller's context was canceled
	KindNetwork        = "network"
)

// Error is a fetch that failed before a usable response, with a kind for
// programs and a message for people. Errors a user can fix (a private
// address, a bad scheme, a too-large body) also unwrap to a
// *newstrace.Error so the web and CLI layers show the message.
type Error struct {
	Kind string
	URL  string
	Msg  string // complete human message; empty means "fetch URL: Err"
	Err  error  // cause, may be nil

	domain *newstrace.Error
}

func (e *Error) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	return fmt.Sprintf("fetch %s: %v", e.URL, e.Err)
}

func (e *Error) Unwrap() []error {
	var errs []error
	if e.domain != nil {
		errs = append(errs, e.domain)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// userError builds an *Error whose message a user should see.
func userError(kind, code, rawURL string, cause error, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Kind: kind, URL: rawURL, Msg: msg, Err: cause, domain: newstrace.Errorf(code, "%s", msg)}
}

// StatusError is a response outside 2xx and 304.
type StatusError struct {
	URL        string
	Code       int
	RetryAfter time.Duration // from Retry-After on 429/503, 0 when absent
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("fetch %s: HTTP %d %s", e.URL, e.Code, http.StatusText(e.Code))
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	return msg
}

// blockedAddrError is returned by the dialer's control hook.
type blockedAddrError struct {
	ip   netip.Addr
	what string
}

func (e *blockedAddrError) Error() string {
	return fmt.Sprintf("%s is %s address", e.ip, e.what)
}

// ErrorKind names the class of a fetch error: one of the Kind constants,
// or "" for nil. Unknown errors count as "network".
func ErrorKind(err error) string {
	if err == nil {
		return ""
	}
	var fe *Error
	if errors.As(err, &fe) && fe.Kind != "" {
		return fe.Kind
	}
	var se *StatusError
	if errors.As(err, &se) {
		if se.Code >= 500 {
			return KindHTTP5xx
		}
		return KindHTTP4xx
	}
	return causeKind(err)
}

// causeKind classifies a raw error from the transport or body read.
func causeKind(err error) string {
	var (
		blocked *blockedAddrError
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
		unkAuth x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invErr  x509.CertificateInvalidError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &blocked):
		return KindPrivateAddress
	case errors.Is(err, errTooLarge):
		return KindTooLarge
	case errors.As(err, &dnsErr):
		return KindDNS
	case errors.As(err, &certErr), errors.As(err, &recErr), errors.As(err, &alert),
		errors.As(err, &unkAuth), errors.As(err, &hostErr), errors.As(err, &invErr):
		return KindTLS
	case errors.Is(err, context.Canceled):
		return KindCanceled
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return KindTimeout
	case errors.As(err, &netErr) && netErr.Timeout():
		return KindTimeout
	}
	return KindNetwork
}

var errTooLarge = errors.New("body too large")
