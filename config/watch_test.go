package config

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source/local"
)

// loadLines is a stand-in for config.Load: one "NAME URL" per line; any
// other line is a mistake reported as file:line: key: msg.
func loadLines(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ms []*monitor.Monitor
	var errs []string
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			errs = append(errs, fmt.Sprintf("%s:%d: monitor.%s: unknown key", filepath.Base(path), i+1, f[0]))
			continue
		}
		ms = append(ms, testMonitor(f[0], f[1]))
	}
	if errs != nil {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return testConfig("x", ms...), nil
}

// save writes the way many editors do: a new file renamed into place.
func save(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".swp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func names(e *testEngine) []string {
	var out []string
	for _, st := range e.Snapshot() {
		out = append(out, st.Monitor.Name)
	}
	return out
}

func TestReloadTypoKeepsOldConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "upbeat.toml")
	save(t, path, "shop https://shop.example/\n")
	cfg, err := loadLines(path)
	if err != nil {
		t.Fatal(err)
	}
	e := runEngine(t, cfg, newSwitch())
	sub := watch(e)
	defer sub.Close()

	hup := make(chan os.Signal, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- WatchConfig(ctx, path, loadLines, e.Reload, e.Warn, hup, WatchOptions{}) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("WatchConfig returned %v", err)
		}
	}()

	// A change with a typo: refused, the old config runs on, every viewer is told.
	// (The watcher may not be watching yet when the first save lands, so
	// a SIGHUP backs the save up; either one triggers the same reload.)
	save(t, path, "shop https://shop.example/\napi https://api.example/\nintreval = 30s\n")
	hup <- syscall.SIGHUP
	w := sub.wait(t, func(ev monitor.Event) bool { return ev.Kind == monitor.EventWarning && !ev.Clear })
	want := "config not reloaded: upbeat.toml:3: monitor.intreval: unknown key"
	if w.Message != want {
		t.Errorf("warning %q, want %q", w.Message, want)
	}
	if got := e.Warnings(); !slices.Equal(got, []string{want}) {
		t.Errorf("Warnings() = %q", got)
	}
	if got := names(e); !slices.Equal(got, []string{"shop"}) {
		t.Errorf("monitors after a bad reload: %v, want the old [shop]", got)
	}

	// The fix, seen through the file watcher alone: applied as a diff, warning cleared.
	save(t, path, "shop https://shop.example/\napi https://api.example/\n")
	r := sub.wait(t, func(ev monitor.Event) bool { return ev.Kind == monitor.EventReload })
	if !strings.Contains(r.Message, "added api") {
		t.Errorf("reload message %q", r.Message)
	}
	if got := names(e); !slices.Equal(got, []string{"shop", "api"}) {
		t.Errorf("monitors after reload: %v", got)
	}
	sub.wait(t, func(ev monitor.Event) bool { return ev.Kind == monitor.EventWarning && ev.Clear })
	if got := e.Warnings(); len(got) != 0 {
		t.Errorf("warning not cleared: %q", got)
	}

	// SIGHUP reloads even an unchanged file.
	hup <- syscall.SIGHUP
	r = sub.wait(t, func(ev monitor.Event) bool { return ev.Kind == monitor.EventReload })
	if !strings.Contains(r.Message, "no change") {
		t.Errorf("reload message %q", r.Message)
	}
}

// loadKV is a stand-in for config.Load that also reads [api] and
// [settings] keys: "monitor NAME URL" or "section.key value" per line;
// anything else is a mistake reported as file:line.
func loadKV(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cfg := testConfig("eu-west")
	var errs []string
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		bad := func() {
			errs = append(errs, fmt.Sprintf("%s:%d: %s: unknown key", filepath.Base(path), i+1, f[0]))
		}
		switch {
		case len(f) == 3 && f[0] == "monitor":
			cfg.Monitors = append(cfg.Monitors, testMonitor(f[1], f[2]))
		case len(f) != 2:
			bad()
		case f[0] == "api.token":
			cfg.API.Token = f[1]
		case f[0] == "api.read_only_token":
			cfg.API.ReadOnlyToken = f[1]
		case f[0] == "api.listen":
			cfg.API.Listen = f[1]
		case f[0] == "api.allowed_hosts":
			cfg.API.AllowedHosts = strings.Split(f[1], ",")
		case f[0] == "settings.location":
			cfg.Settings.Location = f[1]
		case f[0] == "settings.concurrency":
			fmt.Sscan(f[1], &cfg.Settings.Concurrency)
		default:
			bad()
		}
	}
	if errs != nil {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return cfg, nil
}

// recHandler hands every log record to a test.
type recHandler struct{ ch chan slog.Record }

