package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoTerminalQueryAtStart runs this test binary on a pseudo-terminal
// that answers nothing (through script(1)) and checks that nothing asks
// the terminal for its background colour: where nobody answers, that
// query costs five seconds before main even runs (see internal/early/earlyterm).
func TestNoTerminalQueryAtStart(t *testing.T) {
	if os.Getenv("UPBEAT_HELPER_VERSION") == "1" {
		run(context.Background(), &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, []string{"--version"})
		return
	}
	t.Parallel()
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed")
	}
	cmd := exec.Command(script, "-qc", os.Args[0]+" -test.run=^TestNoTerminalQueryAtStart$", "/dev/null")
	cmd.Env = append(os.Environ(), "UPBEAT_HELPER_VERSION=1", "TERM=xterm-256color")
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !bytes.Contains(out, []byte("upbeat ")) {
		t.Fatalf("the helper printed no version: %q", out)
	}
	if bytes.Contains(out, []byte("\x1b]11;?")) || bytes.Contains(out, []byte("\x1b]10;?")) {
		t.Errorf("the program queried the terminal's colours at start: %q", out)
	}
}
