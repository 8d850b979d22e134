package feed

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Policy bounds poll intervals; zero fields take the defaults.
type Policy struct {
	Default    time.Duration // normal interval, default 30m
	Min        time.Duration // never sooner than this, default 5m
	Max        time.Duration // never later than this after a success, default 24h
	MaxBackoff time.Duration // cap on failure backoff and Retry-After, default 24h
}

// Default policy values.
const (
	DefaultInterval   = 30 * time.Minute
	DefaultMinPoll    = 5 * time.Minute
	DefaultMaxPoll    = 24 * time.Hour
	DefaultMaxBackoff = 24 * time.Hour
)

func (p Policy) withDefaults() Policy {
	if p.Default <= 0 {
		p.Default = DefaultInterval
	}
	if p.Min <= 0 {
		p.Min = DefaultMinPoll
	}
	if p.Max <= 0 {
		p.Max = DefaultMaxPoll
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = DefaultMaxBackoff
	}
	p.Max = max(p.Max, p.Min)
	p.MaxBackoff = max(p.MaxBackoff, p.Min)
	return p
}

// Outcome is what happened on one poll.
type Outcome struct {
	Status   int           // HTTP status, 0 when no response arrived
	Header   http.Header   // response headers, may be nil
	TTL      time.Duration // RSS <ttl> of the parsed feed, 0 if none
	Failures int           // consecutive failures including this one; 0 on success
	Err      error         // transport or parse error, nil on success
}

// success: no error and a 2xx, a 304 Not Modified, or no status at all
// (a document that did not come over HTTP).
func (o Outcome) success() bool {
	if o.Err != nil || o.Failures > 0 {
		return false
	}
	return o.Status == 0 || o.Status == http.StatusNotModified || (o.Status >= 200 && o.Status < 300)
}

// NextPoll returns when the feed should be polled again. No randomness:
// spreading feeds out is the scheduler's job. The rules, in order:
//
//  1. Success (2xx or 304): wait the longest of Default, the response's
//     Cache-Control max-age (or, without max-age, Expires minus Date/now),
//     and the RSS <ttl>, then clamp to [Min, Max]. A server or author who
//     asks for fewer polls gets them; one who asks for more than every
//     Default does not, because polling many feeds fast is our cost.
//     Cache-Control no-store/no-cache add nothing (Default applies).
//  2. 429 Too Many Requests or 503 Service Unavailable with a usable
//     Retry-After (seconds or HTTP date): honour it, clamped to
//     [Min, MaxBackoff].
//  3. Any other failure (or 429/503 without Retry-After): exponential
//     backoff Default*2^(Failures-1), capped at MaxBackoff and at least Min.
func NextPoll(now time.Time, o Outcome, p Policy) time.Time {
	p = p.withDefaults()
	if o.success() {
		d := max(p.Default, cacheLifetime(now, o.Header), o.TTL)
		return now.Add(clamp(d, p.Min, p.Max))
	}
	if o.Status == http.StatusTooManyRequests || o.Status == http.StatusServiceUnavailable {
		if d, ok := ParseRetryAfter(o.Header.Get("Retry-After"), now); ok {
			return now.Add(clamp(d, p.Min, p.MaxBackoff))
		}
	}
	return now.Add(clamp(backoff(p.Default, o.Failures, p.MaxBackoff), p.Min, p.MaxBackoff))
}

// backoff doubles base per failure after the first, stopping at limit
// (a loop, not a shift, so a huge failure count cannot overflow).
func backoff(base time.Duration, failures int, limit time.Duration) time.Duration {
	d := base
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}

// ParseRetryAfter reads a Retry-After value: delta-seconds or an HTTP date
// (RFC 9110 §10.2.3). A date in the past gives 0. ok is false when the value
// is empty or unreadable.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return seconds(secs), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// cacheLifetime is how long the response says it stays fresh: max-age from
// Cache-Control, else Expires minus Date (minus now without Date, which
// trusts our clock over theirs), else 0.
func cacheLifetime(now time.Time, h http.Header) time.Duration {
	if h == nil {
		return 0
	}
	cc := strings.ToLower(strings.Join(h.Values("Cache-Control"), ","))
	maxAge, hasMaxAge := time.Duration(0), false
	for _, dir := range strings.Split(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(dir), "=")
		switch strings.TrimSpace(name) {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			secs, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
			if err == nil && secs >= 0 && !hasMaxAge {
				maxAge, hasMaxAge = seconds(secs), true
			}
		}
	}
	if hasMaxAge {
		return maxAge
	}
	exp := h.Get("Expires")
	if exp == "" {
		return 0
	}
	t, err := http.ParseTime(exp)
	if err != nil {
		return 0 // "0", "-1" and garbage mean already expired
	}
	ref := now
	if date, err := http.ParseTime(h.Get("Date")); err == nil {
		ref = date
	}
	return max(t.Sub(ref), 0)
}

// seconds converts without overflow: anything beyond ~290 years saturates.
func seconds(s int64) time.Duration {
	const maxSecs = int64(1<<63-1) / int64(time.Second)
	if s > maxSecs {
		s = maxSecs
	}
	return time.Duration(s) * time.Second
}
