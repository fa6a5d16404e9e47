package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"early.upbeat.invalid/atonce"
	"early.upbeat.invalid/bare"
	"early.upbeat.invalid/statusline"
	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source/local"
)

func TestStatusLine(t *testing.T) {
	bad := wire.Summary{Down: 2, Degraded: 1, Up: 37}
	fine := wire.Summary{Up: 40}
	stalled := wire.Summary{Up: 3, Warnings: 1}
	for _, c := range []struct {
		s            wire.Summary
		tmux         bool
		problemsOnly bool
		want         string
	}{
		{bad, false, false, "✕2 ▲1 ●37"},
		{bad, true, false, "#[fg=red,bold]✕2#[default] #[fg=yellow]▲1#[default] #[fg=green]●37#[default]"},
		{bad, false, true, "✕2 ▲1"},
		{fine, false, false, "●40"},
		{fine, false, true, ""},
		{stalled, false, false, "●3 !1"},
		{wire.Summary{}, false, false, "●0"},
		// maintenance and paused are counted, not problems: --prompt leaves them out
		{wire.Summary{Down: 1, Up: 3, Maintenance: 2, Paused: 1}, false, false, "✕1 ●3 ◆2 ‖1"},
		{wire.Summary{Up: 3, Maintenance: 2}, true, false, "#[fg=green]●3#[default] #[fg=blue]◆2#[default]"},
		{wire.Summary{Up: 3, Maintenance: 2, Paused: 1}, false, true, ""},
		// a daemon whose monitors are not checked yet says so, not "●0"
		{wire.Summary{Pending: 2}, false, false, "●0 ○2"},
		{wire.Summary{Pending: 2}, true, false, "#[fg=green]●0#[default] #[dim]○2#[default]"},
		{wire.Summary{Pending: 2}, false, true, ""},
	} {
		if got := statusline.Line(c.s, c.tmux, c.problemsOnly); got != c.want {
			t.Errorf("Line(%+v, tmux=%v, problemsOnly=%v) = %q, want %q", c.s, c.tmux, c.problemsOnly, got, c.want)
		}
	}
}

// With no daemon, status prints nothing and exits 0 (a tmux status bar
// shows no noise); --verbose says why and exits 1.
func TestStatusWithoutDaemon(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	for _, f := range []string{"--tmux", "--prompt", "--json"} {
		if out, errOut, code := runCmd(t, "status", f); out != "" || errOut != "" || code != exitOK {
			t.Errorf("status %s without a daemon: exit %d, %q %q", f, code, out, errOut)
		}
	}
	if out, errOut, code := runCmd(t, "status", "--verbose"); out != "" || code != 1 || !strings.Contains(errOut, "no daemon answers") {
		t.Errorf("status --verbose without a daemon: exit %d, %q %q", code, out, errOut)
	}
	if _, errOut, code := runCmd(t, "status", "--tmux", "--json"); code != exitConfig || !strings.Contains(errOut, "at most one") {
		t.Errorf("status --tmux --json: exit %d, %q", code, errOut)
	}
}

// status asks a daemon over its socket, or over TCP with a token from
// the flag or $UPBEAT_TOKEN; a read-only token is enough.
func TestStatusFromDaemon(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", dir)
	srv := serveStatus(t, filepath.Join(dir, "upbeat.sock"))
	if out, _, code := runCmd(t, "status", "--tmux"); code != 0 || out != "#[fg=red,bold]✕2#[default] #[fg=green]●2#[default]\n" {
		t.Errorf("status --tmux: exit %d, %q", code, out)
	}
	if out, _, _ := runCmd(t, "status", "--prompt"); out != "✕2 \n" { // a space before the rest of the prompt
		t.Errorf("status --prompt: %q", out)
	}
	out, _, _ := runCmd(t, "status", "--json")
	var sum wire.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Down != 2 || strings.Join(sum.DownNames, ",") != "db,shop" || sum.Total != 4 {
		t.Errorf("status --json: %q (%v)", out, err)
	}

	// --config names the socket ([api] socket) when it is not the default
	cfg := writeConfig(t, fmt.Sprintf("[settings]\nhistory_dir = %q\n[api]\nsocket = %q\n\n[[monitor]]\nname = \"x\"\nurl = \"tcp://127.0.0.1:1\"\n",
		filepath.Join(dir, "history"), filepath.Join(dir, "upbeat.sock")))
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if out, _, code := runCmd(t, "status"); out != "" || code != 0 {
		t.Errorf("status with the socket elsewhere: exit %d, %q", code, out)
	}
	if out, errOut, code := runCmd(t, "status", "--config", cfg); code != 0 || out != "✕2 ●2\n" {
		t.Errorf("status --config: exit %d, %q %q", code, out, errOut)
	}

	ts := httptest.NewServer(srv.Handler()) // as over TCP: a token is required
	defer ts.Close()
	if _, errOut, code := runCmd(t, "status", "--addr", ts.URL, "--verbose"); code != 1 || !strings.Contains(errOut, "401") {
		t.Errorf("status over TCP without a token: exit %d, %q", code, errOut)
	}
	if out, _, code := runCmd(t, "status", "--addr", ts.URL, "--token", "view"); code != 0 || out != "✕2 ●2\n" {
		t.Errorf("status over TCP with a read-only token: exit %d, %q", code, out)
	}
	var o, eb strings.Builder
	env := &env{stdin: strings.NewReader(""), stdout: &o, stderr: &eb, getenv: func(k string) string {
		if k == "UPBEAT_TOKEN" {
			return "admin"
		}
		return ""
	}}
	if code := run(context.Background(), env, []string{"status", "--addr", ts.URL}); code != 0 || o.String() != "✕2 ●2\n" {
		t.Errorf("status over TCP with $UPBEAT_TOKEN: exit %d, %q %q", code, o.String(), eb.String())
	}
}

