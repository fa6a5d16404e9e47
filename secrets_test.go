package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"
	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
)

// TestTelegramTokenAppearsNowhere: after a failed Telegram delivery (the
// fake Bot API refuses and echoes the token, the way a misbehaving proxy
// might), the bot token is in no log line, no error, no event, no history
// file and nowhere on the rendered dashboard.
func TestTelegramTokenAppearsNowhere(t *testing.T) {
	const token = "123456:SECRET-bot-token-ABCdef"
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"ok":false,"error_code":401,"description":"Unauthorized: bad token %s at %s"}`, token, r.URL.Path)
	}))
	defer bot.Close()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer target.Close()

	dir := t.TempDir()
	t.Setenv("TG_TOKEN", token)
	cfgPath := writeConfig(t, fmt.Sprintf(`
[settings]
history_dir = %q
retries = 0

[[alert]]
name = "oncall"
kind = "telegram"
token = "${TG_TOKEN}"
chat_id = "42"
base_url = %q
default = true

[[monitor]]
name = "api"
url = %q
interval = "1h"
`, filepath.Join(dir, "history"), bot.URL, target.URL))
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt, err := newRuntime(cfg, runtimeOptions{getenv: os.Getenv, log: logger})
	if err != nil {
		t.Fatal(err)
	}
	sub := rt.eng.Subscribe()
	defer sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rt.eng.Run(ctx); close(done) }()
	rt.eng.CheckNow("api")

	// The dashboard, as a person would see it.
	src := rt.localSource(cfgPath, false)
	tm := teatest.NewTestModel(t, tui.New(src, tui.Options{Now: time.Now, NoColor: true}), teatest.WithInitialTermSize(160, 40))

	// Wait for the failed delivery.
	var seen []source.Event
	deadline := time.After(30 * time.Second)
	for failed := false; !failed; {
		select {
		case <-sub.Ready():
			evs, _ := sub.Drain()
			seen = append(seen, evs...)
			for _, ev := range evs {
				if ev.Kind == monitor.EventAlert && !ev.Alert.OK {
					failed = true
				}
			}
		case <-deadline:
			t.Fatalf("no failed delivery reported; events: %+v", seen)
		}
	}
	var screen []byte // everything the program drew
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		screen = append(screen[:0], b...)
		return bytes.Contains(b, []byte("oncall"))
	}, teatest.WithDuration(10*time.Second))
	tm.Quit()
	rest, _ := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
	screen = append(screen, rest...)
	cancel()
	<-done
	rt.Close()

	check := func(where string, b []byte) {
		t.Helper()
		if bytes.Contains(b, []byte(token)) || bytes.Contains(b, []byte("SECRET-bot-token")) {
			t.Errorf("the bot token leaked into %s", where)
		}
	}
	check("the dashboard", screen)
	check("the log", logs.Bytes())
	for _, ev := range seen {
		check("an event", []byte(fmt.Sprintf("%+v %+v %+v", ev, ev.Alert, ev.Result)))
	}
	for _, w := range rt.eng.Warnings() {
		check("a warning", []byte(w))
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			check("history file "+filepath.Base(p), b)
		}
		return nil
	})
	if !strings.Contains(string(screen), "oncall") {
		t.Errorf("the dashboard does not show the delivery at all")
	}
}
