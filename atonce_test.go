//go:build linux && (amd64 || arm64)

package main

import (
	"bufio"
	"fmt"
	"go/build"
	"io"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"early.upbeat.invalid/atonce"
	"early.upbeat.invalid/bare"
	"early.upbeat.invalid/paths"
	"early.upbeat.invalid/statusline"
	"github.com/upbeat-monitor/upbeat/config"
)

// which names the path that answered a statusRun.
func (r statusRun) which() string {
	switch {
	case r.first:
		return "atonce"
	case r.quick:
		return "quickstatus"
	}
	return "main"
}

// stampOf is the stamp of the config file p as the daemon loads it.
func stampOf(t *testing.T, p string) string {
	t.Helper()
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if cfg.Stamp == "" {
		t.Fatalf("%s: no stamp", p)
	}
	return cfg.Stamp
}

// `upbeat status` is answered in the first package init of all (atonce)
// wherever it can be sure of the full command's answer: with no config,
// or with one that the daemon on the socket it names says it runs. It
// prints then what the full command prints, in every mode; elsewhere it
// leaves the answer to quickstatus or main.
func TestAtOnceStatusAnswersAsTheFullCommand(t *testing.T) {
	root := t.TempDir()
	dir := func(name string) string {
		d := filepath.Join(root, name)
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		return d
	}
	config := func(name, text string) (string, string) {
		d := dir(name)
		p := filepath.Join(d, "upbeat.toml")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return d, p
	}
	run, nowhere, noConfig, home := dir("run"), filepath.Join(root, "nowhere"), dir("noconfig"), dir("home")
	serveStatus(t, filepath.Join(run, "upbeat.sock")) // a daemon without a config file, on the default socket

	// daemons that run the config naming them
	noAPIDir, noAPI := config("noapi", "[settings]\nlocation = \"eu\"\n")
	run2 := dir("run2")
	serveStatusOf(t, filepath.Join(run2, "upbeat.sock"), stampOf(t, noAPI))
	relDir, rel := config("rel", "[api]\nsocket = \"../rel-run/upbeat.sock\"\n")
	relSock := filepath.Join(dir("rel-run"), "upbeat.sock")
	serveStatusOf(t, relSock, stampOf(t, rel))
	homeDir, fromHome := config("fromhome", "[api]\nsocket = \"~/sock/upbeat.sock\" # in $HOME\n")
	serveStatusOf(t, filepath.Join(dir("home/sock"), "upbeat.sock"), stampOf(t, fromHome))
	xdgSock := filepath.Join(dir("xdg-run"), "upbeat.sock")
	dir("xdg/upbeat")
	xdgConfig := filepath.Join(root, "xdg", "upbeat", "config.toml")
	os.WriteFile(xdgConfig, []byte("[api]\nsocket = "+strconv.Quote(xdgSock)+"\n"), 0o600)
	serveStatusOf(t, xdgSock, stampOf(t, xdgConfig))

	// configs that name another config's daemon, or none
	otherDir, _ := config("other", "[api]\nsocket = "+strconv.Quote(relSock)+"\n")
	brokenDir, _ := config("broken", "[api]\nsocket = "+strconv.Quote(relSock)+"\n[settings]\ninterval = 5s # not TOML: no quotes\n")
	varDir, _ := config("var", "[api]\nsocket = \"${RUN}/upbeat.sock\"\n")
	apisDir, _ := config("apis", "[[api]]\nsocket = \"/nonexistent/upbeat.sock\"\n")
	goneDir, _ := config("gone", "[api]\nsocket = \"/nonexistent/upbeat.sock\"\n")
	t.Setenv("RUN", run)

	const line = "✕2 ●2\n"
	tmuxLine := "#[fg=red,bold]✕2#[default] #[fg=green]●2#[default]\n"
	jsonLine := `{"location":"eu","total":4,"down":2,"degraded":0,"up":2,"pending":0,"maintenance":0,"paused":0,"acked":0,"down_monitors":["db","shop"],"warnings":0}` + "\n"
	cases := []struct {
		name       string
		dir        string // working directory
		runtimeDir string // $XDG_RUNTIME_DIR: where the default socket is
		configHome string // $XDG_CONFIG_HOME
		args       []string
		want       string
		which      string // the path that answers
	}{
		{"plain", noConfig, run, noConfig, nil, line, "atonce"},
		{"tmux", noConfig, run, noConfig, []string{"--tmux"}, tmuxLine, "atonce"},
		{"prompt", noConfig, run, noConfig, []string{"-prompt"}, "✕2 \n", "atonce"},
		{"json", noConfig, run, noConfig, []string{"--json"}, jsonLine, "atonce"},
		{"no daemon", noConfig, nowhere, noConfig, []string{"--tmux"}, "", "atonce"},
		{"config without [api]", noAPIDir, run2, noConfig, nil, line, "atonce"},
		{"relative socket", relDir, nowhere, noConfig, []string{"--tmux"}, tmuxLine, "atonce"},
		{"socket from home", homeDir, nowhere, noConfig, nil, line, "atonce"},
		{"xdg config", noConfig, nowhere, filepath.Join(root, "xdg"), nil, line, "atonce"},
		{"--config", noConfig, nowhere, noConfig, []string{"--config", xdgConfig, "--json"}, jsonLine, "atonce"},
		{"-config=", noConfig, nowhere, noConfig, []string{"-config=" + xdgConfig}, line, "atonce"},
		// the daemon there runs another config: only a parse tells this one is TOML
		{"another config's daemon", otherDir, nowhere, noConfig, nil, line, "quickstatus"},
		// which it is not: the full command asks the default sockets, and prints nothing
		{"broken config", brokenDir, nowhere, noConfig, nil, "", "main"},
		{"broken config, a daemon on the default socket", brokenDir, run, noConfig, nil, line, "main"},
		{"no daemon where the config says", goneDir, run, noConfig, nil, "", "quickstatus"},
		// nor anywhere else: only a parse of the config is sure of where it says
		{"no daemon where the config says, nor elsewhere", goneDir, nowhere, noConfig, nil, "", "quickstatus"},
		{"${VAR}", varDir, nowhere, noConfig, nil, line, "main"},
		{"[[api]]", apisDir, run, noConfig, nil, line, "main"},
		{"--verbose", noConfig, run, noConfig, []string{"--verbose"}, line, "main"},
		{"--addr", noConfig, nowhere, noConfig, []string{"--addr", filepath.Join(run, "upbeat.sock")}, line, "main"},
		{"two modes", noConfig, run, noConfig, []string{"--tmux", "--json"}, "", "main"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := []string{"XDG_RUNTIME_DIR=" + c.runtimeDir, "XDG_CONFIG_HOME=" + c.configHome, "HOME=" + home, "RUN=" + run}
			got := statusProcess{c.dir, env, c.args}.run(t)
			t.Chdir(c.dir)
			t.Setenv("XDG_RUNTIME_DIR", c.runtimeDir)
			t.Setenv("XDG_CONFIG_HOME", c.configHome)
			t.Setenv("HOME", home)
			full, _, _ := runCmd(t, append([]string{"status"}, c.args...)...)
			if got.out != full || full != c.want || got.which() != c.which {
				t.Errorf("%s answered %q; the full command %q; want %q from %s", got.which(), got.out, full, c.want, c.which)
			}
		})
	}
}

