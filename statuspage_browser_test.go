package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/internal/testserver"
	"github.com/upbeat-monitor/upbeat/monitor"
)

var screenshotDir = flag.String("screenshots", "", "write the status page's screenshots (PNG) to this `directory`")

// browser is one headless Chromium for the package's tests, started by
// the first test that needs it and stopped by TestMain.
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

// closeBrowser stops the browser, if a test started one.
func closeBrowser() {
	browser.once.Do(func() {}) // waits for a start under way
	if browser.cancel != nil {
		browser.cancel()
	}
}

// newTab opens a tab of the package's browser; the test closes it.
func newTab(t *testing.T) context.Context {
	t.Helper()
	startBrowser(chromium(t))
	if browser.err != nil {
		t.Fatal(browser.err)
	}
	ctx, cancel := chromedp.NewContext(browser.ctx)
	t.Cleanup(cancel)
	return ctx
}

// chromium finds the browser the tests drive: Chromium's headless shell,
// the build made for this (the same Blink and V8 without the desktop
// browser around them: a third of the CPU of a full Chromium for these
// tests), or else a full Chromium.
func chromium(t *testing.T) string {
	t.Helper()
	return testserver.Need(t, "chromium-headless-shell", "chromium-headless-shell", "chromium")
}

// startBrowser starts the package's browser, the Chromium at path, unless
// it is started already; it returns once it is. A test may call it on a
// goroutine of its own, to start the browser while it does something
// else; newTab then waits for it.
func startBrowser(path string) {
	browser.once.Do(func() {
		dir, err := servers.TempDir("chromium")
		if err != nil {
			browser.err = err
			return
		}
		actx, acancel := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(dir),
			// What a page on loopback never uses: without these Chromium
			// spends half a second more of CPU at start (extensions, site
			// isolation's extra processes, the feature services below).
			chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-breakpad", true),
			chromedp.Flag("mute-audio", true), chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.Flag("disable-features", "site-per-process,Translate,OptimizationHints,MediaRouter,"+
				"DialMediaRouteProvider,InterestFeedContentSuggestions,CertificateTransparencyComponentUpdater,"+
				"AutofillServerCommunication,PrivacySandboxSettings4,PaintHolding,BackForwardCache"))
		bctx, bcancel := chromedp.NewContext(actx)
		if err := chromedp.Do(bctx); err != nil { // starts the browser
			bcancel()
			acancel()
			browser.err = fmt.Errorf("start chromium: %w", err)
			return
		}
		browser.ctx, browser.cancel = bctx, func() { bcancel(); acancel() }
	})
}

// codedTarget is a target answering the status code the test sets.
type codedTarget struct{ code atomic.Int32 }

func (s *codedTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(int(s.code.Load()))
	io.WriteString(w, "ok")
}

