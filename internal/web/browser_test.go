package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds a Chromium to drive, or "".
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser renders the main pages in headless Chromium under the real CSP:
// the text is visible, the stylesheet applied, nothing overflows a phone
// screen, and markup in titles stays text. Screenshots go to t.TempDir() and
// to $NEWSTRACE_SCREENSHOT_DIR when set.
func TestBrowser(t *testing.T) {
	execPath := chromiumPath()
	if execPath == "" {
		t.Skip("no chromium binary on PATH (apt-get install chromium); skipping the browser check")
	}
	if testing.Short() {
		t.Skip("browser check skipped in -short mode")
	}
	st := openStore(t)
	ids := seed(t, st)
	for i := range 6 {
		seedDoc(t, st, i)
	}
	e := newEnv(t, st, envOpts{})

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Article images point at outlets: resolve nothing but loopback, so
		// the test never sends a packet (or a DNS query) off this machine.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	shotDirs := []string{t.TempDir()}
	if d := os.Getenv("NEWSTRACE_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatalf("screenshot dir: %v", err)
		}
		shotDirs = append(shotDirs, d)
	}

	pages := []struct {
		name string
		path string
		h1   string   // exact text of the first h1
		want []string // visible text somewhere on the page
	}{
		{name: "stories", path: "/", h1: "Latest stories", want: []string{"Floods reach the valley towns", "also in 1 other outlet", "Story number 0"}},
		{name: "story", path: fmt.Sprintf("/stories/%d", ids.StoryA), h1: "Floods reach the valley towns", want: []string{"COPIES", "earliest original", "REPOST"}},
		{name: "document", path: fmt.Sprintf("/documents/%d", ids.DocA), h1: "Floods reach the valley towns", want: []string{"Valley Wire", "Water rose overnight", "Removed by cleaning (2)"}},
		{name: "document-xss", path: fmt.Sprintf("/documents/%d", ids.DocB), h1: xssTitle, want: []string{"First paragraph <b>not bold</b>."}},
		{name: "not-found", path: "/stories/999999", h1: "Not found", want: []string{"404", "Back to the latest stories"}},
		{name: "sources", path: "/sources", h1: "Sources", want: []string{"Mirror Blog", "fetch feed: 503 Service Unavailable", "Follow a feed", "Import OPML"}},
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
	for _, vp := range viewports {
		for _, p := range pages {
			t.Run(vp.name+"/"+p.name, func(t *testing.T) {
				var opts []chromedp.EmulateViewportOption
				if vp.mobile {
					opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
				}
				scheme := "light"
				if vp.dark {
					scheme = "dark"
				}
				if err := chromedp.Do(bctx,
					chromedp.EmulateViewport(vp.width, vp.height, opts...),
					colorScheme(scheme),
					chromedp.Navigate(e.ts.URL+p.path),
					chromedp.WaitVisible("main"),
				); err != nil {
					t.Fatalf("load %s: %v", p.path, err)
				}
				h1, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector("h1").textContent.trim()`))
				if err != nil || h1 != p.h1 {
					t.Errorf("h1 = %q (%v), want %q", h1, err, p.h1)
				}
				text, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.body.innerText`))
				if err != nil {
					t.Fatalf("read text: %v", err)
				}
				for _, w := range p.want {
					if !strings.Contains(text, w) {
						t.Errorf("visible text lacks %q", w)
					}
				}
				// The stylesheet loaded despite the CSP: default Chromium would
				// give a serif body font and an unbounded main column.
				style, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]string](`(() => {
					const b = getComputedStyle(document.body), m = getComputedStyle(document.querySelector("main"));
					return {font: b.fontFamily, margin: b.marginTop, maxWidth: m.maxWidth, bg: b.backgroundColor};
				})()`))
				if err != nil {
					t.Fatalf("computed style: %v", err)
				}
				if !strings.Contains(style["font"], "system-ui") || style["margin"] != "0px" || style["maxWidth"] != "960px" {
					t.Errorf("stylesheet not applied: %v", style)
				}
				if wantBG := map[bool]string{false: "rgb(251, 251, 250)", true: "rgb(22, 24, 27)"}[vp.dark]; style["bg"] != wantBG {
					t.Errorf("%s scheme background = %s, want %s", scheme, style["bg"], wantBG)
				}
				// No script but our own reader.js ran or was injected, and nothing is wider than the screen.
				scripts, err := chromedp.Run(bctx, chromedp.Evaluate[int](`Array.from(document.scripts).filter(s => new URL(s.src, location.href).pathname !== "/static/reader.js").length`))
				if err != nil || scripts != 0 {
					t.Errorf("page has %d scripts (%v)", scripts, err)
				}
				overflow, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
				if err != nil || overflow > 0 {
					t.Errorf("page overflows the %dpx viewport by %dpx (%v)", vp.width, overflow, err)
				}

				png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot: %v", err)
				}
				for _, d := range shotDirs {
					name := filepath.Join(d, fmt.Sprintf("%s-%s.png", p.name, vp.name))
					if err := os.WriteFile(name, png, 0o644); err != nil {
						t.Errorf("save screenshot: %v", err)
					}
				}
			})
		}
	}

	// The reader column keeps a readable line length on a wide screen.
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 900), colorScheme("light"), chromedp.Navigate(fmt.Sprintf("%s/documents/%d", e.ts.URL, ids.DocA))); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`document.querySelector(".reader-body").getBoundingClientRect().width`))
	if err != nil || width < 500 || width > 700 {
		t.Errorf("reader column is %.0fpx wide (%v), want 500-700", width, err)
	}
}

// colorScheme makes the page see prefers-color-scheme: scheme.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}
