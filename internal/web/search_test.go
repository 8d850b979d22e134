package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/newstrace/newstrace"
	"github.com/newstrace/newstrace/internal/search"
)

const xssBody = `Floods again. <script>alert("snippet")</script> and <img src=x onerror="alert(1)"> appear as text.`

// seedSearchXSS stores a document whose title and text are markup.
func seedSearchXSS(t *testing.T, st newstrace.Store) int64 {
	t.Helper()
	d := newstrace.Document{URL: "https://mirror.example/xss-floods", Title: `<img src=x onerror=alert(3)> floods`,
		Text: xssBody, ContentHash: "hash-xss-floods", Language: "en"}
	res, err := st.SaveDocument(context.Background(), d, newstrace.Sighting{URL: d.URL, SeenAt: testNow})
	if err != nil {
		t.Fatalf("save xss document: %v", err)
	}
	return res.Document.ID
}

func TestAPISearch(t *testing.T) {
	st := openStore(t)
	ids := seed(t, st)
	xss := seedSearchXSS(t, st)
	e := newEnv(t, st, envOpts{})

	tests := []struct {
		name   string
		query  string
		status int
		code   string  // error code when status is not 200
		want   []int64 // document ids of the hits, in order
	}{
		{name: "title match first", query: "q=floods", status: 200, want: []int64{ids.DocA, xss}},
		{name: "phrase", query: "q=" + url.QueryEscape(`"higher ground"`), status: 200, want: []int64{ids.DocA}},
		{name: "exclusion", query: "q=" + url.QueryEscape("floods -valley"), status: 200, want: []int64{xss}},
		{name: "filter", query: "q=" + url.QueryEscape(`floods source:"Daily Planet"`), status: 200, want: []int64{ids.DocA}},
		{name: "paging", query: "q=floods&limit=1&offset=1", status: 200, want: []int64{xss}},
		{name: "no match", query: "q=zebra", status: 200, want: []int64{}},
		{name: "empty", query: "q=", status: 400, code: "invalid"},
		{name: "unbalanced", query: "q=" + url.QueryEscape(`"floods`), status: 400, code: "invalid"},
		{name: "bad date", query: "q=" + url.QueryEscape("after:soon"), status: 400, code: "invalid"},
		{name: "bad limit", query: "q=floods&limit=0", status: 400, code: "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get("/api/v1/search?" + tt.query)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status != 200 {
				assertAPIError(t, r, tt.code)
				return
			}
			var out search.Result
			if err := json.Unmarshal([]byte(r.body), &out); err != nil {
				t.Fatalf("decode: %v: %s", err, r.body)
			}
			got := []int64{}
			for _, h := range out.Hits {
				got = append(got, h.DocumentID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("hits %v, want %v", got, tt.want)
			}
		})
	}

	// Snippets are plain text with offsets: no markers, no markup added.
	r := e.get("/api/v1/search?q=floods")
	var out search.Result
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	if out.Query != "floods" || out.Stories != 2 || out.Limit != 50 || len(out.Hits) != 2 {
		t.Fatalf("result %+v", out)
	}
	h := out.Hits[0]
	if len(h.TitleHighlights) != 1 || h.Title[h.TitleHighlights[0][0]:h.TitleHighlights[0][1]] != "Floods" || h.Source != "Daily Planet" {
		t.Errorf("first hit %+v", h)
	}
	x := out.Hits[1]
	if strings.ContainsAny(x.Snippet, newstrace.SnippetStart+newstrace.SnippetEnd) || !strings.Contains(x.Snippet, `<script>alert("snippet")</script>`) ||
		len(x.Highlights) == 0 || x.Snippet[x.Highlights[0][0]:x.Highlights[0][1]] != "Floods" {
		t.Errorf("xss hit snippet %q highlights %v", x.Snippet, x.Highlights)
	}
}

