package api

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/upbeat-monitor/upbeat/engine"
)

// loadLines is a stand-in for config.Load: one "NAME URL" per line; any
// other line is a mistake reported as file:line: key: msg.
func loadLines(path string) (*engine.Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ms []*engine.Monitor
	var errs []string
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			errs = append(errs, fmt.Sprintf("%s:%d: monitor.%s: unknown key", filepath.Base(path), i+1, f[0]))
			continue
		}
		ms = append(ms, monitor(f[0], f[1]))
	}
	if errs != nil {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return config("x", ms...), nil
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

func names(e *engine.Engine) []string {
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
	e := runEngine(t, cfg, newSwitch(), engine.Options{})
	sub := watch(e)
	defer sub.Close()

	hup := make(chan os.Signal, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- WatchConfig(ctx, path, loadLines, e.Reload, e.Warn, hup) }()
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
	w := sub.wait(t, func(ev engine.Event) bool { return ev.Kind == engine.EventWarning && !ev.Clear })
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
	r := sub.wait(t, func(ev engine.Event) bool { return ev.Kind == engine.EventReload })
	if !strings.Contains(r.Message, "added api") {
		t.Errorf("reload message %q", r.Message)
	}
	if got := names(e); !slices.Equal(got, []string{"shop", "api"}) {
		t.Errorf("monitors after reload: %v", got)
	}
	sub.wait(t, func(ev engine.Event) bool { return ev.Kind == engine.EventWarning && ev.Clear })
	if got := e.Warnings(); len(got) != 0 {
		t.Errorf("warning not cleared: %q", got)
	}

	// SIGHUP reloads even an unchanged file.
	hup <- syscall.SIGHUP
	r = sub.wait(t, func(ev engine.Event) bool { return ev.Kind == engine.EventReload })
	if !strings.Contains(r.Message, "no change") {
		t.Errorf("reload message %q", r.Message)
	}
}
