package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// pagerChannel records the messages it is given.
type pagerChannel struct {
	mu  sync.Mutex
	got []alert.Message
}

func (p *pagerChannel) Name() string { return "pager" }

func (p *pagerChannel) Send(_ context.Context, m alert.Message) error {
	p.mu.Lock()
	p.got = append(p.got, m)
	p.mu.Unlock()
	return nil
}

func (p *pagerChannel) messages() []alert.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]alert.Message(nil), p.got...)
}

// crashConfig is the config of the crash tests: one monitor, name, and a
// pager, with its history in a directory of its own (returned, for the
// test to write what the killed run left behind).
func crashConfig(t *testing.T, name string) (*config.Config, string) {
	t.Helper()
	histDir := filepath.Join(t.TempDir(), "history")
	cfgPath := writeConfig(t, fmt.Sprintf(`
[settings]
history_dir = %q

[[alert]]
name = "pager"
kind = "webhook"
url = "http://127.0.0.1:9/hook"
default = true

[[monitor]]
name = %q
url = "http://127.0.0.1:9/health"
interval = "1h"
`, histDir, name))
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, histDir
}

// startAndStop starts upbeat on cfg with its alerts going to pager, and
// stops it gracefully: what is queued goes out first.
func startAndStop(t *testing.T, cfg *config.Config, pager *pagerChannel) {
	t.Helper()
	tune := func(o *alert.Options) {
		o.BurstWindow = -1
		o.Channels = map[string]alert.Channel{"pager": pager}
	}
	rt, err := newRuntime(cfg, runtimeOptions{getenv: os.Getenv, tuneAlerts: tune})
	if err != nil {
		t.Fatal(err)
	}
	rt.Close()
}