// atonce reads a reply as the full command would, or leaves it to the
// paths after it: it prints only the line written in the asked format and
// its own version of the line, by the daemon of a config of the same text
// as the one found, whole, from a head Go's HTTP client reads alike. A
// reply it cannot read is not taken for no daemon.
func TestAtOnceReadsReplies(t *testing.T) {
	root := t.TempDir()
	const line = "✕2 ●2\n"
	json := `{"total":4,"down":2,"degraded":0,"up":2,"pending":0,"maintenance":0,"paused":0,"acked":0,"down_monitors":["db","shop"],"warnings":0}`
	head := func(status, stamp string, more ...string) string {
		h := status + "\r\nUpbeat-Format: plain; v=" + strconv.Itoa(atonce.LineVersion) + "\r\nUpbeat-Config-Stamp: " + stamp + "\r\n"
		for _, m := range more {
			h += m + "\r\n"
		}
		return h + "\r\n"
	}
	cases := []struct {
		name  string
		reply func(stamp string) string
		want  string
		which string
	}{
		{"length, kept open", func(s string) string {
			return head("HTTP/1.1 200 OK", s, "Content-Length: "+strconv.Itoa(len(line))) + line
		}, line, "atonce"},
		{"to the close", func(s string) string { return head("HTTP/1.0 200 OK", s) + line }, line, "atonce"},
		{"names in any case, a header twice", func(s string) string {
			return "HTTP/1.0 200 OK\r\nupbeat-format: plain; v=1\r\nUPBEAT-CONFIG-STAMP:" + s + "\r\nVary: a\r\nVary: b\r\n\r\n" + line
		}, line, "atonce"},
		// an older daemon, which knows no format: quickstatus reads its JSON
		{"JSON", func(string) string { return "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + json }, line, "quickstatus"},
		// nor is a line of another version printed: the daemon's text may not be this binary's
		{"another version of the line", func(s string) string {
			return strings.Replace(head("HTTP/1.0 200 OK", s), "v=1", "v=2", 1) + "✕2 ●2 new\n"
		}, "", "quickstatus"},
		{"another config", func(string) string { return head("HTTP/1.0 200 OK", "0123456789abcdef") + line }, "", "quickstatus"},
		{"no stamp", func(string) string { return "HTTP/1.0 200 OK\r\nUpbeat-Format: plain; v=1\r\n\r\n" + line }, "", "quickstatus"},
		{"another format", func(s string) string { return strings.Replace(head("HTTP/1.0 200 OK", s), "plain", "tmux", 1) + line }, "", "quickstatus"},
		{"the stamp twice", func(s string) string {
			return head("HTTP/1.0 200 OK", s, "Upbeat-Config-Stamp: "+s) + line
		}, "", "quickstatus"},
		{"cut short", func(s string) string { return head("HTTP/1.1 200 OK", s, "Content-Length: 100") + line }, "", "quickstatus"},
		{"chunked", func(s string) string {
			return fmt.Sprintf("%s%x\r\n%s\r\n0\r\n\r\n", head("HTTP/1.1 200 OK", s, "Transfer-Encoding: chunked"), len(line), line)
		}, "", "main"},
		{"a status of four digits", func(s string) string { return head("HTTP/1.1 2000 OK", s) + line }, "", "quickstatus"},
		{"error status", func(s string) string {
			return "HTTP/1.0 500 Internal Server Error\r\nUpbeat-Config-Stamp: " + s + "\r\n\r\n{\"error\":\"broken\"}"
		}, "", "quickstatus"},
		{"not HTTP", func(string) string { return "SSH-2.0-OpenSSH_9.2\r\n\r\n" }, "", "main"},
		{"too large", func(s string) string {
			return head("HTTP/1.0 200 OK", s) + strings.Repeat("✕", statusline.MaxSummary/3+1)
		}, "", "quickstatus"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sock := filepath.Join(root, strconv.Itoa(i)+".sock")
			cfg := filepath.Join(root, strconv.Itoa(i)+".toml")
			os.WriteFile(cfg, []byte("[api]\nsocket = "+strconv.Quote(sock)+"\n"), 0o600)
			ln, err := net.Listen("unix", sock)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ln.Close() })
			go serveReply(ln, c.reply(stampOf(t, cfg)), strings.Contains(c.name, "kept open"))
			env := []string{"XDG_RUNTIME_DIR=" + filepath.Join(root, "nowhere"), "XDG_CONFIG_HOME=" + root, "HOME=" + root}
			got := statusProcess{root, env, []string{"--config", cfg}}.run(t)
			if got.out != c.want || got.which() != c.which {
				t.Errorf("%s answered %q; want %q from %s", got.which(), got.out, c.want, c.which)
			}
		})
	}
}

