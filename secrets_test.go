package main

import (
	"bytes"
	"context"
	"encoding/base64"
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
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
)

// TestTelegramTokenAppearsNowhere: after a failed Telegram delivery (the
// fake Bot API refuses and echoes the token, the way a misbehaving proxy
// might), the bot token is in no log line, no error, no event, no history
// file and nowhere on the rendered dashboard.
func TestTelegramTokenAppearsNowhere(t *testing.T) {
	t.Parallel()
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
	vars := map[string]string{"TG_TOKEN": token}
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
	cfg, err := config.LoadWithEnv(cfgPath, lookupIn(vars))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// No burst window: the message goes out as the incident opens.
	noWait := func(o *alert.Options) { o.BurstWindow = -1 }
	rt, err := newRuntime(cfg, runtimeOptions{getenv: os.Getenv, log: logger, tuneAlerts: noWait})
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

// TestRequestSecretsAppearNowhere: the secrets of the request keys of
// issue 10 (a basic auth password, a bearer token file, an OAuth2 client
// secret, a proxy's password), sent to servers that refuse them and echo
// what they got, are in no result, `check --json` line, log line, event,
// history file or the rendered dashboard.
func TestRequestSecretsAppearNowhere(t *testing.T) {
	t.Parallel()
	const (
		password = "basic-PASSWORD-1234"
		bearer   = "bearer-TOKEN-5678"
		client   = "oauth-CLIENT-SECRET-9012"
		proxyPW  = "proxy-PASSWORD-3456"
	)
	secrets := []string{password, bearer, client, proxyPW,
		base64.StdEncoding.EncodeToString([]byte("upbeat:" + password)), base64.StdEncoding.EncodeToString([]byte("ops:" + proxyPW))}
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.Header.Get("Authorization")+r.Header.Get("Proxy-Authorization"))
		_ = r.ParseForm()
		if r.URL.Path != "/basic" { // basic gets a 200 whose header check fails, showing the header
			w.WriteHeader(http.StatusUnauthorized)
		}
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":"got %s %s %v"}`,
			r.Header.Get("Authorization"), r.Header.Get("Proxy-Authorization"), r.Form)
	}))
	defer echo.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedAddr := closed.Listener.Addr().String()
	closed.Close()

	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(bearer), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"BASIC_PW": password, "CLIENT_SECRET": client, "PROXY_PW": proxyPW}
	cfgPath := writeConfig(t, fmt.Sprintf(`
[settings]
history_dir = %[1]q
retries = 0

[[monitor]]
name = "basic"
url = "%[2]s/basic"
interval = "1h"
basic_auth = { user = "upbeat", password = "${BASIC_PW}" }
expect_headers = { "X-Echo" = "^$" }

[[monitor]]
name = "bearer"
url = "%[2]s/bearer"
interval = "1h"
bearer_token_file = %[3]q

[[monitor]]
name = "oauth"
url = "%[2]s/api"
interval = "1h"
oauth2 = { token_url = "%[2]s/token", client_id = "upbeat", client_secret = "${CLIENT_SECRET}" }

[[monitor]]
name = "proxied"
url = "%[2]s/via-proxy"
interval = "1h"
proxy = "http://ops:${PROXY_PW}@%[4]s"
`, filepath.Join(dir, "history"), echo.URL, tokenFile, closedAddr))

	out, _, code := runCmdEnv(t, vars, "check", "--json", "--config", cfgPath)
	if code != exitDown || strings.Count(out, "\n") != 4 {
		t.Fatalf("check: exit %d\n%s", code, out)
	}
	outText, _, _ := runCmdEnv(t, vars, "check", "--config", cfgPath)

	cfg, err := config.LoadWithEnv(cfgPath, lookupIn(vars))
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
	for _, name := range []string{"basic", "bearer", "oauth", "proxied"} {
		rt.eng.CheckNow(name)
	}
	src := rt.localSource(cfgPath, false)
	tm := teatest.NewTestModel(t, tui.New(src, tui.Options{Now: time.Now, NoColor: true}), teatest.WithInitialTermSize(200, 40))
	var seen []source.Event
	results := map[string]bool{}
	deadline := time.After(30 * time.Second)
	for len(results) < 4 {
		select {
		case <-sub.Ready():
			evs, _ := sub.Drain()
			seen = append(seen, evs...)
			for _, ev := range evs {
				if ev.Kind == monitor.EventResult {
					results[ev.Monitor] = true
				}
			}
		case <-deadline:
			t.Fatalf("results of %v only", results)
		}
	}
	var screen []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		screen = append(screen[:0], b...)
		return bytes.Contains(b, []byte("proxied")) && bytes.Contains(b, []byte("oauth"))
	}, teatest.WithDuration(10*time.Second))
	tm.Quit()
	rest, _ := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
	screen = append(screen, rest...)
	cancel()
	<-done
	rt.Close()

	check := func(where string, b []byte) {
		t.Helper()
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s leaked into %s", s, where)
			}
		}
	}
	check("check --json", []byte(out))
	check("check's lines", []byte(outText))
	check("the dashboard", screen)
	check("the log", logs.Bytes())
	for _, ev := range seen {
		check("an event", []byte(fmt.Sprintf("%+v %+v", ev, ev.Result)))
	}
	filepath.WalkDir(filepath.Join(dir, "history"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			check("history file "+filepath.Base(p), b)
		}
		return nil
	})
	for _, want := range []string{`"class":"header_mismatch"`, `"class":"http_401"`, `"class":"oauth2_error"`, `"class":"proxy_error"`} {
		if !strings.Contains(out, want) {
			t.Errorf("check --json lacks %s:\n%s", want, out)
		}
	}
}
