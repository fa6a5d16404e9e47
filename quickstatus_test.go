package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// statusProcess is one run of `upbeat status` as its own process: this
// test binary, which links the quick path as the upbeat binary does (and
// runs the full command from TestMain when the quick path declines).
type statusProcess struct {
	dir  string   // working directory
	env  []string // on top of this process's environment
	args []string // after "status"
}

// statusRun is what a statusProcess printed and whether the quick path
// answered: Go's inittrace shows that the net package, which everything
// before main initialises, never was.
type statusRun struct {
	out   string
	code  int
	quick bool
}

var initNet = regexp.MustCompile(`(?m)^init net @`)

func (p statusProcess) run(t *testing.T) statusRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"status"}, p.args...)...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), append([]string{"GODEBUG=inittrace=1"}, p.env...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Errorf("status %v: %v", p.args, err) // not Fatal: runs in its own goroutine
		return statusRun{code: -1}
	}
	return statusRun{out: out.String(), code: cmd.ProcessState.ExitCode(), quick: !initNet.Match(errOut.Bytes())}
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

// The quick path (internal/early/statusline) answers `upbeat status`
// before the rest of upbeat initialises, as the full command would: the
// same line in every mode, from the socket the config names (relative to
// the config, from ~, in the XDG config) or the default one, and nothing
// when no daemon answers. What it cannot read as the full command would
// (${VAR} in the socket, a config too deeply nested or missing, a named
// address) it leaves to the full command, which still answers.
func TestQuickStatusAnswersAsTheFullCommand(t *testing.T) {
	root := t.TempDir()
	run := filepath.Join(root, "run")
	sock := filepath.Join(run, "upbeat.sock")
	nowhere, noConfig := filepath.Join(root, "nowhere"), filepath.Join(root, "noconfig")
	for _, d := range []string{run, nowhere, noConfig, filepath.Join(root, "xdg", "upbeat")} {
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
	base := []string{"HOME=" + root, "XDG_CONFIG_HOME=" + noConfig}
	onDefault := append([]string{"XDG_RUNTIME_DIR=" + run}, base...)
	elsewhere := append([]string{"XDG_RUNTIME_DIR=" + nowhere}, base...)
	os.WriteFile(filepath.Join(root, "xdg", "upbeat", "config.toml"), []byte("[api]\nsocket = "+strconv.Quote(sock)+"\n"), 0o600)

	const line = "✕2 ●2\n"
	cases := []struct {
		name  string
		p     statusProcess
		want  string
		quick bool
	}{
		{"plain", statusProcess{noConfig, onDefault, nil}, line, true},
		{"tmux", statusProcess{noConfig, onDefault, []string{"--tmux"}}, "#[fg=red,bold]✕2#[default] #[fg=green]●2#[default]\n", true},
		{"prompt", statusProcess{noConfig, onDefault, []string{"-prompt"}}, "✕2 \n", true},
		{"no daemon", statusProcess{noConfig, elsewhere, []string{"--tmux"}}, "", true},
		{"relative socket", statusProcess{config("rel", "[api]\nsocket = \"../run/upbeat.sock\"\n"), elsewhere, nil}, line, true},
		{"socket from home", statusProcess{config("home", "[api]\nsocket = \"~/run/upbeat.sock\"\n"), elsewhere, nil}, line, true},
		{"--config", statusProcess{noConfig, elsewhere, []string{"--tmux", "--config", filepath.Join(root, "xdg", "upbeat", "config.toml")}},
			"#[fg=red,bold]✕2#[default] #[fg=green]●2#[default]\n", true},
		{"-config=", statusProcess{noConfig, elsewhere, []string{"-config=" + filepath.Join(root, "xdg", "upbeat", "config.toml")}}, line, true},
		{"no such config", statusProcess{noConfig, onDefault, []string{"--config", filepath.Join(root, "none.toml")}}, "", false},
		{"xdg config", statusProcess{noConfig, []string{"XDG_RUNTIME_DIR=" + nowhere, "HOME=" + root, "XDG_CONFIG_HOME=" + filepath.Join(root, "xdg")}, nil}, line, true},
		// the config's socket is the only one asked, even with a daemon on the default one
		{"config elsewhere", statusProcess{config("other", "[api]\nsocket = \"/nonexistent/upbeat.sock\"\n"), onDefault, nil}, "", true},
		{"${VAR}", statusProcess{config("var", "[api]\nsocket = \"${RUN}/upbeat.sock\"\n"), append([]string{"RUN=" + run}, elsewhere...), nil}, line, false},
		{"too deep", statusProcess{config("deep", "a = "+strings.Repeat("[", 100)+"\n"), onDefault, nil}, line, false},
		{"--addr", statusProcess{noConfig, elsewhere, []string{"--addr", sock}}, line, false},
		{"a name", statusProcess{noConfig, onDefault, []string{"tmux"}}, "", false}, // refused by the full command
	}
	runs := make([]statusRun, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Go(func() { runs[i] = c.p.run(t) })
	}
	wg.Wait()
	for i, c := range cases {
		wantCode := 0
		if c.name == "a name" {
			wantCode = exitConfig
		}
		if r := runs[i]; r.out != c.want || r.code != wantCode || r.quick != c.quick {
			t.Errorf("%s: exit %d, %q, quick path answered: %v; want %q, quick: %v", c.name, r.code, r.out, r.quick, c.want, c.quick)
		}
	}

	// --json: the very bytes the full command prints
	quick := statusProcess{noConfig, onDefault, []string{"--json"}}.run(t)
	full := statusProcess{noConfig, onDefault, []string{"--json", "--verbose"}}.run(t)
	if !quick.quick || full.quick || quick.out != full.out || !strings.Contains(quick.out, `"down_monitors":["db","shop"]`) {
		t.Errorf("--json: quick path %q (answered: %v), full command %q", quick.out, quick.quick, full.out)
	}
}
