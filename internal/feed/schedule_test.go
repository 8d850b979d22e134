package feed

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestNextPoll(t *testing.T) {
	now := time.Date(2024, 5, 14, 12, 0, 0, 0, time.UTC)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	httpDate := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	errNet := errors.New("connection refused")
	def := Policy{} // 30m, 5m, 24h, 24h
	tests := []struct {
		name string
		o    Outcome
		p    Policy
		want time.Duration
	}{
		// Rule 1: success.
		{"200 no hints: default", Outcome{Status: 200}, def, 30 * time.Minute},
		{"no status no error: default", Outcome{}, def, 30 * time.Minute},
		{"304: default", Outcome{Status: 304}, def, 30 * time.Minute},
		{"max-age longer than default", Outcome{Status: 200, Header: hdr("Cache-Control", "public, max-age=7200")}, def, 2 * time.Hour},
		{"max-age shorter than default ignored", Outcome{Status: 200, Header: hdr("Cache-Control", "max-age=60")}, def, 30 * time.Minute},
		{"max-age above Max clamped", Outcome{Status: 200, Header: hdr("Cache-Control", "max-age=604800")}, def, 24 * time.Hour},
		{"quoted max-age", Outcome{Status: 200, Header: hdr("Cache-Control", `max-age="3600"`)}, def, time.Hour},
		{"max-age wins over expires", Outcome{Status: 200, Header: hdr("Cache-Control", "max-age=3600", "Expires", httpDate(5*time.Hour))}, def, time.Hour},
		{"no-cache cancels max-age", Outcome{Status: 200, Header: hdr("Cache-Control", "max-age=7200, no-cache")}, def, 30 * time.Minute},
		{"expires without max-age", Outcome{Status: 200, Header: hdr("Expires", httpDate(3*time.Hour))}, def, 3 * time.Hour},
		{"expires relative to Date header", Outcome{Status: 200, Header: hdr("Date", httpDate(-time.Hour), "Expires", httpDate(3*time.Hour))}, def, 4 * time.Hour},
		{"expires in the past", Outcome{Status: 200, Header: hdr("Expires", httpDate(-3*time.Hour))}, def, 30 * time.Minute},
		{"expires garbage", Outcome{Status: 200, Header: hdr("Expires", "0")}, def, 30 * time.Minute},
		{"rss ttl longer", Outcome{Status: 200, TTL: 90 * time.Minute}, def, 90 * time.Minute},
		{"ttl vs max-age: longest wins", Outcome{Status: 200, TTL: 90 * time.Minute, Header: hdr("Cache-Control", "max-age=10800")}, def, 3 * time.Hour},
		{"ttl above Max clamped", Outcome{Status: 304, TTL: 48 * time.Hour}, def, 24 * time.Hour},
		{"default below Min raised", Outcome{Status: 200}, Policy{Default: time.Minute, Min: 10 * time.Minute}, 10 * time.Minute},
		{"custom Max", Outcome{Status: 200, TTL: 5 * time.Hour}, Policy{Max: 2 * time.Hour}, 2 * time.Hour},
		// Rule 2: Retry-After on 429/503.
		{"429 retry-after seconds", Outcome{Status: 429, Failures: 1, Header: hdr("Retry-After", "3600")}, def, time.Hour},
		{"503 retry-after date", Outcome{Status: 503, Failures: 2, Header: hdr("Retry-After", httpDate(2*time.Hour))}, def, 2 * time.Hour},
		{"429 retry-after below Min", Outcome{Status: 429, Failures: 1, Header: hdr("Retry-After", "10")}, def, 5 * time.Minute},
		{"429 retry-after above MaxBackoff", Outcome{Status: 429, Failures: 1, Header: hdr("Retry-After", "999999999")}, def, 24 * time.Hour},
		{"503 retry-after in the past", Outcome{Status: 503, Failures: 1, Header: hdr("Retry-After", httpDate(-time.Hour))}, def, 5 * time.Minute},
		{"429 retry-after garbage: backoff", Outcome{Status: 429, Failures: 3, Header: hdr("Retry-After", "soon")}, def, 2 * time.Hour},
		{"429 without retry-after: backoff", Outcome{Status: 429, Failures: 1}, def, 30 * time.Minute},
		{"500 retry-after ignored", Outcome{Status: 500, Failures: 1, Header: hdr("Retry-After", "7200")}, def, 30 * time.Minute},
		// Rule 3: exponential backoff.
		{"first failure", Outcome{Status: 500, Failures: 1}, def, 30 * time.Minute},
		{"second failure", Outcome{Status: 502, Failures: 2}, def, time.Hour},
		{"third failure", Outcome{Err: errNet, Failures: 3}, def, 2 * time.Hour},
		{"sixth failure", Outcome{Status: 404, Failures: 6}, def, 16 * time.Hour},
		{"seventh failure capped", Outcome{Status: 404, Failures: 7}, def, 24 * time.Hour},
		{"huge failure count no overflow", Outcome{Status: 500, Failures: 1 << 30}, def, 24 * time.Hour},
		{"failures 0 on failure treated as 1", Outcome{Status: 500}, def, 30 * time.Minute},
		{"200 with parse error is a failure", Outcome{Status: 200, Err: errors.New("malformed feed"), Failures: 2}, def, time.Hour},
		{"custom MaxBackoff", Outcome{Status: 500, Failures: 5}, Policy{MaxBackoff: 3 * time.Hour}, 3 * time.Hour},
		{"custom Default", Outcome{Status: 500, Failures: 3}, Policy{Default: 10 * time.Minute}, 40 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextPoll(now, tt.o, tt.p)
			if d := got.Sub(now); d != tt.want {
				t.Errorf("NextPoll = now+%v, want now+%v", d, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 5, 14, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"seconds", "120", 2 * time.Minute, true},
		{"zero", "0", 0, true},
		{"spaces", " 30 ", 30 * time.Second, true},
		{"imf date", "Tue, 14 May 2024 13:00:00 GMT", time.Hour, true},
		{"rfc850 date", "Tuesday, 14-May-24 12:30:00 GMT", 30 * time.Minute, true},
		{"past date", "Tue, 14 May 2024 11:00:00 GMT", 0, true},
		{"negative", "-5", 0, false},
		{"empty", "", 0, false},
		{"garbage", "later", 0, false},
		{"huge saturates", "99999999999999999", time.Duration(1<<63 - 1).Truncate(time.Second), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
