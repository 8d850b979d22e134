package fetch

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

var (
	allowedIP = netip.MustParseAddr("127.0.0.1") // where httptest servers listen: "public"
	blockedIP = netip.MustParseAddr("127.0.0.2") // stands for a private address
)

// testPolicy lets tests model the outside world on loopback: 127.0.0.1
// is public, everything else is judged by the real ClassifyIP.
func testPolicy(ip netip.Addr) string {
	if ip.Unmap() == allowedIP {
		return ""
	}
	return ClassifyIP(ip)
}

// testLookup resolves *.public.test and the short-link hosts to 127.0.0.1
// and *.private.test to 127.0.0.2; anything else does not exist. No real DNS is ever asked.
func testLookup(_ context.Context, host string) ([]netip.Addr, error) {
	switch {
	case hasSuffix(host, "public.test"):
		return []netip.Addr{allowedIP}, nil
	case shortHosts[host]:
		return []netip.Addr{allowedIP}, nil
	case hasSuffix(host, "private.test"):
		return []netip.Addr{blockedIP}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func hasSuffix(host, suffix string) bool {
	return host == suffix || len(host) > len(suffix) && host[len(host)-len(suffix)-1:] == "."+suffix
}

// newTestClient returns a client with the address check on (through
// testPolicy) and short timeouts; fields set in cfg win.
func newTestClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	if cfg.IPPolicy == nil {
		cfg.IPPolicy = testPolicy
	}
	if cfg.LookupHost == nil {
		cfg.LookupHost = testLookup
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return New(cfg)
}

// publicURL rewrites a httptest server URL to a host under public.test.
func publicURL(ts *httptest.Server, host, path string) string {
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	return "http://" + host + ":" + port + path
}

func newServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}
