package loginlimit

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(3, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if l.Blocked("a") {
			t.Fatalf("blocked after %d failures, limit is 3", i)
		}
		l.Fail("a")
	}
	if !l.Blocked("a") {
		t.Error("not blocked after 3 failures")
	}
	if l.Blocked("b") {
		t.Error("another address is blocked too")
	}
	now = now.Add(61 * time.Second)
	if l.Blocked("a") {
		t.Error("still blocked after the window passed")
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct{ name, remote, want string }{
		{"v4", "192.0.2.1:5555", "192.0.2.1"},
		{"v6", "[2001:db8::1]:443", "2001:db8::1"},
		{"no port", "192.0.2.9", "192.0.2.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if got := ClientIP(r); got != tt.want {
				t.Errorf("ClientIP(%q) = %q, want %q", tt.remote, got, tt.want)
			}
		})
	}
}
