package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestPollInterval: --poll-interval sets when a feed that says nothing about
// its schedule is polled next; without it the default 30 minutes apply.
func TestPollInterval(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://x.example/</link></channel></rss>`)
	}))
	defer srv.Close()
	for _, tt := range []struct {
		flags []string
		want  time.Duration
	}{
		{nil, 30 * time.Minute},
		{[]string{"--poll-interval", "15m"}, 15 * time.Minute},
	} {
		dir := t.TempDir()
		base := append([]string{"--data", dir, "--allow-private"}, tt.flags...)
		if _, err := runCLI(t, "", append(base, "feeds", "add", srv.URL)...); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := runCLI(t, "", append(base, "poll", "--once")...); err != nil {
			t.Fatal(err)
		}
		out, err := runCLI(t, "", append(base, "feeds", "list", "--json")...)
		if err != nil {
			t.Fatal(err)
		}
		var feeds []struct {
			NextPollAt time.Time `json:"next_poll_at"`
		}
		if err := json.Unmarshal([]byte(out), &feeds); err != nil || len(feeds) != 1 {
			t.Fatalf("feeds list --json = %q, %v", out, err)
		}
		if got := feeds[0].NextPollAt.Sub(start); got < tt.want-time.Minute || got > tt.want+time.Minute {
			t.Errorf("flags %v: next poll in %v, want about %v", tt.flags, got.Round(time.Second), tt.want)
		}
	}
	if _, err := runCLI(t, "", "--poll-interval", "soon", "feeds", "list"); err == nil {
		t.Error("--poll-interval soon accepted")
	}
}