// What !N counts is named by --json, and by --verbose on stderr.
func TestStatusNamesTheWarnings(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Chdir(dir)
	const disk = "history: the disk is full; results are not kept"
	serveStatusOf(t, filepath.Join(dir, "upbeat.sock"), "", func(e *engine.Engine) { e.Warn("disk", disk) })
	if out, errOut, code := runCmd(t, "status", "--verbose"); code != 0 || out != "✕2 ●2 !1\n" || errOut != "upbeat: status: warning: "+disk+"\n" {
		t.Errorf("status --verbose: exit %d, %q %q", code, out, errOut)
	}
	// a daemon's words reach the terminal without its escape sequences
	srv2 := filepath.Join(t.TempDir(), "upbeat.sock")
	serveStatusOf(t, srv2, "", func(e *engine.Engine) { e.Warn("x", "title \x1b]0;owned\x07 and \x1b[2J gone") })
	if _, errOut, _ := runCmd(t, "status", "--verbose", "--addr", srv2); strings.ContainsAny(errOut, "\x1b\x07") || !strings.Contains(errOut, "gone") {
		t.Errorf("status --verbose with escapes in a warning: %q", errOut)
	}
	if out, errOut, _ := runCmd(t, "status"); out != "✕2 ●2 !1\n" || errOut != "" {
		t.Errorf("status: %q %q", out, errOut)
	}
	out, _, _ := runCmd(t, "status", "--json")
	var sum wire.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Warnings != 1 || !slices.Equal(sum.WarningMessages, []string{disk}) {
		t.Errorf("status --json: %q (%v)", out, err)
	}
	// and the first path prints the very same
	env := []string{"XDG_RUNTIME_DIR=" + dir, "XDG_CONFIG_HOME=" + dir, "HOME=" + dir}
	if got := (statusProcess{dir, env, []string{"--json"}}.run(t)); got.out != out || !got.quick {
		t.Errorf("status --json in its own process: %q, quick path: %v", got.out, got.quick)
	}
}

// serveStatus serves the API of a daemon of four monitors, two of them
// down (db and shop), on the unix socket at path until the test ends.
func serveStatus(t *testing.T, path string) *api.Server {
	t.Helper()
	return serveStatusOf(t, path, "")
}

// serveStatusOf is serveStatus for a daemon that runs the config file
// stamped stamp (config.Config.Stamp), with each of also done to its
// engine once it runs.
func serveStatusOf(t *testing.T, path, stamp string, also ...func(*engine.Engine)) *api.Server {
	t.Helper()
	down := func(ctx context.Context, m *monitor.Monitor) monitor.Result {
		if m.Name == "db" || m.Name == "shop" {
			return monitor.Result{Status: monitor.StatusDown, Class: "refused"}
		}
		return monitor.Result{Status: monitor.StatusUp, Code: 200}
	}
	var ms []*monitor.Monitor
	for _, n := range []string{"web", "db", "api", "shop"} {
		u := "http://127.0.0.1:1/" + n
		ms = append(ms, &monitor.Monitor{Name: n, URL: u, Kind: monitor.KindHTTP, Interval: time.Hour, Timeout: time.Second})
	}
	e, err := engine.New(&engine.Config{Stamp: stamp, Settings: engine.Settings{Location: "eu"}, Monitors: ms},
		engine.Options{Checkers: map[monitor.Kind]engine.Checker{monitor.KindHTTP: statusChecker(down)}})
	if err != nil {
		t.Fatal(err)
	}
	sub := e.Subscribe()
	defer sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	for _, m := range ms {
		e.CheckNow(m.Name)
	}
	for seen := 0; seen < 4; {
		<-sub.Ready()
		evs, _ := sub.Drain()
		for _, ev := range evs {
			if ev.Kind == monitor.EventResult {
				seen++
			}
		}
	}

	for _, f := range also {
		f(e)
	}
	srv := api.New(local.New(e, local.Options{}), api.Options{Socket: path, Token: "admin", ReadOnlyToken: "view"})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

type statusChecker func(ctx context.Context, m *monitor.Monitor) monitor.Result

func (f statusChecker) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	return f(ctx, m)
}