// A real daemon says the stamp of the config it runs, so `upbeat status`
// beside its config is answered at once; a write to the config leaves the
// answer to the full parse until the daemon has reloaded it.
func TestAtOnceStatusOfARealDaemon(t *testing.T) {
	d := startDaemon(t, "a", "", "", "[[monitor]]\nname = \"db\"\nurl = \"http://127.0.0.1:1/\"\ninterval = \"1h\"\n", nil)
	env := []string{"XDG_RUNTIME_DIR=" + filepath.Join(d.dir, "nowhere"), "XDG_CONFIG_HOME=" + d.dir, "HOME=" + d.dir}
	status := func() statusRun { return statusProcess{d.dir, env, []string{"--tmux"}}.run(t) }
	got, full := status(), statusProcess{d.dir, env, []string{"--tmux", "--verbose"}}.run(t)
	if got.out == "" || got.out != full.out || got.which() != "atonce" {
		t.Fatalf("%s answered %q; the full command %q", got.which(), got.out, full.out)
	}
	// the same text written again: another stamp, until the daemon reloads
	cfg := filepath.Join(d.dir, "upbeat.toml")
	text, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(text, "\n# edited\n"...), 0o600)
	if again := status(); again.out != got.out {
		t.Errorf("just after the write: %s answered %q", again.which(), again.out)
	}
	waitFor(t, "the reload", func() bool { return strings.Contains(d.log.String(), "config reloaded") })
	if again := status(); again.out != got.out || again.which() != "atonce" {
		t.Errorf("after the reload: %s answered %q", again.which(), again.out)
	}
}

