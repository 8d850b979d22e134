package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCLI runs one newstrace command in-process and returns its stdout.
func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(stdin), &out, &errOut
	m.Getenv = func(string) string { return "" }
	err := m.Run(context.Background(), args)
	if err != nil {
		t.Logf("newstrace %s: %v\nstderr: %s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String(), err
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runCLI(t, "", args...)
	if err != nil {
		t.Fatalf("newstrace %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// testSite serves testdata/site: a feed and realistic article pages with
// navigation, ads, share bars and comment sections.
func testSite(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	page := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, err := os.ReadFile(filepath.Join("testdata", "site", name))
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			ct := "text/html; charset=utf-8"
			if strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".atom") {
				ct = "application/xml"
				b = bytes.ReplaceAll(b, []byte("{{BASE}}"), []byte(srv.URL))
			}
			w.Header().Set("Content-Type", ct)
			w.Write(b)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed.xml", page("feed.xml"))
	mux.HandleFunc("GET /roundup.atom", page("feed2.atom"))
	mux.HandleFunc("GET /news/harbour-bridge-reopens", page("harbour-bridge.html"))
	mux.HandleFunc("GET /health/malaria-vaccine", page("vaccine-trial.html"))
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// startServe runs `newstrace serve` on a free loopback port until the test ends.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	return startServeFlags(t, args)
}

// startServeFlags runs `newstrace GLOBAL... serve SERVEFLAGS... --addr
// 127.0.0.1:0` until the test ends and returns its base URL.
func startServeFlags(t *testing.T, global []string, serveFlags ...string) string {
	t.Helper()
	args := append(append(append([]string{}, global...), "serve"), serveFlags...)
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	m.Getenv = func(string) string { return "" }
	m.OnListen = func(a string) { addrc <- a }
	go func() { done <- m.Run(ctx, append(args, "--addr", "127.0.0.1:0")) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30s")
		}
	})
	select {
	case a := <-addrc:
		return "http://" + a
	case err := <-done:
		done <- err // for the cleanup, which waits on it
		t.Fatalf("serve exited: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start within 30s")
	}
	return ""
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: decode %s: %v", url, body, err)
	}
}