// crashed writes what a run killed while a resolve was held left in the
// history at histDir: the results, and the delivery of the page at pagedAt.
func crashed(t *testing.T, histDir string, results []monitor.Result, pagedAt time.Time) {
	t.Helper()
	db, err := history.Open(histDir, history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if err := db.Record(&r); err != nil {
			t.Fatal(err)
		}
	}
	name := results[0].Monitor
	if err := db.AddNote(&monitor.Note{Monitor: name, Time: pagedAt, Kind: monitor.NoteAlert,
		Author: "pager", Text: name + " is DOWN", OK: true}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// resolvedOnce starts upbeat on cfg twice and returns what the one
// resolve the first start sent says of the monitor (its incident, the
// check it is about); the second must send nothing.
func resolvedOnce(t *testing.T, cfg *config.Config, name string) alert.Item {
	t.Helper()
	first := &pagerChannel{}
	startAndStop(t, cfg, first)
	got := first.messages()
	if len(got) != 1 || got[0].Event != alert.EventUp || len(got[0].Items) != 1 || got[0].Items[0].Monitor != name {
		t.Fatalf("first start after the crash sent %+v, want %s's resolve", got, name)
	}
	second := &pagerChannel{}
	startAndStop(t, cfg, second)
	if got := second.messages(); len(got) != 0 {
		t.Errorf("second start sent %+v: the resolve went out already", got)
	}
	return got[0].Items[0]
}

// TestRestartAfterCrashSendsHeldResolveOnce: upbeat was killed while the
// resolve of a short outage was held. The history has the incident closed
// and the down's delivery; the next start sends the resolve, and the start
// after that, which finds its delivery in the history, sends nothing. The
// resolve is about the latest check the history kept (as a resolve is
// about a check), not an empty result.
func TestRestartAfterCrashSendsHeldResolveOnce(t *testing.T) {
	cfg, histDir := crashConfig(t, "api")

	// What the killed run left behind: api down for a minute, back 40s
	// ago, the down delivered, the resolve still held when it died.
	now := time.Now().Truncate(time.Millisecond) // as precise as the history keeps it
	downAt, upAt := now.Add(-100*time.Second), now.Add(-40*time.Second)
	crashed(t, histDir, []monitor.Result{
		{Monitor: "api", Time: downAt.Add(-time.Minute), Status: monitor.StatusUp, Code: 200},
		{Monitor: "api", Time: downAt, Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "bad gateway"},
		{Monitor: "api", Kind: monitor.KindHTTP, Time: upAt, Status: monitor.StatusUp, Code: 200, Latency: 42 * time.Millisecond, Attempts: 1},
	}, downAt.Add(time.Second))
	it := resolvedOnce(t, cfg, "api")
	if in := it.Incident; in == nil || !in.Start.Equal(downAt) || !in.End.Equal(upAt) {
		t.Errorf("resolve about %+v, want the incident from %s to %s", in, downAt, upAt)
	}
	if it.Kind != monitor.KindHTTP || !it.Time.Equal(upAt) || it.Code != 200 || it.Latency != 42*time.Millisecond || it.Attempts != 1 {
		t.Errorf("the resolve is about %+v, want the check at %s", it.Result, upAt)
	}
}

// TestRestartAfterCrashSendsFlappingResolve: upbeat was killed while a
// flapping monitor, back up for four minutes, waited to settle (FlapQuiet).
// History holds one outage per time it went down, and the one delivery, at
// the first. The next start joins the outages into the incident its people
// were paged for and sends its resolve; the start after that sends nothing.
func TestRestartAfterCrashSendsFlappingResolve(t *testing.T) {
	cfg, histDir := crashConfig(t, "lb")
	now := time.Now().Truncate(time.Millisecond)
	firstDown := now.Add(-12 * time.Minute)
	results := []monitor.Result{{Monitor: "lb", Time: firstDown.Add(-time.Minute), Status: monitor.StatusUp, Code: 200}}
	var lastUp time.Time
	for i := range 8 { // down and up every minute, four times
		at := firstDown.Add(time.Duration(i) * time.Minute)
		if i%2 == 0 {
			results = append(results, monitor.Result{Monitor: "lb", Time: at, Status: monitor.StatusDown, Code: 503, Class: "http_503", Error: "unavailable"})
		} else {
			results = append(results, monitor.Result{Monitor: "lb", Time: at, Status: monitor.StatusUp, Code: 200})
			lastUp = at
		}
	}
	crashed(t, histDir, results, firstDown.Add(time.Second))
	if in := resolvedOnce(t, cfg, "lb").Incident; in == nil || !in.Start.Equal(firstDown) || !in.End.Equal(lastUp) {
		t.Errorf("resolve about %+v, want the incident from %s to %s", in, firstDown, lastUp)
	}
}

// TestRestartAfterCrashSendsResolveAcrossAWindow: a window in the middle
// of an outage (longer than the incident gap) splits it in the history,
// not for the people paged at its start: upbeat killed while the resolve
// after the window was held sends it at the next start, about the whole
// incident.
func TestRestartAfterCrashSendsResolveAcrossAWindow(t *testing.T) {
	cfg, histDir := crashConfig(t, "api")
	now := time.Now().Truncate(time.Millisecond)
	downAt, windowAt, downAgain, upAt := now.Add(-50*time.Minute), now.Add(-45*time.Minute), now.Add(-5*time.Minute), now.Add(-40*time.Second)
	crashed(t, histDir, []monitor.Result{
		{Monitor: "api", Time: downAt.Add(-time.Minute), Status: monitor.StatusUp, Code: 200},
		{Monitor: "api", Time: downAt, Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "bad gateway"},
		{Monitor: "api", Time: windowAt, Status: monitor.StatusMaintenance, Code: 502, Class: "http_502"},
		{Monitor: "api", Time: downAgain, Status: monitor.StatusDown, Code: 504, Class: "http_504", Error: "gateway timeout"},
		{Monitor: "api", Time: upAt, Status: monitor.StatusUp, Code: 200},
	}, downAt.Add(time.Second))
	if in := resolvedOnce(t, cfg, "api").Incident; in == nil || !in.Start.Equal(downAt) || !in.End.Equal(upAt) || !slices.Equal(in.Codes, []int{502, 504}) {
		t.Errorf("resolve about %+v, want the incident from %s to %s, with both codes", in, downAt, upAt)
	}
}

func TestJoinOutages(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	out := func(start, end int, code int) monitor.Incident {
		return monitor.Incident{Monitor: "m", Start: t0.Add(time.Duration(start) * time.Minute),
			End: t0.Add(time.Duration(end) * time.Minute), Codes: []int{code}}
	}
	incs := []monitor.Incident{out(0, 10, 500), out(30, 31, 502), out(33, 34, 503), out(36, 37, 502)}
	in := joinOutages(incs, 5*time.Minute)
	if !in.Start.Equal(t0.Add(30*time.Minute)) || !in.End.Equal(t0.Add(37*time.Minute)) {
		t.Errorf("joined %s to %s, want 10:30 to 10:37 (the 10:00 outage is 20 minutes before)", in.Start, in.End)
	}
	if want := []int{502, 503}; !slices.Equal(in.Codes, want) {
		t.Errorf("codes %v, want %v", in.Codes, want)
	}
	if incs[3].Codes[0] != 502 || len(incs[3].Codes) != 1 {
		t.Errorf("the history's own incident was changed: %+v", incs[3])
	}
	if in := joinOutages(incs[:1], 5*time.Minute); !in.Start.Equal(t0) || !in.End.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("one outage: %s to %s", in.Start, in.End)
	}
}