func TestSearchPage(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	seedSearchXSS(t, st)
	for i := range 25 {
		seedDoc(t, st, i) // "Text N." each: with the XSS text, 26 stories to page
	}
	e := newEnv(t, st, envOpts{})

	tests := []struct {
		name    string
		path    string
		status  int
		want    []string
		notWant []string
	}{
		{name: "form only", path: "/search", status: 200, want: []string{`name="q"`, "is:starred"}},
		{name: "results marked", path: "/search?q=floods", status: 200,
			want:    []string{"<mark>Floods</mark> reach the valley towns", "Daily Planet", "Stories 1–2 of 2"},
			notWant: []string{"<script>alert", "<img src=x", "\x02", "\x03"}},
		{name: "markup escaped", path: "/search?q=floods", status: 200,
			want: []string{`&lt;script&gt;alert(&#34;snippet&#34;)&lt;/script&gt;`, `&lt;img src=x onerror=alert(3)&gt; <mark>floods</mark>`}},
		{name: "page one of two", path: "/search?q=text", status: 200, want: []string{"Stories 1–20 of 26", `href="/search?page=2&amp;q=text"`}},
		{name: "page two", path: "/search?q=text&page=2", status: 200, want: []string{"Stories 21–26 of 26", `href="/search?q=text"`}},
		{name: "no matches", path: "/search?q=zebra", status: 200, want: []string{"No matches for <strong>zebra</strong>"}},
		{name: "friendly error", path: "/search?q=" + url.QueryEscape(`"floods`), status: 400, want: []string{"unbalanced quotes", `value="&#34;floods"`}},
		{name: "header box everywhere", path: "/", status: 200, want: []string{`class="header-search"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.get(tt.path)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d", r.status, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(r.body, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}
}

func TestMarked(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "plain", in: "a <b>", want: "a &lt;b&gt;"},
		{name: "mark", in: "x \x02<i>\x03 y", want: "x <mark>&lt;i&gt;</mark> y"},
		{name: "unclosed", in: "x \x02open", want: "x <mark>open</mark>"},
		{name: "stray end", in: "x\x03 y", want: "x y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(marked(tt.in)); got != tt.want {
				t.Errorf("marked(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestBrowserSearch searches in headless Chromium: results render with
// marks, and markup from documents stays inert text.
func TestBrowserSearch(t *testing.T) {
	execPath := chromiumPath()
	if execPath == "" {
		t.Skip("no chromium binary on PATH; skipping the browser check")
	}
	if testing.Short() {
		t.Skip("browser check skipped in -short mode")
	}
	st := openStore(t)
	seed(t, st)
	seedSearchXSS(t, st)
	e := newEnv(t, st, envOpts{})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(execPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	// Type into the header box and submit, as a reader would.
	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(e.ts.URL+"/"),
		chromedp.WaitVisible(".header-search input"),
		chromedp.SendKeys(".header-search input", "floods\n"),
		chromedp.WaitVisible(".search-results"),
	); err != nil {
		t.Fatalf("search from the header: %v", err)
	}
	got, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]any](`(() => ({
		url: location.pathname + location.search,
		marks: [...document.querySelectorAll(".search-results mark")].map(m => m.textContent),
		items: document.querySelectorAll(".search-results > li").length,
		scripts: document.querySelectorAll("main script").length,
		imgs: document.querySelectorAll("main img").length,
		text: document.querySelector(".search-results").innerText,
		alerted: window.__alerted || false,
	}))()`))
	if err != nil {
		t.Fatalf("read page: %v", err)
	}
	if got["url"] != "/search?q=floods" || got["items"] != float64(2) {
		t.Errorf("page %v, want /search?q=floods with 2 results", got)
	}
	if marks := fmt.Sprint(got["marks"]); !strings.Contains(marks, "Floods") {
		t.Errorf("marks = %s, want Floods highlighted", marks)
	}
	// The markup in the document is visible as text and never became elements.
	if got["scripts"] != float64(0) || got["imgs"] != float64(0) {
		t.Errorf("document markup became elements: %v scripts, %v images", got["scripts"], got["imgs"])
	}
	text, _ := got["text"].(string)
	for _, w := range []string{`<script>alert("snippet")</script>`, `<img src=x onerror="alert(1)">`, `<img src=x onerror=alert(3)> floods`} {
		if !strings.Contains(text, w) {
			t.Errorf("visible text lacks %q", w)
		}
	}

	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dirs := []string{t.TempDir()}
	if d := os.Getenv("NEWSTRACE_SCREENSHOT_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, "search-desktop.png"), png, 0o644); err != nil {
			t.Errorf("save screenshot: %v", err)
		}
	}
	_ = http.StatusOK
}
