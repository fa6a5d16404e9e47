package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
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
	lapse bool
	// configured: the window is a [[maintenance]] window of the config,
	// not an ad-hoc one: it runs out (while upbeat runs, unless lapse).
	configured bool
	note       bool // someone writes a note once the window ended with the target still down
	noteIn     bool // someone writes a note in the window (after the restart, if any): it is taken
	downAfter  bool // the target fails again once the window ended with it up
	wantAcked  bool // the incident is still acknowledged, down after the window
	wantAlerts []string
}

// windowOutcome is what a trial's people were told: each message's
// event, and the incident it was about.
type windowOutcome struct {
	alerts    []string
	incidents []*monitor.Incident
	history   string // the history's directory
}

// run plays the trial: the window is an ad-hoc one (upbeat maintain) of
// an hour, kept across the restart as a person's decision is, or one of
// the config from 10 minutes to an hour in. The engine's clock starts two
// hours behind, moves 20 minutes on into a configured window, and jumps
// to the present for the window to run out (below the stall watch's
// threshold). The target is made healthy at the end, so that an incident
// still open resolves, and upbeat is stopped, which sends what is queued:
// the alerts returned are every one the trial caused, in order.
func (tr windowTrial) run(t *testing.T) windowOutcome {
	t.Helper()
	target := newSwitchable(t)
	target.down.Store(!tr.upBefore)
	cfg, dir := tr.config(t, target.URL)
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
	if tr.configured {
		ahead.Store(int64(20 * time.Minute))
		rt.eng.CheckNow("api")
	} else if err := rt.eng.Maintain("api", time.Hour); err != nil {
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
	if tr.noteIn { // the window silences the incident, which still takes notes
		if _, err := rt.eng.AddNote("api", monitor.Note{Kind: monitor.NoteText, Text: "in the window"}); err != nil {
			t.Errorf("a note in the window on the open incident: %v", err)
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
	case tr.lapse || tr.configured:
		// A minute short of the present, which the recovery below is at:
		// history keeps times to the millisecond, and a recovery in the
		// same one as the window's end would leave no stretch of downtime
		// after the window to tell of.
		ahead.Store(int64(2*time.Hour - time.Minute))
		rt.eng.CheckNow("api")
	default:
		if err := rt.eng.Maintain("api", 0); err != nil {
			t.Fatal(err)
		}
	}
	waitChange(t, sub, after)
	if after == monitor.StatusDown {
		tr.downAfterWindow(t, rt)
	}
	if tr.downAfter {
		target.down.Store(true)
		check(rt, sub, monitor.StatusDown)
	}
	ahead.Store(max(ahead.Load(), int64(2*time.Hour))) // the present (see the window's end above)
	if st, _ := rt.eng.State("api"); st.Status != monitor.StatusUp {
		// The change waited for above may have come from a check asked for
		// earlier (a restart in a window asks for one on top of the
		// engine's own), with the trial's own check still running, begun
		// (and so stamped) before the present: made healthy under it, the
		// target would recover when the window ended. No check of before
		// the present may see it healthy.
		checkedFrom(t, rt, sub, opts.now())
	}
	target.down.Store(false)
	if st, _ := rt.eng.State("api"); st.Status != monitor.StatusUp {
		check(rt, sub, monitor.StatusUp)
	}
	stop()
	return outcomeOf(pager, dir)
}

// checkedFrom asks for a check of api and waits for the result of one
// begun at from or later: a monitor's checks run one at a time, so every
// check begun before from has ended then.
func checkedFrom(t *testing.T, rt *runtime, sub *source.Subscription, from time.Time) {
	t.Helper()
	rt.eng.CheckNow("api")
	waitEvent(t, sub, "a check begun at "+from.Format(time.RFC3339Nano), func(ev monitor.Event) bool {
		return ev.Kind == monitor.EventResult && !ev.Time.Before(from)
	})
}

// config is the trial's config, with its history in the directory
// returned: api on target, a webhook, and the window if it is one of the
// config, from 10 minutes to an hour after the engine's clock starts.
func (tr windowTrial) config(t *testing.T, target string) (*config.Config, string) {
	t.Helper()
	keys := `renotify = "1h"`
	if tr.configured {
		base := time.Now().Add(-2 * time.Hour).UTC()
		keys += fmt.Sprintf("\n\n[[maintenance]]\nname = \"deploy\"\nmonitors = [\"api\"]\nstart = %q\nend = %q\n",
			base.Add(10*time.Minute).Format(time.RFC3339), base.Add(time.Hour).Format(time.RFC3339))
	}
	dir := t.TempDir()
	cfg, err := config.Load(hookConfig(t, dir, "http://127.0.0.1:9/hook", target, keys))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Settings.StallThreshold = 3 * time.Hour
	return cfg, dir
}

// downAfterWindow checks the alerting kept the incident across the window,
// and writes the trial's note.
func (tr windowTrial) downAfterWindow(t *testing.T, rt *runtime) {
	t.Helper()
	st, _ := rt.eng.State("api")
	incs := rt.alerts.Current().Incidents()
	if st.Acked != tr.wantAcked || len(incs) != 1 || incs[0].Acked != tr.wantAcked {
		t.Errorf("down after the window: acknowledged %v, the alerting's incidents %+v; want one, acknowledged %v", st.Acked, incs, tr.wantAcked)
	}
	if len(incs) == 1 && (st.Since.UnixMilli() != incs[0].Start.UnixMilli()) {
		t.Errorf("down since %v, the alerting's incident began %v (restart %v): FOR and the ID disagree with the page", st.Since, incs[0].Start, tr.restart)
	}
	if tr.note {
		if _, err := rt.eng.AddNote("api", monitor.Note{Kind: monitor.NoteText, Author: "alice", Text: "restarted the pool"}); err != nil {
			t.Fatal(err)
		}
	}
}

// outcomeOf is what the pager was given.
func outcomeOf(pager *pagerChannel, dir string) windowOutcome {
	out := windowOutcome{history: dir}
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
		{"a note in the window", windowTrial{noteIn: true, wantAlerts: []string{alert.EventDown, alert.EventUp}}},
		{"back in the window, down after it", windowTrial{recoverIn: true, downAfter: true,
			wantAlerts: []string{alert.EventDown, alert.EventUp, alert.EventDown, alert.EventUp}}},
		// The window hid the recovery: the alerting never saw the monitor up.
		{"back in the window, down again in it", windowTrial{recoverIn: true, failIn: true, ack: true, wantAcked: true, noteIn: true,
			wantAlerts: []string{alert.EventDown, alert.EventUp}}},
		{"the window runs out", windowTrial{lapse: true, ack: true, wantAcked: true, wantAlerts: []string{alert.EventDown, alert.EventUp}}},
		{"a configured window", windowTrial{configured: true, ack: true, wantAcked: true,
			wantAlerts: []string{alert.EventDown, alert.EventUp}}},
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

// The ID its people were paged with tells the whole story in the history,
// as the alerts told it: api went down and paged, a configured
// maintenance window began, upbeat restarted in it, the window ended with
// api still down, someone wrote a note, api came back. That is one
// incident under the ID of the page: `upbeat incident show` has the
// window, the note and the resolve, and ends where the resolve said;
// `upbeat incident list` has it once, with its note; `upbeat report`
// counts it once, its MTTR its whole duration.
func TestThePagedIncidentTellsTheWholeStory(t *testing.T) {
	got := windowTrial{configured: true, restart: true, note: true}.run(t)
	if !slices.Equal(got.alerts, []string{alert.EventDown, alert.EventUp}) {
		t.Fatalf("alerts %q, want the page and the resolve", got.alerts)
	}
	page, resolve := got.incidents[0], got.incidents[1]
	if page == nil || resolve == nil || resolve.End.IsZero() {
		t.Fatalf("the page is about %+v, the resolve %+v", page, resolve)
	}
	paged := page.ID()
	run := func(args ...string) string {
		t.Helper()
		out, errOut, code := runCmd(t, append(args, "--history-dir", got.history)...)
		if code != exitOK {
			t.Fatalf("%q: exit %d: %s", args, code, errOut)
		}
		return out
	}

	var pm wire.Postmortem
	if err := json.Unmarshal([]byte(run("incident", "show", paged, "--json")), &pm); err != nil {
		t.Fatal(err)
	}
	// history keeps times to the millisecond
	if in := pm.Incident; in.ID != paged || in.State != wire.IncidentResolved || in.End.UnixMilli() != resolve.End.UnixMilli() ||
		len(in.Notes) != 1 || in.Notes[0].Text != "restarted the pool" || len(in.Breaks) != 1 {
		t.Errorf("incident show %s: %+v; want it resolved when the resolve said, with the note and the window", paged, in)
	}
	kinds := map[string]int{}
	for _, e := range pm.Timeline {
		kinds[e.Kind]++
	}
	if kinds["maintenance"] != 2 || kinds["resolved"] != 1 || kinds["note"] != 1 || kinds["alert"] != 2 {
		t.Errorf("the timeline's entries %v: want the window's start and end, the note, the resolve and both alerts", kinds)
	}
	if text := run("incident", "show", paged); !strings.Contains(text, "api down for ") || !strings.Contains(text, "across a maintenance window") {
		t.Errorf("incident show %s:\n%s", paged, text)
	}
	if list := run("incident", "list"); strings.Count(list, " api ") != 1 || !regexp.MustCompile(paged+`\s+api\s.*resolved\s+\S+\s+1\n`).MatchString(list) {
		t.Errorf("incident list: want %s once, resolved, with its note:\n%s", paged, list)
	}

	checkReportedOnce(t, run("report", "--json"), pm.DurationMS)
}

// checkReportedOnce checks a report (as JSON) counts one incident of api,
// its MTTR the incident's duration.
func checkReportedOnce(t *testing.T, report string, durationMS float64) {
	t.Helper()
	var rep struct {
		Monitors []struct {
			Monitor   string   `json:"monitor"`
			Incidents int      `json:"incidents"`
			MTTR      *float64 `json:"mttr_ms"`
		} `json:"monitors"`
	}
	if err := json.Unmarshal([]byte(report), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Monitors) != 1 || rep.Monitors[0].Incidents != 1 || rep.Monitors[0].MTTR == nil || *rep.Monitors[0].MTTR != durationMS {
		t.Errorf("report: %+v; want one incident of api, its MTTR %vms", rep.Monitors, durationMS)
	}
}
