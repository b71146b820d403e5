// Package e2e holds the browser tests: real Chromium driven by playwright-go.
//
// Prerequisites (installed by `bash e2e/install.sh`, see
// /work/shared/notes/playwright.md):
//   - Debian's chromium at /usr/bin/chromium;
//   - the playwright driver in <repo>/.pwdriver (package/cli.js = playwright-core
//     at the version playwright-go pins, node = symlink to the machine's node).
//
// When one is missing the browser tests skip, unless CARDOPS_E2E_REQUIRED=1
// (what `make test` sets), in which case they fail: CI must never pass by
// skipping. Run with -count=1 so the test cache never replays an old run.
//
// This file has only generic helpers; it knows nothing about the server.
package e2e

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"cardops/static"
)

const (
	// chromiumPath is Debian's chromium (apt-get install chromium).
	chromiumPath = "/usr/bin/chromium"
	// requiredEnv turns a missing browser or driver into a test failure.
	requiredEnv = "CARDOPS_E2E_REQUIRED"
	// defaultTimeoutMs bounds every Playwright action (click, fill, goto…) so a
	// wrong selector fails in seconds instead of Playwright's default 30 s.
	defaultTimeoutMs = 10_000
)

// chromiumArgs: --no-sandbox because tests run as root; the rest stop Chromium
// from calling out to a network that refuses it.
var chromiumArgs = []string{
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
}

// expect makes waiting assertions (polls up to defaultTimeoutMs, as an
// action waits: under -race on a busy 2-core machine a live update can take
// more than 5 s); use it instead of sleeps:
//
//	if err := expect.Locator(page.Locator("h1")).ToHaveText("Cards"); err != nil { t.Fatal(err) }
var expect = playwright.NewPlaywrightAssertions(defaultTimeoutMs)

// shared is the one Playwright + Chromium per test binary, started lazily by
// the first test that asks for a page and stopped by TestMain.
var shared struct {
	once    sync.Once
	pw      *playwright.Playwright
	browser playwright.Browser
	missing string // a prerequisite is not installed: skip (or fail if required)
	err     error  // anything else went wrong while starting: always fail
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

// driverDir is <repo>/.pwdriver; go test runs in the package directory (e2e/).
func driverDir() (string, error) {
	return filepath.Abs(filepath.Join("..", ".pwdriver"))
}

func checkPrerequisites(dir string) error {
	hint := "run `bash e2e/install.sh` (or `make test`)"
	if _, err := os.Stat(chromiumPath); err != nil {
		return fmt.Errorf("Chromium not found at %s; %s", chromiumPath, hint)
	}
	for _, p := range []string{"package/cli.js", "node"} {
		if _, err := os.Stat(filepath.Join(dir, p)); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("Playwright driver not installed (%s missing); %s", filepath.Join(dir, p), hint)
		} else if err != nil {
			return fmt.Errorf("Playwright driver: %v; %s", err, hint)
		}
	}
	return nil
}

func startBrowser() {
	dir, err := driverDir()
	if err != nil {
		shared.err = err
		return
	}
	// Check before calling Install: with a missing driver it would try to
	// download one (including Node.js from nodejs.org).
	if err := checkPrerequisites(dir); err != nil {
		shared.missing = err.Error()
		return
	}
	opts := &playwright.RunOptions{DriverDirectory: dir, SkipInstallBrowsers: true}
	// With the driver in place, Install only checks its version and patches it
	// locally; it downloads nothing.
	if err := playwright.Install(opts); err != nil {
		shared.err = fmt.Errorf("playwright install check (driver %s): %w", dir, err)
		return
	}
	pw, err := playwright.Run(opts)
	if err != nil {
		shared.err = fmt.Errorf("start playwright driver: %w", err)
		return
	}
	browser, err := pw.Chromium.Launch(playwright.BrowserTypeLaunchOptions{
		ExecutablePath: playwright.String(chromiumPath),
		Headless:       playwright.Bool(true),
		Args:           chromiumArgs,
	})
	if err != nil {
		_ = pw.Stop()
		shared.err = fmt.Errorf("launch %s: %w", chromiumPath, err)
		return
	}
	shared.pw, shared.browser = pw, browser
}

func stopBrowser() {
	if shared.browser != nil {
		if err := shared.browser.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: close browser:", err)
		}
	}
	if shared.pw != nil {
		if err := shared.pw.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stop playwright:", err)
		}
	}
}

