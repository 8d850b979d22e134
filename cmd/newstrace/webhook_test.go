package main

import (
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWebhookCLI adds, lists and removes webhooks through the CLI: the
// secret is printed once at add, private targets need --allow-private, and
// mistakes are one-line errors.
func TestWebhookCLI(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	global := []string{"--data", data}
	cli := func(args ...string) (string, error) {
		t.Helper()
		return runCLI(t, "", append(append([]string{}, global...), args...)...)
	}
	secretRE := regexp.MustCompile(`whsec_[0-9a-f]{48}`)

	out, err := cli("webhook", "add", "https://hooks.example.org/newstrace")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "added webhook 1: https://hooks.example.org/newstrace on story.outlet_added") {
		t.Errorf("add said %q", out)
	}
	secret := secretRE.FindString(out)
	if secret == "" || strings.Count(out, secret) != 1 || !strings.Contains(out, "shown once") {
		t.Fatalf("add should print one secret once, said %q", out)
	}

	out, err = cli("webhook", "add", "https://hooks.example.org/match", "--event", "search.match", "--query", `"flood" source:wire`)
	if err != nil {
		t.Fatal(err)
	}
	if s2 := secretRE.FindString(out); s2 == "" || s2 == secret {
		t.Errorf("second webhook's secret %q should be new (first %q)", s2, secret)
	}

	// Private and loopback targets are refused without --allow-private.
	for _, u := range []string{"http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://localhost/hook", "http://[::1]/hook"} {
		out, err := cli("webhook", "add", u)
		if err == nil {
			t.Errorf("add %s succeeded (%q), want refusal", u, out)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "--allow-private") {
			t.Errorf("add %s: error %q should be one line naming --allow-private", u, msg)
		}
		if out != "" {
			t.Errorf("refused add %s still printed %q", u, out)
		}
	}
	out, err = cli("webhook", "add", "http://127.0.0.1:9/hook", "--allow-private")
	if err != nil || !strings.Contains(out, "added webhook 3") {
		t.Fatalf("add with --allow-private: %q, %v", out, err)
	}

	// Bad input is refused before anything is stored.
	for _, args := range [][]string{
		{"webhook", "add"},
		{"webhook", "add", "ftp://hooks.example.org/x"},
		{"webhook", "add", "https://hooks.example.org/x", "--event", "story.deleted"},
		{"webhook", "add", "https://hooks.example.org/x", "--event", "search.match"}, // no query
		{"webhook", "remove"},
		{"webhook", "remove", "abc"},
		{"webhook", "frobnicate"},
	} {
		if out, err := cli(args...); err == nil {
			t.Errorf("%s succeeded (%q), want error", strings.Join(args, " "), out)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: multi-line error %q", strings.Join(args, " "), err)
		}
	}

	out, err = cli("webhook", "list")
	if err != nil {
		t.Fatal(err)
	}
	want := "1\tstory.outlet_added\thttps://hooks.example.org/newstrace\n" +
		"2\tsearch.match\thttps://hooks.example.org/match\tquery=\"\\\"flood\\\" source:wire\"\n" +
		"3\tstory.outlet_added\thttp://127.0.0.1:9/hook\tallow-private\n"
	if out != want {
		t.Errorf("list =\n%s\nwant\n%s", out, want)
	}
	if secretRE.MatchString(out) {
		t.Errorf("list shows a secret: %q", out)
	}

	out, err = cli("webhook", "remove", "2")
	if err != nil || out != "removed webhook 2\n" {
		t.Errorf("remove 2: %q, %v", out, err)
	}
	if _, err := cli("webhook", "rm", "2"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("removing 2 again: %v, want not found", err)
	}
	out, _ = cli("webhook", "list")
	if strings.Contains(out, "search.match") || strings.Count(out, "\n") != 2 {
		t.Errorf("after remove, list =\n%s", out)
	}
}

// TestServeMetricsQueueDepth: `serve` exposes the job queue's depth on
// /metrics when it runs workers, and leaves it out with --no-workers.
func TestServeMetricsQueueDepth(t *testing.T) {
	scrape := func(base string) string {
		t.Helper()
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
		}
		return string(b)
	}
	body := scrape(startServe(t, "--data", t.TempDir()))
	for _, w := range []string{"# TYPE newstrace_queue_jobs gauge", `newstrace_queue_jobs{queue="process",state="available"} `, `newstrace_queue_jobs{queue="poll",state="running"} `} {
		if !strings.Contains(body, w) {
			t.Errorf("with workers, metrics lack %q:\n%s", w, body)
		}
	}
	body = scrape(startServeFlags(t, []string{"--data", t.TempDir()}, "--no-workers"))
	if strings.Contains(body, "newstrace_queue_jobs") || !strings.Contains(body, "newstrace_documents ") {
		t.Errorf("with --no-workers, metrics:\n%s", body)
	}
}
