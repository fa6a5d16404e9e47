//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A signal ends a command while its config is still loading: here the
// config is a pipe nobody writes, so the load never finishes on its own,
// as a parse that takes long would not. main's handler cancels ctx on
// SIGINT and SIGTERM; the command must return at once, not when the load
// ends.
func TestConfigLoadEndsOnSignal(t *testing.T) {
	p := filepath.Join(t.TempDir(), "upbeat.toml")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	t.Cleanup(func() { // let the abandoned load finish: open the pipe's other end and close it
		if f, err := os.OpenFile(p, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
	})
	for _, cmd := range []string{"validate", "check", "daemon"} {
		ctx, cancel := context.WithCancel(context.Background())
		var errb bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &errb, getenv: func(string) string { return "" }}
		exited := make(chan int, 1)
		go func() { exited <- run(ctx, e, []string{cmd, "--config", p}) }()
		cancel() // the signal
		select {
		case code := <-exited:
			if code != exitInterrupted || !strings.Contains(errb.String(), "interrupted while loading the config") {
				t.Errorf("%s: exit %d, %q", cmd, code, errb.String())
			}
		case <-time.After(20 * time.Second): // only a guard: a working command returns at once
			t.Fatalf("%s still loading its config after the signal", cmd)
		}
	}
}
