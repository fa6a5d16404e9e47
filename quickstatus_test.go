package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"early.upbeat.invalid/statusline"
)

// statusProcess is one run of `upbeat status` as its own process: this
// test binary, which links the quick path as the upbeat binary does (and
// runs the full command from TestMain when the quick path declines).
type statusProcess struct {
	dir  string   // working directory
	env  []string // on top of this process's environment
	args []string // after "status"
}

// statusRun is what a statusProcess printed and which path answered, as
// Go's inittrace shows: quickstatus, when the net package (which
// everything before main initialises) never was; atonce, the first init
// of all, when the os package never was either.
type statusRun struct {
	out   string
	code  int
	quick bool
	first bool
}

var initNet, initOS = regexp.MustCompile(`(?m)^init net @`), regexp.MustCompile(`(?m)^init os @`)

func (p statusProcess) run(t *testing.T) statusRun {
	t.Helper()
	return runTraced(t, p.dir, p.env, append([]string{"status"}, p.args...)...)
}

// runTraced runs this test binary as the upbeat binary with args, in dir
// (when not ""), env on top of this process's environment and Go's
// inittrace on.
func runTraced(t *testing.T, dir string, env []string, args ...string) statusRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"GODEBUG=inittrace=1"}, env...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%v: %v", args, err)
	}
	return statusRun{out: out.String(), code: cmd.ProcessState.ExitCode(), quick: !initNet.Match(errOut.Bytes()),
		first: !initOS.Match(errOut.Bytes())}
}

// runStatusAsMain is TestMain's part for a process started by
// statusProcess that the quick path declined: the full command, as main
// runs it.
func runStatusAsMain() {
	if len(os.Args) < 2 || os.Args[1] != "status" {
		return
	}
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, lookupEnv: os.LookupEnv}
	os.Exit(run(context.Background(), e, os.Args[1:]))
}

