package api

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// BenchmarkNonReadingViewers attacks a daemon (engine + API, 1,000
// monitors checked every 10 s) with 1,000 event-stream clients on
// loopback TCP that send their request and never read a byte (half of
// them asking for gzip), holds them for a while, then lets them go. It
// asserts what the daemon must withstand: heap growth of tens of MB at
// most while they are attached and none left after; no late and no
// skipped check; /metrics answering within a second throughout. It runs
// once whatever b.N is:
//
//	go test ./api -run '^$' -bench NonReadingViewers -benchtime 1x
func BenchmarkNonReadingViewers(b *testing.B) {
	const monitors, viewers, interval = 1000, 1000, 10 * time.Second
	hold := 25 * time.Second // past the write timeout: they are dropped in it
	chk := checkFunc(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
		lat := time.Duration(20+rand.IntN(200)) * time.Millisecond
		if rand.IntN(50) == 0 {
			return monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "bad gateway", Latency: lat}
		}
		return monitor.Result{Status: monitor.StatusUp, Code: 200, Latency: lat,
			Phases: monitor.Phases{DNS: time.Millisecond, Connect: 2 * time.Millisecond, FirstByte: lat - 5*time.Millisecond}}
	})
	var ms []*monitor.Monitor
	for i := range monitors {
		m := testMonitor(fmt.Sprintf("site-%04d", i), fmt.Sprintf("https://site-%04d.example/health", i), "prod")
		m.Interval = interval
		ms = append(ms, m)
	}
	cfg := config("bench", ms...)
	cfg.Settings.Concurrency = 64
	e, err := engine.New(cfg, engine.Options{Checkers: map[monitor.Kind]engine.Checker{monitor.KindHTTP: chk}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	srv := New(backend(e), Options{Listen: "127.0.0.1:0"})
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	addr := srv.TCPAddr()

	time.Sleep(interval) // every monitor checked once: the steady state
	heap0, rss0 := memNow()
	st0 := e.Stats()

	// /metrics, scraped twice a second throughout
	var scrapeMu sync.Mutex
	var slowest time.Duration
	var scrapeErr error
	stopScrape := make(chan struct{})
	scraped := make(chan struct{})
	go func() {
		defer close(scraped)
		hc := &http.Client{Timeout: 5 * time.Second}
		defer hc.CloseIdleConnections()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopScrape:
				return
			case <-tick.C:
			}
			t0 := time.Now()
			resp, err := hc.Get("http://" + addr + "/metrics")
			if err == nil {
				_, err = readAllClose(resp)
			}
			d := time.Since(t0)
			scrapeMu.Lock()
			slowest = max(slowest, d)
			if err != nil && scrapeErr == nil {
				scrapeErr = err
			}
			scrapeMu.Unlock()
		}
	}()

	// the crowd: small receive buffers, a request, then nothing
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	conns := make([]net.Conn, 0, viewers)
	for i := range viewers {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			b.Fatalf("viewer %d: %v", i, err)
		}
		enc := ""
		if i%2 == 0 {
			enc = "Accept-Encoding: gzip\r\n"
		}
		fmt.Fprintf(c, "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", enc)
		conns = append(conns, c)
	}
	var peakHeap, peakRSS uint64
	var maxAttached float64
	deadline := time.Now().Add(hold)
	for time.Now().Before(deadline) {
		h, r := memNow()
		peakHeap, peakRSS = max(peakHeap, h), max(peakRSS, r)
		maxAttached = max(maxAttached, gauge(srv))
		time.Sleep(500 * time.Millisecond)
	}
	dropped := counter(srv.met.dropped)
	attachedAtEnd := gauge(srv)
	for _, c := range conns {
		c.Close()
	}
	time.Sleep(3 * time.Second) // they leave
	close(stopScrape)
	<-scraped
	heap1, rss1 := memNow()
	st1 := e.Stats()

	late, skipped, checks := st1.Late-st0.Late, st1.Skipped-st0.Skipped, st1.Checks-st0.Checks
	mb := func(v uint64) float64 { return float64(v) / (1 << 20) }
	grow := func(a, b uint64) float64 { return mb(a) - mb(b) }
	b.ReportMetric(grow(peakHeap, heap0), "MB-heap-growth-peak")
	b.ReportMetric(grow(peakRSS, rss0), "MB-rss-growth-peak")
	b.ReportMetric(grow(heap1, heap0), "MB-heap-after")
	b.ReportMetric(grow(rss1, rss0), "MB-rss-after")
	b.ReportMetric(float64(late), "late-checks")
	b.ReportMetric(float64(skipped), "skipped-checks")
	b.ReportMetric(slowest.Seconds()*1000, "ms-slowest-metrics")
	b.ReportMetric(dropped, "viewers-dropped")
	b.Logf("%d non-reading viewers on loopback TCP against %d monitors every %s for %s: heap %.1f MB before, peak +%.1f MB, "+
		"+%.1f MB after they left; RSS %.1f MB before, peak +%.1f MB, +%.1f MB after; at most %.0f attached at once, %.0f dropped by the daemon, %.0f still attached at the end; "+
		"%d checks, %d late, %d skipped; slowest /metrics %s",
		viewers, monitors, interval, hold, mb(heap0), grow(peakHeap, heap0), grow(heap1, heap0), mb(rss0), grow(peakRSS, rss0), grow(rss1, rss0),
		maxAttached, dropped, attachedAtEnd, checks, late, skipped, slowest.Round(time.Millisecond))

	if g := grow(peakHeap, heap0); g > 64 {
		b.Errorf("heap grew by %.1f MB with %d viewers that do not read (bound: 64 MB)", g, viewers)
	}
	if g := grow(heap1, heap0); g > 16 {
		b.Errorf("heap still %.1f MB above where it was after the viewers left (bound: 16 MB)", g)
	}
	if late > 0 || skipped > 0 {
		b.Errorf("%d late and %d skipped checks with %d viewers that do not read", late, skipped, viewers)
	}
	if scrapeErr != nil || slowest > time.Second {
		b.Errorf("/metrics: slowest answer %s, error %v", slowest, scrapeErr)
	}
	if dropped < viewers/2 {
		b.Errorf("only %.0f of %d viewers that never read were dropped", dropped, viewers)
	}
}

type checkFunc func(ctx context.Context, m *monitor.Monitor) monitor.Result

func (f checkFunc) Check(ctx context.Context, m *monitor.Monitor) monitor.Result { return f(ctx, m) }

// memNow is the heap in use after a collection, and the resident set.
func memNow() (heap, rss uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	heap = m.HeapInuse
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				rss = kb << 10
			}
		}
	}
	return heap, rss
}

func gauge(s *Server) float64 {
	var m dto.Metric
	s.met.viewers.Write(&m)
	return m.GetGauge().GetValue()
}

func readAllClose(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}