// statusLineText is what Write writes of a range of summaries in every
// mode, after the fields a summary has (a new one, left out when empty,
// would not show in the text): what statusline.LineVersion names.
func statusLineText() []byte {
	var b bytes.Buffer
	st := reflect.TypeFor[wire.Summary]()
	for i := range st.NumField() {
		fmt.Fprintf(&b, "%s %s %s\n", st.Field(i).Name, st.Field(i).Type, st.Field(i).Tag)
	}
	for _, s := range []wire.Summary{
		{}, {Up: 40}, {Down: 2, Degraded: 1, Up: 37, Acked: 1, DownNames: []string{"db", "shop"}},
		{Up: 3, Warnings: 1, WarningMessages: []string{"history: disk full"}},
		{Location: "eu", Total: 9, Down: 1, Up: 3, Pending: 2, Maintenance: 2, Paused: 1, DownNames: []string{"<db>"}},
	} {
		for _, m := range []statusline.Mode{statusline.Plain, statusline.Tmux, statusline.Prompt, statusline.JSON} {
			statusline.Write(&b, s, m)
		}
	}
	return b.Bytes()
}

// A daemon writes the status line for atonce, which prints it only when
// the daemon's version of the line is its own: what Write writes changes
// only with LineVersion.
func TestStatusLineVersion(t *testing.T) {
	const v1 = "35b761f4e7ca9d2d" // bare.Stamp(statusLineText()) at LineVersion 1
	if got := bare.Stamp(statusLineText()); statusline.LineVersion != 1 || got != v1 {
		t.Errorf("statusline.Write writes another text (%s) or LineVersion moved (%d): "+
			"bump statusline.LineVersion and atonce.LineVersion, and record the new text's stamp here", got, statusline.LineVersion)
	}
	if atonce.LineVersion != statusline.LineVersion {
		t.Errorf("atonce prints version %d of the line, statusline writes %d", atonce.LineVersion, statusline.LineVersion)
	}
}

// A socket the config names is a unix socket's path, even one that reads
// like host:port (found in review: the full command dialled TCP).
func TestStatusConfigSocketLikeHostPort(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(dir, "nowhere"))
	t.Setenv("XDG_CONFIG_HOME", dir)
	serveStatus(t, filepath.Join(dir, "127.0.0.1:9"))
	os.WriteFile("upbeat.toml", []byte("[api]\nsocket = \"127.0.0.1:9\"\n"), 0o600)
	if out, errOut, code := runCmd(t, "status", "--verbose"); code != 0 || out != "✕2 ●2\n" {
		t.Errorf("status: exit %d, %q %q", code, out, errOut)
	}
}

// A config named on the command line that is a FIFO nobody writes to
// makes status wait no longer than its budget (found in review: it
// waited for ever, and a SIGTERM did not end it).
func TestStatusConfigFIFOKeepsTheBudget(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "config.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	t.Cleanup(func() { // a writer that comes and goes lets the abandoned open return
		if fd, err := syscall.Open(fifo, syscall.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			syscall.Close(fd)
		}
	})
	t.Setenv("XDG_RUNTIME_DIR", dir)
	within(t, "status --config FIFO", func() {
		if out, errOut, code := runCmd(t, "status", "--config", fifo, "--timeout", "200ms", "--verbose"); out != "" || code != exitDown ||
			!strings.Contains(errOut, "no answer in time") {
			t.Errorf("status --config FIFO: exit %d, %q %q", code, out, errOut)
		}
	})
}

// A daemon that never answers is named as such by --verbose, not taken
// for a config still being read (found in review).
func TestStatusVerboseNamesASilentDaemon(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "upbeat.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accepts, never answers
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	if _, errOut, code := runCmd(t, "status", "--addr", sock, "--timeout", "100ms", "--verbose"); code != exitDown ||
		!strings.Contains(errOut, sock) || strings.Contains(errOut, "still reading") {
		t.Errorf("status --verbose against a silent daemon: exit %d, %q", code, errOut)
	}
}