// The quick path (statusline.Quick) answers `upbeat status` as the full
// command does: the same line in every mode, from the socket the config
// names (relative to the config, from ~, in the XDG config, with
// --config) or the default one, and nothing when no daemon answers. What
// it cannot read as the full command would (${VAR} in the socket, a config
// too deeply nested or missing, a named address) it leaves to the full
// command. Both run in this process; TestQuickStatusRunsFirst shows the
// quick path wired into the start of the binary.
func TestQuickStatusAnswersAsTheFullCommand(t *testing.T) {
	root := t.TempDir()
	run := filepath.Join(root, "run")
	sock := filepath.Join(run, "upbeat.sock")
	nowhere, noConfig, xdg := filepath.Join(root, "nowhere"), filepath.Join(root, "noconfig"), filepath.Join(root, "xdg")
	for _, d := range []string{run, nowhere, noConfig, filepath.Join(xdg, "upbeat")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	serveStatus(t, sock)
	config := func(name, text string) string {
		dir := filepath.Join(root, name)
		os.MkdirAll(dir, 0o700)
		if err := os.WriteFile(filepath.Join(dir, "upbeat.toml"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	xdgConfig := filepath.Join(xdg, "upbeat", "config.toml")
	os.WriteFile(xdgConfig, []byte("[api]\nsocket = "+strconv.Quote(sock)+"\n"), 0o600)
	t.Setenv("HOME", root)
	t.Setenv("RUN", run)

	const line = "✕2 ●2\n"
	tmuxLine := "#[fg=red,bold]✕2#[default] #[fg=green]●2#[default]\n"
	cases := []struct {
		name       string
		dir        string // working directory
		runtimeDir string // $XDG_RUNTIME_DIR: where the default socket is
		configHome string // $XDG_CONFIG_HOME
		args       []string
		want       string
		quick      bool
	}{
		{"plain", noConfig, run, noConfig, nil, line, true},
		{"tmux", noConfig, run, noConfig, []string{"--tmux"}, tmuxLine, true},
		{"prompt", noConfig, run, noConfig, []string{"-prompt"}, "✕2 \n", true},
		{"no daemon", noConfig, nowhere, noConfig, []string{"--tmux"}, "", true},
		{"relative socket", config("rel", "[api]\nsocket = \"../run/upbeat.sock\"\n"), nowhere, noConfig, nil, line, true},
		{"socket from home", config("home", "[api]\nsocket = \"~/run/upbeat.sock\"\n"), nowhere, noConfig, nil, line, true},
		{"xdg config", noConfig, nowhere, xdg, nil, line, true},
		{"--config", noConfig, nowhere, noConfig, []string{"--tmux", "--config", xdgConfig}, tmuxLine, true},
		{"-config=", noConfig, nowhere, noConfig, []string{"-config=" + xdgConfig}, line, true},
		// the config's socket is the only one asked, even with a daemon on the default one
		{"config elsewhere", config("other", "[api]\nsocket = \"/nonexistent/upbeat.sock\"\n"), run, noConfig, nil, "", true},
		{"${VAR}", config("var", "[api]\nsocket = \"${RUN}/upbeat.sock\"\n"), nowhere, noConfig, nil, line, false},
		{"too deep", config("deep", "a = "+strings.Repeat("[", 100)+"1"+strings.Repeat("]", 100)+"\n"), run, noConfig, nil, line, false},
		// only the socket counts: a token only the daemon's environment has is no matter
		{"unset token", config("token", "[api]\nsocket = \"../run/upbeat.sock\"\ntoken = \"${UPBEAT_TEST_UNSET}\"\n[fleet]\ntoken = \"${UPBEAT_TEST_UNSET}\"\n"),
			nowhere, noConfig, nil, line, true},
		{"unset token elsewhere", config("token2", "[api]\nsocket = \"/nonexistent/upbeat.sock\"\ntoken = \"${UPBEAT_TEST_UNSET}\"\n"), run, noConfig, nil, "", true},
		{"[[api]]", noConfig, run, noConfig, []string{"--config", filepath.Join(config("apis", "[[api]]\nsocket = \"/nonexistent/upbeat.sock\"\n"), "upbeat.toml")}, "", false},
		{"[[api]] found", filepath.Join(root, "apis"), run, noConfig, nil, line, false},
		{"no such config", noConfig, run, noConfig, []string{"--config", filepath.Join(root, "none.toml")}, "", false},
		{"--addr", noConfig, nowhere, noConfig, []string{"--addr", sock}, line, false},
		{"--verbose", noConfig, run, noConfig, []string{"--verbose"}, line, false},
		{"two modes", noConfig, run, noConfig, []string{"--tmux", "--json"}, "", false},
		{"a name", noConfig, run, noConfig, []string{"tmux"}, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(c.dir)
			t.Setenv("XDG_RUNTIME_DIR", c.runtimeDir)
			t.Setenv("XDG_CONFIG_HOME", c.configHome)
			var quick bytes.Buffer
			_, done := statusline.Quick(c.args, &quick)
			full, _, _ := runCmd(t, append([]string{"status"}, c.args...)...)
			if done != c.quick || full != c.want || (done && quick.String() != full) {
				t.Errorf("quick path answered: %v, %q; full command: %q; want %q from the full command, quick path: %v",
					done, quick.String(), full, c.want, c.quick)
			}
		})
	}

	// --json: the very bytes the full command prints
	t.Chdir(noConfig)
	t.Setenv("XDG_RUNTIME_DIR", run)
	t.Setenv("XDG_CONFIG_HOME", noConfig)
	var quick bytes.Buffer
	statusline.Quick([]string{"--json"}, &quick)
	full, _, _ := runCmd(t, "status", "--json")
	if quick.String() != full || !strings.Contains(full, `"down_monitors":["db","shop"]`) {
		t.Errorf("--json: quick path %q, full command %q", quick.String(), full)
	}
}

// The upbeat binary answers `upbeat status` in the init of quickstatus,
// before most packages (net among them) are initialised, and runs the full
// command when the quick path declines. This test binary links the same
// packages, and its TestMain runs the full command as main does.
func TestQuickStatusRunsFirst(t *testing.T) {
	root := t.TempDir()
	serveStatus(t, filepath.Join(root, "upbeat.sock"))
	env := []string{"XDG_RUNTIME_DIR=" + root, "XDG_CONFIG_HOME=" + root, "HOME=" + root}
	quick := statusProcess{root, env, []string{"--tmux"}}.run(t)
	full := statusProcess{root, env, []string{"--tmux", "--verbose"}}.run(t)
	want := "#[fg=red,bold]✕2#[default] #[fg=green]●2#[default]\n"
	if quick.out != want || quick.code != 0 || !quick.quick {
		t.Errorf("status --tmux: exit %d, %q, answered before net was initialised: %v", quick.code, quick.out, quick.quick)
	}
	if full.out != want || full.code != 0 || full.quick {
		t.Errorf("status --tmux --verbose: exit %d, %q, answered before net was initialised: %v", full.code, full.out, full.quick)
	}
}

// within fails the test when f has not returned in a minute: the status
// line must never wait on a file forever.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%s: still waiting after a minute", what)
	}
}

// A config that is a pipe can be read only once: the quick path leaves it
// to the full command. A FIFO where a config is looked for unnamed is
// passed over by both, which would otherwise wait for a writer (a prompt
// in a directory where someone left one).
func TestQuickStatusAndPipes(t *testing.T) {
	root := t.TempDir()
	sock := filepath.Join(root, "upbeat.sock")
	serveStatus(t, sock)
	fifo := filepath.Join(root, "config.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	go func() { // one writer: the first reader gets the config
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			fmt.Fprintf(f, "[api]\nsocket = %q\n", sock)
			f.Close()
		}
	}()
	t.Chdir(root)
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(root, "nowhere"))
	t.Setenv("XDG_CONFIG_HOME", root)
	within(t, "status --config FIFO", func() {
		var quick bytes.Buffer
		if _, done := statusline.Quick([]string{"--config", fifo}, &quick); done {
			t.Errorf("the quick path answered %q from a pipe", quick.String())
		}
		if full, _, _ := runCmd(t, "status", "--config", fifo); full != "✕2 ●2\n" {
			t.Errorf("status --config FIFO: %q", full)
		}
	})

	if err := syscall.Mkfifo(filepath.Join(root, "upbeat.toml"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", root) // the daemon is on the default socket
	within(t, "status with a FIFO for ./upbeat.toml", func() {
		var quick bytes.Buffer
		_, done := statusline.Quick(nil, &quick)
		full, _, _ := runCmd(t, "status")
		if !done || quick.String() != "✕2 ●2\n" || full != quick.String() {
			t.Errorf("quick path answered: %v, %q; full command %q", done, quick.String(), full)
		}
	})
}

// The quick path reads a reply as the full command's HTTP client does, or
// leaves it to it: a body of the length the head gives, on a connection
// kept open, or to the close, its first JSON value; an error status, or a
// value cut short or too large give nothing; an encoded body or an interim status go to the full
// command.
func TestQuickStatusReadsRepliesAsTheFullCommand(t *testing.T) {
	root := t.TempDir()
	body := `{"total":4,"down":2,"degraded":0,"up":2,"pending":0,"maintenance":0,"paused":0,"acked":0,"down_monitors":["db","shop"],"warnings":0}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(body))
	zw.Close()
	big := `{"down":1,"down_monitors":[` + strings.Repeat(`"a-monitor-with-a-long-name",`, statusline.MaxSummary/28+1) + `"last"]}`
	length := func(b string) string { return "Content-Length: " + strconv.Itoa(len(b)) + "\r\n\r\n" + b }
	const line = "✕2 ●2\n"
	cases := []struct {
		name     string
		reply    string
		keepOpen bool
		want     string
		quick    bool
	}{
		{"length, kept open", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + length(body), true, line, true},
		{"to the close", "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + body + "\n", false, line, true},
		{"chunked", fmt.Sprintf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(body), body), false, line, false},
		{"gzip", "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n" + length(gz.String()), false, line, false},
		{"interim status", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n" + length(body), false, line, false},
		{"error status", "HTTP/1.0 500 Internal Server Error\r\n\r\n{\"error\":\"broken\"}", false, "", true},
		{"cut short after the value", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + body, false, line, true},
		{"cut short in the value", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + body[:40], false, "", true},
		{"too large", "HTTP/1.0 200 OK\r\n\r\n" + big, false, "", true},
	}
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(root, "nowhere"))
	t.Setenv("XDG_CONFIG_HOME", root)
	t.Chdir(root)
	for i, c := range cases {
		sock := filepath.Join(root, strconv.Itoa(i)+".sock")
		ln, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go serveReply(ln, c.reply, c.keepOpen)
		cfg := filepath.Join(root, strconv.Itoa(i)+".toml")
		os.WriteFile(cfg, []byte("[api]\nsocket = "+strconv.Quote(sock)+"\n"), 0o600)
		t.Run(c.name, func(t *testing.T) {
			var quick bytes.Buffer
			_, done := statusline.Quick([]string{"--config", cfg}, &quick)
			full, _, _ := runCmd(t, "status", "--config", cfg)
			if done != c.quick || full != c.want || (done && quick.String() != full) {
				t.Errorf("quick path answered: %v, %q; full command: %q; want %q from the full command, quick path: %v",
					done, quick.String(), full, c.want, c.quick)
			}
		})
	}
}

// serveReply answers every request on ln with reply, then closes the
// connection, or waits for the client to close it.
func serveReply(ln net.Listener, reply string, keepOpen bool) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			r := bufio.NewReader(conn)
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == "\r\n" {
					break
				}
			}
			io.WriteString(conn, reply)
			if keepOpen {
				io.Copy(io.Discard, r)
			}
		}()
	}
}
