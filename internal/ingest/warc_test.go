package ingest

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// warcRec builds one WARC record.
func warcRec(typ, uri, date, ctype string, block string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "WARC/1.0\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:uuid:%d>\r\n", typ, len(uri)+len(block))
	if uri != "" {
		fmt.Fprintf(&b, "WARC-Target-URI: %s\r\n", uri)
	}
	fmt.Fprintf(&b, "WARC-Date: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n", date, ctype, len(block), block)
	return b.Bytes()
}

func httpResp(status, headers, body string) string {
	return "HTTP/1.1 " + status + "\r\n" + headers + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body
}

const httpMsg = "application/http; msgtype=response"

// sampleRecords is a small crawl: one record of each kind we meet.
func sampleRecords(t *testing.T) [][]byte {
	gzBody := string(gz(t, []byte("<html><p>gzipped page</p></html>")))
	chunked := "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"6\r\n<p>chu\r\n7\r\nnked</p\r\n1\r\n>\r\n0\r\n\r\n"
	return [][]byte{
		warcRec("warcinfo", "", "2024-05-01T10:00:00Z", "application/warc-fields", "software: test\r\n"),
		warcRec("request", "https://news.example/a", "2024-05-01T10:00:01Z", "application/http; msgtype=request",
			"GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n"),
		warcRec("response", "https://news.example/a", "2024-05-01T10:00:02Z", httpMsg,
			httpResp("200 OK", "Content-Type: text/html; charset=utf-8\r\nServer: x\r\n", "<html><p>story A</p></html>")),
		warcRec("response", "<https://news.example/logo.png>", "2024-05-01T10:00:03Z", httpMsg,
			httpResp("200 OK", "Content-Type: image/png\r\n", "\x89PNG....")),
		warcRec("response", "https://news.example/gone", "2024-05-01T10:00:04Z", httpMsg,
			httpResp("404 Not Found", "Content-Type: text/html\r\n", "<p>not here</p>")),
		warcRec("response", "https://news.example/b", "2024-05-01T10:00:05.5Z", httpMsg,
			httpResp("200 OK", "Content-Type: text/html\r\nContent-Encoding: gzip\r\n", gzBody)),
		warcRec("response", "https://news.example/c", "2024-05-01T10:00:06Z", httpMsg, chunked),
		warcRec("response", "https://news.example/d", "2024-05-01T10:00:07Z", httpMsg,
			httpResp("200 OK", "", "<!DOCTYPE html><html><p>untyped DUP</p></html>")),
		warcRec("metadata", "https://news.example/a", "2024-05-01T10:00:08Z", "application/warc-fields", "via: x\r\n"),
	}
}

type wantItem struct {
	url, data, ctype string
	date             time.Time
}

var wantWARC = []wantItem{
	{url: "https://news.example/a", data: "<html><p>story A</p></html>", ctype: "text/html; charset=utf-8", date: time.Date(2024, 5, 1, 10, 0, 2, 0, time.UTC)},
	{url: "https://news.example/b", data: "<html><p>gzipped page</p></html>", ctype: "text/html", date: time.Date(2024, 5, 1, 10, 0, 5, 5e8, time.UTC)},
	{url: "https://news.example/c", data: "<p>chunked</p>", ctype: "text/html", date: time.Date(2024, 5, 1, 10, 0, 6, 0, time.UTC)},
	{url: "https://news.example/d", data: "<!DOCTYPE html><html><p>untyped DUP</p></html>", ctype: "", date: time.Date(2024, 5, 1, 10, 0, 7, 0, time.UTC)},
}

