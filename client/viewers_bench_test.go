package client

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source/local"
)

// viewerEnv names the address a viewer helper process attaches to.
const viewerEnv = "UPBEAT_BENCH_VIEWER_SOCKET"

// BenchmarkViewers measures what attached dashboards cost a daemon: one
// daemon (engine + API) with 1,000 monitors, first alone, then with five
// viewers attached, each a separate process (this test binary running
// TestViewerProcess) so that the daemon's CPU is measured apart from
// theirs. It runs once whatever b.N is:
//
//	go test ./client -run '^$' -bench Viewers -benchtime 1x
//
// UPBEAT_BENCH_INTERVAL (default 10s) is every monitor's interval and
// UPBEAT_BENCH_PHASE (default 20s) the length of each measured phase;
// UPBEAT_BENCH_TCP=1 attaches the viewers over loopback TCP (where the
// stream is gzip-compressed) instead of the unix socket.
// Checks are answered by an in-process fake (2% down) so that the figure
// is the engine and API's own cost: with real probes the daemon's base
// CPU is higher and the viewers' share smaller.
func BenchmarkViewers(b *testing.B) {
	interval := envDuration(b, "UPBEAT_BENCH_INTERVAL", 10*time.Second)
	phase := envDuration(b, "UPBEAT_BENCH_PHASE", 20*time.Second)
	const monitors, viewers = 1000, 5

	chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
		lat := time.Duration(20+rand.IntN(200)) * time.Millisecond
		if rand.IntN(50) == 0 {
			return monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "bad gateway", Latency: lat}
		}
		return monitor.Result{Status: monitor.StatusUp, Code: 200, Latency: lat,
			Phases: monitor.Phases{DNS: time.Millisecond, Connect: 2 * time.Millisecond, FirstByte: lat - 5*time.Millisecond}}
	})
	var ms []*monitor.Monitor
	for i := range monitors {
		m := testMonitor(fmt.Sprintf("site-%04d", i), fmt.Sprintf("https://site-%04d.example/health", i))
		m.Interval, m.Tags = interval, []string{"prod"}
		ms = append(ms, m)
	}
	e, err := engine.New(config("bench", ms...), engine.Options{Checkers: map[monitor.Kind]engine.Checker{monitor.KindHTTP: chk}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	sock := filepath.Join(b.TempDir(), "upbeat.sock")
	srv := api.New(local.New(e, local.Options{}), api.Options{Socket: sock, Listen: "127.0.0.1:0"})
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	attach, how := sock, "unix socket"
	if os.Getenv("UPBEAT_BENCH_TCP") != "" {
		attach, how = "http://"+srv.TCPAddr(), "loopback TCP (gzip)"
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}}
	defer hc.CloseIdleConnections()

	time.Sleep(interval / 2) // warm up: the schedule fills in
	checks0 := e.Stats().Checks
	alone := cpuOver(phase)
	checksAlone := e.Stats().Checks - checks0

	// five viewers, each its own process
	attach0 := scrape(b, hc, "upbeat_api_event_stream_bytes_total")
	var procs []*exec.Cmd
	var stdins []interface{ Close() error }
	for range viewers {
		cmd := exec.Command(os.Args[0], "-test.run=^TestViewerProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), viewerEnv+"="+attach)
		in, _ := cmd.StdinPipe()
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		ready := false
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready = true
				break
			}
		}
		if !ready {
			b.Fatal("viewer did not attach")
		}
		go func() { // keep draining its output
			for sc.Scan() {
			}
		}()
		procs, stdins = append(procs, cmd), append(stdins, in)
	}
	bytes0 := scrape(b, hc, "upbeat_api_event_stream_bytes_total")
	attachBytes := (bytes0 - attach0) / viewers // the snapshot, and the events while the others attached
	checks0 = e.Stats().Checks
	with := cpuOver(phase)
	checksWith := e.Stats().Checks - checks0
	bytes1 := scrape(b, hc, "upbeat_api_event_stream_bytes_total")
	var viewerCPU time.Duration
	for i, cmd := range procs {
		stdins[i].Close()
		if err := cmd.Wait(); err != nil {
			b.Errorf("viewer %d: %v", i, err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			viewerCPU += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}

	perViewer := (bytes1 - bytes0) / float64(viewers) / phase.Seconds()
	b.ReportMetric(float64(checksAlone)/phase.Seconds(), "checks/s")
	b.ReportMetric(alone*100, "daemon-cpu%-alone")
	b.ReportMetric(with*100, "daemon-cpu%-5-viewers")
	b.ReportMetric(with/alone, "cpu-ratio")
	b.ReportMetric(perViewer, "bytes/s/viewer")
	b.ReportMetric(attachBytes, "attach-bytes/viewer")
	b.ReportMetric(viewerCPU.Seconds()/float64(viewers), "cpu-s/viewer-process")
	b.Logf("viewers over %s", how)
	b.Logf("%d monitors every %s: %.0f checks/s alone, %.0f with viewers; daemon CPU %.2f%% alone, %.2f%% with %d viewers (×%.2f); "+
		"%.0f B/s to each viewer in steady state, %.0f B to attach; each viewer process used %.2f s CPU in total (attach + %s)",
		monitors, interval, float64(checksAlone)/phase.Seconds(), float64(checksWith)/phase.Seconds(), alone*100, with*100,
		viewers, with/alone, perViewer, attachBytes, viewerCPU.Seconds()/float64(viewers), phase)
}

// cpuOver returns this process's CPU use over d as a share of one core.
func cpuOver(d time.Duration) float64 {
	var r0, r1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	t0 := time.Now()
	time.Sleep(d)
	syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	wall := time.Since(t0)
	cpu := time.Duration(r1.Utime.Nano()-r0.Utime.Nano()) + time.Duration(r1.Stime.Nano()-r0.Stime.Nano())
	return cpu.Seconds() / wall.Seconds()
}

func scrape(b *testing.B, hc *http.Client, name string) float64 {
	resp, err := hc.Get("http://localhost/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	f, ok := fams[name]
	if !ok || len(f.Metric) == 0 {
		b.Fatalf("no %s", name)
	}
	return f.Metric[0].GetCounter().GetValue()
}

func envDuration(b *testing.B, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return d
}

// funcChecker adapts a function to engine.Checker.
type funcChecker func(ctx context.Context, m *monitor.Monitor) monitor.Result

func (f funcChecker) Check(ctx context.Context, m *monitor.Monitor) monitor.Result { return f(ctx, m) }

// TestViewerProcess is BenchmarkViewers' viewer, run in a child process:
// it attaches like the dashboard does (drain events, take a snapshot at
// most ten times a second) until its stdin closes. Skipped otherwise.
func TestViewerProcess(t *testing.T) {
	addr := os.Getenv(viewerEnv)
	if addr == "" {
		t.Skip("helper process for BenchmarkViewers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	c, err := Dial(ctx, []string{addr}, Options{})
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sub := c.Subscribe()
	defer sub.Close()
	if n := len(c.Snapshot()); n == 0 {
		t.Fatal("empty snapshot")
	}
	fmt.Println("ready")
	stop := make(chan struct{})
	go func() {
		bufio.NewReader(os.Stdin).ReadString('\n') // EOF when the benchmark is done
		close(stop)
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	dirty, frames := false, 0
	for {
		select {
		case <-stop:
			fmt.Println("frames", frames)
			return
		case <-sub.Ready():
			sub.Drain()
			dirty = true
		case <-tick.C:
			if dirty {
				_ = c.Snapshot()
				dirty, frames = false, frames+1
			}
		}
	}
}
