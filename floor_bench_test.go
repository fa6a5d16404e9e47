package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// BenchmarkFloor runs the daemon (the real binary, built by the benchmark,
// started as `upbeat daemon`) and a bare net/http probe
// (internal/bareprobe: the same GETs on fresh connections, nothing else)
// side by side, as children of the benchmark, against one loopback origin
// in the benchmark's own process, at 1,000, 5,000 and 10,000 monitors on
// a 10 s interval. The daemon starts on a history of the last twelve
// minutes (so it holds what a daemon that has run a while holds: full
// sparklines, uptime counts). After a warm-up of two intervals it measures
// a window and prints, per size: CPU per check of each and their ratio,
// the share of due checks done, memory (RSS, and its anonymous part) per
// monitor of each and their ratio, and the bytes per result the history
// grew by. The origin's CPU is counted in neither. It takes about a
// minute per size:
//
//	go test . -run '^$' -bench Floor -benchtime 1x -timeout 30m
//
// UPBEAT_FLOOR_SIZES (default 1000,5000,10000) and UPBEAT_FLOOR_WINDOW
// (default 30s) change what is measured; UPBEAT_FLOOR_PROFILE=DIR writes
// a CPU profile of the daemon during each window to DIR/daemon-N.pprof,
// and one of the bare probe to DIR/bare-N.pprof.
func BenchmarkFloor(b *testing.B) {
	if testing.Short() {
		b.Skip("runs for minutes")
	}
	sizes := []int{1000, 5000, 10000}
	if s := os.Getenv("UPBEAT_FLOOR_SIZES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				b.Fatalf("UPBEAT_FLOOR_SIZES: %q is not a size", f)
			}
			sizes = append(sizes, n)
		}
	}
	window := 30 * time.Second
	if s := os.Getenv("UPBEAT_FLOOR_WINDOW"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatal("UPBEAT_FLOOR_WINDOW:", err)
		}
		window = d
	}
	bins := buildFloorBinaries(b)
	for b.Loop() {
		fmt.Printf("floor: %s window, 10s interval, load %s\n", window, loadAvg())
		fmt.Printf("%8s %12s %12s %6s %7s %7s %8s %8s %6s %8s %8s %6s %8s %s\n", "monitors", "cpu µs/check", "bare µs/req",
			"ratio", "done", "ontime", "RSS KB", "bare", "ratio", "anon KB", "bare", "ratio", "B/result", "load after")
		for _, n := range sizes {
			f := runFloor(b, bins, n, 10*time.Second, window)
			fmt.Printf("%8d %12.1f %12.1f %5.2fx %6.2f%% %6.2f%% %8.2f %8.2f %5.2fx %8.2f %8.2f %5.2fx %8.1f %s\n", n,
				f.cpuPerCheck, f.barePerReq, f.cpuPerCheck/f.barePerReq, 100*f.done, 100*f.onTime,
				f.rssPerMon/1024, f.bareRSSPerMon/1024, f.rssPerMon/f.bareRSSPerMon,
				f.anonPerMon/1024, f.bareAnonPerMon/1024, f.anonPerMon/f.bareAnonPerMon, f.bytesPerResult, loadAvg())
			b.ReportMetric(f.cpuPerCheck/f.barePerReq, fmt.Sprintf("cpu-ratio-%d", n))
			b.ReportMetric(f.rssPerMon/f.bareRSSPerMon, fmt.Sprintf("rss-ratio-%d", n))
			b.ReportMetric(f.anonPerMon/f.bareAnonPerMon, fmt.Sprintf("anon-ratio-%d", n))
			b.ReportMetric(f.bytesPerResult, fmt.Sprintf("B/result-%d", n))
			b.ReportMetric(100*f.done, fmt.Sprintf("%%done-%d", n))
		}
	}
}

type floorBins struct{ upbeat, bare string }

// buildFloorBinaries builds upbeat and the bare probe as a user would.
func buildFloorBinaries(b *testing.B) floorBins {
	dir := b.TempDir()
	bins := floorBins{filepath.Join(dir, "upbeat"), filepath.Join(dir, "bareprobe")}
	for _, x := range []struct{ out, pkg string }{{bins.upbeat, "."}, {bins.bare, "./internal/bareprobe"}} {
		cmd := exec.Command("go", "build", "-o", x.out, x.pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // static, as the README builds it
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build %s: %v\n%s", x.pkg, err, out)
		}
	}
	return bins
}

