package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a handler that remembers its calls. Items whose data
// contains "DUP" are duplicates, "FAIL" fail.
type recorder struct {
	mu    sync.Mutex
	items []Item
	after func(n int) // called after the n-th item
}

func (r *recorder) handle(ctx context.Context, it Item) (bool, error) {
	r.mu.Lock()
	r.items = append(r.items, it)
	n := len(r.items)
	r.mu.Unlock()
	if r.after != nil {
		r.after(n)
	}
	switch {
	case bytes.Contains(it.Data, []byte("FAIL")):
		return false, errors.New("pipeline refused it")
	case bytes.Contains(it.Data, []byte("DUP")):
		return false, nil
	}
	return true, nil
}

var modTime = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, modTime, modTime); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// logBuffer captures the package's slog output for assertions.
func logBuffer() (*slog.Logger, *bytes.Buffer) {
	var b bytes.Buffer
	return slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

// makeTree builds a folder of every kind of input, good and bad.
func makeTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a", "one.html"), []byte("<p>one</p>"))
	writeFile(t, filepath.Join(dir, "a", "two.HTM"), []byte("<p>two DUP</p>"))
	writeFile(t, filepath.Join(dir, "b", "c", "three.txt"), []byte("three"))
	writeFile(t, filepath.Join(dir, "b", "c", "five.txt.gz"), gz(t, []byte("five")))
	writeFile(t, filepath.Join(dir, "b", "four.html.gz"), gz(t, []byte("<p>four</p>")))
	writeFile(t, filepath.Join(dir, "b", "notes.pdf"), []byte("%PDF-1.4"))
	writeFile(t, filepath.Join(dir, "b", "fail.html"), []byte("<p>FAIL</p>"))
	writeFile(t, filepath.Join(dir, "corrupt.html.gz"), []byte("\x1f\x8b\x08\x00garbage, not deflate"))
	// 16 MiB of zeros is ~16 KiB compressed: over the 1 MiB cap once inflated.
	writeFile(t, filepath.Join(dir, "z", "bomb.html.gz"), gz(t, make([]byte, 16<<20)))
	return dir
}

func TestRunFolderTree(t *testing.T) {
	dir := makeTree(t)
	log, logs := logBuffer()
	var progress bytes.Buffer
	rec := &recorder{}
	sum, err := Run(context.Background(), []string{dir}, Options{Progress: &progress, MaxFileBytes: 1 << 20, Logger: log}, rec.handle)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}

	want := []struct {
		rel, data, ctype string
	}{
		{rel: "a/one.html", data: "<p>one</p>", ctype: "text/html"},
		{rel: "a/two.HTM", data: "<p>two DUP</p>", ctype: "text/html"},
		{rel: "b/c/five.txt.gz", data: "five", ctype: "text/plain"},
		{rel: "b/c/three.txt", data: "three", ctype: "text/plain"},
		{rel: "b/fail.html", data: "<p>FAIL</p>", ctype: "text/html"},
		{rel: "b/four.html.gz", data: "<p>four</p>", ctype: "text/html"},
	}
	if len(rec.items) != len(want) {
		for _, it := range rec.items {
			t.Logf("got %s", it.Path)
		}
		t.Fatalf("handler called %d times, want %d", len(rec.items), len(want))
	}
	for i, w := range want {
		got := rec.items[i]
		if got.Path != filepath.Join(dir, filepath.FromSlash(w.rel)) || string(got.Data) != w.data ||
			got.ContentType != w.ctype || !got.ModTime.Equal(modTime) || got.URL != "" {
			t.Errorf("item %d = {%s %q %q %s %q}, want {%s %q %q %s}", i,
				got.Path, got.Data, got.ContentType, got.ModTime, got.URL, w.rel, w.data, w.ctype, modTime)
		}
	}
	wantSum := Summary{Files: 9, Stored: 4, Duplicates: 1, Failed: 3, Skipped: 1}
	sum.Elapsed = 0
	if sum != wantSum {
		t.Errorf("summary %+v, want %+v", sum, wantSum)
	}
	for _, s := range []string{"corrupt.html.gz", "bomb.html.gz", "too_large", "fail.html", "pipeline refused it"} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("log lacks %q:\n%s", s, logs)
		}
	}
	if lines := strings.Split(strings.TrimSpace(progress.String()), "\n"); len(lines) != 1 ||
		!strings.HasPrefix(lines[0], "ingest: 9 files, 4 stored, 1 duplicate, 3 failed, 1 skipped in ") {
		t.Errorf("progress output %q, want one summary line", progress.String())
	}
}

