package engine

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestJudgeLatency(t *testing.T) {
	tests := []struct {
		name      string
		in        monitor.Result
		max       time.Duration
		status    monitor.Status
		class     string
		errSuffix string
	}{
		{"no limit", monitor.Result{Status: monitor.StatusUp, Latency: time.Hour}, 0, monitor.StatusUp, "", ""},
		{"within", monitor.Result{Status: monitor.StatusUp, Latency: time.Second}, time.Second, monitor.StatusUp, "", ""},
		{"slow", monitor.Result{Status: monitor.StatusUp, Latency: 1500 * time.Millisecond}, time.Second,
			monitor.StatusDegraded, ClassSlow, "took 1.5s, more than max_latency 1s"},
		{"down stays down", monitor.Result{Status: monitor.StatusDown, Class: "http_502", Latency: time.Hour}, time.Second,
			monitor.StatusDown, "http_502", ""},
		{"degraded keeps its class", monitor.Result{Status: monitor.StatusDegraded, Class: "tls_expiring", Error: "expires in 3 days",
			Latency: 2 * time.Second}, time.Second, monitor.StatusDegraded, "tls_expiring", "expires in 3 days; took 2s, more than max_latency 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.in
			judgeLatency(&r, tt.max)
			if r.Status != tt.status || r.Class != tt.class || !strings.HasSuffix(r.Error, tt.errSuffix) {
				t.Errorf("got %v %q %q, want %v %q ending %q", r.Status, r.Class, r.Error, tt.status, tt.class, tt.errSuffix)
			}
		})
	}
}

// testRunner is a runner for one checker, outside any engine.
func testRunner(chk Checker, down bool) (*runner, *counters) {
	var c counters
	return &runner{checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, now: time.Now, stats: &c,
		sem: make(chan struct{}, 4), jobs: make(chan job), isDown: func(*entry) bool { return down }, skipped: func(*entry) {},
		done: func(*entry, *monitor.Result) {}}, &c
}

func TestRunnerRetriesUnlessAlreadyDown(t *testing.T) {
	for _, already := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			var n atomic.Int32
			r, c := testRunner(funcChecker(func(context.Context, *monitor.Monitor) monitor.Result {
				n.Add(1)
				return monitor.Result{Status: monitor.StatusDown, Class: "refused"}
			}), already)
			m := testMonitor("x", time.Minute)
			m.Retries = 2
			en := &entry{m: m, url: r.displayURL(m)}
			res := r.check(context.Background(), en, true)
			want := int32(3)
			if already {
				want = 1 // a confirmed outage is not confirmed again
			}
			if n.Load() != want || res.Attempts != int(want) || c.attempts.Load() != uint64(want) {
				t.Errorf("already down %v: %d attempts (result says %d, stats %d), want %d", already, n.Load(), res.Attempts, c.attempts.Load(), want)
			}
		})
	}
}

func TestRunnerFillsWhatTheCheckerLeaves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := testRunner(funcChecker(func(context.Context, *monitor.Monitor) monitor.Result {
			time.Sleep(3 * time.Second)
			return monitor.Result{Status: monitor.StatusUp}
		}), false)
		u, _ := url.Parse("http://admin:hunter2@127.0.0.1/health")
		m := &monitor.Monitor{Name: "p", URL: u.String(), Parsed: u, Kind: monitor.KindHTTP, Timeout: time.Minute, MaxLatency: 2 * time.Second}
		start := time.Now()
		res := r.attempt(context.Background(), &entry{m: m, url: r.displayURL(m)})
		if res.Monitor != "p" || res.Kind != monitor.KindHTTP || !res.Time.Equal(start) || res.Latency != 3*time.Second {
			t.Errorf("result %q %q at %v latency %v", res.Monitor, res.Kind, res.Time, res.Latency)
		}
		if strings.Contains(res.URL, "hunter2") || !strings.Contains(res.URL, "127.0.0.1") {
			t.Errorf("URL %q", res.URL)
		}
		if res.Status != monitor.StatusDegraded || res.Class != ClassSlow {
			t.Errorf("3 s with max_latency 2 s: %v %q, want degraded slow", res.Status, res.Class)
		}
	})
}

