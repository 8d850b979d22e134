package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// newTransport builds the one transport. The address check runs in the
// dialer's Control hook, on the IP actually being connected to, so neither
// DNS rebinding nor a redirect can reach a blocked address. Proxy is nil on
// purpose: an environment proxy would dial for us and bypass the check.
func newTransport(cfg Config) *http.Transport {
	d := &net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: cfg.ConnectTimeout * 3}
	if !cfg.AllowPrivate {
		classify := cfg.IPPolicy
		if classify == nil {
			classify = ClassifyIP
		}
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("refusing to dial unparsable address %q", address)
			}
			if what := classify(ap.Addr()); what != "" {
				return &blockedAddrError{ip: ap.Addr().WithZone(""), what: what}
			}
			return nil
		}
	}
	dial := d.DialContext
	if cfg.LookupHost != nil {
		dial = lookupDialer(d, cfg.LookupHost)
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tlsCfg = cfg.TLSConfig.Clone()
	}
	return &http.Transport{
		Proxy:                  nil,
		DialContext:            dial,
		TLSClientConfig:        tlsCfg,
		TLSHandshakeTimeout:    cfg.ConnectTimeout,
		ResponseHeaderTimeout:  cfg.HeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		ForceAttemptHTTP2:      true,
		DisableCompression:     true, // we decode, so caps apply after decompression
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    cfg.PerHostLimit,
		IdleConnTimeout:        idleConnTimeout,
		MaxResponseHeaderBytes: maxHeaderBytes,
	}
}

// lookupDialer resolves with a custom function (a test seam, or a caller's
// own resolver) and dials each address in turn; Control still checks each.
func lookupDialer(d *net.Dialer, lookup func(context.Context, string) ([]netip.Addr, error)) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var ips []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
		} else if ips, err = lookup(ctx, host); err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
		var errs []error
		for _, ip := range ips {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return c, nil
			}
			errs = append(errs, err)
		}
		return nil, errors.Join(errs...)
	}
}