func TestRunTerminalShowsBar(t *testing.T) {
	dir := makeTree(t)
	var out bytes.Buffer
	log, _ := logBuffer()
	_, err := Run(context.Background(), []string{dir}, Options{Progress: &out, Terminal: true, MaxFileBytes: 1 << 20, Logger: log}, (&recorder{}).handle)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ingest: 9 files, 4 stored") {
		t.Errorf("no summary line in %q", out.String())
	}
	if !strings.Contains(out.String(), "/9)") {
		t.Errorf("no progress bar count in %q", out.String())
	}
}

func TestRunPaths(t *testing.T) {
	dir := makeTree(t)
	missing := filepath.Join(dir, "no-such-file.html")
	tests := []struct {
		name      string
		paths     []string
		wantErr   string // substring; "" for none
		wantCalls int
		wantFiles int
	}{
		{name: "single file", paths: []string{filepath.Join(dir, "a", "one.html")}, wantCalls: 1, wantFiles: 1},
		{name: "unsupported file given directly", paths: []string{filepath.Join(dir, "b", "notes.pdf")}, wantFiles: 1},
		{name: "file and folder", paths: []string{filepath.Join(dir, "a", "one.html"), filepath.Join(dir, "b", "c")}, wantCalls: 3, wantFiles: 3},
		{name: "missing path is named", paths: []string{filepath.Join(dir, "a"), missing}, wantErr: missing},
		{name: "no paths", paths: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			log, _ := logBuffer()
			sum, err := Run(context.Background(), tt.paths, Options{Logger: log}, rec.handle)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				if len(rec.items) != 0 {
					t.Fatalf("handler called %d times before the error", len(rec.items))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.items) != tt.wantCalls || sum.Files != tt.wantFiles {
				t.Fatalf("%d calls, %d files; want %d, %d", len(rec.items), sum.Files, tt.wantCalls, tt.wantFiles)
			}
		})
	}
}

func TestRunCancel(t *testing.T) {
	dir := t.TempDir()
	for i := range 50 {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("doc%02d.html", i)), []byte("<p>x</p>"))
	}
	tests := []struct {
		name      string
		cancelAt  int // cancel after this many handler calls; 0 = before Run
		wantCalls int
	}{
		{name: "cancelled before start", cancelAt: 0, wantCalls: 0},
		{name: "cancelled by the third item", cancelAt: 3, wantCalls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancelAt == 0 {
				cancel()
			}
			rec := &recorder{after: func(n int) {
				if n == tt.cancelAt {
					cancel()
				}
			}}
			log, _ := logBuffer()
			sum, err := Run(ctx, []string{dir}, Options{Logger: log}, rec.handle)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if len(rec.items) != tt.wantCalls {
				t.Fatalf("handler called %d times, want %d", len(rec.items), tt.wantCalls)
			}
			if sum.Stored != tt.wantCalls || sum.Failed != 0 {
				t.Fatalf("summary %+v", sum)
			}
		})
	}
}

func TestSummaryString(t *testing.T) {
	tests := []struct {
		name string
		s    Summary
		want string
	}{
		{name: "example", s: Summary{Files: 120, Stored: 118, Duplicates: 1, Failed: 1, Elapsed: 2300 * time.Millisecond},
			want: "ingest: 120 files, 118 stored, 1 duplicate, 1 failed, 0 skipped in 2.3s"},
		{name: "one file", s: Summary{Files: 1, Stored: 1, Elapsed: 40 * time.Millisecond},
			want: "ingest: 1 file, 1 stored, 0 duplicates, 0 failed, 0 skipped in 0.0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
