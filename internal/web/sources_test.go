package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAddFeedForm(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	e := newEnv(t, st, envOpts{})
	token := e.csrf("/sources")

	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{name: "added", form: url.Values{"url": {"https://fresh.example/rss"}, "title": {"Fresh"}, "folder": {"Local"}}, status: 303},
		{name: "already followed", form: url.Values{"url": {"https://planet.example/feed.xml"}}, status: 409, want: "is already followed"},
		{name: "not http", form: url.Values{"url": {"javascript:alert(1)"}, "title": {"Kept title"}}, status: 400, want: "is not an http(s) URL"},
		{name: "empty", form: url.Values{"url": {"  "}}, status: 400, want: "A feed URL is required."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("csrf", token)
			r := e.postForm("/sources", tt.form)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.want != "" && !strings.Contains(r.body, tt.want) {
				t.Errorf("body lacks %q", tt.want)
			}
			if tt.status == 400 && tt.form.Get("title") != "" && !strings.Contains(r.body, `value="Kept title"`) {
				t.Error("form values not kept after an error")
			}
		})
	}

	f, err := st.FeedByURL(t.Context(), "https://fresh.example/rss")
	if err != nil {
		t.Fatalf("feed not stored: %v", err)
	}
	if f.Title != "Fresh" || f.Folder != "Local" || !f.NextPollAt.Equal(testNow) {
		t.Errorf("stored feed = %+v", f)
	}
	if got := e.feedsAdded(); len(got) != 1 || got[0] != f.ID {
		t.Errorf("OnFeedAdded got %v, want [%d]", got, f.ID)
	}
	if r := e.get("/sources?added=1"); !strings.Contains(r.body, "Added 1 feed.") {
		t.Error("no notice after adding")
	}
}

const testOPML = `<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
<outline text="News">
  <outline type="rss" text="Wire" xmlUrl="https://wire.example/feed" htmlUrl="https://wire.example/"/>
  <outline type="rss" text="Planet again" xmlUrl="https://planet.example/feed.xml"/>
</outline>
<outline type="rss" text="Gopher" xmlUrl="https://gopher.example/atom"/>
</body></opml>`

func (e *testEnv) upload(token, filename string, content []byte) response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if token != "" {
		_ = mw.WriteField("csrf", token)
	}
	fw, err := mw.CreateFormFile("opml", filename)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, e.ts.URL+"/sources/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return e.do(req)
}

func TestImportOPML(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	e := newEnv(t, st, envOpts{})
	token := e.csrf("/sources")

	tests := []struct {
		name     string
		token    string
		content  []byte
		status   int
		location string
		want     string
	}{
		{name: "no token", content: []byte(testOPML), status: 403},
		{name: "imports new, skips known", token: token, content: []byte(testOPML), status: 303, location: "/sources?added=2&skipped=1"},
		{name: "not opml", token: token, content: []byte("<html><body>hi</body></html>"), status: 400, want: "OPML"},
		{name: "over 5 MiB", token: token, content: bytes.Repeat([]byte("x"), opmlMaxBytes+formMaxBytes+1), status: 413, want: "larger than 5 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.upload(tt.token, "feeds.opml", tt.content)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", r.status, tt.status, r.body)
			}
			if tt.location != "" && r.header.Get("Location") != tt.location {
				t.Errorf("Location = %q, want %q", r.header.Get("Location"), tt.location)
			}
			if tt.want != "" && !strings.Contains(r.body, tt.want) {
				t.Errorf("body lacks %q: %.300s", tt.want, r.body)
			}
		})
	}

	f, err := st.FeedByURL(t.Context(), "https://wire.example/feed")
	if err != nil {
		t.Fatalf("imported feed missing: %v", err)
	}
	if f.Title != "Wire" || f.Folder != "News" || f.SiteURL != "https://wire.example/" {
		t.Errorf("imported feed = %+v", f)
	}
	if got := len(e.feedsAdded()); got != 2 {
		t.Errorf("OnFeedAdded called %d times, want 2", got)
	}
	if r := e.get("/sources?added=2&skipped=1"); !strings.Contains(r.body, "Imported 2 feeds; skipped 1") {
		t.Error("no import notice")
	}
}

func TestExportOPML(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	e := newEnv(t, st, envOpts{})
	r := e.get("/sources/export.opml")
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/x-opml") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}
	for _, want := range []string{"<opml", "https://planet.example/feed.xml", "https://mirror.example/rss", "World"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("export lacks %q", want)
		}
	}
}
