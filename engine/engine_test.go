package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/testmain"
	"github.com/upbeat-monitor/upbeat/monitor"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	testmain.SkipRaceExitSleep()
	goleak.VerifyTestMain(m, goleak.Cleanup(testmain.Exit))
}

// funcChecker adapts a function to Checker.
type funcChecker func(ctx context.Context, m *monitor.Monitor) monitor.Result

func (f funcChecker) Check(ctx context.Context, m *monitor.Monitor) monitor.Result { return f(ctx, m) }

func testMonitor(name string, interval time.Duration) *monitor.Monitor {
	u, _ := url.Parse("http://127.0.0.1/" + name)
	return &monitor.Monitor{Name: name, URL: u.String(), Parsed: u, Kind: monitor.KindHTTP, Interval: interval,
		Timeout: interval / 2, RetryInterval: time.Second}
}

func testConfig(ms ...*monitor.Monitor) *Config {
	return &Config{Settings: Settings{Concurrency: 64, Location: "test"}, Monitors: ms}
}

// runEngine runs e until the test's bubble ends and returns a stop func.
func runEngine(t *testing.T, e *Engine) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	}
}

func upChecker() funcChecker {
	return func(ctx context.Context, m *monitor.Monitor) monitor.Result {
		return monitor.Result{Status: monitor.StatusUp, Code: 200}
	}
}

func TestJitterSpreadsFirstChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		first := map[string]time.Duration{}
		start := time.Now()
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			mu.Lock()
			if _, ok := first[m.Name]; !ok {
				first[m.Name] = time.Since(start)
			}
			mu.Unlock()
			return monitor.Result{Status: monitor.StatusUp}
		})
		var ms []*monitor.Monitor
		for i := range 200 {
			ms = append(ms, testMonitor(fmt.Sprintf("m%03d", i), 30*time.Second))
		}
		e, err := New(testConfig(ms...), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		if err != nil {
			t.Fatal(err)
		}
		stop := runEngine(t, e)
		time.Sleep(31 * time.Second)
		synctest.Wait()
		stop()
		if len(first) != 200 {
			t.Fatalf("%d monitors checked in their first interval, want 200", len(first))
		}
		distinct := map[time.Duration]bool{}
		var lo, hi time.Duration = time.Hour, 0
		for _, d := range first {
			distinct[d.Truncate(time.Millisecond)] = true
			lo, hi = min(lo, d), max(hi, d)
		}
		if len(distinct) < 190 {
			t.Errorf("only %d distinct start milliseconds among 200 monitors", len(distinct))
		}
		if hi-lo < 20*time.Second {
			t.Errorf("first checks spread over %s, want most of the 30s interval", hi-lo)
		}
	})
}

func TestNoOverlapLateCheckIsSkipped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var inFlight, maxInFlight, calls atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			calls.Add(1)
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				cur := maxInFlight.Load()
				if n <= cur || maxInFlight.CompareAndSwap(cur, n) {
					break
				}
			}
			<-ctx.Done() // hangs until its (long) timeout
			return monitor.Result{Status: monitor.StatusDown, Class: "timeout"}
		})
		m := testMonitor("slow", 10*time.Second)
		m.Timeout = 35 * time.Second // longer than the interval: the loader forbids it, the engine must cope
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		time.Sleep(100 * time.Second)
		synctest.Wait()
		stop()
		if got := maxInFlight.Load(); got != 1 {
			t.Errorf("max checks in flight = %d, want 1", got)
		}
		st := e.Stats()
		if st.Skipped == 0 {
			t.Errorf("no check was counted as skipped; stats %+v", st)
		}
		if c := calls.Load(); c > 4 {
			t.Errorf("%d checks started in 100s with a 35s hang, want at most 4 (no queueing)", c)
		}
	})
}

func TestRetriesBeforeDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			if n.Add(1) == 1 {
				return monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502"}
			}
			return monitor.Result{Status: monitor.StatusUp, Code: 200}
		})
		m := testMonitor("flaky", 30*time.Second)
		m.Retries = 1
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		sub := e.Subscribe()
		defer sub.Close()
		stop := runEngine(t, e)
		time.Sleep(31 * time.Second)
		synctest.Wait()
		stop()
		evs, _ := sub.Drain()
		var results []monitor.Result
		for _, ev := range evs {
			if ev.Kind == monitor.EventChange && ev.To == monitor.StatusDown {
				t.Errorf("monitor went down despite a successful retry")
			}
			if ev.Kind == monitor.EventResult {
				results = append(results, *ev.Result)
			}
		}
		if len(results) != 1 || results[0].Status != monitor.StatusUp || results[0].Attempts != 2 {
			t.Fatalf("results = %+v, want one up result with 2 attempts", results)
		}
	})
}