// seedHistory writes 90 days of results for the monitors, one every ten
// minutes up to now, a day at a time (so that the rollups are written
// once a day), with bad days here and there: a failure or two (still
// above 99%), a few, or an hour of them.
func seedHistory(t *testing.T, dir string, names []string) {
	t.Helper()
	var mu sync.Mutex
	now := time.Now()
	today := now.UTC().Truncate(24 * time.Hour)
	clock := today.AddDate(0, 0, -90)
	db, err := history.Open(dir, history.Options{SyncInterval: -1, OpenFile: history.OpenFileNoSync, // no fsync: nothing here outlives the test
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	for day := 89; day >= 0; day-- {
		start := today.AddDate(0, 0, -day)
		var batch []monitor.Result
		for i, name := range names {
			failures := 0
			switch h := (day*7 + i*13) % 31; {
			case h == 0:
				failures = 6 + day%4 // an hour of them
			case h == 5 || h == 17:
				failures = 1 + day%2
			case h == 11:
				failures = 3
			}
			for k := range 144 {
				at := start.Add(time.Duration(k) * 10 * time.Minute)
				if !at.Before(now) {
					break
				}
				st := monitor.StatusUp
				if k >= 60 && k < 60+failures {
					st = monitor.StatusDown
				}
				batch = append(batch, monitor.Result{Monitor: name, Kind: monitor.KindHTTP, Time: at,
					Status: st, Code: 200, Latency: time.Duration(40+i*20+k%7) * time.Millisecond, Attempts: 1})
			}
		}
		mu.Lock()
		clock = start.Add(24 * time.Hour)
		if clock.After(now) {
			clock = now
		}
		mu.Unlock()
		if err := db.AppendBatch(batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestStatusPageInBrowser loads a public status page from a daemon on
// loopback in headless Chromium: every monitor is there with its status
// word, a change of status arrives without a reload within two seconds,
// the page makes no request to anyone but the daemon and logs no error,
// a day of a bar says its figure on focus and arrow keys walk the bar,
// the page reads with JavaScript off, and it is photographed at desktop
// and phone sizes, light and dark.
func TestStatusPageInBrowser(t *testing.T) {
	t.Parallel() // the slowest test of the package: the others run meanwhile
	// Chromium starts while the history is written.
	go startBrowser(chromium(t))

	shop, checkout, search, payments, cdn := &codedTarget{}, &codedTarget{}, &codedTarget{}, &codedTarget{}, &codedTarget{}
	for _, s := range []*codedTarget{shop, checkout, search, cdn} {
		s.code.Store(200)
	}
	payments.code.Store(503)
	targets := map[string]*httptest.Server{}
	for name, h := range map[string]http.Handler{"shop": shop, "checkout-api": checkout, "payments": payments, "cdn": cdn,
		"search": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(120 * time.Millisecond) // slower than its max_latency: degraded
			search.ServeHTTP(w, r)
		})} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		targets[name] = srv
	}

	dir := t.TempDir()
	histDir := filepath.Join(dir, "history")
	seedHistory(t, histDir, []string{"shop", "checkout-api", "search", "payments", "cdn"})
	port := testserver.Port(t)
	addr := net.JoinHostPort("127.0.0.1", fmt.Sprint(port))
	now := time.Now().UTC()
	cfg := writeConfig(t, fmt.Sprintf(`
[settings]
history_dir = %q
retries = 0
interval = "2s"
timeout = "1s"

[[monitor]]
name = "shop"
url = "%s/health?token=never-shown"
tags = ["store"]
[[monitor]]
name = "checkout-api"
url = "%s/v1/health"
tags = ["store"]
[[monitor]]
name = "search"
url = "%s/search?q=ping"
max_latency = "60ms"
tags = ["store"]
[[monitor]]
name = "payments"
url = "%s/"
tags = ["infra"]
[[monitor]]
name = "cdn"
url = "%s/edge"
tags = ["infra"]

[[maintenance]]
name = "cdn migration"
monitors = ["cdn"]
start = %q
end = %q
[[maintenance]]
name = "database upgrade"
tags = ["store"]
start = %q
end = %q

[[status_page]]
path = "/status"
title = "Example Shop status"
description = "The shop, its API and the services behind them."
public = true
[[status_page.group]]
name = "Storefront"
tags = ["store"]
[[status_page.group]]
name = "Infrastructure"
tags = ["infra"]

[api]
socket = %q
listen = %q
token = "admin-token-never-shown"
`, histDir, targets["shop"].URL, targets["checkout-api"].URL, targets["search"].URL, targets["payments"].URL, targets["cdn"].URL,
		now.Add(-time.Hour).Format(time.RFC3339), now.Add(2*time.Hour).Format(time.RFC3339),
		now.Add(26*time.Hour).Truncate(time.Hour).Format(time.RFC3339), now.Add(27*time.Hour).Truncate(time.Hour).Format(time.RFC3339), filepath.Join(dir, "run", "upbeat.sock"), addr))
	startPageDaemon(t, cfg)
	base := "http://" + addr
	// The first checks settle the statuses restored from the history: at
	// once, rather than spread over the first interval.
	for name := range targets {
		checkNow(t, base, name)
	}
	ctx := newTab(t)

	var mu sync.Mutex
	var requests, problems []string
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *cdpruntime.EventConsoleAPICalled:
			if ev.Type == cdpruntime.ConsoleAPICalledTypeError || ev.Type == cdpruntime.ConsoleAPICalledTypeWarning || ev.Type == cdpruntime.ConsoleAPICalledTypeAssert {
				problems = append(problems, fmt.Sprintf("console.%s %v", ev.Type, ev.Args))
			}
		case *cdpruntime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				problems = append(problems, fmt.Sprintf("log %s %s: %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatal(err)
	}

	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/status")); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"shop": "up", "checkout-api": "up", "search": "degraded", "payments": "down", "cdn": "maintenance"}
	// The first checks after the start settle the statuses restored from
	// the history; wait for them in the page, which takes them live.
	if ok := waitDOM(t, ctx, statusesAre(want), 20*time.Second); !ok {
		t.Fatalf("the page never showed %v: %s", want, pageStatuses(t, ctx))
	}
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.__noReload = 1`)); err != nil {
		t.Fatal(err)
	}
	for name, word := range want {
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#m-`+name+` .st`)))
		if err != nil || !strings.HasSuffix(strings.TrimSpace(text), " "+word) {
			t.Errorf("%s: status %q (%v), want %s", name, text, err, word)
		}
	}
	if live, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("live"))); live != "Live" {
		t.Errorf("the live indicator says %q: did the inline script run?", live)
	}

	// A change of status arrives live, without a reload, within two seconds.
	checkout.code.Store(503)
	changed := time.Now()
	checkNow(t, base, "checkout-api")
	ok := waitDOM(t, ctx, statusesAre(map[string]string{"checkout-api": "down"}), 2*time.Second)
	took := time.Since(changed)
	if !ok {
		t.Fatalf("checkout-api did not turn down on the page within 2s: %s", pageStatuses(t, ctx))
	}
	t.Logf("status change on the page %v after the target failed", took.Round(time.Millisecond))
	if reloaded, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__noReload !== 1`)); reloaded {
		t.Error("the page was reloaded")
	}
	if banner, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#banner strong`))); banner != "Partial outage" {
		t.Errorf("banner %q", banner)
	}
	if inc, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("notices"))); !strings.Contains(inc, "checkout-api is down") {
		t.Errorf("the open incidents do not show checkout-api: %q", inc)
	}
	checkout.code.Store(200)
	checkNow(t, base, "checkout-api")
	if !waitDOM(t, ctx, statusesAre(map[string]string{"checkout-api": "up"}), 2*time.Second) {
		t.Fatalf("checkout-api did not come back up on the page: %s", pageStatuses(t, ctx))
	}

	// A day of a bar says its figure on focus, and arrow keys walk the bar.
	label, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const d = document.querySelector('#m-shop .bar i:last-child'); d.focus();
		return document.activeElement === d ? getComputedStyle(d, '::after').content : 'not focused'; })()`))
	if err != nil || !strings.Contains(label, "% up") && !strings.Contains(label, "no data") {
		t.Errorf("the focused day says %q (%v)", label, err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowLeft)); err != nil {
		t.Fatal(err)
	}
	if moved, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement === document.querySelector('#m-shop .bar i:nth-last-child(2)')`)); !moved {
		t.Error("ArrowLeft did not move to the day before")
	}

	shoot := func(name string, w, h int64, scale float64, dark bool) {
		t.Helper()
		scheme := "light"
		if dark {
			scheme = "dark"
		}
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
			t.Fatal(err)
		}
		opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(scale)}
		if w < 600 {
			opts = append(opts, chromedp.EmulateMobile)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h, opts...),
			chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`)); err != nil {
			t.Fatal(err)
		}
		buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		// The header says the size; decoding every pixel under the race
		// detector would cost a second of CPU and check nothing more.
		if c, err := png.DecodeConfig(bytes.NewReader(buf)); err != nil {
			t.Errorf("%s: %v", name, err)
		} else if c.Width != int(float64(w)*scale) || c.Height != int(float64(h)*scale) {
			t.Errorf("%s is %dx%d, want %dx%d at scale %v", name, c.Width, c.Height, w, h, scale)
		}
		if *screenshotDir != "" {
			if err := os.WriteFile(filepath.Join(*screenshotDir, name), buf, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	shoot("statuspage-desktop.png", 1280, 800, 1, false)
	shoot("statuspage-phone.png", 390, 844, 2, false)
	shoot("statuspage-desktop-dark.png", 1280, 800, 1, true)
	shoot("statuspage-phone-dark.png", 390, 844, 2, true)

	// With JavaScript off, the page as served reads the same.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/status")); err != nil {
		t.Fatal(err)
	}
	for name, word := range want {
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#m-`+name+` .st`)))
		if err != nil || !strings.HasSuffix(strings.TrimSpace(text), " "+word) {
			t.Errorf("without JavaScript, %s: %q (%v), want %s", name, text, err, word)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	for _, u := range requests {
		p, err := url.Parse(u)
		if err != nil || p.Host != addr && p.Scheme != "data" {
			t.Errorf("a request to someone else: %s", u)
		}
	}
	if len(requests) == 0 {
		t.Error("no request seen")
	}
	for _, p := range problems {
		t.Errorf("the browser reported: %s", p)
	}
}