func TestRunWARC(t *testing.T) {
	recs := sampleRecords(t)
	plain := bytes.Join(recs, nil)
	var perRecordGz []byte // one gzip member per record, as crawlers write
	for _, r := range recs {
		perRecordGz = append(perRecordGz, gz(t, r)...)
	}
	truncated := append(bytes.Join(recs[:3], nil), recs[3][:60]...)

	tests := []struct {
		name       string
		file       string
		data       []byte
		want       []wantItem
		wantSum    Summary
		wantLogged string
	}{
		{name: "plain", file: "crawl.warc", data: plain, want: wantWARC,
			wantSum: Summary{Files: 1, Stored: 3, Duplicates: 1, Skipped: 2}},
		{name: "gzip member per record", file: "crawl.warc.gz", data: perRecordGz, want: wantWARC,
			wantSum: Summary{Files: 1, Stored: 3, Duplicates: 1, Skipped: 2}},
		{name: "whole-file gzip", file: "crawl.WARC.GZ", data: gz(t, plain), want: wantWARC,
			wantSum: Summary{Files: 1, Stored: 3, Duplicates: 1, Skipped: 2}},
		{name: "truncated record keeps what came before", file: "cut.warc", data: truncated, want: wantWARC[:1],
			wantSum: Summary{Files: 1, Stored: 1, Failed: 1}, wantLogged: "warc record 4"},
		{name: "not a warc", file: "fake.warc", data: []byte("<html>hello</html>\n"),
			wantSum: Summary{Files: 1, Failed: 1}, wantLogged: "not a WARC record"},
		{name: "no newline at all", file: "blob.warc", data: bytes.Repeat([]byte("x"), 200<<10),
			wantSum: Summary{Files: 1, Failed: 1}, wantLogged: "line too long"},
		{name: "empty", file: "empty.warc", data: nil, wantSum: Summary{Files: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			writeFile(t, path, tt.data)
			rec := &recorder{}
			log, logs := logBuffer()
			sum, err := Run(context.Background(), []string{path}, Options{Logger: log}, rec.handle)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if len(rec.items) != len(tt.want) {
				t.Fatalf("handler called %d times, want %d; log:\n%s", len(rec.items), len(tt.want), logs)
			}
			for i, w := range tt.want {
				got := rec.items[i]
				if got.Path != path || got.URL != w.url || string(got.Data) != w.data ||
					got.ContentType != w.ctype || !got.ModTime.Equal(w.date) {
					t.Errorf("item %d = {%s %q %q %s}, want {%s %q %q %s}", i,
						got.URL, got.Data, got.ContentType, got.ModTime, w.url, w.data, w.ctype, w.date)
				}
			}
			sum.Elapsed = 0
			if sum != tt.wantSum {
				t.Errorf("summary %+v, want %+v", sum, tt.wantSum)
			}
			if !strings.Contains(logs.String(), tt.wantLogged) {
				t.Errorf("log lacks %q:\n%s", tt.wantLogged, logs)
			}
		})
	}
}

func TestRunWARCRecordOverCap(t *testing.T) {
	big := strings.Repeat("<p>long</p>", 20000) // 220 KB
	data := bytes.Join([][]byte{
		warcRec("response", "https://x.example/big", "2024-05-01T10:00:00Z", httpMsg, httpResp("200 OK", "Content-Type: text/html\r\n", big)),
		warcRec("response", "https://x.example/small", "2024-05-01T10:00:01Z", httpMsg, httpResp("200 OK", "Content-Type: text/html\r\n", "<p>ok</p>")),
	}, nil)
	path := filepath.Join(t.TempDir(), "caps.warc.gz")
	writeFile(t, path, gz(t, data))
	rec := &recorder{}
	log, logs := logBuffer()
	sum, err := Run(context.Background(), []string{path}, Options{Logger: log, MaxFileBytes: 100 << 10}, rec.handle)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.items) != 1 || rec.items[0].URL != "https://x.example/small" {
		t.Fatalf("items %+v, want only the small page", rec.items)
	}
	if sum.Failed != 1 || sum.Stored != 1 || !strings.Contains(logs.String(), "too_large") {
		t.Fatalf("summary %+v, log:\n%s", sum, logs)
	}
}