func TestDownAfterRetriesExhausted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			n.Add(1)
			return monitor.Result{Status: monitor.StatusDown, Code: 503, Class: "http_503"}
		})
		m := testMonitor("dead", 30*time.Second)
		m.Retries = 2
		notes := &recordingNotifier{}
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Notifier: notes})
		stop := runEngine(t, e)
		time.Sleep(29*time.Second + offset(m.Name, m.Interval))
		synctest.Wait()
		stop()
		if got := n.Load(); got != 3 {
			t.Errorf("attempts = %d, want 3 (1 + 2 retries)", got)
		}
		if got := notes.changes(); len(got) != 1 || got[0] != "pending->down" {
			t.Errorf("changes notified = %v, want [pending->down]", got)
		}
		st, _ := e.State("dead")
		if st.Status != monitor.StatusDown || st.Last.Attempts != 3 || st.Last.Code != 503 {
			t.Errorf("state = %v attempts %d code %d", st.Status, st.Last.Attempts, st.Last.Code)
		}
	})
}

type recordingNotifier struct {
	mu  sync.Mutex
	evs []monitor.Event
}

func (r *recordingNotifier) Notify(ev monitor.Event, st *monitor.State) {
	r.mu.Lock()
	r.evs = append(r.evs, ev)
	r.mu.Unlock()
}

func (r *recordingNotifier) changes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.evs {
		out = append(out, ev.From.String()+"->"+ev.To.String())
	}
	return out
}

func TestCleanShutdownWithChecksInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{}, 10)
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			started <- struct{}{}
			<-ctx.Done()
			return monitor.Result{Status: monitor.StatusDown, Class: "timeout"}
		})
		var ms []*monitor.Monitor
		for i := range 5 {
			m := testMonitor(fmt.Sprintf("h%d", i), time.Minute)
			m.Timeout = time.Hour
			ms = append(ms, m)
		}
		e, _ := New(testConfig(ms...), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		for range 5 {
			<-started
		}
		stop() // must return although every check hangs: cancellation reaches them
		synctest.Wait()
	})
}

func TestPauseStopsChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			n.Add(1)
			return monitor.Result{Status: monitor.StatusUp}
		})
		m := testMonitor("p", 10*time.Second)
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if err := e.SetPaused("p", true); err != nil {
			t.Fatal(err)
		}
		before := n.Load()
		time.Sleep(time.Minute)
		synctest.Wait()
		if n.Load() != before {
			t.Errorf("%d checks ran while paused", n.Load()-before)
		}
		if st, _ := e.State("p"); st.Status != monitor.StatusPaused {
			t.Errorf("status %v, want paused", st.Status)
		}
		e.SetPaused("p", false)
		synctest.Wait()
		if n.Load() != before+1 {
			t.Errorf("resume did not check at once: %d checks after resume", n.Load()-before)
		}
		if err := e.SetPaused("nope", true); !errors.Is(err, ErrNoMonitor) {
			t.Errorf("pausing an unknown monitor: %v", err)
		}
	})
}

func TestCheckNowRunsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			n.Add(1)
			return monitor.Result{Status: monitor.StatusUp}
		})
		m := testMonitor("c", time.Hour)
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		synctest.Wait()
		before := n.Load()
		e.CheckNow("c")
		synctest.Wait()
		if n.Load() != before+1 {
			t.Errorf("CheckNow ran %d checks, want 1", n.Load()-before)
		}
	})
}

func TestNextDueSkipsMissedSlots(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	iv := 30 * time.Second
	if got := nextDue(base, iv, base.Add(time.Second)); !got.Equal(base.Add(iv)) {
		t.Errorf("on time: next = %v", got.Sub(base))
	}
	// the machine slept for an hour: one check now-ish, not 120 in a burst
	now := base.Add(time.Hour + 5*time.Second)
	got := nextDue(base, iv, now)
	if got.Before(now) || got.Sub(now) > iv {
		t.Errorf("after a stall: next is %v from now, want within one interval ahead", got.Sub(now))
	}
}

func TestMaintenanceHidesDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			return monitor.Result{Status: monitor.StatusDown, Code: 503, Class: "http_503"}
		})
		m := testMonitor("api", 10*time.Second)
		notes := &recordingNotifier{}
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Notifier: notes})
		e.Maintain("api", time.Minute)
		stop := runEngine(t, e)
		time.Sleep(50 * time.Second)
		synctest.Wait()
		st, _ := e.State("api")
		if st.Status != monitor.StatusMaintenance || st.InMaint == "" {
			t.Errorf("in a window: status %v (%q), want maintenance", st.Status, st.InMaint)
		}
		time.Sleep(30 * time.Second)
		synctest.Wait()
		stop()
		st, _ = e.State("api")
		if st.Status != monitor.StatusDown {
			t.Errorf("after the window: %v, want down", st.Status)
		}
		if got := notes.changes(); len(got) != 2 || got[0] != "pending->maintenance" || got[1] != "maintenance->down" {
			t.Errorf("changes = %v", got)
		}
	})
}

type memRecorder struct {
	mu   sync.Mutex
	fail bool
	got  []monitor.Result
}

func (r *memRecorder) Record(res *monitor.Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("write segment 00000001: no space left on device")
	}
	r.got = append(r.got, *res)
	return nil
}

func TestStorageFailureWarnsAndChecksGoOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			n.Add(1)
			return monitor.Result{Status: monitor.StatusUp}
		})
		rec := &memRecorder{fail: true}
		m := testMonitor("s", 10*time.Second)
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Recorder: rec})
		stop := runEngine(t, e)
		time.Sleep(35 * time.Second)
		synctest.Wait()
		if n.Load() < 3 {
			t.Errorf("only %d checks with a failing disk", n.Load())
		}
		if w := e.Warnings(); len(w) != 1 {
			t.Fatalf("warnings = %q, want one storage warning", w)
		}
		rec.mu.Lock()
		rec.fail = false
		rec.mu.Unlock()
		time.Sleep(10 * time.Second)
		synctest.Wait()
		stop()
		if w := e.Warnings(); len(w) != 0 {
			t.Errorf("warning not cleared once writing works: %q", w)
		}
		if len(rec.got) == 0 {
			t.Errorf("nothing recorded after the fault cleared")
		}
	})
}

func pushMonitor() *monitor.Monitor {
	u, _ := url.Parse("push://tok123")
	return &monitor.Monitor{Name: "cron", URL: u.String(), Parsed: u, Kind: monitor.KindPush, Interval: time.Minute,
		Timeout: time.Second, Grace: 30 * time.Second}
}

func TestPushMonitorLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _ := New(testConfig(pushMonitor()), Options{Checkers: map[monitor.Kind]Checker{}})
		stop := runEngine(t, e)
		defer stop()
		if _, err := e.Push("tok123", monitor.StatusUp, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Push("wrong", monitor.StatusUp, ""); !errors.Is(err, ErrNoMonitor) {
			t.Errorf("wrong token: %v", err)
		}
		time.Sleep(50 * time.Second)
		synctest.Wait()
		if st, _ := e.State("cron"); st.Status != monitor.StatusUp {
			t.Fatalf("after a beat: %v, want up", st.Status)
		}
		time.Sleep(20 * time.Second) // past the interval, within the grace
		synctest.Wait()
		if st, _ := e.State("cron"); st.Status != monitor.StatusDegraded || st.Last.Class != "push_late" {
			t.Errorf("late within grace: %v %q, want degraded push_late", st.Status, st.Last.Class)
		}
		// the deadline is beat + 90 s: noticed within seconds, not an interval later
		time.Sleep(90*time.Second - 70*time.Second + 7*time.Second)
		synctest.Wait()
		st, _ := e.State("cron")
		if st.Status != monitor.StatusDown || st.Last.Class != "push_down" {
			t.Errorf("7 s past the deadline: %v %q, want down push_down", st.Status, st.Last.Class)
		}
		e.Push("tok123", monitor.StatusUp, "")
		if st, _ := e.State("cron"); st.Status != monitor.StatusUp {
			t.Errorf("after a new beat: %v, want up", st.Status)
		}
		e.Push("tok123", monitor.StatusDown, "disk full")
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if st, _ := e.State("cron"); st.Status != monitor.StatusDown || st.Last.Class != "push_failed" || st.Last.Error != "disk full" {
			t.Errorf("reported failure: %v %q %q, want down push_failed", st.Status, st.Last.Class, st.Last.Error)
		}
	})
}

func TestPushNeverBeatGoesDownOnceAndStays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		notes := &recordingNotifier{}
		e, _ := New(testConfig(pushMonitor()), Options{Checkers: map[monitor.Kind]Checker{}, Notifier: notes})
		stop := runEngine(t, e)
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		stop()
		if got := notes.changes(); len(got) != 1 || got[0] != "pending->down" {
			t.Errorf("changes = %v, want one pending->down (no bouncing back to pending)", got)
		}
	})
}

// beatsOnly restores a push monitor whose last results were lateness checks.
type beatsOnly struct{ beat, check time.Time }

func (b beatsOnly) Restore(string, int) ([]monitor.Result, time.Time, bool) {
	return []monitor.Result{
		{Time: b.beat, Status: monitor.StatusUp, Answers: []string{beatMark}},
		{Time: b.check, Status: monitor.StatusDown, Class: "push_down"},
	}, b.check, true
}
func (beatsOnly) Tally(string, time.Duration, int, time.Time) []monitor.Tally { return nil }

func TestPushRestartKeepsTheLastRealBeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		notes := &recordingNotifier{}
		r := beatsOnly{beat: now.Add(-time.Hour), check: now.Add(-time.Second)}
		e, _ := New(testConfig(pushMonitor()), Options{Checkers: map[monitor.Kind]Checker{}, Restorer: r, Notifier: notes})
		stop := runEngine(t, e)
		time.Sleep(time.Minute)
		synctest.Wait()
		stop()
		if st, _ := e.State("cron"); st.Status != monitor.StatusDown {
			t.Errorf("after a restart: %v, want still down (the last beat is an hour old)", st.Status)
		}
		if got := notes.changes(); len(got) != 0 {
			t.Errorf("a restart changed the status: %v", got)
		}
	})
}