func newRecLogger() (*slog.Logger, chan slog.Record) {
	ch := make(chan slog.Record, 256)
	return slog.New(recHandler{ch}), ch
}

func (h recHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recHandler) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.ch <- r.Clone():
	default: // a test that stopped reading must not block the watcher
	}
	return nil
}
func (h recHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h recHandler) WithGroup(string) slog.Handler      { return h }

// waitLog returns the attributes of the next record with message msg.
func waitLog(t *testing.T, ch <-chan slog.Record, msg string) (slog.Level, map[string]string) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		select {
		case r := <-ch:
			if r.Message != msg {
				continue
			}
			attrs := map[string]string{}
			r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
			return r.Level, attrs
		case <-deadline.C:
			t.Fatalf("timed out waiting for the log line %q", msg)
		}
	}
}

// runWatch runs WatchConfig until the test ends.
func runWatch(t *testing.T, path string, load func(string) (*Config, error),
	apply func(*Config) ([]string, error), warn func(key, msg string), hup chan os.Signal, opts WatchOptions) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- WatchConfig(ctx, path, load, apply, warn, hup, opts) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("WatchConfig returned %v", err)
		}
	})
}

// When the file cannot be watched (inotify limit, missing directory),
// the watcher says so and SIGHUP still reloads.
func TestWatchFailureKeepsSIGHUP(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone", "upbeat.toml") // a directory that cannot be watched
	warns := make(chan [2]string, 16)
	applied := make(chan *Config, 4)
	want := testConfig("x", testMonitor("shop", "https://shop.example/"))
	load := func(string) (*Config, error) { return want, nil }
	apply := func(c *Config) ([]string, error) { applied <- c; return []string{"added shop"}, nil }
	warn := func(k, m string) { warns <- [2]string{k, m} }
	log, recs := newRecLogger()
	hup := make(chan os.Signal, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- WatchConfig(ctx, path, load, apply, warn, hup, WatchOptions{Logger: log}) }()

	select {
	case w := <-warns:
		if w[0] != WarnWatchKey || !strings.HasPrefix(w[1], "config file changes are not watched: ") ||
			!strings.HasSuffix(w[1], "; SIGHUP still reloads") {
			t.Errorf("warning %q = %q", w[0], w[1])
		}
	case err := <-done:
		cancel()
		t.Fatalf("WatchConfig gave up on a watcher failure: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no warning that the file is not watched")
	}
	if lvl, a := waitLog(t, recs, "config file changes are not watched; SIGHUP still reloads"); lvl != slog.LevelWarn || a["err"] == "" {
		t.Errorf("log: level %v attrs %v", lvl, a)
	}

	hup <- syscall.SIGHUP
	select {
	case c := <-applied:
		if c != want {
			t.Errorf("applied %p, want the loaded config %p", c, want)
		}
	case err := <-done:
		cancel()
		t.Fatalf("WatchConfig returned %v before the SIGHUP", err)
	case <-time.After(10 * time.Second):
		t.Fatal("SIGHUP did not reload")
	}
	if _, a := waitLog(t, recs, "config reloaded"); a["changes"] != "added shop" {
		t.Errorf("reload log attrs %v", a)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("WatchConfig returned %v", err)
	}
}

// The journal shows every reload: what changed, or the file:line errors.
func TestReloadIsLogged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "upbeat.toml")
	save(t, path, "monitor shop https://shop.example/\n")
	cfg, err := loadKV(path)
	if err != nil {
		t.Fatal(err)
	}
	e := runEngine(t, cfg, newSwitch())
	log, recs := newRecLogger()
	hup := make(chan os.Signal, 1)
	runWatch(t, path, loadKV, e.Reload, e.Warn, hup, WatchOptions{Logger: log, Current: e.Current})

	save(t, path, "monitor shop https://shop.example/\nintreval 30s\nmonitor api\n")
	hup <- syscall.SIGHUP
	lvl, a := waitLog(t, recs, "config not reloaded")
	if lvl != slog.LevelWarn || a["err"] != "upbeat.toml:2: intreval: unknown key; upbeat.toml:3: monitor: unknown key" {
		t.Errorf("refused reload logged at %v with %v", lvl, a)
	}

	save(t, path, "monitor shop https://shop.example/\nmonitor api https://api.example/\n")
	hup <- syscall.SIGHUP
	lvl, a = waitLog(t, recs, "config reloaded")
	if lvl != slog.LevelInfo || a["changes"] != "added api" || a["path"] != path {
		t.Errorf("accepted reload logged at %v with %v", lvl, a)
	}

	hup <- syscall.SIGHUP
	if _, a = waitLog(t, recs, "config reloaded"); a["changes"] != "no change" {
		t.Errorf("unchanged reload logged with %v", a)
	}
}

