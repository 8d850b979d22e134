package fetch

import (
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		value string
		want  time.Duration
	}{
		{"empty", "", 0},
		{"seconds", "120", 2 * time.Minute},
		{"seconds with spaces", " 30 ", 30 * time.Second},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"http date", "Sat, 01 Mar 2025 12:05:00 GMT", 5 * time.Minute},
		{"rfc850 date", "Saturday, 01-Mar-25 12:01:00 GMT", time.Minute},
		{"asctime date", "Sat Mar  1 12:00:30 2025", 30 * time.Second},
		{"date in the past", "Sat, 01 Mar 2025 11:00:00 GMT", 0},
		{"capped seconds", "99999999", 7 * 24 * time.Hour},
		{"overflowing seconds", "99999999999999999999999", 7 * 24 * time.Hour},
		{"overflowing negative", "-99999999999999999999999", 0},
		{"capped date", "Sat, 01 Mar 2031 12:00:00 GMT", 7 * 24 * time.Hour},
		{"garbage", "soon", 0},
		{"fraction", "1.5", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseRetryAfter(tt.value, now); got != tt.want {
				t.Errorf("ParseRetryAfter(%q) = %s, want %s", tt.value, got, tt.want)
			}
		})
	}
}
