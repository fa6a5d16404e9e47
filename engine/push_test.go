package engine

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

func pushMonitorNamed(name, token string) *monitor.Monitor {
	u, _ := url.Parse("push://" + token)
	return &monitor.Monitor{Name: name, URL: u.String(), Parsed: u, Kind: monitor.KindPush, Interval: time.Minute,
		Timeout: time.Second, Grace: 30 * time.Second}
}

// The push checker alone: each check judges the last beat against the clock.
func TestPushCheckerJudgesLateness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPushChecker(time.Now)
		m := pushMonitorNamed("cron", "tok")
		p.watch([]*monitor.Monitor{m})
		ctx := context.Background()
		step := func(d time.Duration, status monitor.Status, class string) {
			t.Helper()
			time.Sleep(d)
			if r := p.Check(ctx, m); r.Status != status || r.Class != class {
				t.Errorf("%v %q (%s), want %v %q", r.Status, r.Class, r.Error, status, class)
			}
		}
		step(0, monitor.StatusPending, "")                     // no beat yet
		step(89*time.Second, monitor.StatusPending, "")        // within interval and grace of watching
		step(2*time.Second, monitor.StatusDown, ClassPushDown) // never beat
		if _, err := p.beat("tok", monitor.StatusUp, ""); err != nil {
			t.Fatal(err)
		}
		step(time.Minute, monitor.StatusUp, "")                  // on time
		step(time.Second, monitor.StatusDegraded, ClassPushLate) // late, within grace
		step(30*time.Second, monitor.StatusDown, ClassPushDown)  // past grace
		r, _ := p.beat("tok", monitor.StatusDown, "disk full")
		if r.Status != monitor.StatusDown || r.Class != ClassPushFailed || r.Error != "disk full" || !isBeat(r) || r.URL != pushURL {
			t.Errorf("failure beat: %+v", r)
		}
		step(10*time.Second, monitor.StatusDown, ClassPushFailed) // says so until the next beat
		if r := p.Check(ctx, m); isBeat(&r) {
			t.Errorf("a lateness check looks like a beat in history: %+v", r)
		}
		p.beat("tok", monitor.StatusUp, "")
		step(time.Second, monitor.StatusUp, "")
	})
}

func TestPushTokens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPushChecker(time.Now)
		a, b := pushMonitorNamed("a", "token-a"), pushMonitorNamed("b", "token-b")
		p.watch([]*monitor.Monitor{a, b, testMonitor("web", time.Minute)})
		for _, bad := range []string{"", "token-", "token-a ", "TOKEN-A", "token-ab", "web", "127.0.0.1"} {
			if _, err := p.beat(bad, monitor.StatusUp, ""); !errors.Is(err, ErrNoMonitor) {
				t.Errorf("token %q: %v, want ErrNoMonitor", bad, err)
			}
		}
		for token, name := range map[string]string{"token-a": "a", "token-b": "b"} {
			if r, err := p.beat(token, monitor.StatusUp, ""); err != nil || r.Monitor != name {
				t.Errorf("token %q: %v %v, want a beat of %s", token, r, err, name)
			}
		}
		// a reload: a's token changes, b goes; a keeps its last beat
		time.Sleep(time.Minute + time.Second)
		a2 := pushMonitorNamed("a", "token-a2")
		p.watch([]*monitor.Monitor{a2})
		for _, gone := range []string{"token-a", "token-b"} {
			if _, err := p.beat(gone, monitor.StatusUp, ""); !errors.Is(err, ErrNoMonitor) {
				t.Errorf("token %q after the reload: %v", gone, err)
			}
		}
		if r := p.Check(context.Background(), a2); r.Class != ClassPushLate {
			t.Errorf("after the token changed: %v %q, want the last beat kept (late)", r.Status, r.Class)
		}
		if _, err := p.beat("token-a2", monitor.StatusUp, ""); err != nil {
			t.Errorf("new token: %v", err)
		}
	})
}

func TestPushCheckerResumesFromHistory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		p := newPushChecker(time.Now)
		m := pushMonitorNamed("cron", "tok")
		p.watch([]*monitor.Monitor{m})
		p.Resume(m, []monitor.Result{
			{Time: now.Add(-40 * time.Second), Status: monitor.StatusDown, Class: ClassPushFailed, Error: "exit 3", Answers: []string{beatMark}},
			{Time: now.Add(-10 * time.Second), Status: monitor.StatusDown, Class: ClassPushFailed, Error: "exit 3"},
		})
		if r := p.Check(context.Background(), m); r.Class != ClassPushFailed || r.Error != "exit 3" {
			t.Errorf("after a restart: %v %q %q, want the reported failure", r.Status, r.Class, r.Error)
		}
		time.Sleep(time.Minute)
		if r := p.Check(context.Background(), m); r.Class != ClassPushDown {
			t.Errorf("past the deadline of the last beat: %v %q, want push_down", r.Status, r.Class)
		}
	})
}

func TestCheckAllOfAPushMonitor(t *testing.T) {
	e, _ := New(testConfig(pushMonitor()), Options{})
	rs := e.CheckAll(context.Background())
	if r := rs[0]; r.Status != monitor.StatusPending || r.URL != pushURL || r.Error == "" {
		t.Errorf("one-shot check of a push monitor: %v %q %q", r.Status, r.URL, r.Error)
	}
}

func TestPushAfterReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _ := New(testConfig(pushMonitor()), Options{})
		stop := runEngine(t, e)
		defer stop()
		m := pushMonitorNamed("cron", "rotated")
		m.Grace = time.Minute
		if _, err := e.Reload(testConfig(m)); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Push("tok123", monitor.StatusUp, ""); !errors.Is(err, ErrNoMonitor) {
			t.Errorf("the old token after a reload: %v", err)
		}
		if name, err := e.Push("rotated", monitor.StatusUp, ""); err != nil || name != "cron" {
			t.Errorf("the new token: %q %v", name, err)
		}
		if st, _ := e.State("cron"); st.Status != monitor.StatusUp || st.Last.URL != pushURL {
			t.Errorf("after a beat: %v %q", st.Status, st.Last.URL)
		}
	})
}

// A push monitor waiting for its first beat is not 100% up: checks that
// judged nothing count neither for nor against uptime.
func TestPendingChecksCountNoUptime(t *testing.T) {
	var u uptimeCounter
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for i := range 5 {
		u.count(&monitor.Result{Time: t0.Add(time.Duration(i) * time.Minute), Status: monitor.StatusPending})
	}
	if h24, _, _ := u.figures(t0.Add(5*time.Minute), true); h24.Valid {
		t.Errorf("five pending checks: uptime %v, want none", h24)
	}
	u.count(&monitor.Result{Time: t0.Add(6 * time.Minute), Status: monitor.StatusDown})
	if h24, _, _ := u.figures(t0.Add(6*time.Minute), true); !h24.Valid || h24.Ratio != 0 {
		t.Errorf("pending checks then a failure: uptime %v, want 0%% (the only check that judged failed)", h24)
	}
}
