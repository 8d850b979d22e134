package fetch

import (
	"net/netip"
	"testing"
)

func TestClassifyIP(t *testing.T) {
	tests := []struct {
		name string
		ip   string
		want string // "" = allowed
	}{
		{"public v4", "93.184.216.34", ""},
		{"public v4 dns", "8.8.8.8", ""},
		{"loopback", "127.0.0.1", "a loopback"},
		{"loopback other", "127.1.2.3", "a loopback"},
		{"rfc1918 10", "10.1.2.3", "a private"},
		{"rfc1918 172.16", "172.16.0.1", "a private"},
		{"rfc1918 172.31", "172.31.255.255", "a private"},
		{"just outside 172.16/12", "172.32.0.1", ""},
		{"rfc1918 192.168", "192.168.1.1", "a private"},
		{"link-local", "169.254.1.1", "a link-local"},
		{"metadata aws", "169.254.169.254", "a cloud metadata"},
		{"metadata azure (public range)", "168.63.129.16", "a cloud metadata"},
		{"metadata alibaba", "100.100.100.200", "a cloud metadata"},
		{"cgnat", "100.64.0.1", "a shared (CGNAT)"},
		{"cgnat top", "100.127.255.254", "a shared (CGNAT)"},
		{"outside cgnat", "100.128.0.1", ""},
		{"this network", "0.0.0.0", "a \"this network\""},
		{"this network 0/8", "0.1.2.3", "a \"this network\""},
		{"multicast v4", "224.0.0.1", "a multicast"},
		{"broadcast", "255.255.255.255", "a broadcast"},
		{"reserved 240/4", "240.0.0.1", "a reserved"},
		{"documentation v4", "192.0.2.10", "a documentation"},
		{"v6 public", "2606:4700:4700::1111", ""},
		{"v6 loopback", "::1", "a loopback"},
		{"v6 unspecified", "::", "an unspecified"},
		{"v6 link-local", "fe80::1", "a link-local"},
		{"v6 link-local with zone", "fe80::1%eth0", "a link-local"},
		{"v6 unique-local", "fd12:3456::1", "a unique-local"},
		{"v6 unique-local fc", "fc00::1", "a unique-local"},
		{"v6 metadata aws", "fd00:ec2::254", "a cloud metadata"},
		{"v6 multicast", "ff02::1", "a multicast"},
		{"v6 documentation", "2001:db8::1", "a documentation"},
		{"mapped loopback", "::ffff:127.0.0.1", "a loopback"},
		{"mapped private", "::ffff:10.0.0.1", "a private"},
		{"mapped metadata", "::ffff:169.254.169.254", "a cloud metadata"},
		{"mapped public", "::ffff:93.184.216.34", ""},
		{"v4-compatible loopback", "::127.0.0.1", "a loopback"},
		{"nat64 private", "64:ff9b::10.0.0.1", "a private"},
		{"nat64 public", "64:ff9b::93.184.216.34", ""},
		{"6to4 loopback", "2002:7f00:1::1", "a loopback"},
		{"6to4 public", "2002:5db8:d822::1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ClassifyIP(netip.MustParseAddr(tt.ip))
			if got != tt.want {
				t.Errorf("ClassifyIP(%s) = %q, want %q", tt.ip, got, tt.want)
			}
		})
	}
	if got := ClassifyIP(netip.Addr{}); got == "" {
		t.Error("invalid address must not be allowed")
	}
}