func TestReloadKeepsUnchangedState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chk := upChecker()
		a, b := testMonitor("a", 10*time.Second), testMonitor("b", 10*time.Second)
		e, _ := New(testConfig(a, b), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(15 * time.Second)
		synctest.Wait()
		before, _ := e.State("a")
		a2 := *a
		c := testMonitor("c", 10*time.Second)
		changes, err := e.Reload(testConfig(&a2, c))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(changes) != "[added c removed b]" {
			t.Errorf("changes = %v", changes)
		}
		after, _ := e.State("a")
		if after.Checks != before.Checks || after.Status != monitor.StatusUp {
			t.Errorf("unchanged monitor lost its state: %+v", after)
		}
		if _, err := e.State("b"); !errors.Is(err, ErrNoMonitor) {
			t.Errorf("removed monitor still there")
		}
		synctest.Wait()
		if st, _ := e.State("c"); st.Status != monitor.StatusUp {
			t.Errorf("added monitor not checked at once: %v", st.Status)
		}
	})
}

func TestCheckAllRetriesAndKeepsOrder(t *testing.T) {
	var calls sync.Map
	chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
		v, _ := calls.LoadOrStore(m.Name, new(atomic.Int32))
		if v.(*atomic.Int32).Add(1) == 1 && m.Name == "flaky" {
			return monitor.Result{Status: monitor.StatusDown, Class: "http_500", Code: 500}
		}
		return monitor.Result{Status: monitor.StatusUp, Code: 200}
	})
	ms := []*monitor.Monitor{testMonitor("first", time.Minute), testMonitor("flaky", time.Minute), testMonitor("last", time.Minute)}
	for _, m := range ms {
		m.Retries, m.RetryInterval = 1, time.Millisecond
	}
	e, _ := New(testConfig(ms...), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
	rs := e.CheckAll(context.Background())
	if len(rs) != 3 || rs[0].Monitor != "first" || rs[2].Monitor != "last" {
		t.Fatalf("order: %+v", rs)
	}
	if rs[1].Status != monitor.StatusUp || rs[1].Attempts != 2 {
		t.Errorf("flaky: %v after %d attempts, want up after 2", rs[1].Status, rs[1].Attempts)
	}
}

func TestSubscriptionNeverBlocksAndKeepsChanges(t *testing.T) {
	var h hub
	s := h.subscribe(10)
	defer s.Close()
	h.publish(monitor.Event{Kind: monitor.EventChange, Monitor: "x", To: monitor.StatusDown})
	for i := range 100 {
		h.publish(monitor.Event{Kind: monitor.EventResult, Monitor: fmt.Sprint(i)})
	}
	evs, dropped := s.Drain()
	if len(evs) != 10 || dropped != 91 {
		t.Fatalf("kept %d, dropped %d; want 10 and 91", len(evs), dropped)
	}
	if evs[0].Kind != monitor.EventChange {
		t.Errorf("the status change was dropped before results")
	}
}

// emptyRestorer is history that knows nothing yet.
type emptyRestorer struct{}

func (emptyRestorer) Restore(string, int) ([]monitor.Result, time.Time, bool) {
	return nil, time.Time{}, false
}
func (emptyRestorer) Tally(string, time.Duration, int, time.Time) []monitor.Tally { return nil }

func TestUptimeBeforeHistoryKnowsAnything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			if n.Add(1)%4 == 0 {
				return monitor.Result{Status: monitor.StatusDown, Class: "http_500", Code: 500}
			}
			return monitor.Result{Status: monitor.StatusUp}
		})
		m := testMonitor("new", 10*time.Second)
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Restorer: emptyRestorer{}})
		stop := runEngine(t, e)
		time.Sleep(40*time.Second - time.Nanosecond + offset("new", m.Interval))
		synctest.Wait()
		stop()
		st, _ := e.State("new")
		for name, u := range map[string]monitor.Uptime{"24h": st.Uptime24, "7d": st.Uptime7d, "30d": st.Uptime30} {
			if !u.Valid || u.Ratio != 0.75 {
				t.Errorf("%s uptime = %+v, want 75%% from the checks seen so far", name, u)
			}
		}
	})
}

func TestMaintenanceResultsAreRecordedAsMaintenance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			return monitor.Result{Status: monitor.StatusDown, Code: 503, Class: "http_503"}
		})
		rec := &memRecorder{}
		m := testMonitor("deploy", 10*time.Second)
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Recorder: rec})
		e.Maintain("deploy", time.Hour)
		stop := runEngine(t, e)
		time.Sleep(35 * time.Second)
		synctest.Wait()
		stop()
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if len(rec.got) == 0 {
			t.Fatal("nothing recorded")
		}
		for _, r := range rec.got {
			if r.Status != monitor.StatusMaintenance || r.Code != 503 {
				t.Errorf("recorded %v %d during a window, want maintenance with the code kept", r.Status, r.Code)
			}
		}
		if st, _ := e.State("deploy"); st.Uptime24.Valid {
			t.Errorf("a window counted towards uptime: %+v", st.Uptime24)
		}
	})
}

func TestReloadNeverRunsAMonitorTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var inFlight, most atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			if n > most.Load() {
				most.Store(n)
			}
			<-ctx.Done()
			return monitor.Result{Status: monitor.StatusDown, Class: "timeout"}
		})
		m := testMonitor("hung", 10*time.Second)
		m.Timeout = time.Minute
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(11 * time.Second)
		synctest.Wait()
		for i := range 3 { // an editor saving three times: each a changed monitor
			m2 := *m
			m2.Timeout = time.Minute + time.Duration(i+1)*time.Second
			if _, err := e.Reload(testConfig(&m2)); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
		}
		if got := most.Load(); got != 1 {
			t.Errorf("%d checks of one monitor at once after reloads, want 1", got)
		}
	})
}

func TestAckOnlyAnOpenIncident(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var down atomic.Bool
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			if down.Load() {
				return monitor.Result{Status: monitor.StatusDown, Code: 500, Class: "http_500"}
			}
			return monitor.Result{Status: monitor.StatusUp}
		})
		m := testMonitor("a", 10*time.Second)
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(11 * time.Second)
		synctest.Wait()
		if err := e.Ack("a"); !errors.Is(err, ErrNoIncident) { // up: nothing to acknowledge
			t.Errorf("ack while up: %v, want ErrNoIncident", err)
		}
		down.Store(true)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if st, _ := e.State("a"); st.Status != monitor.StatusDown || st.Acked {
			t.Fatalf("new outage: %v acked=%v, want down and not acknowledged", st.Status, st.Acked)
		}
		if err := e.Ack("a"); err != nil {
			t.Errorf("ack during an outage: %v", err)
		}
		if st, _ := e.State("a"); !st.Acked {
			t.Errorf("ack during an outage did not stick")
		}
	})
}

// A maintenance window in the middle of an outage keeps its
// acknowledgement: down again after the window, the incident is still
// acknowledged. A monitor that was up before a window is not.
func TestAckOutlastsAWindowInTheIncident(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, down, step := ackedOutage(t)
		if err := e.Maintain("a", time.Minute); err != nil {
			t.Fatal(err)
		}
		step(monitor.StatusMaintenance, true, "in the window")
		if err := e.Maintain("a", 0); err != nil {
			t.Fatal(err)
		}
		step(monitor.StatusDown, true, "down again after the window")

		down.Store(false)
		time.Sleep(10 * time.Second)
		step(monitor.StatusUp, false, "back up")
		if err := e.Maintain("a", time.Minute); err != nil {
			t.Fatal(err)
		}
		down.Store(true)
		step(monitor.StatusMaintenance, false, "down in a window, up before it")
		if err := e.Maintain("a", 0); err != nil {
			t.Fatal(err)
		}
		step(monitor.StatusDown, false, "down after a window it was up before")
	})
}

// A pause in the middle of an outage keeps its acknowledgement, as a
// window does: resumed (pending until its next check) and down again, the
// incident is still acknowledged; back up, it is not.
func TestAckOutlastsAPauseInTheIncident(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, down, step := ackedOutage(t)
		if err := e.SetPaused("a", true); err != nil {
			t.Fatal(err)
		}
		step(monitor.StatusPaused, true, "paused")
		if err := e.SetPaused("a", false); err != nil {
			t.Fatal(err)
		}
		step(monitor.StatusDown, true, "down again after the resume")

		down.Store(false)
		time.Sleep(10 * time.Second)
		step(monitor.StatusUp, false, "back up")
	})
}

// ackedOutage starts, in a synctest bubble, an engine whose monitor "a"
// is down (until down is set false) and acknowledged. step checks a's
// status and acknowledgement once everything in the bubble has settled.
func ackedOutage(t *testing.T) (e *Engine, down *atomic.Bool, step func(want monitor.Status, wantAcked bool, what string)) {
	t.Helper()
	down = new(atomic.Bool)
	down.Store(true)
	chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
		if down.Load() {
			return monitor.Result{Status: monitor.StatusDown, Code: 500, Class: "http_500"}
		}
		return monitor.Result{Status: monitor.StatusUp}
	})
	e, _ = New(testConfig(testMonitor("a", 10*time.Second)), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
	t.Cleanup(runEngine(t, e))
	time.Sleep(11 * time.Second)
	synctest.Wait()
	if err := e.Ack("a"); err != nil {
		t.Fatal(err)
	}
	return e, down, func(want monitor.Status, wantAcked bool, what string) {
		t.Helper()
		synctest.Wait()
		if st, _ := e.State("a"); st.Status != want || st.Acked != wantAcked {
			t.Errorf("%s: %v acked=%v, want %v acked=%v", what, st.Status, st.Acked, want, wantAcked)
		}
	}
}

