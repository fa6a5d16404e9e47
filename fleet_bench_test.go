package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/fleet"
)

// BenchmarkShardedFleet runs a fleet on one machine: 4 shards x 2
// replicas (8 real daemons, in-process) sharing one config of 20,000
// HTTP monitors at a 90 s interval, against a loopback origin that
// counts the requests for each monitor. It checks that every monitor is
// checked by exactly its two replicas in each of two intervals (2, then
// 4 requests at the origin, none more) and that each daemon holds
// exactly the monitors of its shard, and reports the CPU per check and
// the memory per monitor of the whole fleet. A daemon spreads its checks
// over the first 30 s of each interval, so the origin can count an
// interval once every daemon is done with it and before any begins the
// next, even with daemons starting apart and checks running late on a
// loaded machine. The checks have a long timeout (30 s) so that a busy
// origin slows them rather than failing them. It takes about 4 minutes:
//
//	go test . -run '^$' -bench ShardedFleet -benchtime 1x
func BenchmarkShardedFleet(b *testing.B) {
	const (
		monitors = 20000
		shards   = 4
		replicas = 2
		interval = 90 * time.Second
	)
	var counts [monitors]atomic.Int32
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/m/"))
		if err != nil || i < 0 || i >= monitors {
			http.NotFound(w, r)
			return
		}
		counts[i].Add(1)

		io.WriteString(w, "ok")
	})
	// Several listeners, so that fresh connections spread over more port
	// pairs and TIME_WAIT does not run out of them.
	var origins []string
	for range 16 {
		s := httptest.NewServer(handler)
		defer s.Close()
		origins = append(origins, s.URL)
	}
	var body strings.Builder
	for i := range monitors {
		fmt.Fprintf(&body, "[[monitor]]\nname = \"site-%05d\"\nurl = \"%s/m/%d\"\n\n", i, origins[i%len(origins)], i)
	}
	sum := func() (n int64) {
		for i := range counts {
			n += int64(counts[i].Load())
		}
		return n
	}
	var daemons []*daemon
	// failed counts the monitors whose last check failed, on every daemon.
	failed := func() (n int) {
		for _, d := range daemons {
			resp, err := d.client().Get("http://localhost/metrics")
			if err != nil {
				continue
			}
			text, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			for _, line := range strings.Split(string(text), "\n") {
				if strings.HasPrefix(line, "upbeat_monitor_status{") && strings.Contains(line, `status="down"`) && strings.HasSuffix(line, " 1") {
					n++
				}
			}
		}
		return n
	}

	// expect waits until the origin has seen want requests in all, then
	// checks that each monitor was asked for exactly want/monitors times.
	expect := func(want int64) {
		deadline := time.Now().Add(3 * interval)
		for sum() < want {
			if time.Now().After(deadline) {
				b.Fatalf("the origin saw %d requests, want %d", sum(), want)
			}
			time.Sleep(100 * time.Millisecond)
		}
		per := int32(want / monitors)
		bad := 0
		for i := range counts {
			if n := counts[i].Load(); n != per {
				if bad++; bad <= 5 {
					b.Errorf("site-%05d was checked %d times, want %d", i, n, per)
				}
			}
		}
		if bad > 0 {
			b.Fatalf("%d monitors were not checked exactly %d times (%d checks failed on their daemons: a request that never reached the origin)",
				bad, per, failed())
		}
	}

	for b.Loop() {
		goruntime.GC()
		var ms0 goruntime.MemStats
		goruntime.ReadMemStats(&ms0)
		cpu0 := cpuNow()
		start := time.Now()
		daemons = make([]*daemon, shards*replicas)
		var wg sync.WaitGroup
		for i := range daemons {
			shard := fleet.Shard{I: i/replicas + 1, N: shards}
			settings := fmt.Sprintf("location = \"lab\"\nshard = %q\ninterval = %q\ntimeout = \"30s\"\nretries = 0",
				shard, interval)
			wg.Go(func() {
				daemons[i] = startDaemon(b, fmt.Sprintf("shard %s replica %d", shard, i%replicas+1), settings, "", body.String(), nil)
			})
		}
		wg.Wait()
		started := time.Since(start)

		// Each daemon holds exactly the monitors of its shard.
		for i, d := range daemons {
			shard := fleet.Shard{I: i/replicas + 1, N: shards}
			names := daemonMonitors(b, d)
			for _, n := range names {
				if !shard.Owns(n) {
					b.Fatalf("daemon of shard %s holds %s, which belongs to shard %d", shard, n, fleet.Assign(n, shards))
				}
			}
			want := 0
			for m := range monitors {
				if shard.Owns(fmt.Sprintf("site-%05d", m)) {
					want++
				}
			}
			if len(names) != want {
				b.Fatalf("daemon of shard %s holds %d monitors, want %d", shard, len(names), want)
			}
		}

		expect(replicas * monitors)     // the first interval
		expect(2 * replicas * monitors) // the second
		elapsed := time.Since(start)
		var ms1 goruntime.MemStats
		goruntime.ReadMemStats(&ms1)
		cpu := cpuNow() - cpu0
		var done, late float64
		for _, d := range daemons {
			c, l := daemonMetric(b, d, "upbeat_checks_total"), daemonMetric(b, d, "upbeat_checks_late_total")
			done, late = done+c, late+l
			d.stop()
		}
		b.ReportMetric(100*(done-late)/done, "%on-time")
		checks := float64(2 * replicas * monitors)
		b.ReportMetric(cpu.Seconds()*1e6/checks, "cpu-µs/check")
		b.ReportMetric(float64(ms1.HeapInuse+ms1.StackInuse-ms0.HeapInuse-ms0.StackInuse)/1024/float64(replicas*monitors), "KiB/monitor")
		b.ReportMetric(started.Seconds(), "s-to-start")
		b.ReportMetric(elapsed.Seconds(), "s-total")
	}
}

// client returns an HTTP client that reaches the daemon's socket.
func (d *daemon) client() *http.Client { return socketClient(d.socket) }

// daemonMetric reads a metric without labels from a daemon's /metrics.
func daemonMetric(b testing.TB, d *daemon, name string) float64 {
	resp, err := d.client().Get("http://localhost/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(text), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatal(err)
			}
			return f
		}
	}
	b.Fatalf("%s: no %s in /metrics", d.name, name)
	return 0
}

// daemonMonitors lists the monitors a daemon holds, from its API.
func daemonMonitors(b testing.TB, d *daemon) []string {
	resp, err := d.client().Get("http://localhost/api/v1/monitors")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var list []struct {
		Monitor string `json:"monitor"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		b.Fatal(err)
	}
	names := make([]string, len(list))
	for i, m := range list {
		names[i] = m.Monitor
	}
	return names
}

// cpuNow is the CPU time this process has used, user and system.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
