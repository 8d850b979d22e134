package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserReaderKeys drives the keyboard shortcuts in headless Chromium
// under the real CSP: j/k select, s stars, m marks read, ? shows help, o
// opens; effects are checked in the store, not only on the page.
func TestBrowserReaderKeys(t *testing.T) {
	execPath := chromiumPath()
	if execPath == "" {
		t.Skip("no chromium binary on PATH; skipping the browser check")
	}
	if testing.Short() {
		t.Skip("browser check skipped in -short mode")
	}
	st := openStore(t)
	seed(t, st)
	for i := range 3 {
		seedDoc(t, st, i)
	}
	addUser(t, st)
	e := newEnv(t, st, envOpts{})
	alice, err := st.UserByName(context.Background(), testUser)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(execPath), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"), chromedp.UserDataDir(t.TempDir()))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		dirs := []string{t.TempDir()}
		if d := os.Getenv("NEWSTRACE_SCREENSHOT_DIR"); d != "" {
			dirs = append(dirs, d)
		}
		for _, d := range dirs {
			if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	keys := func(k string) {
		t.Helper()
		if err := chromedp.Do(bctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatalf("press %q: %v", k, err)
		}
	}

	if err := chromedp.Do(bctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(e.ts.URL+"/login"),
		chromedp.SendKeys(`input[name="name"]`, testUser),
		chromedp.SendKeys(`input[name="password"]`, testPass+kb.Enter),
		chromedp.WaitVisible(`[data-item]`),
	); err != nil {
		t.Fatalf("login: %v", err)
	}

	// j twice selects the second item; s stars it, m marks it read.
	keys("j")
	keys("j")
	second := eval(`document.querySelectorAll("[data-item]")[1].dataset.docId`)
	if cur := eval(`document.querySelector("[data-item].current").dataset.docId`); cur != second {
		t.Fatalf("after j j the current item is %s, want the second (%s)", cur, second)
	}
	keys("s")
	keys("m")
	if err := chromedp.Do(bctx, chromedp.WaitVisible(`[data-item].current [aria-pressed="true"].js-star`),
		chromedp.WaitVisible(`[data-item].current[data-read="true"]`)); err != nil {
		t.Fatalf("star/read not shown: %v", err)
	}
	id, _ := strconv.ParseInt(second, 10, 64)
	states, err := st.DocumentStates(context.Background(), alice.ID, []int64{id})
	if err != nil || len(states) != 1 || states[0].StarredAt.IsZero() || states[0].ReadAt.IsZero() {
		t.Errorf("after s and m the store has %+v, %v; want starred and read", states, err)
	}
	// k goes back to the first; m on it marks read, m again unread.
	keys("k")
	if cur := eval(`document.querySelector("[data-item].current").dataset.docId`); cur == second {
		t.Errorf("k did not move up")
	}
	shot("reader-keys-list")

	keys("?")
	if hidden := eval(`String(document.getElementById("shortcuts").hidden)`); hidden != "false" {
		t.Errorf("? did not open the help")
	}
	shot("reader-keys-help")
	keys(kb.Escape)
	if hidden := eval(`String(document.getElementById("shortcuts").hidden)`); hidden != "true" {
		t.Errorf("Escape did not close the help")
	}

	// o opens the current item's story; on the reader view s toggles the star.
	keys("o")
	if err := chromedp.Do(bctx, chromedp.WaitVisible(`.story-title, h1`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(fmt.Sprintf("%s/documents/%d", e.ts.URL, id)), chromedp.WaitVisible(`.js-star`)); err != nil {
		t.Fatal(err)
	}
	keys("s")
	if err := chromedp.Do(bctx, chromedp.WaitVisible(`.js-star[aria-pressed="false"]`)); err != nil {
		t.Fatalf("s on the reader view did not unstar: %v", err)
	}
	if states, _ := st.DocumentStates(context.Background(), alice.ID, []int64{id}); !states[0].StarredAt.IsZero() {
		t.Errorf("store still starred after s on the reader view")
	}
	shot("reader-keys-document")
}