// floor is what one size measured.
type floor struct {
	cpuPerCheck, barePerReq    float64 // µs
	done, onTime               float64 // shares of the due checks
	rssPerMon, bareRSSPerMon   float64 // bytes of RSS per monitor
	anonPerMon, bareAnonPerMon float64 // bytes of anonymous RSS per monitor
	bytesPerResult             float64
}

// origin is a set of loopback servers that count the requests they answer.
type origin struct {
	servers []*httptest.Server
	n       atomic.Int64
}

func newOrigin() *origin {
	o := &origin{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.n.Add(1)
		io.WriteString(w, `{"status":"UP"}`)
	})
	// Several ports, so that fresh connections spread over more port
	// pairs and TIME_WAIT does not run out of them.
	for range 8 {
		o.servers = append(o.servers, httptest.NewServer(h))
	}
	return o
}

func (o *origin) url(i int) string {
	return fmt.Sprintf("%s/health/%d", o.servers[i%len(o.servers)].URL, i)
}

func (o *origin) close() {
	for _, s := range o.servers {
		s.Close()
	}
}

func runFloor(b *testing.B, bins floorBins, n int, interval, window time.Duration) floor {
	dir := b.TempDir()
	daemonOrigin, bareOrigin := newOrigin(), newOrigin()
	defer daemonOrigin.close()
	defer bareOrigin.close()
	sock := filepath.Join(dir, "upbeat.sock")
	hist := filepath.Join(dir, "history")
	var cfg, urls strings.Builder
	fmt.Fprintf(&cfg, "[settings]\nhistory_dir = %q\ninterval = %q\ntimeout = \"5s\"\nretries = 0\n\n[api]\nsocket = %q\n",
		hist, interval.String(), sock)
	for i := range n {
		fmt.Fprintf(&cfg, "\n[[monitor]]\nname = \"m%05d\"\nurl = %q\n", i, daemonOrigin.url(i))
		fmt.Fprintln(&urls, bareOrigin.url(i))
	}
	cfgPath, urlsPath := filepath.Join(dir, "upbeat.toml"), filepath.Join(dir, "urls")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(urlsPath, []byte(urls.String()), 0o600); err != nil {
		b.Fatal(err)
	}

	prefill(b, hist, n, daemonOrigin, interval)
	profDir := os.Getenv("UPBEAT_FLOOR_PROFILE")
	daemon := exec.Command(bins.upbeat, "daemon", "--config", cfgPath)
	daemon.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	if profDir != "" {
		daemon.Env = append(daemon.Env, profileEnv+"="+filepath.Join(profDir, fmt.Sprintf("daemon-%d.pprof", n)))
	}
	logf, err := os.Create(filepath.Join(dir, "daemon.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logf.Close()
	daemon.Stderr = logf
	if err := daemon.Start(); err != nil {
		b.Fatal(err)
	}
	defer stopChild(daemon)
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	waitHealthy(b, client, filepath.Join(dir, "daemon.log"))

	bare := exec.Command(bins.bare, "-urls", urlsPath, "-interval", interval.String())
	if profDir != "" {
		bare.Args = append(bare.Args, "-cpuprofile", filepath.Join(profDir, fmt.Sprintf("bare-%d.pprof", n)))
	}
	bareOut, err := bare.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := bare.Start(); err != nil {
		b.Fatal(err)
	}
	defer stopChild(bare)
	var bareMu sync.Mutex
	var bareLast string
	go func() {
		sc := bufio.NewScanner(bareOut)
		for sc.Scan() {
			bareMu.Lock()
			bareLast = sc.Text()
			bareMu.Unlock()
		}
	}()

	time.Sleep(2 * interval) // every monitor has been checked: a steady state
	cpuD0, cpuB0 := procCPU(b, daemon.Process.Pid), procCPU(b, bare.Process.Pid)
	reqD0, reqB0 := daemonOrigin.n.Load(), bareOrigin.n.Load()
	raw0 := segmentBytes(filepath.Join(hist, "segments"))
	if profDir != "" {
		daemon.Process.Signal(syscall.SIGUSR1)
		bare.Process.Signal(syscall.SIGUSR1)
	}
	var rssD, rssB, anonD, anonB float64
	samples := 0
	for end := time.Now().Add(window); time.Now().Before(end); time.Sleep(time.Second) {
		a, x := procRSS(daemon.Process.Pid)
		rssD, anonD = rssD+float64(a), anonD+float64(x)
		a, x = procRSS(bare.Process.Pid)
		rssB, anonB = rssB+float64(a), anonB+float64(x)
		samples++
	}
	cpuD, cpuB := procCPU(b, daemon.Process.Pid)-cpuD0, procCPU(b, bare.Process.Pid)-cpuB0
	reqD, reqB := daemonOrigin.n.Load()-reqD0, bareOrigin.n.Load()-reqB0
	raw := segmentBytes(filepath.Join(hist, "segments")) - raw0
	if profDir != "" {
		daemon.Process.Signal(syscall.SIGUSR2)
		bare.Process.Signal(syscall.SIGUSR2)
	}
	onTime, late := daemonCounter(client, "upbeat_checks_on_time_total"), daemonCounter(client, "upbeat_checks_late_total")
	due := float64(n) * window.Seconds() / interval.Seconds()
	f := floor{
		cpuPerCheck:    float64(cpuD.Microseconds()) / float64(max(reqD, 1)),
		barePerReq:     float64(cpuB.Microseconds()) / float64(max(reqB, 1)),
		done:           float64(reqD) / due,
		onTime:         onTime / max(onTime+late, 1),
		rssPerMon:      rssD / float64(samples) / float64(n),
		bareRSSPerMon:  rssB / float64(samples) / float64(n),
		anonPerMon:     anonD / float64(samples) / float64(n),
		bareAnonPerMon: anonB / float64(samples) / float64(n),
		bytesPerResult: float64(raw) / float64(max(reqD, 1)),
	}
	bareMu.Lock()
	b.Logf("%d monitors: bare probe %s; bare done %.2f%% of due", n, bareLast, 100*float64(reqB)/due)
	bareMu.Unlock()
	return f
}

// prefill writes twelve minutes of results of n monitors checked every
// interval, as the daemon would have recorded them, ending now.
func prefill(b *testing.B, dir string, n int, o *origin, interval time.Duration) {
	db, err := history.Open(dir, history.Options{SyncInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	batch := make([]monitor.Result, n)
	for at := now.Add(-12 * time.Minute); at.Before(now); at = at.Add(interval) {
		for i := range batch {
			lat := time.Duration(300+i%200) * time.Microsecond
			batch[i] = monitor.Result{Monitor: fmt.Sprintf("m%05d", i), Kind: monitor.KindHTTP, URL: o.url(i),
				Time: at.Add(time.Duration(i) * interval / time.Duration(n)), Status: monitor.StatusUp, Code: 200,
				Latency: lat, Phases: monitor.Phases{Connect: lat / 4, FirstByte: lat / 2, Transfer: lat / 8},
				Attempts: 1, BodySize: 15, HTTPVersion: "1.1"}
		}
		if err := db.AppendBatch(batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
}

// waitHealthy waits until the daemon answers on its socket.
func waitHealthy(b *testing.B, client *http.Client, logPath string) {
	for start := time.Now(); time.Since(start) < time.Minute; time.Sleep(100 * time.Millisecond) {
		resp, err := client.Get("http://upbeat/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	log, _ := os.ReadFile(logPath)
	b.Fatalf("the daemon did not answer within a minute:\n%s", log)
}

// daemonCounter reads a counter from the daemon's /metrics.
func daemonCounter(client *http.Client, name string) float64 {
	resp, err := client.Get("http://upbeat/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

// stopChild ends a child with SIGTERM, then SIGKILL if it lingers.
func stopChild(c *exec.Cmd) {
	c.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		c.Process.Kill()
		<-done
	}
}

// procCPU is the user and system CPU time a process has used.
func procCPU(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The command name may hold spaces: the fields start after its ')'.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// procRSS is a process's resident memory in bytes: all of it, and the
// anonymous part (what it allocated, without the pages of its binary and
// libraries, which are clean and shared).
func procRSS(pid int) (all, anon int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			all = kb << 10
		case "RssAnon":
			anon = kb << 10
		}
	}
	return all, anon
}

// segmentBytes is the size of the raw segments in dir.
func segmentBytes(dir string) int64 {
	ents, _ := os.ReadDir(dir)
	var n int64
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && len(e.Name()) == 8 {
			n += fi.Size()
		}
	}
	return n
}

func loadAvg() string {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
