package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestLoadShort is the CI form of the load figure: 2,000 documents, 20
// clients, 3 s, no errors. The full run (100k, 100 clients, 30 s) is the
// command in docs/benchmarks.md ## Load.
func TestLoadShort(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	var out bytes.Buffer
	res, err := Run(context.Background(), Config{Docs: 2000, Clients: 20, Duration: 3 * time.Second,
		DBPath: filepath.Join(t.TempDir(), "load.db"), Out: &out})
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Requests == 0 {
		t.Fatalf("%d errors in %d requests: %s", res.Errors, res.Requests, res.FirstError)
	}
	// One path, one user: after the first render the front page is a hit
	// until the TTL, so a cache that never hits is broken.
	if res.HitRate["front"] < 0.5 {
		t.Errorf("front page cache hit rate %.2f, want most requests served from the cache", res.HitRate["front"])
	}
}
