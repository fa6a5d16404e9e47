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
	"strconv"
	"strings"
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

// BenchmarkViewers measures what attached dashboards cost and receive:
// one daemon (engine + API) with 1,000 monitors, first alone, then with
// one viewer attached, then with five, each viewer a separate process
// (this test binary running TestViewerProcess) so that the daemon's CPU
// and each viewer's are measured apart. It reports, for 1 and 5 viewers,
// the bytes per second each viewer is sent in steady state and the CPU
// each viewer process uses (share of one core, attach not counted). It
// runs once whatever b.N is:
//
//	go test ./client -run '^$' -bench Viewers -benchtime 1x
//
// UPBEAT_BENCH_INTERVAL (default 10s) is every monitor's interval and
// UPBEAT_BENCH_PHASE (default 20s) the length of each measured phase;
// UPBEAT_BENCH_TCP=1 attaches the viewers over loopback TCP instead of
// the unix socket; UPBEAT_BENCH_VIEWER_PROFILE=FILE writes the first
// viewer's CPU profile to FILE-1 and FILE-5.
// Checks are answered by an in-process fake (2% down) so that the figure
// is the engine and API's own cost: with real probes the daemon's base
// CPU is higher and the viewers' share smaller.
func BenchmarkViewers(b *testing.B) {
	interval := envDuration(b, "UPBEAT_BENCH_INTERVAL", 10*time.Second)
	phase := envDuration(b, "UPBEAT_BENCH_PHASE", 20*time.Second)
	const monitors = 1000

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
		attach, how = "http://"+srv.TCPAddr(), "loopback TCP"
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
	b.ReportMetric(float64(checksAlone)/phase.Seconds(), "checks/s")
	b.ReportMetric(alone*100, "daemon-cpu%-alone")
	b.Logf("viewers over %s; %d monitors every %s: %.0f checks/s, daemon CPU %.2f%% alone",
		how, monitors, interval, float64(checksAlone)/phase.Seconds(), alone*100)

	for _, n := range []int{1, 5} {
		attach0 := scrape(b, hc, "upbeat_api_event_stream_bytes_total")
		vs := startViewers(b, attach, n)
		bytes0 := scrape(b, hc, "upbeat_api_event_stream_bytes_total")
		attachBytes := (bytes0 - attach0) / float64(n) // the snapshot, and the events while the others attached
		with := cpuOver(phase)
		bytes1 := scrape(b, hc, "upbeat_api_event_stream_bytes_total")
		viewerCPU := vs.stop(b) * 100
		perViewer := (bytes1 - bytes0) / float64(n) / phase.Seconds()
		b.ReportMetric(perViewer, fmt.Sprintf("bytes/s/viewer-%d", n))
		b.ReportMetric(viewerCPU, fmt.Sprintf("viewer-cpu%%-%d", n))
		b.ReportMetric(with*100, fmt.Sprintf("daemon-cpu%%-%d", n))
		b.Logf("%d viewer(s): %.0f B/s to each in steady state, %.0f B to attach; each viewer %.2f%% of a core; daemon CPU %.2f%% (x%.2f alone)",
			n, perViewer, attachBytes, viewerCPU, with*100, with/alone)
	}
}

// viewerProcs are viewer processes started by startViewers.
type viewerProcs struct {
	cmds   []*exec.Cmd
	stdins []interface{ Close() error }
	cpu    []chan float64 // share of a core from attached to stopped, as each reports it
}

// startViewers starts n viewer processes attached to addr and returns
// once each has its snapshot.
func startViewers(b *testing.B, addr string, n int) *viewerProcs {
	vs := &viewerProcs{}
	for range n {
		args := []string{"-test.run=^TestViewerProcess$", "-test.count=1"}
		if p := os.Getenv("UPBEAT_BENCH_VIEWER_PROFILE"); p != "" && len(vs.cmds) == 0 {
			args = append(args, "-test.cpuprofile="+p+"-"+strconv.Itoa(n))
		}
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), viewerEnv+"="+addr)
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
		cpu := make(chan float64, 1)
		go func() { // its report, then keep draining its output
			for sc.Scan() {
				if v, ok := strings.CutPrefix(sc.Text(), "cpu "); ok {
					f, _ := strconv.ParseFloat(v, 64)
					cpu <- f
				}
			}
			close(cpu)
		}()
		vs.cmds, vs.stdins, vs.cpu = append(vs.cmds, cmd), append(vs.stdins, in), append(vs.cpu, cpu)
	}
	return vs
}

// stop ends the viewers and returns the CPU each used while attached, on
// average, as a share of one core.
func (vs *viewerProcs) stop(b *testing.B) float64 {
	var total float64
	for i, cmd := range vs.cmds {
		vs.stdins[i].Close()
		total += <-vs.cpu[i]
		if err := cmd.Wait(); err != nil {
			b.Errorf("viewer %d: %v", i, err)
		}
	}
	return total / float64(len(vs.cmds))
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

// processCPU is the CPU this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
	cpu0, t0 := processCPU(), time.Now()
	fmt.Println("ready")
	stop := make(chan struct{})
	go func() {
		bufio.NewReader(os.Stdin).ReadString('\n') // EOF when the benchmark is done
		close(stop)
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	dirty, frames := false, 0
	var states, spare []monitor.State // as the dashboard redraws: two slices in turn
	for {
		select {
		case <-stop:
			fmt.Println("frames", frames)
			fmt.Printf("cpu %.6f\n", (processCPU()-cpu0).Seconds()/time.Since(t0).Seconds()) // share of a core
			return
		case <-sub.Ready():
			sub.Drain()
			dirty = true
		case <-tick.C:
			if dirty {
				states, spare = c.AppendSnapshot(spare[:0]), states
				dirty, frames = false, frames+1
			}
		}
	}
}
