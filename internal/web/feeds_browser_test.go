package web

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserFeeds loads the story list and a story page in headless
// Chromium and checks what a reader (and a feed reader's autodiscovery)
// sees: a visible Subscribe link per format, <link rel="alternate"> tags for
// Atom, RSS and JSON Feed, and that following them yields a feed, served as
// one, that parses. Screenshots go to t.TempDir() and $NEWSTRACE_SCREENSHOT_DIR.
func TestBrowserFeeds(t *testing.T) {
	bctx, shotDirs := feedsBrowser(t)
	st := openStore(t)
	ids := seed(t, st)
	for i := range 4 {
		seedDoc(t, st, i)
	}
	e := newEnv(t, st, envOpts{})

	storyFeed := fmt.Sprintf("/feeds/stories/%d", ids.StoryA)
	pages := []struct {
		name  string
		path  string
		feed  string // the feeds' path without the extension
		title string // the Atom feed's title contains this
	}{
		{name: "stories", path: "/", feed: "/feeds/stories", title: "stories"},
		{name: "story", path: fmt.Sprintf("/stories/%d", ids.StoryA), feed: storyFeed, title: "Floods reach the valley towns"},
	}
	viewports := []struct {
		name          string
		width, height int64
		mobile, dark  bool
	}{
		{name: "desktop", width: 1280, height: 900},
		{name: "phone", width: 375, height: 812, mobile: true},
		{name: "phone-dark", width: 375, height: 812, mobile: true, dark: true},
	}
	type link struct{ Rel, Type, Title, Href, Text string }
	wantTypes := map[string]string{"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}

	for _, vp := range viewports {
		for _, p := range pages {
			t.Run(vp.name+"/"+p.name, func(t *testing.T) {
				var opts []chromedp.EmulateViewportOption
				if vp.mobile {
					opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
				}
				scheme := map[bool]string{false: "light", true: "dark"}[vp.dark]
				if err := chromedp.Do(bctx,
					chromedp.EmulateViewport(vp.width, vp.height, opts...),
					colorScheme(scheme),
					chromedp.Navigate(e.ts.URL+p.path),
					chromedp.WaitVisible("main"),
				); err != nil {
					t.Fatalf("load %s: %v", p.path, err)
				}

				png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot: %v", err)
				}
				for _, d := range shotDirs {
					if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("feeds-%s-%s.png", p.name, vp.name)), png, 0o644); err != nil {
						t.Errorf("save screenshot: %v", err)
					}
				}

				// Autodiscovery: one alternate link per format, in <head>.
				alts, err := chromedp.Run(bctx, chromedp.Evaluate[[]link](`Array.from(document.querySelectorAll('head link[rel="alternate"]')).map(l => ({Rel: l.rel, Type: l.type, Title: l.title, Href: l.getAttribute("href")}))`))
				if err != nil {
					t.Fatalf("read alternate links: %v", err)
				}
				if len(alts) != 3 {
					t.Fatalf("%d alternate links, want 3: %+v", len(alts), alts)
				}
				for i, ext := range []string{"atom", "rss", "json"} {
					if a := alts[i]; a.Type != wantTypes[ext] || a.Href != p.feed+"."+ext || a.Title == "" {
						t.Errorf("alternate link %d = %+v, want type %s href %s.%s with a title", i, a, wantTypes[ext], p.feed, ext)
					}
				}

				// The Subscribe links are visible, on screen, and name their format.
				subs, err := chromedp.Run(bctx, chromedp.Evaluate[[]link](`Array.from(document.querySelectorAll("main a")).filter(a => a.closest(".subscribe")).map(a => {
					const r = a.getBoundingClientRect(), s = getComputedStyle(a);
					return {Href: a.getAttribute("href"), Type: a.type, Text: a.innerText.trim(),
						Rel: (r.width > 0 && r.height > 0 && s.visibility === "visible" && r.right <= innerWidth) ? "visible" : "hidden"};
				})`))
				if err != nil {
					t.Fatalf("read subscribe links: %v", err)
				}
				text, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector(".subscribe") ? document.querySelector(".subscribe").innerText : ""`))
				if err != nil || !strings.Contains(text, "Subscribe") {
					t.Errorf("visible subscribe text = %q (%v), want it to say Subscribe", text, err)
				}
				if len(subs) != 3 {
					t.Fatalf("%d subscribe links, want 3 (Atom, RSS, JSON Feed): %+v", len(subs), subs)
				}
				for i, ext := range []string{"atom", "rss", "json"} {
					if s := subs[i]; s.Href != p.feed+"."+ext || s.Type != wantTypes[ext] || s.Rel != "visible" || s.Text == "" {
						t.Errorf("subscribe link %d = %+v, want a visible link to %s.%s typed %s", i, s, p.feed, ext, wantTypes[ext])
					}
				}
				overflow, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
				if err != nil || overflow > 0 {
					t.Errorf("page overflows the %dpx viewport by %dpx (%v)", vp.width, overflow, err)
				}

				if vp.name != "desktop" {
					return
				}

				// Follow each link from the page, as the browser resolves it.
				type fetched struct {
					Status      int
					ContentType string
					Body        string
				}
				for _, ext := range []string{"atom", "rss", "json"} {
					got, err := chromedp.Run(bctx, chromedp.Evaluate[fetched](fmt.Sprintf(`(async () => {
						const a = Array.from(document.querySelectorAll(".subscribe a")).find(a => a.type === %q);
						const r = await fetch(a.href);
						return {Status: r.status, ContentType: r.headers.get("content-type"), Body: await r.text()};
					})()`, wantTypes[ext]), chromedp.EvalAwaitPromise))
					if err != nil {
						t.Fatalf("follow the %s link: %v", ext, err)
					}
					if got.Status != 200 || !strings.HasPrefix(got.ContentType, wantTypes[ext]) {
						t.Errorf("%s feed: status %d, type %q; want 200 %s", ext, got.Status, got.ContentType, wantTypes[ext])
					}
					switch ext {
					case "atom":
						var f struct {
							XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
							Title   string   `xml:"title"`
							Entries []struct {
								Title string `xml:"title"`
								Link  []struct {
									Href string `xml:"href,attr"`
								} `xml:"link"`
							} `xml:"entry"`
						}
						if err := xml.Unmarshal([]byte(got.Body), &f); err != nil {
							t.Fatalf("atom feed does not parse: %v\n%s", err, got.Body)
						}
						if len(f.Entries) == 0 || !strings.Contains(strings.ToLower(f.Title), strings.ToLower(p.title)) {
							t.Errorf("atom feed %q has %d entries; want some, titled like %q", f.Title, len(f.Entries), p.title)
						}
					case "rss":
						var f struct {
							XMLName xml.Name `xml:"rss"`
							Items   []struct {
								Title string `xml:"title"`
							} `xml:"channel>item"`
						}
						if err := xml.Unmarshal([]byte(got.Body), &f); err != nil || len(f.Items) == 0 {
							t.Errorf("rss feed: %d items, %v", len(f.Items), err)
						}
					case "json":
						var f struct {
							Version string            `json:"version"`
							Items   []json.RawMessage `json:"items"`
						}
						if err := json.Unmarshal([]byte(got.Body), &f); err != nil || !strings.HasPrefix(f.Version, "https://jsonfeed.org/version/1") || len(f.Items) == 0 {
							t.Errorf("json feed: version %q, %d items, %v", f.Version, len(f.Items), err)
						}
					}
				}
			})
		}
	}
}

// feedsBrowser starts headless Chromium for one test (skipping when there
// is none, or in -short mode) and returns its context and the directories
// screenshots go to.
func feedsBrowser(t *testing.T) (context.Context, []string) {
	t.Helper()
	execPath := chromiumPath()
	if execPath == "" {
		t.Skip("no chromium binary on PATH (apt-get install chromium); skipping the browser check")
	}
	if testing.Short() {
		t.Skip("browser check skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(execPath), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"), chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)

	shotDirs := []string{t.TempDir()}
	if d := os.Getenv("NEWSTRACE_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("screenshot dir: %v", err)
		}
		shotDirs = append(shotDirs, d)
	}
	return bctx, shotDirs
}

// TestBrowserFeedTokens signs in, makes a private feed token on
// /feed-tokens and reads the feed with the URL it shows, as a feed reader
// without a session would; then revokes it.
func TestBrowserFeedTokens(t *testing.T) {
	bctx, shotDirs := feedsBrowser(t)
	st := openStore(t)
	seed(t, st)
	addUser(t, st)
	e := newEnv(t, st, envOpts{remote: true})
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		for _, d := range shotDirs {
			if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
				t.Errorf("save screenshot: %v", err)
			}
		}
	}

	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(e.ts.URL+"/login"),
		chromedp.SendKeys(`input[name="name"]`, testUser),
		chromedp.SendKeys(`input[name="password"]`, testPass+kb.Enter),
		// Signed in: the login page has a main element too, and navigating
		// away before the sign-in lands aborts one of the two loads.
		chromedp.WaitVisible(`form[action="/logout"]`),
		chromedp.Navigate(e.ts.URL+"/feed-tokens"),
		chromedp.WaitVisible(`form[action="/feed-tokens"] button`),
		chromedp.Click(`form[action="/feed-tokens"] button`),
		chromedp.WaitVisible(`.created-token`),
	); err != nil {
		t.Fatalf("create a token: %v", err)
	}
	shot("feed-tokens-created")
	atomURL, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('.token-urls input').value`))
	if err != nil || !strings.Contains(atomURL, "/feeds/stories.atom?token=") {
		t.Fatalf("shown URL %q (%v)", atomURL, err)
	}
	resp, err := http.Get(atomURL) // no session: the token alone opens it
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Errorf("GET the token URL: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	if err := chromedp.Do(bctx,
		chromedp.Navigate(e.ts.URL+"/feed-tokens"),
		chromedp.WaitVisible(`.feed-tokens`),
	); err != nil {
		t.Fatalf("list tokens: %v", err)
	}
	shot("feed-tokens-list")
	if err := chromedp.Do(bctx,
		chromedp.Click(`.feed-tokens button`),
		chromedp.WaitVisible(`.notice`),
	); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	resp, err = http.Get(atomURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoked token URL: status %d, want 404", resp.StatusCode)
	}
}
