package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"testing"

	"github.com/newstrace/newstrace"
)

func TestErrorKind(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"fetch error kind", &Error{Kind: KindScheme}, KindScheme},
		{"wrapped fetch error", fmt.Errorf("poll feed 3: %w", &Error{Kind: KindTooLarge}), KindTooLarge},
		{"status 404", &StatusError{Code: 404}, KindHTTP4xx},
		{"status 451", fmt.Errorf("x: %w", &StatusError{Code: 451}), KindHTTP4xx},
		{"status 502", &StatusError{Code: 502}, KindHTTP5xx},
		{"blocked address", &net.OpError{Op: "dial", Err: &blockedAddrError{ip: netip.MustParseAddr("10.0.0.1"), what: "a private"}}, KindPrivateAddress},
		{"dns", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, KindDNS},
		{"dns timeout is dns", &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}, KindDNS},
		{"deadline", fmt.Errorf("read: %w", context.DeadlineExceeded), KindTimeout},
		{"os deadline", os.ErrDeadlineExceeded, KindTimeout},
		{"canceled", context.Canceled, KindCanceled},
		{"too large sentinel", fmt.Errorf("read: %w", errTooLarge), KindTooLarge},
		{"anything else", errors.New("connection reset by peer"), KindNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorKind(tt.err); got != tt.want {
				t.Errorf("ErrorKind(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestUserErrorsCarryDomainCode(t *testing.T) {
	err := userError(KindPrivateAddress, newstrace.EINVALID, "http://x/", errors.New("cause"), "refusing to fetch %s", "http://x/")
	if newstrace.ErrorCode(err) != newstrace.EINVALID || newstrace.ErrorMessage(err) != "refusing to fetch http://x/" {
		t.Errorf("code %q message %q", newstrace.ErrorCode(err), newstrace.ErrorMessage(err))
	}
	if err.Error() != "refusing to fetch http://x/" {
		t.Errorf("Error() = %q", err.Error())
	}
	plain := &Error{Kind: KindNetwork, URL: "http://x/", Err: errors.New("reset")}
	if newstrace.ErrorCode(plain) != newstrace.EINTERNAL {
		t.Errorf("network error code = %q, want internal", newstrace.ErrorCode(plain))
	}
	if plain.Error() != "fetch http://x/: reset" {
		t.Errorf("Error() = %q", plain.Error())
	}
}
