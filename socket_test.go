package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/internal/testserver"
)

// A user's setup as a trial found it: a daemon started from ./upbeat.toml,
// whose [api] names a socket of its own, and the commands run in that
// directory without flags. The default socket (under $XDG_RUNTIME_DIR) has
// nothing on it, and no config is in the XDG config dir.
func trialDaemon(t *testing.T, api string) (*daemon, *switchable) {
	t.Helper()
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	target := newSwitchable(t)
	d := startDaemon(t, "trial", "retries = 0", api, fmt.Sprintf(`
[[monitor]]
name = "shop"
url = %q
interval = "1h"
`, target.URL), nil)
	t.Chdir(d.dir)
	return d, target
}

// runUntil runs the command line until its output holds mark (then it is
// cancelled, as a user's ^C would), and returns its output and exit code.
func runUntil(t *testing.T, mark string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := &cancelAfter{mark: mark, cancel: cancel}
	errb := &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: errb, getenv: func(string) string { return "" },
		plainEvery: 20 * time.Millisecond}
	code := run(ctx, e, args)
	return out.String(), errb.String(), code
}

// freePort returns a loopback TCP address nothing listens on just now.
func freePort(t *testing.T) string {
	t.Helper()
	return testserver.Addr(testserver.Port(t))
}

// attach, plain upbeat and status with no address all find the daemon on
// the [api] socket of ./upbeat.toml; attach to the config's own TCP
// listener takes the config's token.
func TestCommandsFindTheConfigsSocket(t *testing.T) {
	listen := freePort(t)
	d, _ := trialDaemon(t, fmt.Sprintf("listen = %q\ntoken = \"trial-token\"", listen))

	if out, errOut, code := runUntil(t, "shop", "attach"); code != exitOK || !strings.Contains(out, "shop") {
		t.Errorf("attach with no address: exit %d, %q %q", code, out, errOut)
	}
	// reads on loopback need no token, so the token attach would send is
	// asked of attachAddrs: the config's own for its listener, and for
	// nothing else
	port := listen[strings.LastIndex(listen, ":"):]
	for addr, want := range map[string]string{
		"http://" + listen:          "trial-token",
		listen:                      "trial-token", // host:port, as people type it
		"http://localhost" + port:   "trial-token",
		"http://127.0.0.1:1":        "",
		"http://example.com" + port: "",
		d.socket:                    "",
	} {
		_, tok, code := attachAddrs(&env{stderr: io.Discard}, []string{addr}, "")
		if code != exitOK || tok != want {
			t.Errorf("attach %s: token %q (exit %d), want %q", addr, tok, code, want)
		}
	}
	if out, errOut, code := runUntil(t, "shop"); code != exitOK || !strings.Contains(out, "shop") {
		t.Errorf("plain upbeat with the daemon on the config's socket: exit %d, %q %q", code, out, errOut)
	}
	if out, errOut, code := runCmd(t, "status"); code != exitOK || !strings.Contains(out, "●") {
		t.Errorf("status with no flags: exit %d, %q %q", code, out, errOut)
	}
	if _, errOut, code := runCmd(t, "status", "--verbose"); code != exitOK {
		t.Errorf("status --verbose: exit %d, %q (socket %s)", code, errOut, d.socket)
	}
}

// A config whose socket has no daemon on it: attach names that socket
// (not the default one), and plain upbeat, finding the history locked by
// the daemon it could not reach, says so and how to attach.
func TestUnreachableDaemonIsNamed(t *testing.T) {
	d, _ := trialDaemon(t, "")
	other := t.TempDir()
	sock := filepath.Join(other, "elsewhere.sock")
	writeConfigIn(t, other, fmt.Sprintf("[settings]\nhistory_dir = %q\n\n[api]\nsocket = %q\n\n[[monitor]]\nname = \"shop\"\nurl = \"http://127.0.0.1:9/\"\n",
		filepath.Join(d.dir, "history"), sock))
	t.Chdir(other)

	_, errOut, code := runCmd(t, "attach")
	if code != exitConfig || !strings.Contains(errOut, sock) || strings.Contains(errOut, config.DefaultSocket()) {
		t.Errorf("attach with nothing on the config's socket: exit %d, %q", code, errOut)
	}
	_, errOut, code = runCmd(t)
	if code != exitConfig || !strings.Contains(errOut, "in use by another writer") ||
		!strings.Contains(errOut, sock) || !strings.Contains(errOut, "upbeat attach") {
		t.Errorf("plain upbeat on a history a daemon it cannot reach writes: exit %d, %q", code, errOut)
	}
	if out, _, code := runCmd(t, "status"); code != exitOK || out != "" {
		t.Errorf("status with nothing on the config's socket: exit %d, %q", code, out)
	}
}

// healthOf asks a daemon on its socket for GET /healthz.
func healthOf(t *testing.T, socket string) wire.Health {
	t.Helper()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("http://upbeat/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h wire.Health
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

// The starter config's terminal alert (and a desktop alert with no session
// bus) can never deliver under the daemon: it says so once at start, in
// its log and as a warning in /healthz, and the starter's comment says
// where a terminal alert works.
func TestDaemonWarnsOfAlertsThatCannotDeliver(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	d := startDaemon(t, "starter", "", "", `
[[alert]]
name = "here"
kind = "terminal"
default = true

[[alert]]
name = "desk"
kind = "desktop"

[[monitor]]
name = "shop"
url = "http://127.0.0.1:9/"
interval = "1h"
`, nil)
	wants := []string{"alert=here kind=terminal"}
	if goruntime.GOOS == "linux" {
		wants = append(wants, "alert=desk kind=desktop")
	}
	log := d.log.String()
	if n := strings.Count(log, "can never deliver"); n != len(wants) {
		t.Errorf("the daemon's log warns %d times, want %d:\n%s", n, len(wants), log)
	}
	for _, w := range wants {
		if !strings.Contains(log, w) {
			t.Errorf("%s missing from the log:\n%s", w, log)
		}
	}
	warnings := strings.Join(healthOf(t, d.socket).Warnings, "\n")
	if !strings.Contains(warnings, `alert "here" can never deliver: a terminal alert needs the dashboard`) ||
		!strings.Contains(warnings, "use a webhook or email alert instead") ||
		goruntime.GOOS == "linux" && !strings.Contains(warnings, `alert "desk" can never deliver: a desktop alert needs a desktop session`) {
		t.Errorf("/healthz warnings do not name the alerts that cannot deliver:\n%s", warnings)
	}
	if s := string(config.Starter()); !strings.Contains(s, "only while the dashboard ('upbeat') runs in\n# the foreground") {
		t.Errorf("the starter's terminal alert does not say where it works:\n%s", s)
	}
}