// browser returns the shared Chromium, starting it on first use. It skips the
// test when a prerequisite is missing, or fails it when CARDOPS_E2E_REQUIRED=1.
func browser(t *testing.T) playwright.Browser {
	t.Helper()
	shared.once.Do(startBrowser)
	if shared.missing != "" {
		if os.Getenv(requiredEnv) == "1" {
			t.Fatalf("browser test prerequisite missing (%s=1): %s", requiredEnv, shared.missing)
		}
		t.Skipf("skipping browser test: %s (set %s=1 to make this a failure)", shared.missing, requiredEnv)
	}
	if shared.err != nil {
		t.Fatalf("browser test setup: %v", shared.err)
	}
	return shared.browser
}

// newContext returns a fresh, isolated browser context (its own cookies and
// storage: one signed-in user) that is closed when the test ends. Use it
// directly when a test needs two users at once; otherwise use newPage.
// Register a server's shutdown with t.Cleanup BEFORE calling this, so the
// context (and its long-lived SSE connections) closes first.
func newContext(t *testing.T) playwright.BrowserContext {
	t.Helper()
	ctx, err := browser(t).NewContext()
	if err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	ctx.SetDefaultTimeout(defaultTimeoutMs)
	ctx.SetDefaultNavigationTimeout(defaultTimeoutMs)

	// Uncaught JavaScript exceptions go to the test log. The mutex and flag
	// keep late events from logging after the test has finished.
	var mu sync.Mutex
	done := false
	ctx.OnPage(func(p playwright.Page) {
		p.OnPageError(func(err error) {
			mu.Lock()
			defer mu.Unlock()
			if !done {
				t.Logf("browser: uncaught error on %s: %v", p.URL(), err)
			}
		})
	})
	t.Cleanup(func() {
		if err := ctx.Close(); err != nil {
			t.Logf("close browser context: %v", err)
		}
		mu.Lock()
		done = true
		mu.Unlock()
	})
	return ctx
}

// newPage returns a page in a fresh browser context of its own (see newContext).
func newPage(t *testing.T) playwright.Page {
	t.Helper()
	page, err := newContext(t).NewPage()
	if err != nil {
		t.Fatalf("new page: %v", err)
	}
	return page
}

// TestBrowserHarness proves the set-up works: Chromium loads a page from a
// local server, a click runs script, and expect waits for the result.
func TestBrowserHarness(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// Inline onclick is fine for this self-test only; the console uses htmx.
		fmt.Fprint(w, `<!doctype html><title>harness</title>
<button id="b" onclick="this.textContent='clicked'">click me</button>`)
	}))
	t.Cleanup(srv.Close) // registered before newPage: runs after the context closes

	page := newPage(t)
	if _, err := page.Goto(srv.URL); err != nil {
		t.Fatalf("goto %s: %v", srv.URL, err)
	}
	if err := expect.Page(page).ToHaveTitle("harness"); err != nil {
		t.Fatal(err)
	}
	button := page.Locator("#b")
	if err := expect.Locator(button).ToHaveText("click me"); err != nil {
		t.Fatal(err)
	}
	if err := button.Click(); err != nil {
		t.Fatalf("click: %v", err)
	}
	if err := expect.Locator(button).ToHaveText("clicked"); err != nil {
		t.Fatal(err)
	}
}

// TestVendoredHTMX checks that the embedded htmx and its SSE extension load and
// work in Chromium: an hx-get swap and an SSE message swapped into the page.
func TestVendoredHTMX(t *testing.T) {
	stop := make(chan struct{})
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static.FS)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><head><title>htmx</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/htmx.min.js"></script><script src="/static/sse.js"></script>
</head><body>
<button id="get" hx-get="/fragment" hx-target="#out">load</button>
<div id="out">empty</div>
<div hx-ext="sse" sse-connect="/stream"><span id="live" sse-swap="tick">waiting</span></div>
</body></html>`)
	})
	mux.HandleFunc("GET /fragment", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<b>swapped</b>`)
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		fmt.Fprint(w, "event: tick\ndata: <em>tick 1</em>\n\n")
		http.NewResponseController(w).Flush()
		select { // long-lived, like the real event stream
		case <-r.Context().Done():
		case <-stop:
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { close(stop); srv.Close() })

	page := newPage(t)
	if _, err := page.Goto(srv.URL + "/"); err != nil {
		t.Fatalf("goto: %v", err)
	}
	version, err := page.Evaluate(`() => window.htmx && htmx.version`)
	if err != nil {
		t.Fatalf("read htmx.version: %v", err)
	}
	if version != "2.0.11" {
		t.Fatalf("htmx.version = %v, want 2.0.11", version)
	}
	if err := page.Locator("#get").Click(); err != nil {
		t.Fatalf("click: %v", err)
	}
	if err := expect.Locator(page.Locator("#out")).ToHaveText("swapped"); err != nil {
		t.Fatal(err)
	}
	if err := expect.Locator(page.Locator("#live")).ToHaveText("tick 1"); err != nil {
		t.Fatal(err)
	}
}
