package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	goruntime "runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/check"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// BenchmarkEngineScale runs the real scheduler and HTTP checker with 10,000
// monitors at a 30 s interval against loopback servers for one interval
// (plus the spread), then a bare net/http probe doing the same requests on
// fresh connections at the same rate, and reports both CPU costs and their
// ratio, the share of checks started within 1 s of their due time, and the
// peak memory per monitor. It takes about 70 s:
//
//	go test . -run '^$' -bench EngineScale -benchtime 1x
//
// UPBEAT_BENCH_MONITORS and UPBEAT_BENCH_INTERVAL change the size.
func BenchmarkEngineScale(b *testing.B) {
	n := envInt("UPBEAT_BENCH_MONITORS", 10000)
	interval := 30 * time.Second
	if s := os.Getenv("UPBEAT_BENCH_INTERVAL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatal(err)
		}
		interval = d
	}
	// Several servers, so that fresh connections spread over more port
	// pairs and TIME_WAIT does not run out of them.
	var urls []string
	var servers []*httptest.Server
	for range 8 {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"status":"UP"}`)
		}))
		servers = append(servers, s)
		urls = append(urls, s.URL)
	}
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()

	for b.Loop() {
		goruntime.GC()
		base := heapAndStacks()
		cfg := &engine.Config{Settings: engine.Settings{Concurrency: 256}}
		for i := range n {
			raw := fmt.Sprintf("%s/health/%d", urls[i%len(urls)], i)
			u, _ := url.Parse(raw)
			cfg.Monitors = append(cfg.Monitors, &monitor.Monitor{
				Name: fmt.Sprintf("m%05d", i), URL: raw, Parsed: u, Kind: monitor.KindHTTP,
				Interval: interval, Timeout: 5 * time.Second, RetryInterval: time.Second,
				MaxBody: 1 << 20, MaxRedirects: 10,
			})
		}
		eng, err := engine.New(cfg, engine.Options{Checkers: check.New(check.Options{})})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		peak := watchPeak(ctx)
		cpu0 := cpuNow()
		done := make(chan struct{})
		go func() { eng.Run(ctx); close(done) }()
		time.Sleep(interval + interval/10)
		cancel()
		<-done
		engCPU := cpuNow() - cpu0
		st := eng.Stats()
		peakBytes := <-peak
		goruntime.KeepAlive(eng)

		// The bare probe: the same requests, fresh connections, same rate.
		checks := int(st.Checks)
		cpu1 := cpuNow()
		bareProbe(urls, checks, interval+interval/10)
		bareCPU := cpuNow() - cpu1

		perCheck := float64(engCPU.Microseconds()) / float64(max(checks, 1))
		perBare := float64(bareCPU.Microseconds()) / float64(max(checks, 1))
		started := st.OnTime + st.Late
		b.ReportMetric(perCheck, "cpu-µs/check")
		b.ReportMetric(perBare, "bare-cpu-µs/req")
		b.ReportMetric(perCheck/perBare, "cpu-ratio")
		b.ReportMetric(100*float64(st.OnTime)/float64(max(started, 1)), "%on-time")
		b.ReportMetric(float64(peakBytes-base)/float64(n)/1024, "peak-KiB/monitor")
		b.ReportMetric(float64(checks), "checks")
		b.ReportMetric(float64(st.Skipped), "skipped")
	}
}

// bareProbe makes n GET requests on fresh connections, spread evenly over d.
func bareProbe(urls []string, n int, d time.Duration) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	gap := d / time.Duration(max(n, 1))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	next := time.Now()
	var failed atomic.Int64
	for i := range n {
		next = next.Add(gap)
		if wait := time.Until(next); wait > 0 {
			time.Sleep(wait)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			resp, err := client.Get(fmt.Sprintf("%s/health/%d", urls[i%len(urls)], i))
			if err != nil {
				failed.Add(1)
				return
			}
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
		}()
	}
	wg.Wait()
}

func heapAndStacks() uint64 {
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}

// watchPeak samples memory in use until ctx is done and sends the peak.
func watchPeak(ctx context.Context) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, heapAndStacks())
			select {
			case <-ctx.Done():
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
