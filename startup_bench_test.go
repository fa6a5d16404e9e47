package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartup measures, with the real binary built as a user would,
// how long commands take from exec to exit, each against a bare Go
// program doing the same (internal/bareprobe), alternating the two:
//
//   - version: `upbeat --version` against a Go program that prints a line;
//   - status: `upbeat status` against a running daemon, once the command
//     exists; until then the path it takes, `upbeat --version` (every
//     package's start-up) plus one request over the daemon's socket;
//   - check: `upbeat check` of 100 monitors against the bare program
//     making the same 100 requests, all on a loopback origin.
//
// It reports the median of each and their ratio:
//
//	go test . -run '^$' -bench Startup -benchtime 40x
func BenchmarkStartup(b *testing.B) {
	if testing.Short() {
		b.Skip("builds the binaries")
	}
	bins := buildFloorBinaries(b)
	b.Logf("load %s", loadAvg())
	// cpu is the CPU time (user and system) of the last command run.
	var cpu time.Duration
	run := func(b *testing.B, env []string, args ...string) time.Duration {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		took := time.Since(start)
		cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		return took
	}
	// pair runs a command and its bare counterpart in turns and reports
	// their medians and ratio, from exec to exit as this process sees it
	// (which adds its own few milliseconds to both), and the CPU time of
	// each, which this process does not add to.
	pair := func(b *testing.B, name string, env []string, ours, bare []string) {
		var o, r, oc, rc []time.Duration
		for b.Loop() {
			o = append(o, run(b, env, ours...))
			oc = append(oc, cpu)
			r = append(r, run(b, env, bare...))
			rc = append(rc, cpu)
		}
		mo, mr := median(o), median(r)
		b.ReportMetric(ms(mo), name+"-ms")
		b.ReportMetric(ms(mr), "bare-ms")
		b.ReportMetric(float64(mo)/float64(mr), "ratio")
		b.ReportMetric(ms(median(oc)), name+"-cpu-ms")
		b.ReportMetric(ms(median(rc)), "bare-cpu-ms")
	}
	env := os.Environ()

	b.Run("version", func(b *testing.B) {
		pair(b, "version", env, []string{bins.upbeat, "--version"}, []string{bins.bare, "-version"})
	})

	b.Run("status", func(b *testing.B) {
		dir := b.TempDir()
		sock := filepath.Join(dir, "upbeat.sock")
		cfg := filepath.Join(dir, "upbeat.toml")
		os.WriteFile(cfg, []byte(fmt.Sprintf("[settings]\nhistory_dir = %q\n[api]\nsocket = %q\n\n[[monitor]]\nname = \"db\"\nurl = \"tcp://127.0.0.1:1\"\n",
			filepath.Join(dir, "history"), sock)), 0o600)
		denv := append(os.Environ(), "XDG_RUNTIME_DIR="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
		daemon := exec.Command(bins.upbeat, "daemon", "--config", cfg)
		daemon.Env = denv
		logPath := filepath.Join(dir, "daemon.log")
		if f, err := os.Create(logPath); err == nil {
			defer f.Close()
			daemon.Stderr = f
		}
		if err := daemon.Start(); err != nil {
			b.Fatal(err)
		}
		defer stopChild(daemon)
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "unix", sock)
			}}}
		waitHealthy(b, client, logPath)
		if exec.Command(bins.upbeat, "status", "--help").Run() == nil {
			pair(b, "status", denv, []string{bins.upbeat, "status", "--config", cfg}, []string{bins.bare, "-version"})
			return
		}
		// No status command yet: its path is the start-up of every package
		// (what --version costs) and one request to the daemon.
		var o, r []time.Duration
		for b.Loop() {
			start := time.Now()
			run(b, env, bins.upbeat, "--version")
			resp, err := client.Get("http://upbeat/healthz")
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			o = append(o, time.Since(start))
			r = append(r, run(b, env, bins.bare, "-version"))
		}
		b.Logf("no status command yet: measured --version plus one request over the socket")
		b.ReportMetric(ms(median(o)), "status-path-ms")
		b.ReportMetric(ms(median(r)), "bare-ms")
		b.ReportMetric(float64(median(o))/float64(median(r)), "ratio")
	})

	b.Run("check", func(b *testing.B) {
		dir := b.TempDir()
		o := newOrigin()
		defer o.close()
		var cfg, urls strings.Builder
		fmt.Fprintf(&cfg, "[settings]\nhistory_dir = %q\ntimeout = \"5s\"\nretries = 0\n", filepath.Join(dir, "history"))
		for i := range 100 {
			fmt.Fprintf(&cfg, "\n[[monitor]]\nname = \"m%03d\"\nurl = %q\n", i, o.url(i))
			fmt.Fprintln(&urls, o.url(i))
		}
		cfgPath, urlsPath := filepath.Join(dir, "upbeat.toml"), filepath.Join(dir, "urls")
		os.WriteFile(cfgPath, []byte(cfg.String()), 0o600)
		os.WriteFile(urlsPath, []byte(urls.String()), 0o600)
		pair(b, "check", env, []string{bins.upbeat, "check", "--config", cfgPath}, []string{bins.bare, "-once", "-urls", urlsPath})
	})
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