func TestMaxLatencyAppliesToEveryKind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chk := funcChecker(func(context.Context, *monitor.Monitor) monitor.Result {
			return monitor.Result{Status: monitor.StatusUp, Latency: 900 * time.Millisecond}
		})
		m := testMonitor("db", 10*time.Second)
		m.Kind, m.MaxLatency = monitor.KindTCP, 500*time.Millisecond
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindTCP: chk}})
		stop := runEngine(t, e)
		time.Sleep(11 * time.Second)
		synctest.Wait()
		stop()
		if st, _ := e.State("db"); st.Status != monitor.StatusDegraded || st.Last.Class != ClassSlow {
			t.Errorf("a slow TCP connect: %v %q, want degraded slow", st.Status, st.Last.Class)
		}
	})
}

// The results CheckAll makes itself, for checks that never end, show the
// URL without its password too: one that waited for a slot when the
// deadline came, one that waited to retry.
func TestCheckAllInterruptedHidesThePassword(t *testing.T) {
	monitors := func(names ...string) []*monitor.Monitor {
		var ms []*monitor.Monitor
		for _, name := range names {
			u, _ := url.Parse("https://admin:hunter2@127.0.0.1/" + name)
			ms = append(ms, &monitor.Monitor{Name: name, URL: u.String(), Parsed: u, Kind: monitor.KindHTTP,
				Interval: time.Hour, Timeout: time.Hour, Retries: 1, RetryInterval: time.Hour})
		}
		return ms
	}
	tests := []struct {
		name string
		ms   []*monitor.Monitor
		want string // the Error of the last result
	}{
		{"waiting for a slot", monitors("waits"), context.DeadlineExceeded.Error()},
		{"waiting to retry", monitors("fails"), "interrupted"},
	}
	for _, tt := range tests {
		synctest.Test(t, func(t *testing.T) {
			chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
				return monitor.Result{Status: monitor.StatusDown, Class: "http_500", Code: 500}
			})
			cfg := testConfig(tt.ms...)
			cfg.Settings.Concurrency = 1
			e, _ := New(cfg, Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
			if tt.ms[0].Name == "waits" {
				e.runner.sem <- struct{}{} // the only slot is taken until the deadline
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			rs := e.CheckAll(ctx)
			if last := rs[len(rs)-1]; last.Error != tt.want {
				t.Errorf("%s: %s: result %q, want %q", tt.name, last.Monitor, last.Error, tt.want)
			}
			for _, r := range rs {
				if r.URL == "" || strings.Contains(r.URL, "hunter2") {
					t.Errorf("%s: %s: result URL %q", tt.name, r.Monitor, r.URL)
				}
			}
		})
	}
}

// goroutineID is the number the runtime gives the calling goroutine in a
// stack trace.
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

// A worker that has run a check runs the next one rather than exiting (a
// new goroutine would grow its stack again); no more workers wait than the
// concurrency allows, and they end with the context.
func TestRunnerReusesWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		ran := map[string]int{}
		release := make(chan struct{})
		var blocking atomic.Bool
		r, _ := testRunner(funcChecker(func(context.Context, *monitor.Monitor) monitor.Result {
			mu.Lock()
			ran[goroutineID()]++
			mu.Unlock()
			if blocking.Load() {
				<-release
			}
			return monitor.Result{Status: monitor.StatusUp}
		}), false)
		ctx, cancel := context.WithCancel(context.Background())
		entries := make([]*entry, 10)
		for i := range entries {
			m := testMonitor(fmt.Sprint("m", i), time.Minute)
			entries[i] = &entry{m: m, url: r.displayURL(m), busy: new(atomic.Bool), again: new(atomic.Pointer[entry])}
		}

		for i := range 20 { // one after another: one worker runs them all
			r.start(ctx, entries[i%len(entries)], time.Now(), false)
			synctest.Wait()
		}
		if len(ran) != 1 {
			t.Errorf("20 checks one after another ran on %d goroutines, want 1", len(ran))
		}

		blocking.Store(true) // ten at once, four at a time: more workers, then four wait
		for _, en := range entries {
			r.start(ctx, en, time.Now(), false)
		}
		synctest.Wait()
		close(release)
		synctest.Wait()
		total := 0
		for _, n := range ran {
			total += n
		}
		if total != 30 {
			t.Errorf("%d checks ran, want 30", total)
		}
		if w := r.idle.Load(); w != int32(cap(r.sem)) {
			t.Errorf("%d workers wait after a burst, want %d (the concurrency)", w, cap(r.sem))
		}
		cancel()
		r.wait() // returns: the waiting workers end with the context
		if w := r.idle.Load(); w != 0 {
			t.Errorf("%d workers still counted as waiting after the end", w)
		}
	})
}
