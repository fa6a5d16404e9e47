package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/testserver"
)

// The secrets of badURLConfig: passwords with a stray "%" or a space,
// tokens in query strings and paths, a bot token, a service URL's token.
var urlSecrets = []string{"Zk%Q7", "Zk W9", "qT0KEN-1a2b", "Hk%Y8", "99:Tg Tk", "Dc%T0k", "aK3Y-9z8y"}

// badURLConfig is a config whose URLs fail to parse because of their
// secrets, or carry secrets in query strings.
func badURLConfig(history, listen string) string {
	return fmt.Sprintf(`
[settings]
history_dir = %q

[[monitor]]
name = "percent"
url = "https://admin:Zk%%Q7@shop.example.com/health?token=qT0KEN-1a2b"

[[monitor]]
name = "space"
url = "https://admin:Zk W9@shop.example.com/"

[[monitor]]
name = "query"
url = "tcp://db.example.com?api_key=aK3Y-9z8y"

[[alert]]
name = "hook"
kind = "webhook"
url = "https://hooks.example.com/services/T0/B0/Hk%%Y8"

[[alert]]
name = "bot"
kind = "telegram"
token = "99:Tg Tk"
chat_id = 1

[[alert]]
name = "chat"
kind = "url"
url = "discord://Dc%%T0k@12345"
%s`, history, listen)
}

// leaked returns the secrets found in text.
func leaked(text string) []string {
	var out []string
	for _, s := range urlSecrets {
		if strings.Contains(text, s) {
			out = append(out, s)
		}
	}
	return out
}

// logBuffer collects a daemon's log and tells waiters about each write.
type logBuffer struct {
	mu      sync.Mutex
	b       strings.Builder
	written chan struct{}
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.b.Write(p)
	l.mu.Unlock()
	select {
	case l.written <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until the log holds s.
func (l *logBuffer) waitFor(t *testing.T, s string, exited <-chan int) {
	t.Helper()
	guard := time.After(30 * time.Second)
	for !strings.Contains(l.String(), s) {
		select {
		case <-l.written:
		case code := <-exited:
			t.Fatalf("daemon exited with %d; log:\n%s", code, l.String())
		case <-guard:
			t.Fatalf("no %q in the log:\n%s", s, l.String())
		}
	}
}

// A URL's password or token never shows in what is said about a URL that
// fails to parse: not by validate, not by check, not in the daemon's log,
// and not in the reload warning that every viewer receives, a read-only
// token holder on the TCP listener included; and what is said names the
// mistake and how to fix it.
func TestURLSecretsStayOutOfMessages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := writeConfig(t, badURLConfig(filepath.Join(dir, "history"), ""))
	for _, cmd := range []string{"validate", "check"} {
		out, errOut, code := runCmd(t, cmd, "--config", bad)
		if code != exitConfig {
			t.Errorf("%s: exit %d", cmd, code)
		}
		if l := leaked(out + errOut); len(l) > 0 {
			t.Errorf("%s shows %q:\n%s", cmd, l, errOut)
		}
		for _, want := range []string{
			`monitor.url: "https://xxxxx@shop.example.com/health?token=xxxxx" is not a URL: the user name or password in it holds a "%" that starts no escape; write "%" itself as %25`,
			`monitor.url: "https://xxxxx@shop.example.com/" is not a URL: the user name or password in it holds a space; write it as %20`,
			`alert.url: "https://hooks.example.com/…" is not a URL`,
			`alert.token: holds a character no bot token has`,
			`alert.url: "discord://…" is not a URL`,
		} {
			if !strings.Contains(errOut, want) {
				t.Errorf("%s does not say %s:\n%s", cmd, want, errOut)
			}
		}
	}

	// The daemon, with a TCP listener and a read-only token.
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	addr := testserver.Addr(testserver.Port(t))
	api := fmt.Sprintf("\n[api]\nsocket = %q\nlisten = %q\ntoken = \"admin-token-1\"\nread_only_token = \"viewer-token-2\"\n",
		filepath.Join(dir, "upbeat.sock"), addr)
	good := fmt.Sprintf("[settings]\nhistory_dir = %q\n\n[[monitor]]\nname = \"percent\"\nurl = %q\ninterval = \"1h\"\n%s",
		filepath.Join(dir, "history"), target.URL, api)
	cfgPath := writeConfig(t, good)

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	logs := &logBuffer{written: make(chan struct{}, 1)}
	e := &env{stdin: strings.NewReader(""), stdout: logs, stderr: logs, getenv: func(string) string { return "" }}
	exited := make(chan int, 1)
	go func() { exited <- run(ctx, e, []string{"daemon", "--config", cfgPath}) }()
	logs.waitFor(t, "upbeat started", exited)

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer viewer-token-2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("events with the read-only token: %s", resp.Status)
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// The stream has begun (hello) before the config changes.
	for line := range lines {
		if strings.HasPrefix(line, "event: hello") {
			break
		}
	}

	if err := os.WriteFile(cfgPath, []byte(badURLConfig(filepath.Join(dir, "history"), api)), 0o600); err != nil {
		t.Fatal(err)
	}
	var warning string
	guard := time.After(30 * time.Second)
	for warning == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("the event stream ended")
			}
			if strings.HasPrefix(line, "data:") && strings.Contains(line, "config not reloaded") {
				warning = line
			}
		case <-guard:
			t.Fatalf("no reload warning on the stream; log:\n%s", logs.String())
		}
	}
	if l := leaked(warning); len(l) > 0 {
		t.Errorf("the reload warning viewers get shows %q: %s", l, warning)
	}
	if !strings.Contains(warning, `write \"%\" itself as %25`) {
		t.Errorf("the reload warning does not say what to fix: %s", warning)
	}
	logs.waitFor(t, "config not reloaded", exited)
	stop()
	<-exited
	if l := leaked(logs.String()); len(l) > 0 {
		t.Errorf("the daemon's log shows %q:\n%s", l, logs.String())
	}
}
