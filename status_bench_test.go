package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkStatusCommand measures `upbeat status --tmux` as tmux runs it:
// the real binary, exec to exit, with no daemon (it must print nothing,
// quickly) and with a daemon of 200 monitors on the default socket. Each
// run is paired with `upbeat --version`, which the binary answers in its
// first package init (internal/early/atonce), as it does status: the
// ratio is what status costs beyond starting the binary at all; and with
// true(1), what starting any process costs on this machine, so that the
// figures can be read however busy it is. The binary is static, as the
// README builds it. It reports medians in milliseconds:
//
//	go test . -run '^$' -bench StatusCommand -benchtime 50x
func BenchmarkStatusCommand(b *testing.B) {
	if testing.Short() {
		b.Skip("builds the binary")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "upbeat")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	trueBin, err := exec.LookPath("true")
	if err != nil {
		b.Skip("no true(1) to measure the cost of any process against")
	}
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2]) / float64(time.Millisecond)
	}
	measure := func(b *testing.B, env []string, wantOut bool) {
		var took, floor, exec0 []time.Duration
		for b.Loop() {
			cmd := exec.Command(bin, "status", "--tmux")
			cmd.Env = env
			start := time.Now()
			out, err := cmd.Output()
			took = append(took, time.Since(start))
			if err != nil || (len(out) > 0) != wantOut {
				b.Fatalf("status --tmux: %v, %q", err, out)
			}
			start = time.Now()
			if err := exec.Command(bin, "--version").Run(); err != nil {
				b.Fatal(err)
			}
			floor = append(floor, time.Since(start))
			start = time.Now()
			if err := exec.Command(trueBin).Run(); err != nil {
				b.Fatal(err)
			}
			exec0 = append(exec0, time.Since(start))
		}
		s, v, x := median(took), median(floor), median(exec0)
		b.ReportMetric(s, "status-ms")
		b.ReportMetric(v, "version-ms")
		b.ReportMetric(x, "true-ms")
		b.ReportMetric(s/v, "ratio")
	}

	b.Run("no-daemon", func(b *testing.B) {
		measure(b, append(os.Environ(), "XDG_RUNTIME_DIR="+b.TempDir()), false)
	})

	b.Run("daemon", func(b *testing.B) {
		run := filepath.Join(dir, "run")
		os.MkdirAll(run, 0o700)
		cfg := fmt.Sprintf("[settings]\nhistory_dir = %q\n", filepath.Join(dir, "history"))
		for i := range 200 {
			cfg += fmt.Sprintf("\n[[monitor]]\nname = \"m%03d\"\nurl = \"tcp://127.0.0.1:1\"\ninterval = \"1h\"\n", i)
		}
		cfgPath := filepath.Join(dir, "upbeat.toml")
		os.WriteFile(cfgPath, []byte(cfg), 0o600)
		env := append(os.Environ(), "XDG_RUNTIME_DIR="+run)
		daemon := exec.Command(bin, "daemon", "--config", cfgPath)
		daemon.Env = env
		if err := daemon.Start(); err != nil {
			b.Fatal(err)
		}
		defer func() { daemon.Process.Signal(os.Interrupt); daemon.Wait() }()
		for deadline := time.Now().Add(20 * time.Second); ; {
			cmd := exec.Command(bin, "status")
			cmd.Env = env
			if out, _ := cmd.Output(); len(out) > 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("the daemon did not answer within 20s")
			}
			time.Sleep(50 * time.Millisecond) // polling a child process: nothing to wait on
		}
		measure(b, env, true)
	})
}