func TestResultsNeverShowAURLPassword(t *testing.T) {
	chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
		return monitor.Result{Status: monitor.StatusUp}
	})
	u, _ := url.Parse("http://admin:hunter2@127.0.0.1/health")
	m := &monitor.Monitor{Name: "p", URL: u.String(), Parsed: u, Kind: monitor.KindHTTP, Interval: time.Minute, Timeout: time.Second}
	e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
	rs := e.CheckAll(context.Background())
	if got := rs[0].URL; got == "" || strings.Contains(got, "hunter2") {
		t.Errorf("result URL %q", got)
	}
}

func TestCheckAllHonoursMaintenance(t *testing.T) {
	chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
		return monitor.Result{Status: monitor.StatusDown, Code: 503}
	})
	m := testMonitor("w", time.Minute)
	e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Maintenance: allWindow{}})
	if rs := e.CheckAll(context.Background()); rs[0].Status != monitor.StatusMaintenance {
		t.Errorf("check in a window: %v, want maintenance", rs[0].Status)
	}
}

type allWindow struct{}

func (allWindow) Active(*monitor.Monitor, time.Time) (string, bool) { return "deploy", true }

type memControls struct {
	mu sync.Mutex
	m  map[string]Control
}

func (c *memControls) LoadControls() (map[string]Control, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m, nil
}

func (c *memControls) SaveControls(m map[string]Control) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = m
	return nil
}

func TestPausesAndMaintenanceSurviveARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			n.Add(1)
			return monitor.Result{Status: monitor.StatusDown, Code: 500, Class: "http_500"}
		})
		store := &memControls{}
		cfg := testConfig(testMonitor("paused", 10*time.Second), testMonitor("deploying", 10*time.Second))
		e1, _ := New(cfg, Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Controls: store})
		e1.SetPaused("paused", true)
		e1.Maintain("deploying", time.Hour)

		notes := &recordingNotifier{}
		e2, _ := New(cfg, Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Controls: store, Notifier: notes})
		stop := runEngine(t, e2)
		time.Sleep(time.Minute)
		synctest.Wait()
		stop()
		if st, _ := e2.State("paused"); st.Status != monitor.StatusPaused || !st.Paused {
			t.Errorf("after a restart the paused monitor is %v", st.Status)
		}
		if st, _ := e2.State("deploying"); st.Status != monitor.StatusMaintenance {
			t.Errorf("after a restart the monitor in maintenance is %v", st.Status)
		}
		for _, c := range notes.changes() {
			if strings.HasSuffix(c, "->down") {
				t.Errorf("a restart paged: %s", c)
			}
		}
	})
}

func TestUpMonitorInAWindowShowsMaintenance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _ := New(testConfig(testMonitor("ok", 10*time.Second)), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: upChecker()}})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(11 * time.Second)
		synctest.Wait()
		e.Maintain("ok", time.Hour) // checks at once
		synctest.Wait()
		if st, _ := e.State("ok"); st.Status != monitor.StatusMaintenance || st.Last.Code != 200 {
			t.Errorf("up monitor in a window: %v (code %d), want maintenance with its code kept", st.Status, st.Last.Code)
		}
		e.Maintain("ok", 0)
		synctest.Wait()
		if st, _ := e.State("ok"); st.Status != monitor.StatusUp {
			t.Errorf("after the window: %v, want up", st.Status)
		}
	})
}

// histRecorder is history in memory: it records and answers uptime.
type histRecorder struct{ memRecorder }

func (h *histRecorder) Restore(string, int) ([]monitor.Result, time.Time, bool) {
	return nil, time.Time{}, false
}
func (h *histRecorder) Tally(name string, period time.Duration, n int, now time.Time) []monitor.Tally {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]monitor.Tally, n)
	last := now.Truncate(period)
	for _, r := range h.got {
		i := n - 1 - int(last.Sub(r.Time.Truncate(period))/period)
		if r.Monitor != name || i < 0 || i >= n || r.Status == monitor.StatusMaintenance {
			continue
		}
		out[i].Total++
		if r.Status != monitor.StatusDown {
			out[i].Good++
		}
	}
	return out
}

func TestUptimeFromHistoryFollowsAnOutageWithinSeconds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var down atomic.Bool
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			if down.Load() {
				return monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502"}
			}
			return monitor.Result{Status: monitor.StatusUp}
		})
		h := &histRecorder{}
		e, _ := New(testConfig(testMonitor("web", 2*time.Second)), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk},
			Recorder: h, Restorer: h})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(70 * time.Second) // past the first refresh: history's figure is the one in use
		synctest.Wait()
		down.Store(true)
		time.Sleep(45 * time.Second)
		synctest.Wait()
		if st, _ := e.State("web"); !st.Uptime24.Valid || st.Uptime24.Ratio > 0.8 {
			t.Errorf("45 s into an outage (40%% of the checks failed) 24h uptime shows %+v", st.Uptime24)
		}
	})
}

