package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
)

// helperDaemon is set, to a config file, in the environment of the child
// process TestDaemonNoticesItWasStopped starts: the child runs the real
// daemon command with it.
const helperDaemon = "UPBEAT_HELPER_DAEMON_CONFIG"

// TestDaemonNoticesItWasStopped runs the real daemon in a child process,
// stops it with SIGSTOP for a second (its stall_threshold is 300ms so
// that this stays short) and resumes it with SIGCONT. The daemon must say
// so in its log and through its API, and the monitor it watches must not
// be taken for down because of it.
func TestDaemonNoticesItWasStopped(t *testing.T) {
	if cfg := os.Getenv(helperDaemon); cfg != "" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		e := &env{stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
		os.Exit(run(ctx, e, []string{"daemon", "--config", cfg}))
	}
	t.Parallel()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	var mu sync.Mutex
	var delivered []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Event, Title string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		delivered = append(delivered, body.Event+": "+body.Title)
		mu.Unlock()
	}))
	defer hook.Close()
	dir := t.TempDir()
	sock := filepath.Join(dir, "upbeat.sock")
	cfg := writeConfig(t, fmt.Sprintf(`
[settings]
history_dir = %q
stall_threshold = "300ms"
retries = 0

[[monitor]]
name = "web"
url = %q
interval = "1s"
timeout = "500ms"

[[alert]]
name = "hook"
kind = "webhook"
url = %q
default = true

[api]
socket = %q
`, filepath.Join(dir, "history"), target.URL, hook.URL, sock))

	cmd := exec.Command(os.Args[0], "-test.run=^TestDaemonNoticesItWasStopped$")
	cmd.Env = append(os.Environ(), helperDaemon+"="+cfg)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	lines := make(chan string, 256)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	waitLine := func(what string) string {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the daemon exited before logging %q", what)
				}
				if strings.Contains(l, what) {
					return l
				}
			case <-deadline:
				t.Fatalf("the daemon did not log %q", what)
			}
		}
	}
	waitLine("upbeat started")

	api := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
	get := func(path string) []byte {
		t.Helper()
		resp, err := api.Get("http://upbeat" + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
		return b
	}
	// until the monitor is up: its first check has run (asked for at once
	// rather than waited for, spread over the first interval)
	resp, err := api.Post("http://upbeat/api/v1/monitors/web/check", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(30 * time.Second); ; {
		var m wire.Monitor
		if err := json.Unmarshal(get("/api/v1/monitors/web"), &m); err != nil {
			t.Fatal(err)
		}
		if m.Status.String() == "up" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the monitor never came up: %+v", m)
		}
		time.Sleep(20 * time.Millisecond)
	}

	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	const stopped = time.Second
	time.Sleep(stopped) // the stall itself: the daemon cannot run
	if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}

	line := waitLine("upbeat itself was stalled for ")
	t.Logf("the daemon logged: %s", line)
	m := regexp.MustCompile(`stalled for ([0-9.hms]+)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("log line %q", line)
	}
	if d, err := time.ParseDuration(m[1]); err != nil || d < stopped {
		t.Errorf("stalled for %q in %q, want the stop's %s or about", m[1], line, stopped)
	}
	// The warning is set just after the line is logged: a moment later.
	var h wire.Health
	warned := func() bool {
		if err := json.Unmarshal(get("/healthz"), &h); err != nil {
			t.Fatal(err)
		}
		return strings.Contains(strings.Join(h.Warnings, "\n"), "upbeat itself was stalled for")
	}
	for deadline := time.Now().Add(10 * time.Second); !warned() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !warned() {
		t.Errorf("/healthz warnings %q, want the stall", h.Warnings)
	}
	if !regexp.MustCompile(`(?m)^upbeat_stalls_total [1-9]`).Match(get("/metrics")) {
		t.Error("/metrics counts no stall")
	}
	var after wire.Monitor
	if err := json.Unmarshal(get("/api/v1/monitors/web"), &after); err != nil {
		t.Fatal(err)
	}
	if after.Status.String() == "down" {
		t.Errorf("the monitor is down after the daemon was stopped: %+v", after)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, d := range delivered {
		if strings.HasPrefix(d, "down") {
			t.Errorf("an alert went out because the daemon was stopped: %s", d)
		}
	}
}
