package fetch

import (
	"net/netip"
)

// blockedRange is a network we refuse to dial, with the words used in errors.
type blockedRange struct {
	prefix netip.Prefix
	what   string // completes "X is a/an ___ address"
}

// metadataAddrs are cloud instance-metadata endpoints. Most already fall in a
// blocked range; 168.63.129.16 (Azure) is a public address, so it is listed.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OpenStack, DigitalOcean
	netip.MustParseAddr("169.254.170.2"),   // AWS ECS task metadata
	netip.MustParseAddr("168.63.129.16"),   // Azure wireserver
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	netip.MustParseAddr("192.0.0.192"),     // Oracle Cloud
	netip.MustParseAddr("fd00:ec2::254"),   // AWS over IPv6
}

var blockedRanges = func() []blockedRange {
	r := []struct{ p, what string }{
		{"0.0.0.0/8", "a \"this network\""},
		{"10.0.0.0/8", "a private"},
		{"100.64.0.0/10", "a shared (CGNAT)"},
		{"127.0.0.0/8", "a loopback"},
		{"169.254.0.0/16", "a link-local"},
		{"172.16.0.0/12", "a private"},
		{"192.0.0.0/24", "a reserved (IETF protocol)"},
		{"192.0.2.0/24", "a documentation"},
		{"192.88.99.0/24", "a reserved (6to4 relay)"},
		{"192.168.0.0/16", "a private"},
		{"198.18.0.0/15", "a reserved (benchmarking)"},
		{"198.51.100.0/24", "a documentation"},
		{"203.0.113.0/24", "a documentation"},
		{"224.0.0.0/4", "a multicast"},
		{"255.255.255.255/32", "a broadcast"},
		{"240.0.0.0/4", "a reserved"},
		{"::/128", "an unspecified"},
		{"::1/128", "a loopback"},
		{"100::/64", "a discard-only"},
		{"2001:db8::/32", "a documentation"},
		{"fc00::/7", "a unique-local"},
		{"fe80::/10", "a link-local"},
		{"fec0::/10", "a site-local"},
		{"ff00::/8", "a multicast"},
	}
	out := make([]blockedRange, len(r))
	for i, x := range r {
		out[i] = blockedRange{netip.MustParsePrefix(x.p), x.what}
	}
	return out
}()

// IPv6 forms that carry an IPv4 address inside: the IPv4 address decides.
var (
	nat64Prefix  = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local   = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour    = netip.MustParsePrefix("2002::/16")
	v4Compatible = netip.MustParsePrefix("::/96") // deprecated ::a.b.c.d
)

// ClassifyIP says why ip must not be fetched without --allow-private:
// "" when it is an ordinary public address, otherwise the words that
// complete "ip is ___ address" (for example "a loopback").
// IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms are judged by the
// IPv4 address they carry, so ::ffff:127.0.0.1 is loopback too.
func ClassifyIP(ip netip.Addr) string {
	if !ip.IsValid() {
		return "an invalid"
	}
	ip = ip.WithZone("")
	for _, m := range metadataAddrs {
		if ip == m {
			return "a cloud metadata"
		}
	}
	if ip.Is4In6() {
		return ClassifyIP(ip.Unmap())
	}
	if ip.Is6() {
		if inner, ok := embeddedV4(ip); ok {
			return ClassifyIP(inner)
		}
	}
	for _, r := range blockedRanges {
		if r.prefix.Contains(ip) {
			return r.what
		}
	}
	return ""
}

// embeddedV4 returns the IPv4 address inside an IPv6 translation form.
func embeddedV4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case ip == netip.IPv6Unspecified() || ip == netip.IPv6Loopback():
		return netip.Addr{}, false
	case nat64Prefix.Contains(ip), v4Compatible.Contains(ip):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case nat64Local.Contains(ip):
		// RFC 8215 local-use NAT64: the IPv4 address sits in the last 32 bits
		// for the common /96 layout; judge by it to be safe.
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}
