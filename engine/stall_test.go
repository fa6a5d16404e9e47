package engine

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// skewClock is the bubble's fake clock plus a jump: a stall of the whole
// process looks like this from inside it, every clock reading suddenly
// far ahead of where the timers were.
type skewClock struct{ skew atomic.Int64 }

func (c *skewClock) now() time.Time       { return time.Now().Add(time.Duration(c.skew.Load())) }
func (c *skewClock) jump(d time.Duration) { c.skew.Add(int64(d)) }
func noSleep() func() time.Duration       { return func() time.Duration { return 0 } }
func stalledIn(rs []monitor.Result) (n int) {
	return countIf(rs, func(r *monitor.Result) bool { return r.Stalled() })
}

func countIf(rs []monitor.Result, f func(*monitor.Result) bool) (n int) {
	for i := range rs {
		if f(&rs[i]) {
			n++
		}
	}
	return n
}

// A 10-minute stall in the middle of checks: the checks caught in it come
// back timed out, as they do after a real SIGSTOP, and a push monitor
// misses its beats. None of that turns a monitor down or costs uptime;
// those results are recorded as upbeat_stalled, the warning says how long
// upbeat was stalled, and the checks after it run normally.
func TestStallOpensNothingAndCostsNoUptime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := &skewClock{}
		var calls atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			start := clk.now()
			if m.Name == "victim" && calls.Add(1) == 3 {
				time.Sleep(time.Second)
				clk.jump(10 * time.Minute) // the process is stopped here for ten minutes
			}
			select {
			case <-time.After(2 * time.Second): // the request's round trip
			case <-ctx.Done():
			}
			if clk.now().Sub(start) > m.Timeout {
				return monitor.Result{Status: monitor.StatusDown, Class: "timeout", Error: "no answer within 5s"}
			}
			return monitor.Result{Status: monitor.StatusUp, Code: 200}
		})
		var ms []*monitor.Monitor
		for _, n := range []string{"victim", "a", "b", "c", "d", "e"} {
			ms = append(ms, testMonitor(n, 10*time.Second))
		}
		push := pushMonitor()
		ms = append(ms, push)
		rec := &memRecorder{}
		notes := &recordingNotifier{}
		e, err := New(testConfig(ms...), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk},
			Recorder: rec, Notifier: notes, Now: clk.now, Asleep: noSleep()})
		if err != nil {
			t.Fatal(err)
		}
		beats, stopBeats := context.WithCancel(context.Background())
		go func() { // the cron job beats every 20s
			for beats.Err() == nil {
				if _, err := e.Push("tok123", monitor.StatusUp, ""); err != nil {
					t.Error(err)
				}
				select {
				case <-time.After(20 * time.Second):
				case <-beats.Done():
				}
			}
		}()
		stop := runEngine(t, e)
		time.Sleep(3 * time.Minute)
		synctest.Wait()
		stopBeats()
		stop()

		for _, c := range notes.changes() {
			if strings.HasSuffix(c, "->down") {
				t.Errorf("a stall of upbeat's own turned a monitor down: %v", notes.changes())
			}
		}
		rec.mu.Lock()
		got := rec.got
		rec.mu.Unlock()
		if n := stalledIn(got); n < 2 {
			t.Errorf("%d results marked upbeat_stalled, want the victim's and the push monitor's at least", n)
		}
		if n := countIf(got, func(r *monitor.Result) bool { return r.Stalled() && r.Monitor == "cron" }); n == 0 {
			t.Errorf("the push monitor's missed beats were not put down to the stall")
		}
		if n := countIf(got, func(r *monitor.Result) bool { return r.Status == monitor.StatusDown }); n != 0 {
			t.Errorf("%d down results recorded", n)
		}
		for _, st := range e.Snapshot() {
			if st.Status == monitor.StatusDown || !st.Uptime24.Valid || st.Uptime24.Ratio != 1 {
				t.Errorf("%s: %s, uptime %+v after the stall", st.Monitor.Name, st.Status, st.Uptime24)
			}
		}
		w := strings.Join(e.Warnings(), "\n")
		if !strings.Contains(w, "upbeat itself was stalled for 10m") {
			t.Errorf("warnings = %q, want the stall", w)
		}
		if s := e.Stats(); s.Stalls != 1 || s.Stalled < 10*time.Minute {
			t.Errorf("stats: %d stalls, %s in all", s.Stalls, s.Stalled)
		}
	})
}

// The watchdog alone notices a stall: a clock that jumps with no check
// running, and a machine that slept (the monotonic clock stood still
// while the boot clock went on) while nothing ran at all. The warning
// goes once stallWarnAt has passed.
func TestStallWatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clk := &skewClock{}
		var slept atomic.Int64
		var mu sync.Mutex
		var warned []string
		warnings := func() []string { mu.Lock(); defer mu.Unlock(); return slices.Clone(warned) }
		w := newStallWatch(clk.now, 5*time.Second, func() time.Duration { return time.Duration(slept.Load()) },
			slog.New(slog.DiscardHandler), func(key, msg string) { mu.Lock(); warned = append(warned, msg); mu.Unlock() })
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.run(ctx); close(done) }()
		time.Sleep(10 * time.Second) // an ordinary busy moment is no stall
		clk.jump(3 * time.Second)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if n, _ := w.stats(); n != 0 {
			t.Fatalf("a 3s hiccup under a 5s threshold counted as a stall")
		}
		clk.jump(9*time.Minute + 12*time.Second)
		time.Sleep(2 * time.Second)
		slept.Add(int64(time.Hour)) // the machine slept an hour: the boot clock and the wall clock went on
		clk.jump(time.Hour)
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if n, total := w.stats(); n != 2 || total < time.Hour+9*time.Minute {
			t.Fatalf("%d stalls, %s in all; want 2, over 1h9m", n, total)
		}
		if w := warnings(); len(w) < 1 || !strings.HasPrefix(w[0], "upbeat itself was stalled for 9m1") {
			t.Fatalf("warnings %q", w)
		}
		time.Sleep(stallWarnAt + 2*time.Second)
		synctest.Wait()
		cancel()
		<-done
		if w := warnings(); w[len(w)-1] != "" {
			t.Errorf("the warning was not cleared: %q", w)
		}
	})
}

// stalledLast is a history whose newest result of a down monitor was
// caught in a stall.
type stalledLast struct{ emptyRestorer }

func (stalledLast) Restore(name string, n int) ([]monitor.Result, time.Time, bool) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	return []monitor.Result{
		{Monitor: name, Time: t0, Status: monitor.StatusDown, Class: "refused"},
		{Monitor: name, Time: t0.Add(time.Minute), Status: monitor.StatusPaused, Class: monitor.ClassStalled},
	}, t0, true
}

// A restart right after a stall restores the status from before it: a
// monitor that was down is still down (its incident goes on), not pending.
func TestRestoreLooksPastAStalledResult(t *testing.T) {
	e, err := New(testConfig(testMonitor("db", time.Minute)), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: upChecker()},
		Restorer: stalledLast{}})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := e.State("db"); st.Status != monitor.StatusDown {
		t.Errorf("restored %s, want down", st.Status)
	}
}
