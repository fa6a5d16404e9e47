package main

import (
	"os"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// pauseTrial is an outage of api with a pause in the middle: api goes
// down and pages, someone pauses it (p, upbeat pause), and resumes it.
// What the trial's fields add happens in that order.
type pauseTrial struct {
	ack     bool // the incident is acknowledged before the pause
	fixed   bool // the target comes back while api is paused
	restart bool // upbeat restarts while api is paused
	// upbeat stops after the resume, before api's first check, and
	// starts again
	stopUnchecked bool
}

// run plays the trial and returns what the pager was given. The target is
// made healthy at the end, so that an incident still open resolves, and
// upbeat is stopped, which sends what is queued.
func (tr pauseTrial) run(t *testing.T) windowOutcome {
	t.Helper()
	target := newSwitchable(t)
	target.down.Store(true)
	dir := t.TempDir()
	cfg, err := config.Load(hookConfig(t, dir, "http://127.0.0.1:9/hook", target.URL, `renotify = "1h"`))
	if err != nil {
		t.Fatal(err)
	}
	pager := &pagerChannel{}
	opts := runtimeOptions{getenv: os.Getenv, tuneAlerts: func(o *alert.Options) {
		o.BurstWindow, o.ResolveHold = -1, -1
		o.Channels = map[string]alert.Channel{"hook": pager}
	}}

	rt, sub, stop := startRuntime(t, cfg, opts)
	waitChange(t, sub, monitor.StatusDown)
	if tr.ack {
		if _, err := rt.eng.AddNote("api", monitor.Note{Kind: monitor.NoteAck, Text: "on it"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := rt.eng.SetPaused("api", true); err != nil {
		t.Fatal(err)
	}
	waitChange(t, sub, monitor.StatusPaused)
	if tr.fixed {
		target.down.Store(false)
	}
	if tr.restart {
		stop()
		rt, sub, stop = startRuntime(t, cfg, opts)
		if st, _ := rt.eng.State("api"); st.Status != monitor.StatusPaused {
			t.Fatalf("after the restart api is %s, want paused", st.Status)
		}
	}
	if tr.stopUnchecked {
		stop()
		unrun := openRuntime(t, cfg, opts) // never runs: no check after the resume
		if err := unrun.eng.SetPaused("api", false); err != nil {
			t.Fatal(err)
		}
		unrun.Close()
		rt, sub, stop = startRuntime(t, cfg, opts)
	} else if err := rt.eng.SetPaused("api", false); err != nil {
		t.Fatal(err)
	}
	if tr.fixed {
		waitChange(t, sub, monitor.StatusUp)
	} else {
		waitChange(t, sub, monitor.StatusDown)
		tr.downAfterResume(t, rt, sub)
		target.down.Store(false)
		rt.eng.CheckNow("api")
		waitChange(t, sub, monitor.StatusUp)
	}
	stop()
	return outcomeOf(pager, dir)
}

// downAfterResume checks the alerting kept the incident across the pause,
// acknowledged as before, through a second failed check.
func (tr pauseTrial) downAfterResume(t *testing.T, rt *runtime, sub *source.Subscription) {
	t.Helper()
	st, _ := rt.eng.State("api")
	incs := rt.alerts.Current().Incidents()
	if st.Acked != tr.ack || len(incs) != 1 || incs[0].Acked != tr.ack {
		t.Errorf("down after the resume: acknowledged %v, the alerting's incidents %+v; want one, acknowledged %v", st.Acked, incs, tr.ack)
	}
	if len(incs) == 1 && (st.Since.UnixMilli() != incs[0].Start.UnixMilli()) {
		t.Errorf("down since %v, the alerting's incident began %v (restart %v): FOR and the ID disagree with the page", st.Since, incs[0].Start, tr.restart)
	}
	rt.eng.CheckNow("api") // a second failure: still nothing sent
	waitEvent(t, sub, "a failed check", func(ev monitor.Event) bool {
		return ev.Kind == monitor.EventResult && ev.Result.Code == 502
	})
}

// TestRestartWhilePausedAlertsAsWithout: a restart while a person has a
// down monitor paused changes nothing its people are told. The incident
// goes on after the resume, as it does without a restart: no second page
// when the monitor is still down, the resolve (about the incident they
// were paged with) once it is back, its acknowledgement kept.
func TestRestartWhilePausedAlertsAsWithout(t *testing.T) {
	for _, c := range []struct {
		name  string
		trial pauseTrial
	}{
		{"still down after the resume", pauseTrial{}},
		{"acknowledged before the pause", pauseTrial{ack: true}},
		{"fixed while paused", pauseTrial{fixed: true}},
		{"acknowledged, fixed while paused", pauseTrial{ack: true, fixed: true}},
		{"stopped after the resume, before a check", pauseTrial{stopUnchecked: true}},
		{"stopped after the resume, fixed", pauseTrial{stopUnchecked: true, fixed: true}},
		{"stopped after the resume, acknowledged", pauseTrial{stopUnchecked: true, ack: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, restart := range []bool{false, true} {
				tr := c.trial
				tr.restart = restart
				got := tr.run(t)
				want := []string{alert.EventDown, alert.EventUp}
				if !slices.Equal(got.alerts, want) {
					t.Fatalf("restart %v: alerts %q, want %q", restart, got.alerts, want)
				}
				// history keeps times to the millisecond
				if page, resolve := got.incidents[0], got.incidents[1]; page == nil || resolve == nil || resolve.Start.UnixMilli() != page.Start.UnixMilli() {
					t.Errorf("restart %v: the resolve is about %+v, want the incident paged for, %+v", restart, resolve, page)
				}
			}
		})
	}
}

// A monitor paused before a restart says, after it, when it was paused,
// not when upbeat started again, and its pause is no sample of the
// target in its sparkline, as it is none while upbeat runs.
func TestPausedSinceSurvivesARestart(t *testing.T) {
	t.Parallel()
	target := newSwitchable(t)
	dir := t.TempDir()
	cfg, err := config.Load(hookConfig(t, dir, "http://127.0.0.1:9/hook", target.URL, ""))
	if err != nil {
		t.Fatal(err)
	}
	var ahead atomic.Int64 // the clock goes an hour on across the restart
	opts := runtimeOptions{getenv: os.Getenv, now: func() time.Time {
		return time.Now().Add(-2*time.Hour + time.Duration(ahead.Load()))
	}, tuneAlerts: func(o *alert.Options) {
		o.Channels = map[string]alert.Channel{"hook": &pagerChannel{}}
	}}
	rt, sub, stop := startRuntime(t, cfg, opts)
	waitChange(t, sub, monitor.StatusUp)
	if err := rt.eng.SetPaused("api", true); err != nil {
		t.Fatal(err)
	}
	waitChange(t, sub, monitor.StatusPaused)
	before, _ := rt.eng.State("api")
	stop()
	ahead.Store(int64(time.Hour))

	rt, _, stop = startRuntime(t, cfg, opts)
	defer stop()
	after, _ := rt.eng.State("api")
	// history keeps milliseconds, and the pause's record is stamped a
	// moment after its status
	if d := after.Since.Sub(before.Since); after.Status != monitor.StatusPaused || d < -time.Millisecond || d > time.Second {
		t.Errorf("after a restart api is %s since %v, want paused since %v", after.Status, after.Since, before.Since)
	}
	if len(after.Recent) != len(before.Recent) {
		t.Errorf("after a restart api has %d samples, want the %d it had: %+v", len(after.Recent), len(before.Recent), after.Recent)
	}
}
