package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// buildBinary builds cmd/newstrace once per test run (see newstraceBinary).
func buildBinary(t *testing.T) string {
	t.Helper()
	return newstraceBinary(t)
}

// binEnv is the environment of a newstrace subprocess: no stray NEWSTRACE_*.
func binEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NEWSTRACE_") {
			env = append(env, kv)
		}
	}
	return env
}

var crashWords = strings.Fields(`council budget river harbour bridge vaccine trial minister election court
ruling storm flood school teacher hospital nurse farmer market price fuel energy grid solar wind port ship
strike union wage rent housing police report witness mayor village province border treaty summit talks`)

// writeDocs writes n small, distinct HTML articles under dir.
func writeDocs(t *testing.T, dir string, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "<!DOCTYPE html><html lang=en><head><title>Crash test article %d</title></head><body><article><h1>Crash test article %d</h1>", i, i)
		for p := range 3 {
			b.WriteString("<p>")
			fmt.Fprintf(&b, "Paragraph %d of article %d:", p, i)
			for range 40 { // mostly made-up words: the documents must not match each other
				if r.IntN(4) == 0 {
					b.WriteString(" " + crashWords[r.IntN(len(crashWords))])
					continue
				}
				w := make([]byte, 4+r.IntN(5))
				for k := range w {
					w[k] = byte('a' + r.IntN(26))
				}
				b.WriteString(" " + string(w))
			}
			b.WriteString(".</p>")
		}
		b.WriteString("</article></body></html>")
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("doc%05d.html", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// integrity runs PRAGMA integrity_check on the store file.
func integrity(t *testing.T, dbPath string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var res string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	return db
}

var storedLine = regexp.MustCompile(`msg=stored .*path=(\S+)`)
var summaryLine = regexp.MustCompile(`ingest: (\d+) files?, (\d+) stored, (\d+) duplicates?, (\d+) failed, (\d+) skipped(?:, (\d+) already stored)? in ([\d.]+)s`)

// TestCrashIngest SIGKILLs `newstrace ingest` a third of the way through a
// folder of documents, restarts it, and checks the store: integrity_check
// ok, every document the first run logged as stored is there, none twice,
// and the second run skips what the first stored (resumes) instead of
// extracting it again. NEWSTRACE_CRASH_FULL=1 runs the 5,000
// documents; CI runs 600.
func TestCrashIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	n := 600
	if os.Getenv("NEWSTRACE_CRASH_FULL") == "1" {
		n = 5000
	}
	bin := buildBinary(t)
	data, docs := t.TempDir(), t.TempDir()
	writeDocs(t, docs, n)

	// Run 1: killed once a third is stored.
	cmd := exec.Command(bin, "--data", data, "--log-level", "debug", "ingest", docs)
	cmd.Env = binEnv()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reported := map[string]bool{}
	sc := bufio.NewScanner(stderr)
	began := time.Now()
	killed := false
	for sc.Scan() {
		if m := storedLine.FindStringSubmatch(sc.Text()); m != nil {
			p, _ := strconv.Unquote(m[1])
			if p == "" {
				p = m[1]
			}
			reported[p] = true
			if !killed && len(reported) >= n/3 {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatalf("ingest finished before it could be killed (%d stored)", len(reported))
	}
	t.Logf("run 1: SIGKILL after %d documents reported stored (%v)", len(reported), time.Since(began).Round(time.Millisecond))

	dbPath := filepath.Join(data, "newstrace.db")
	db := integrity(t, dbPath)
	var afterKill int
	db.QueryRow(`SELECT COUNT(*) FROM documents`).Scan(&afterKill)
	db.Close()
	if afterKill < len(reported) {
		t.Fatalf("after the kill %d documents are stored, but %d were reported stored", afterKill, len(reported))
	}

	// Run 2: resumes.
	began = time.Now()
	out, err := exec.Command(bin, "--data", data, "ingest", docs).CombinedOutput()
	if err != nil {
		t.Fatalf("run 2: %v\n%s", err, out)
	}
	m := summaryLine.FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("run 2: no summary line in %q", out)
	}
	stored2, _ := strconv.Atoi(m[2])
	failed2, _ := strconv.Atoi(m[4])
	resumed2, _ := strconv.Atoi(m[6])
	t.Logf("run 2 (%v): %s", time.Since(began).Round(time.Millisecond), strings.TrimSpace(summaryLine.FindString(string(out))))
	if resumed2 != afterKill || stored2+resumed2 != n || failed2 != 0 {
		t.Errorf("run 2: %d stored + %d already stored (%d failed), want %d already stored and %d in all", stored2, resumed2, failed2, afterKill, n)
	}

	db = integrity(t, dbPath)
	var docsN, dupPaths, dupKeys int
	db.QueryRow(`SELECT COUNT(*) FROM documents`).Scan(&docsN)
	db.QueryRow(`SELECT COUNT(*) FROM (SELECT path FROM documents GROUP BY path HAVING COUNT(*) > 1)`).Scan(&dupPaths)
	db.QueryRow(`SELECT COUNT(*) FROM (SELECT entry_key FROM sightings WHERE feed_id IS NULL GROUP BY entry_key HAVING COUNT(*) > 1)`).Scan(&dupKeys)
	if docsN != n || dupPaths != 0 || dupKeys != 0 {
		t.Errorf("after restart: %d documents (want %d), %d paths stored twice, %d file sightings twice", docsN, n, dupPaths, dupKeys)
	}
	rows, err := db.Query(`SELECT path FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var p string
		rows.Scan(&p)
		have[p] = true
	}
	rows.Close()
	for p := range reported {
		if !have[p] {
			t.Errorf("%s was reported stored before the kill but is missing", p)
		}
	}

	// Run 3: everything is already stored; the skip is fast.
	began = time.Now()
	out, err = exec.Command(bin, "--data", data, "ingest", docs).CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("0 stored, 0 duplicates, 0 failed, 0 skipped, %d already stored", n)) {
		t.Errorf("run 3: %v %q", err, out)
	}
	t.Logf("run 3 (all %d already stored): %v", n, time.Since(began).Round(time.Millisecond))
}

// TestCrashServe SIGKILLs `newstrace serve` while API clients add feeds and
// mark articles read and unread, restarts it, and checks integrity_check,
// that every feed the API answered 201 for is stored, and that the server
// answers again.
func TestCrashServe(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	bin := buildBinary(t)
	data, docs := t.TempDir(), t.TempDir()
	writeDocs(t, docs, 20)
	run := func(stdin string, args ...string) string {
		cmd := exec.Command(bin, append([]string{"--data", data}, args...)...)
		cmd.Env, cmd.Stdin = binEnv(), strings.NewReader(stdin)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("newstrace %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	run("", "ingest", docs)
	run("crash test password\n", "user", "add", "crash")
	token := run("", "token", "add", "crash")

	start := func() (*exec.Cmd, string) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		cmd := exec.Command(bin, "--data", data, "serve", "--no-workers", "--addr", addr)
		cmd.Env, cmd.Stdout, cmd.Stderr = binEnv(), io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if r, err := http.Get("http://" + addr + "/healthz"); err == nil {
				r.Body.Close()
				if r.StatusCode == 200 {
					return cmd, "http://" + addr
				}
			}
		}
		cmd.Process.Kill()
		t.Fatal("serve did not answer /healthz within 20s")
		return nil, ""
	}
	cmd, base := start()
	do := func(method, url, body string) (int, error) {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return r.StatusCode, nil
	}

	var created sync.Map // feed URL → true once the API said 201
	var writes, createdN atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				if w%2 == 0 {
					u := fmt.Sprintf("https://crash-%d-%d.example/rss", w, i)
					if code, err := do("POST", base+"/api/v1/feeds", `{"url":"`+u+`"}`); err == nil && code == 201 {
						created.Store(u, true)
						createdN.Add(1)
					}
				} else {
					action := []string{"read", "unread", "star", "unstar"}[i%4]
					do("POST", fmt.Sprintf("%s/api/v1/articles/%d/%s", base, 1+i%20, action), "")
				}
				writes.Add(1)
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	cancel()
	wg.Wait()
	t.Logf("SIGKILL with writes in flight: %d writes sent, %d feeds acknowledged (201)", writes.Load(), createdN.Load())
	if createdN.Load() == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}

	db := integrity(t, filepath.Join(data, "newstrace.db"))
	rows, err := db.Query(`SELECT url FROM feeds`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for rows.Next() {
		var u string
		rows.Scan(&u)
		stored[u] = true
	}
	rows.Close()
	missing := 0
	created.Range(func(k, _ any) bool {
		if !stored[k.(string)] {
			missing++
		}
		return true
	})
	if missing > 0 {
		t.Errorf("%d feeds acknowledged with 201 are missing after the kill", missing)
	}
	db.Close()

	cmd, base = start()
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	if code, err := do("GET", base+"/api/v1/feeds", ""); err != nil || code != 200 {
		t.Errorf("after restart GET /api/v1/feeds = %d, %v", code, err)
	}
}