// A monitor that goes down never shows the 100% history had a moment
// before: the result that took it down is stored, and its figures are read
// again at once, not at the refresher's next round.
func TestUptimeFollowsAnOutageAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var down atomic.Bool
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			if down.Load() {
				return monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502"}
			}
			return monitor.Result{Status: monitor.StatusUp}
		})
		h := &histRecorder{}
		m := testMonitor("web", 2*time.Second)
		m.Retries = 0
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Recorder: h, Restorer: h})
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(70 * time.Second) // past the first refresh: history's figure is the one in use
		synctest.Wait()
		if st, _ := e.State("web"); st.Uptime24.Ratio != 1 {
			t.Fatalf("before the outage: %+v", st.Uptime24)
		}
		down.Store(true)
		for {
			time.Sleep(100 * time.Millisecond)
			synctest.Wait() // the result stored, the refresher done with it
			if st, _ := e.State("web"); st.Status == monitor.StatusDown {
				if !st.Uptime24.Valid || st.Uptime24.Ratio >= 1 {
					t.Errorf("down, and 24h uptime shows %+v", st.Uptime24)
				}
				return
			}
		}
	})
}

func TestPauseAndRemovalAreRecorded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			return monitor.Result{Status: monitor.StatusDown, Code: 500}
		})
		rec := &memRecorder{}
		a, b := testMonitor("a", 10*time.Second), testMonitor("b", 10*time.Second)
		e, _ := New(testConfig(a, b), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}, Recorder: rec})
		stop := runEngine(t, e)
		time.Sleep(15 * time.Second)
		synctest.Wait()
		e.SetPaused("a", true)
		e.Reload(testConfig(a))
		synctest.Wait()
		stop()
		last := map[string]monitor.Result{}
		rec.mu.Lock()
		for _, r := range rec.got {
			last[r.Monitor] = r
		}
		rec.mu.Unlock()
		if r := last["a"]; r.Status != monitor.StatusPaused || r.Error != "paused" {
			t.Errorf("paused monitor's last record: %v %q", r.Status, r.Error)
		}
		if r := last["b"]; r.Status != monitor.StatusPaused || r.Error != "removed from the config" {
			t.Errorf("removed monitor's last record: %v %q", r.Status, r.Error)
		}
	})
}

// A monitor changed by a reload while its check is still running is
// checked again, with its new settings, as soon as that check ends: the
// check asked for is not lost between the old entry and the new one.
func TestReloadDuringACheckChecksAgainWhenItEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var mu sync.Mutex
		var timeouts []time.Duration
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			mu.Lock()
			timeouts = append(timeouts, m.Timeout)
			first := len(timeouts) == 1
			mu.Unlock()
			if first {
				<-release
			}
			return monitor.Result{Status: monitor.StatusUp}
		})
		m := testMonitor("slow", time.Hour)
		m.Timeout = time.Minute
		e, _ := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
		stop := runEngine(t, e)
		defer stop()
		if err := e.CheckNow("slow"); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the first check runs, and hangs
		mu.Lock()
		if len(timeouts) != 1 {
			t.Fatalf("%d checks before the reload, want 1", len(timeouts))
		}
		mu.Unlock()
		m2 := *m
		m2.Timeout = 2 * time.Minute
		if _, err := e.Reload(testConfig(&m2)); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		close(release)
		synctest.Wait()
		mu.Lock()
		defer mu.Unlock()
		if len(timeouts) != 2 || timeouts[1] != 2*time.Minute {
			t.Errorf("checks with timeouts %v, want the first then one with the new settings (2m0s) at once", timeouts)
		}
	})
}

// lastAnswered is a history in which every monitor answered 200 a minute
// before the engine starts, inside a maintenance window.
type lastAnswered struct {
	emptyRestorer
	at time.Time
}

func (h lastAnswered) Restore(name string, n int) ([]monitor.Result, time.Time, bool) {
	return []monitor.Result{{Monitor: name, Time: h.at, Status: monitor.StatusMaintenance, Code: 200, Latency: 3 * time.Millisecond}},
		h.at.Add(-time.Hour), true
}

// windowOn is a maintenance window, "deploy", over the monitors named.
type windowOn map[string]bool

func (w windowOn) Active(m *monitor.Monitor, _ time.Time) (string, bool) { return "deploy", w[m.Name] }

// A monitor inside a maintenance window when upbeat starts is checked at
// once: else, restored pending (a restart does not trust a window's
// status), it showed pending and its last answer from before the restart
// (200 in 3 ms while the target answered 500) until its first check, up
// to half a minute later. The others keep their place in the spread.
func TestStartInAWindowChecksAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			return monitor.Result{Status: monitor.StatusDown, Code: 500, Class: "http_500"}
		})
		api, web := testMonitor("api", time.Hour), testMonitor("web", time.Hour)
		for _, m := range []*monitor.Monitor{api, web} {
			if d := offset(m.Name, m.Interval); d < time.Second {
				t.Fatalf("%s is checked %v after start: the test needs a later one", m.Name, d)
			}
		}
		e, err := New(testConfig(api, web), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk},
			Restorer: lastAnswered{at: time.Now().Add(-time.Minute)}, Maintenance: windowOn{"api": true}})
		if err != nil {
			t.Fatal(err)
		}
		stop := runEngine(t, e)
		defer stop()
		synctest.Wait()
		if st, _ := e.State("api"); st.Status != monitor.StatusMaintenance || st.InMaint != "deploy" || st.Last.Code != 500 {
			t.Errorf("api, in a window, at start: %s (window %q), last answer %d; want maintenance, deploy, 500", st.Status, st.InMaint, st.Last.Code)
		}
		if st, _ := e.State("web"); st.Status != monitor.StatusPending || st.Last.Code != 200 {
			t.Errorf("web, in no window, at start: %s, last answer %d; want pending until its turn, 200", st.Status, st.Last.Code)
		}
	})
}

