package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// TestRestartWhileDownIsNotANewIncident runs upbeat twice on the same
// history: the first run sees a target go down and alerts; the second run
// starts while it is still down and must not alert again, then sends the
// resolve once the target is back.
func TestRestartWhileDownIsNotANewIncident(t *testing.T) {
	var healthy atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer target.Close()
	events := make(chan string, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Event string }
		json.NewDecoder(r.Body).Decode(&body)
		events <- body.Event
	}))
	defer hook.Close()
	dir := t.TempDir()
	cfgPath := hookConfig(t, filepath.Join(dir, "history"), hook.URL, target.URL, "")
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	fast := func(o *alert.Options) { o.BurstWindow = -1; o.ResolveHold = -1 }

	start := func() (*runtime, *source.Subscription, func()) {
		return startRuntime(t, cfg, runtimeOptions{getenv: os.Getenv, tuneAlerts: fast})
	}
	waitResult := func(sub *source.Subscription, want monitor.Status) {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case <-sub.Ready():
				evs, _ := sub.Drain()
				for _, ev := range evs {
					if ev.Kind == monitor.EventResult && ev.Result.Status == want {
						return
					}
				}
			case <-timeout:
				t.Fatalf("no %s result", want)
			}
		}
	}
	nextAlert := func() string {
		t.Helper()
		select {
		case ev := <-events:
			return ev
		case <-time.After(20 * time.Second):
			t.Fatal("no alert arrived")
		}
		return ""
	}

	_, sub, stop := start()
	waitResult(sub, monitor.StatusDown)
	if ev := nextAlert(); ev != "down" {
		t.Fatalf("first run: alert %q, want down", ev)
	}
	stop()

	rt, sub, stop := start()
	defer stop()
	if st, _ := rt.eng.State("api"); st.Status != monitor.StatusDown {
		t.Fatalf("restored status %v, want down", st.Status)
	}
	waitResult(sub, monitor.StatusDown) // checked again, still down: no alert may follow
	healthy.Store(true)
	rt.eng.CheckNow("api")
	waitResult(sub, monitor.StatusUp)
	// The channel is a queue: a duplicate "down" would arrive before the resolve.
	if ev := nextAlert(); ev != "up" && ev != "resolved" {
		t.Fatalf("second run: first alert %q, want the resolve (no second down)", ev)
	}
}

