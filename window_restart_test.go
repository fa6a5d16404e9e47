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

// windowTrial is an outage of api with a maintenance window in the
// middle: api goes down and pages, then a window begins, and ends. What
// the trial's fields add happens in that order.
type windowTrial struct {
	upBefore  bool // api is up until the window, not down and paged
	ack       bool // the incident is acknowledged before the window
	recoverIn bool // the target comes back inside the window
	failIn    bool // the target fails before the window ends (again, after the recovery; after the restart, if any)
	restart   bool // upbeat restarts while the window is on (after the recovery, if any)
	// lapse: the window runs out rather than being ended by hand; with a
	// restart, while upbeat is stopped.
	lapse      bool
	downAfter  bool // the target fails again once the window ended with it up
	wantAcked  bool // the incident is still acknowledged, down after the window
	wantAlerts []string
}

// windowOutcome is what a trial's people were told: each message's
// event, and the incident it was about.
type windowOutcome struct {
	alerts    []string
	incidents []*monitor.Incident
}

// run plays the trial: the window is an ad-hoc one (upbeat maintain) of
// an hour, kept across the restart as a person's decision is. The
// engine's clock starts two hours behind and jumps to the present for
// the window to run out (below the stall watch's threshold). The target is made healthy at the end, so that an incident still
// open resolves, and upbeat is stopped, which sends what is queued: the
// alerts returned are every one the trial caused, in order.
func (tr windowTrial) run(t *testing.T) windowOutcome {
	t.Helper()
	target := newSwitchable(t)
	target.down.Store(!tr.upBefore)
	cfg, err := config.Load(hookConfig(t, t.TempDir(), "http://127.0.0.1:9/hook", target.URL, `renotify = "1h"`))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Settings.StallThreshold = 3 * time.Hour
	var ahead atomic.Int64
	pager := &pagerChannel{}
	opts := runtimeOptions{getenv: os.Getenv, now: func() time.Time {
		return time.Now().Add(-2*time.Hour + time.Duration(ahead.Load()))
	}, tuneAlerts: func(o *alert.Options) {
		o.BurstWindow, o.ResolveHold = -1, -1
		o.Channels = map[string]alert.Channel{"hook": pager}
	}}
	check := func(rt *runtime, sub *source.Subscription, want monitor.Status) {
		t.Helper()
		rt.eng.CheckNow("api")
		waitChange(t, sub, want)
	}

	rt, sub, stop := startRuntime(t, cfg, opts)
	if tr.upBefore {
		waitChange(t, sub, monitor.StatusUp)
	} else {
		waitChange(t, sub, monitor.StatusDown)
	}
	if tr.ack {
		if _, err := rt.eng.AddNote("api", monitor.Note{Kind: monitor.NoteAck, Text: "on it"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := rt.eng.Maintain("api", time.Hour); err != nil {
		t.Fatal(err)
	}
	waitChange(t, sub, monitor.StatusMaintenance)
	if tr.recoverIn {
		target.down.Store(false)
		rt.eng.CheckNow("api")
		waitEvent(t, sub, "a good check in the window", func(ev monitor.Event) bool {
			return ev.Kind == monitor.EventResult && ev.Result.Code == 200
		})
	}
	if tr.restart {
		stop()
		if tr.lapse {
			ahead.Store(int64(2 * time.Hour)) // the window runs out while upbeat is stopped
		}
		rt, sub, stop = startRuntime(t, cfg, opts) // checks api at once
		if !tr.lapse {
			waitChange(t, sub, monitor.StatusMaintenance)
		}
	}
	if tr.failIn {
		target.down.Store(true)
		rt.eng.CheckNow("api")
		waitEvent(t, sub, "a failed check in the window", func(ev monitor.Event) bool {
			return ev.Kind == monitor.EventResult && ev.Result.Code == 502
		})
	}
	after := monitor.StatusDown
	if (tr.recoverIn || tr.upBefore) && !tr.failIn {
		after = monitor.StatusUp
	}
	switch {
	case tr.lapse && tr.restart: // the check at start found it over
	case tr.lapse:
		ahead.Store(int64(2 * time.Hour))
		rt.eng.CheckNow("api")
	default:
		if err := rt.eng.Maintain("api", 0); err != nil {
			t.Fatal(err)
		}
	}
	waitChange(t, sub, after)
	if after == monitor.StatusDown {
		st, _ := rt.eng.State("api")
		incs := rt.alerts.Current().Incidents()
		if st.Acked != tr.wantAcked || len(incs) != 1 || incs[0].Acked != tr.wantAcked {
			t.Errorf("down after the window: acknowledged %v, the alerting's incidents %+v; want one, acknowledged %v", st.Acked, incs, tr.wantAcked)
		}
	}
	if tr.downAfter {
		target.down.Store(true)
		check(rt, sub, monitor.StatusDown)
	}
	target.down.Store(false)
	if st, _ := rt.eng.State("api"); st.Status != monitor.StatusUp {
		check(rt, sub, monitor.StatusUp)
	}
	stop()

	var out windowOutcome
	for _, m := range pager.messages() {
		out.alerts = append(out.alerts, m.Event)
		var in *monitor.Incident
		if len(m.Items) == 1 {
			in = m.Items[0].Incident
		}
		out.incidents = append(out.incidents, in)
	}
	return out
}

// TestRestartInAWindowAlertsAsWithout: a restart while a maintenance
// window silences an open incident changes nothing its people are told.
// The incident goes on after the window, as it does without a restart: no
// second page when the window ends with the monitor still down, the
// resolve once it is back (about the incident they were paged with), its
// acknowledgement kept; and a monitor that came back in the window
// resolves when it ends, so that its next failure is a new incident.
func TestRestartInAWindowAlertsAsWithout(t *testing.T) {
	for _, c := range []struct {
		name  string
		trial windowTrial
	}{
		{"still down after the window", windowTrial{wantAlerts: []string{alert.EventDown, alert.EventUp}}},
		{"acknowledged before the window", windowTrial{ack: true, wantAcked: true, wantAlerts: []string{alert.EventDown, alert.EventUp}}},
		{"back in the window, down after it", windowTrial{recoverIn: true, downAfter: true,
			wantAlerts: []string{alert.EventDown, alert.EventUp, alert.EventDown, alert.EventUp}}},
		// The window hid the recovery: the alerting never saw the monitor up.
		{"back in the window, down again in it", windowTrial{recoverIn: true, failIn: true, ack: true, wantAcked: true,
			wantAlerts: []string{alert.EventDown, alert.EventUp}}},
		{"the window runs out", windowTrial{lapse: true, ack: true, wantAcked: true, wantAlerts: []string{alert.EventDown, alert.EventUp}}},
		{"back when the window runs out", windowTrial{lapse: true, recoverIn: true, wantAlerts: []string{alert.EventDown, alert.EventUp}}},
		// Up when the window began: the outage began in it, and pages when it ends.
		{"down in the window only", windowTrial{upBefore: true, failIn: true, wantAlerts: []string{alert.EventDown, alert.EventUp}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, restart := range []bool{false, true} {
				tr := c.trial
				tr.restart = restart
				got := tr.run(t)
				if !slices.Equal(got.alerts, tr.wantAlerts) {
					t.Fatalf("restart %v: alerts %q, want %q", restart, got.alerts, tr.wantAlerts)
				}
				// history keeps times to the millisecond
				if page, resolve := got.incidents[0], got.incidents[1]; page == nil || resolve == nil || resolve.Start.UnixMilli() != page.Start.UnixMilli() {
					t.Errorf("restart %v: the resolve is about %+v, want the incident paged for, %+v", restart, resolve, page)
				}
			}
		})
	}
}