// An incident takes notes and acknowledgements while a window or a pause
// silences it: it is still open, and its postmortem wants what was done
// meanwhile. A monitor that was up before the window has no incident to
// write on.
func TestNotesOnAnIncidentInAWindowOrAPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, down, step := ackedOutage(t)
		if err := e.Maintain("a", time.Minute); err != nil {
			t.Fatal(err)
		}
		step(monitor.StatusMaintenance, true, "in the window")
		if _, err := e.AddNote("a", monitor.Note{Kind: monitor.NoteText, Text: "deploying the fix"}); err != nil {
			t.Errorf("a note in a window, the incident open: %v", err)
		}
		if err := e.Ack("a"); err != nil {
			t.Errorf("an acknowledgement in a window, the incident open: %v", err)
		}
		if err := e.SetPaused("a", true); err != nil {
			t.Fatal(err)
		}
		step(monitor.StatusPaused, true, "paused in the window")
		if _, err := e.AddNote("a", monitor.Note{Kind: monitor.NoteText, Text: "paused for the fix"}); err != nil {
			t.Errorf("a note while paused, the incident open: %v", err)
		}
		if err := e.SetPaused("a", false); err != nil {
			t.Fatal(err)
		}
		if err := e.Maintain("a", 0); err != nil {
			t.Fatal(err)
		}
		down.Store(false)
		time.Sleep(10 * time.Second)
		step(monitor.StatusUp, false, "back up")
		if err := e.Maintain("a", time.Minute); err != nil {
			t.Fatal(err)
		}
		down.Store(true)
		step(monitor.StatusMaintenance, false, "down in a window, up before it")
		if _, err := e.AddNote("a", monitor.Note{Kind: monitor.NoteText, Text: "nothing open"}); !errors.Is(err, ErrNoIncident) {
			t.Errorf("a note in a window the monitor was up before: %v, want ErrNoIncident", err)
		}
	})
}

// A reload that changes a monitor's settings keeps its incident open: in
// a window, it still takes notes.
func TestReloadKeepsTheOpenIncident(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, step := ackedOutage(t)
		if err := e.Maintain("a", time.Hour); err != nil {
			t.Fatal(err)
		}
		step(monitor.StatusMaintenance, true, "in the window")
		m2 := *testMonitor("a", 10*time.Second)
		m2.Timeout = 3 * time.Second
		if _, err := e.Reload(testConfig(&m2)); err != nil {
			t.Fatal(err)
		}
		step(monitor.StatusMaintenance, true, "in the window, reloaded")
		if _, err := e.AddNote("a", monitor.Note{Kind: monitor.NoteText, Text: "after the reload"}); err != nil {
			t.Errorf("a note after a reload, the incident open: %v", err)
		}
	})
}

// Down again after a pause or a window in the middle of its incident, a
// monitor is down since the incident began (what FOR shows), not since
// the check that followed the break; back up and down again, since then.
func TestDownSinceTheIncidentAcrossABreak(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, down, step := ackedOutage(t)
		st, _ := e.State("a")
		began := st.Since
		since := func(want time.Time, what string) {
			t.Helper()
			if st, _ := e.State("a"); st.Status != monitor.StatusDown || !st.Since.Equal(want) {
				t.Errorf("%s: %v since %v, want down since %v", what, st.Status, st.Since, want)
			}
		}
		e.SetPaused("a", true)
		step(monitor.StatusPaused, true, "paused")
		time.Sleep(time.Minute)
		e.SetPaused("a", false)
		time.Sleep(time.Second)
		step(monitor.StatusDown, true, "resumed, still down")
		since(began, "resumed, still down")
		e.Maintain("a", 30*time.Second)
		step(monitor.StatusMaintenance, true, "in a window")
		time.Sleep(40 * time.Second)
		step(monitor.StatusDown, true, "after the window, still down")
		since(began, "after the window, still down")

		down.Store(false)
		time.Sleep(10 * time.Second)
		step(monitor.StatusUp, false, "back up")
		down.Store(true)
		time.Sleep(10 * time.Second)
		step(monitor.StatusDown, false, "down again")
		if st, _ := e.State("a"); !st.Since.After(began.Add(time.Minute)) {
			t.Errorf("a new incident: down since %v, the old one's start %v", st.Since, began)
		}
	})
}