// statusesAre is a DOM condition: each named monitor shows its word.
func statusesAre(want map[string]string) string {
	var conds []string
	for name, word := range want {
		conds = append(conds, fmt.Sprintf(`((e) => e && e.classList.contains("s-%s") && e.textContent.endsWith(" %s"))(document.querySelector("#m-%s .st"))`, word, word, name))
	}
	return strings.Join(conds, " && ")
}

// waitDOM waits until the condition (a JavaScript expression) holds in
// the page, re-testing it at every change of the DOM; false when it still
// does not after timeout.
func waitDOM(t *testing.T, ctx context.Context, cond string, timeout time.Duration) bool {
	t.Helper()
	js := fmt.Sprintf(`new Promise((resolve) => {
		const ok = () => { try { return !!(%s); } catch (e) { return false; } };
		if (ok()) { resolve(true); return; }
		const mo = new MutationObserver(() => { if (ok()) { mo.disconnect(); resolve(true); } });
		mo.observe(document.documentElement, {subtree: true, childList: true, characterData: true, attributes: true});
		setTimeout(() => { mo.disconnect(); resolve(ok()); }, %d);
	})`, cond, timeout.Milliseconds())
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("wait in the page: %v", err)
	}
	return ok
}

// pageStatuses says what the page shows, for a failure message.
func pageStatuses(t *testing.T, ctx context.Context) string {
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll(".mon")].map(m => m.id + ": " + m.querySelector(".st").textContent).join(", ")`))
	return s
}

// checkNow asks the daemon to check a monitor at once.
func checkNow(t *testing.T, base, name string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/monitors/"+name+"/check", nil)
	req.Header.Set("Authorization", "Bearer admin-token-never-shown")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("check now: %s", resp.Status)
	}
}

// startPageDaemon runs `upbeat daemon` in this process until the test ends.
func startPageDaemon(t *testing.T, cfg string) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: pw, getenv: func(string) string { return "" }}
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, e, []string{"daemon", "--config", cfg}); pw.Close() }()
	started := make(chan struct{})
	var logMu sync.Mutex
	var logs strings.Builder
	go func() {
		sc := bufio.NewScanner(pr)
		once := sync.Once{}
		for sc.Scan() {
			logMu.Lock()
			logs.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			if strings.Contains(sc.Text(), "upbeat started") {
				once.Do(func() { close(started) })
			}
		}
	}()
	select {
	case <-started:
	case code := <-exited:
		logMu.Lock()
		defer logMu.Unlock()
		t.Fatalf("daemon exited with %d before starting:\n%s", code, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("daemon did not start in 30s")
	}
	t.Cleanup(func() {
		stop()
		if code := <-exited; code != exitOK {
			t.Errorf("daemon exit %d", code)
		}
	})
}