func TestPauseSurvivesARestart(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	dir := t.TempDir()
	cfgPath := writeConfig(t, fmt.Sprintf("[settings]\nhistory_dir = %q\n[[monitor]]\nname = \"a\"\nurl = %q\n", dir, target.URL))
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := newRuntime(cfg, runtimeOptions{getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.eng.SetPaused("a", true); err != nil {
		t.Fatal(err)
	}
	rt.Close()
	rt, err = newRuntime(cfg, runtimeOptions{getenv: os.Getenv})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if st, _ := rt.eng.State("a"); st.Status != monitor.StatusPaused {
		t.Errorf("after a restart: %v, want paused", st.Status)
	}
}

// downWithReminders is the config of one monitor, api, whose target
// answers 502, with a webhook that reminds every minute, and its history
// directory. The servers stop when the test ends.
func downWithReminders(t *testing.T) (*config.Config, string) {
	t.Helper()
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	t.Cleanup(target.Close)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(hook.Close)
	dir := t.TempDir()
	cfg, err := config.Load(hookConfig(t, dir, hook.URL, target.URL, `renotify = "1m"`))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, dir
}

// An acknowledgement survives a restart, as the notes do: the incident the
// alerting takes over from history is still acknowledged (so no reminder
// goes out) and the engine's state says so to every view.
func TestAckSurvivesARestart(t *testing.T) {
	cfg, _ := downWithReminders(t)
	opts := runtimeOptions{getenv: os.Getenv, tuneAlerts: func(o *alert.Options) { o.BurstWindow = -1 }}

	rt, sub, stop := startRuntime(t, cfg, opts)
	waitChange(t, sub, monitor.StatusDown)
	if _, err := rt.eng.AddNote("api", monitor.Note{Kind: monitor.NoteAck, Text: "on it"}); err != nil {
		t.Fatal(err)
	}
	stop()

	rt = openRuntime(t, cfg, opts)
	if st, _ := rt.eng.State("api"); st.Status != monitor.StatusDown || !st.Acked {
		t.Errorf("after a restart: %v, acked %v; want down and acknowledged", st.Status, st.Acked)
	}
	incs := rt.alerts.Current().Incidents()
	if len(incs) != 1 || !incs[0].Acked {
		t.Errorf("the alerting's incidents after a restart: %+v; want api's, acknowledged", incs)
	}
	now := time.Now()
	ins, err := rt.localSource("", false).Query().Incidents(context.Background(), "api", now.Add(-time.Hour), now.Add(time.Minute))
	if err != nil || len(ins) != 1 || !ins[0].Acked {
		t.Errorf("the incidents the detail view and the API read after a restart: %+v, %v; want one, acknowledged", ins, err)
	}
}

// An acknowledgement given before a maintenance window that fell inside
// the incident survives a restart as well. The alerting kept one incident
// across the window (the window only silenced it), and so does history:
// after a restart the alerting takes over that same incident, from when
// the monitor first went down (the ID its people were paged with), still
// acknowledged, with the notes of before and after the window, each once,
// and its postmortem has them once. The engine's clock runs two hours
// behind and is moved on by hand, so that the stretches lie minutes apart
// (the stall watch is told to take those jumps for the passing of time
// they stand for).
func TestAckBeforeAWindowSurvivesARestart(t *testing.T) {
	cfg, dir := downWithReminders(t)
	cfg.Settings.StallThreshold = time.Hour
	var ahead atomic.Int64
	clock := func() time.Time { return time.Now().Add(-2*time.Hour + time.Duration(ahead.Load())) }
	opts := runtimeOptions{getenv: os.Getenv, now: clock, tuneAlerts: func(o *alert.Options) { o.BurstWindow = -1 }}

	rt, sub, stop := startRuntime(t, cfg, opts)
	waitChange(t, sub, monitor.StatusDown)
	if _, err := rt.eng.AddNote("api", monitor.Note{Kind: monitor.NoteAck, Author: "bob", Text: "on it"}); err != nil {
		t.Fatal(err)
	}
	ahead.Store(int64(10 * time.Minute))
	if err := rt.eng.Maintain("api", time.Hour); err != nil {
		t.Fatal(err)
	}
	waitChange(t, sub, monitor.StatusMaintenance)
	ahead.Store(int64(20 * time.Minute))
	if err := rt.eng.Maintain("api", 0); err != nil {
		t.Fatal(err)
	}
	waitChange(t, sub, monitor.StatusDown)
	if st, _ := rt.eng.State("api"); !st.Acked {
		t.Fatal("the acknowledgement did not outlast the window before the restart")
	}
	if _, err := rt.eng.AddNote("api", monitor.Note{Kind: monitor.NoteText, Author: "alice", Text: "still 502 after the window"}); err != nil {
		t.Fatal(err)
	}
	stop()

	rt = openRuntime(t, cfg, opts)
	now := time.Now()
	hist, err := rt.store.Incidents("api", now.Add(-3*time.Hour), now)
	if err != nil || len(hist) != 1 || !hist[0].End.IsZero() || len(hist[0].Breaks) != 1 {
		t.Fatalf("history's incidents: %+v, %v; want one, open, the window in it", hist, err)
	}
	first := hist[0]
	if st, _ := rt.eng.State("api"); st.Status != monitor.StatusDown || !st.Acked {
		t.Errorf("after a restart: %v, acked %v; want down and acknowledged", st.Status, st.Acked)
	}
	incs := rt.alerts.Current().Incidents()
	if len(incs) != 1 || !incs[0].Acked || incs[0].ID() != first.ID() {
		t.Fatalf("the alerting's incidents after a restart: %+v; want api's, acknowledged, with history's ID %s", incs, first.ID())
	}
	if ns := incs[0].Notes; len(ns) != 2 || ns[0].Kind != monitor.NoteAck || ns[0].Text != "on it" || ns[1].Text != "still 502 after the window" {
		t.Errorf("the restored incident's notes: %+v; want bob's acknowledgement and alice's note, once each", ns)
	}
	ins, err := rt.localSource("", false).Query().Incidents(context.Background(), "api", now.Add(-3*time.Hour), now.Add(time.Minute))
	if err != nil || len(ins) != 1 || !ins[0].Acked || len(ins[0].Notes) != 2 {
		t.Errorf("the incidents the detail view and the API read after a restart: %+v, %v; want one, acknowledged, with both notes", ins, err)
	}
	rt.Close()

	show := func(id string) string {
		t.Helper()
		out, errOut, code := runCmd(t, "incident", "show", id, "--history-dir", dir)
		if code != exitOK {
			t.Fatalf("incident show %s: exit %d: %s", id, code, errOut)
		}
		return out
	}
	out := show(first.ID())
	for _, want := range []string{"bob acknowledged: on it", "alice noted: still 502 after the window", "a maintenance window began"} {
		if n := strings.Count(out, want); n != 1 {
			t.Errorf("the postmortem has %q %d times, want once:\n%s", want, n, out)
		}
	}
}

// A channel that fails to deliver leaves a daemon warning (status's !N,
// /healthz, the dashboard's header) naming the channel from its first
// failed attempt, saying that it retries and why it failed, not only
// once the retries run out; the warning clears when the channel delivers
// again (here the same page, retried).
func TestFailingChannelWarnsFromTheFirstFailedAttempt(t *testing.T) {
	var hookUp atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer target.Close()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hookUp.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer hook.Close()
	cfg, err := config.Load(hookConfig(t, t.TempDir(), hook.URL, target.URL, ""))
	if err != nil {
		t.Fatal(err)
	}
	rt, sub, stop := startRuntime(t, cfg, runtimeOptions{getenv: os.Getenv, tuneAlerts: func(o *alert.Options) {
		o.BurstWindow, o.Backoff, o.MaxBackoff = -1, time.Millisecond, 5*time.Millisecond
	}})
	defer stop()
	srv := api.New(rt.localSource("", false), api.Options{Token: "admin"})
	status := httptest.NewServer(srv.Handler())
	defer status.Close()
	waitAlert := func(what string, ok func(*monitor.AlertEvent) bool) {
		t.Helper()
		waitEvent(t, sub, what, func(ev monitor.Event) bool { return ev.Kind == monitor.EventAlert && ok(ev.Alert) })
	}

	waitAlert("first failed attempt", func(a *monitor.AlertEvent) bool { return !a.OK && a.Attempts == 1 && !a.GaveUp })
	w := strings.Join(rt.eng.Warnings(), "\n")
	if !strings.HasPrefix(w, `alert "hook" failing: `) || !strings.Contains(w, `; retrying "api is DOWN: 502 Bad Gateway", not delivered yet`) ||
		!strings.Contains(w, "503 Service Unavailable") || strings.Index(w, "503") > strings.Index(w, "retrying") {
		t.Errorf("warnings after the first failed attempt: %q", w)
	}
	if out, errOut, code := runCmd(t, "status", "--addr", status.URL, "--token", "admin"); out != "✕1 ●0 !1\n" {
		t.Errorf("status after the first failed attempt: exit %d, %q %q; want the warning counted", code, out, errOut)
	}
	hookUp.Store(true)
	waitAlert("delivery", func(a *monitor.AlertEvent) bool { return a.OK })
	if w := rt.eng.Warnings(); len(w) != 0 {
		t.Errorf("warnings after the channel delivered again: %q", w)
	}
}

// hookConfig writes a config of one monitor, "api" on target, checked
// hourly without retries, whose history is in historyDir, and one default
// webhook alert "hook" to hook; alertKeys adds lines to the alert.
func hookConfig(t *testing.T, historyDir, hook, target, alertKeys string) string {
	t.Helper()
	return writeConfig(t, fmt.Sprintf(`
[settings]
history_dir = %q
retries = 0

[[alert]]
name = "hook"
kind = "webhook"
url = %q
default = true
%s

[[monitor]]
name = "api"
url = %q
interval = "1h"
`, historyDir, hook, alertKeys, target))
}

// startRuntime runs upbeat with cfg until the returned stop is called,
// checking "api" at once; sub has every event from the start.
func startRuntime(t *testing.T, cfg *config.Config, o runtimeOptions) (*runtime, *source.Subscription, func()) {
	t.Helper()
	rt, err := newRuntime(cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	sub := rt.eng.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rt.eng.Run(ctx); close(done) }()
	rt.eng.CheckNow("api")
	return rt, sub, func() { sub.Close(); cancel(); <-done; rt.Close() }
}

// idleRuntime is upbeat on one monitor and one webhook, both on a closed
// port, not started: for what the runtime does with events given to it.
func idleRuntime(t *testing.T) *runtime {
	t.Helper()
	cfg, err := config.Load(hookConfig(t, t.TempDir(), "http://127.0.0.1:9/hook", "http://127.0.0.1:9/", ""))
	if err != nil {
		t.Fatal(err)
	}
	return openRuntime(t, cfg, runtimeOptions{getenv: os.Getenv})
}

// openRuntime makes upbeat's runtime on cfg, not started; it is closed
// when the test ends, if the test has not closed it (Close may be called
// twice).
func openRuntime(t *testing.T, cfg *config.Config, opts runtimeOptions) *runtime {
	t.Helper()
	rt, err := newRuntime(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	return rt
}

// A reload that removes a channel clears its warning: it will never
// deliver again to clear it itself, and a late report from it is ignored.
// A message dropped unattempted (a full queue) says so.
func TestReloadClearsTheWarningOfARemovedChannel(t *testing.T) {
	rt := idleRuntime(t)
	rt.warnUndelivered(&monitor.AlertEvent{Channel: "hook", Subject: "api down", Error: "queue full", GaveUp: true})
	if w := strings.Join(rt.eng.Warnings(), "\n"); w != `alert "hook" dropped a message: queue full; "api down" not delivered` {
		t.Fatalf("warnings: %q", w)
	}
	without := *rt.cfg
	without.Alerts = nil
	rt.setChannels(&without)
	if w := rt.eng.Warnings(); len(w) != 0 {
		t.Errorf("warnings after the channel was removed: %q", w)
	}
	rt.warnUndelivered(&monitor.AlertEvent{Channel: "hook", Subject: "api down", Attempts: 6, Error: "503", GaveUp: true})
	if w := rt.eng.Warnings(); len(w) != 0 {
		t.Errorf("warnings after a late report of a removed channel: %q", w)
	}
}