// Keys read only at start are reported as needing a restart, and the
// report goes away when the file is put back.
func TestReloadReportsRestartNeeded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "upbeat.toml")
	orig := "monitor shop https://shop.example/\napi.listen 127.0.0.1:9477\napi.token tok\nsettings.concurrency 8\n"
	save(t, path, orig)
	cfg, err := loadKV(path)
	if err != nil {
		t.Fatal(err)
	}
	e := runEngine(t, cfg, newSwitch())
	sub := watch(e)
	defer sub.Close()
	log, recs := newRecLogger()
	hup := make(chan os.Signal, 1)
	runWatch(t, path, loadKV, e.Reload, e.Warn, hup, WatchOptions{Logger: log, Current: e.Current})

	save(t, path, "monitor shop https://shop.example/\napi.listen 127.0.0.1:9478\napi.token tok2\n"+
		"api.allowed_hosts dash.example\nsettings.concurrency 16\nsettings.location us-east\n")
	hup <- syscall.SIGHUP
	want := "[api] listen, token, allowed_hosts and [settings] location, concurrency changed: needs a restart to apply"
	w := sub.wait(t, func(ev monitor.Event) bool { return ev.Kind == monitor.EventWarning && !ev.Clear })
	if w.Message != want {
		t.Errorf("warning %q\nwant    %q", w.Message, want)
	}
	if got := e.Warnings(); !slices.Equal(got, []string{want}) {
		t.Errorf("Warnings() = %q", got)
	}
	if _, a := waitLog(t, recs, "config reloaded"); !strings.Contains(a["changes"], want) || strings.Contains(a["changes"], "tok2") {
		t.Errorf("reload log %v", a)
	}

	// a second reload of the same file still needs the restart
	hup <- syscall.SIGHUP
	waitLog(t, recs, "config reloaded")
	if got := e.Warnings(); !slices.Equal(got, []string{want}) {
		t.Errorf("after a second reload, Warnings() = %q", got)
	}

	// put back: nothing needs a restart any more
	save(t, path, orig)
	hup <- syscall.SIGHUP
	sub.wait(t, func(ev monitor.Event) bool { return ev.Kind == monitor.EventWarning && ev.Clear && ev.Message == want })
	if got := e.Warnings(); len(got) != 0 {
		t.Errorf("after putting the file back, Warnings() = %q", got)
	}
}

// With the server given, a reload rotates the tokens at once (a leaked
// token is revoked by SIGHUP), and only the listen change needs a restart.
func TestReloadRotatesTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "upbeat.toml")
	save(t, path, "monitor a http://127.0.0.1/\napi.token leaked\napi.read_only_token view\n")
	cfg, err := loadKV(path)
	if err != nil {
		t.Fatal(err)
	}
	e := runEngine(t, cfg, newSwitch())
	s := api.New(local.New(e.Engine, local.Options{}), api.Options{Token: cfg.API.Token, ReadOnlyToken: cfg.API.ReadOnlyToken})
	ts := httptest.NewServer(s.Handler()) // a remote listener
	defer ts.Close()
	c := ts.Client()
	check := ts.URL + "/api/v1/monitors/a/check"
	if got := do(t, c, "POST", check, "leaked"); got != 200 {
		t.Fatalf("before rotation: %d", got)
	}
	log, recs := newRecLogger()
	hup := make(chan os.Signal, 1)
	runWatch(t, path, loadKV, e.Reload, e.Warn, hup, WatchOptions{Logger: log, SetTokens: s.SetTokens, Current: e.Current})

	save(t, path, "monitor a http://127.0.0.1/\napi.token fresh\napi.read_only_token view\napi.listen 127.0.0.1:1\n")
	hup <- syscall.SIGHUP
	_, a := waitLog(t, recs, "config reloaded")
	if !strings.Contains(a["changes"], "[api] token replaced") || strings.Contains(a["changes"], "fresh") ||
		!strings.Contains(a["changes"], "[api] listen changed: needs a restart to apply") {
		t.Errorf("reload log %v", a)
	}
	for _, tc := range []struct {
		tok  string
		want int
	}{{"leaked", 401}, {"fresh", 200}, {"view", 403}} {
		if got := do(t, c, "POST", check, tc.tok); got != tc.want {
			t.Errorf("after rotation, token %q: %d, want %d", tc.tok, got, tc.want)
		}
	}
	if got := e.Warnings(); !slices.Equal(got, []string{"[api] listen changed: needs a restart to apply"}) {
		t.Errorf("Warnings() = %q", got)
	}
}
