package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserTimeline opens a story of four copies (repost, syndication,
// translation, and an outlet named only as a source) in headless Chromium:
// the timeline picture loads through <img> under the page's CSP, is visible
// with a real size, the phone gets the narrow layout, nothing overflows.
// Screenshots go to t.TempDir() and to $NEWSTRACE_SCREENSHOT_DIR when set.
func TestBrowserTimeline(t *testing.T) {
	execPath := chromiumPath()
	if execPath == "" {
		t.Skip("no chromium binary on PATH (apt-get install chromium); skipping the browser check")
	}
	if testing.Short() {
		t.Skip("browser check skipped in -short mode")
	}
	st := openStore(t)
	story := seedChain(t, st, "browser")
	e := newEnv(t, st, envOpts{})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(execPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
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

	tests := []struct {
		name          string
		width, height int64
		mobile, dark  bool
		wantSrc       string // the variant <picture> picked
		minWidth      float64
	}{
		{name: "desktop", width: 1280, height: 900, wantSrc: "timeline.svg", minWidth: 600},
		{name: "phone", width: 375, height: 812, mobile: true, wantSrc: "timeline.svg?w=narrow", minWidth: 300},
		{name: "phone-dark", width: 375, height: 812, mobile: true, dark: true, wantSrc: "timeline.svg?w=narrow", minWidth: 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []chromedp.EmulateViewportOption
			if tt.mobile {
				opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
			}
			scheme := map[bool]string{false: "light", true: "dark"}[tt.dark]
			if err := chromedp.Do(bctx,
				chromedp.EmulateViewport(tt.width, tt.height, opts...),
				colorScheme(scheme),
				chromedp.Navigate(fmt.Sprintf("%s/stories/%d", e.ts.URL, story)),
				chromedp.WaitVisible("#timeline img"),
			); err != nil {
				t.Fatalf("load story: %v", err)
			}
			// Lazy images load once in view: bring it there and wait for it.
			img, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]any](`new Promise(resolve => {
				const img = document.querySelector("#timeline img");
				img.scrollIntoView();
				const done = () => {
					const r = img.getBoundingClientRect(), s = getComputedStyle(img);
					resolve({complete: img.complete, natural: img.naturalWidth, width: r.width, height: r.height,
						src: img.currentSrc, visible: s.visibility === "visible" && s.display !== "none" && img.offsetParent !== null});
				};
				if (img.complete && img.naturalWidth > 0) { done(); } else { img.addEventListener("load", done); img.addEventListener("error", done); }
			})`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("inspect picture: %v", err)
			}
			if img["complete"] != true || img["natural"].(float64) <= 0 || img["visible"] != true {
				t.Errorf("picture not shown: %v", img)
			}
			if w, h := img["width"].(float64), img["height"].(float64); w < tt.minWidth || h < 150 || w > float64(tt.width) {
				t.Errorf("picture is %.0f×%.0f px on a %dpx screen", w, h, tt.width)
			}
			if src, _ := img["src"].(string); !strings.HasSuffix(src, tt.wantSrc) {
				t.Errorf("picture source %q, want …%s", src, tt.wantSrc)
			}
			text, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector("#timeline").innerText`))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{"Al Mayadeen", "named as source, no document", "REPOST", "SYNDICATION", "TRANSLATION", "97%", "containment 0.98", "+2 years after the root"} {
				if !strings.Contains(text, w) {
					t.Errorf("chain list lacks %q", w)
				}
			}
			overflow, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
			if err != nil || overflow > 0 {
				t.Errorf("page overflows the %dpx viewport by %dpx (%v)", tt.width, overflow, err)
			}
			if err := chromedp.Do(bctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
				t.Fatal(err)
			}
			png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			for _, d := range shotDirs {
				if err := os.WriteFile(filepath.Join(d, "timeline-"+tt.name+".png"), png, 0o644); err != nil {
					t.Errorf("save screenshot: %v", err)
				}
			}
		})
	}
}