// --version is answered in the first package init of all.
func TestAtOnceVersion(t *testing.T) {
	t.Parallel()
	for _, arg := range []string{"--version", "-version", "version"} {
		r := runTraced(t, "", nil, arg, "ignored")
		if r.out != "upbeat "+versionString()+"\n" || !r.first {
			t.Errorf("%s: %q, answered first: %v", arg, r.out, r.first)
		}
	}
}

// The limits atonce keeps are statusline's.
func TestAtOnceLimits(t *testing.T) {
	if atonce.Timeout != statusline.Timeout.Nanoseconds() || atonce.MaxReply != 2*statusline.MaxSummary {
		t.Errorf("atonce: %v, %d; statusline: %v, %d", atonce.Timeout, atonce.MaxReply, statusline.Timeout, statusline.MaxSummary)
	}
	if paths.SystemSocket != "/run/upbeat/upbeat.sock" {
		t.Errorf("atonce asks /run/upbeat/upbeat.sock, paths %s", paths.SystemSocket)
	}
}

// bare's helpers are the standard library's, for what atonce asks of them.
func TestBareIsTheStandardLibrary(t *testing.T) {
	for _, n := range []int{0, 7, -7, 10, 1234567890, -1 << 63, 1<<63 - 1} {
		if bare.Itoa(n) != strconv.Itoa(n) {
			t.Errorf("Itoa(%d) = %q", n, bare.Itoa(n))
		}
	}
	if bare.Utoa(1<<64-1) != "18446744073709551615" {
		t.Errorf("Utoa(max) = %q", bare.Utoa(1<<64-1))
	}
	for _, s := range []string{"0", "42", "007", "", "-1", "+1", "1x", "999999999999999999", "9999999999999999999"} {
		n, ok := bare.Atoi(s)
		want, err := strconv.Atoi(s)
		if plain := err == nil && s[0] != '-' && s[0] != '+' && len(s) <= 18; ok != plain || ok && n != want {
			t.Errorf("Atoi(%q) = %d, %v", s, n, ok)
		}
	}
	env := []string{"A=1", "HOME=/h", "HOME=/second", "HOMER=x", "B"}
	for key, want := range map[string]string{"HOME": "/h", "HOMER": "x", "B": "", "C": ""} {
		if got := bare.Getenv(env, key); got != want {
			t.Errorf("Getenv(%s) = %q", key, got)
		}
	}
	if bare.Trim(" \tx y\t ") != "x y" {
		t.Error("Trim")
	}
}

// Clean, Join and Dir are package path's, whatever the path.
func FuzzBarePaths(f *testing.F) {
	for _, p := range []string{"", ".", "..", "/", "//", "/..", "../..", "a/../..", "/a/b/../../..", "./a//b/", "~/x", "a/./b/.", "../a/../b", "/tmp/", "x/.."} {
		f.Add(p, "upbeat.sock")
		f.Add(p, "../"+p)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got := bare.Clean(a); got != path.Clean(a) {
			t.Errorf("Clean(%q) = %q, want %q", a, got, path.Clean(a))
		}
		if got := bare.Join(a, b); got != path.Join(a, b) {
			t.Errorf("Join(%q, %q) = %q, want %q", a, b, got, path.Join(a, b))
		}
		if got := bare.Dir(a); got != path.Dir(a) {
			t.Errorf("Dir(%q) = %q, want %q", a, got, path.Dir(a))
		}
		if got, want := bare.Index(a, b), strings.Index(a, b); got != want || bare.HasPrefix(a, b) != strings.HasPrefix(a, b) {
			t.Errorf("Index(%q, %q) = %d, want %d", a, b, got, want)
		}
	})
}

// What atonce imports imports nothing, or Go would run their
// dependencies' inits, and every package's ready before them, first.
func TestAtOnceImportsNothing(t *testing.T) {
	allowed := map[string]bool{"unsafe": true}
	for _, pkg := range []string{"atonce", "bare", "buildinfo", "tomlscan"} {
		allowed["early.upbeat.invalid/"+pkg] = true
	}
	for _, pkg := range []string{"atonce", "bare", "buildinfo", "tomlscan"} {
		bp, err := build.ImportDir(filepath.Join("internal", "early", pkg), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range bp.Imports {
			if !allowed[imp] {
				t.Errorf("%s imports %s", pkg, imp)
			}
		}
	}
}

// Printing to a pipe nobody reads, atonce dies of SIGPIPE as a Go program
// writing to it would (a shell's pipefail sees it); to an output that
// cannot take it yet, it waits.
func TestAtOnceWritesAsOsStdout(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	cmd := exec.Command(os.Args[0], "--version")
	cmd.Stdout = w
	err = cmd.Run()
	w.Close()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
		t.Errorf("--version to a closed pipe: %v, want death by SIGPIPE", err)
	}

	// a non-blocking pipe already full: raw descriptors, since os/exec
	// would make the pipe blocking again as it hands it over
	if _, err := os.ReadFile("/proc/self/syscall"); err != nil {
		t.Skipf("no /proc/PID/syscall to tell when the child waits: %v", err)
	}
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_NONBLOCK|syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := syscall.Write(p[1], make([]byte, 4096)); err != nil {
			break
		}
	}
	pid, err := syscall.ForkExec(os.Args[0], []string{os.Args[0], "--version"},
		&syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, uintptr(p[1]), 2}})
	syscall.Close(p[1])
	if err != nil {
		t.Fatal(err)
	}
	reaped := false
	t.Cleanup(func() { // a child left waiting when the test fails
		if !reaped {
			syscall.Kill(pid, syscall.SIGKILL)
			syscall.Wait4(pid, nil, 0, nil)
		}
	})
	waitFor(t, "the child waiting on its output, or gone", func() bool {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/syscall", pid))
		n, _, _ := strings.Cut(string(b), " ")
		st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		_, state, _ := strings.Cut(string(st), ") ")
		return n == strconv.Itoa(sysPpoll) || strings.HasPrefix(state, "Z") || len(st) == 0
	})
	out, err := io.ReadAll(os.NewFile(uintptr(p[0]), "pipe"))
	syscall.Wait4(pid, &ws, 0, nil)
	reaped = true
	if want := "upbeat " + versionString() + "\n"; err != nil || !ws.Exited() || ws.ExitStatus() != 0 || !strings.HasSuffix(string(out), want) {
		t.Errorf("--version to a full non-blocking pipe: %v, %q (%v), want it to end in %q", ws, out[max(0, len(out)-40):], err, want)
	}
}

// The paths after atonce keep to what is left of its time budget: a slow
// daemon too old to write the line costs one wait, not one for each path.
func TestStatusKeepsOneBudget(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	sock := filepath.Join(root, "upbeat.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				bufio.NewReader(conn).ReadString('\n')
				time.Sleep(statusline.Timeout * 2 / 3) // the slow daemon, not the test, waits
				io.WriteString(conn, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"down\":1,\"down_monitors\":[\"db\"]}")
			}()
		}
	}()
	env := []string{"XDG_RUNTIME_DIR=" + root, "XDG_CONFIG_HOME=" + root, "HOME=" + root}
	// atonce waits 2/3 of the budget for JSON it leaves to quickstatus,
	// which has a third left: too little for another answer (a slow start
	// may leave atonce itself too little, and it says nothing then)
	if got := (statusProcess{root, env, nil}.run(t)); got.out != "" || got.which() == "main" {
		t.Errorf("%s answered %q; want nothing, before main", got.which(), got.out)
	}
}

// An environment too large for atonce to read whole leaves the answer to
// the paths after it, which read it as Go does: without it, atonce would
// look for the daemon where the full command does not (found in review).
func TestAtOnceLeavesAHugeEnvironment(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	serveStatus(t, filepath.Join(root, "upbeat.sock"))
	env := []string{"XDG_RUNTIME_DIR=" + root, "XDG_CONFIG_HOME=" + root, "HOME=" + root}
	for i := range 9 { // each under the kernel's 128 KB a string, 1.1 MB in all
		env = append(env, fmt.Sprintf("UPBEAT_TEST_BULK%d=%s", i, strings.Repeat("x", 120<<10)))
	}
	if got := (statusProcess{root, env, nil}.run(t)); got.out != "✕2 ●2\n" || got.which() == "atonce" {
		t.Errorf("%s answered %q; want the line, after atonce", got.which(), got.out)
	}
}
