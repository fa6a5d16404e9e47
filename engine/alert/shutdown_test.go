package alert

import (
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// TestCloseSendsHeldResolve: a short outage's resolve is held; upbeat
// stops gracefully during the hold. The resolve goes out at Close, ending
// when the monitor came back, instead of dying with the process.
func TestCloseSendsHeldResolve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		var mu sync.Mutex
		var reported []monitor.Incident
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch},
			OnIncident: func(in monitor.Incident) { mu.Lock(); reported = append(reported, in); mu.Unlock() }})
		e := newFakeEngine(d)
		api := testMonitor("api")
		e.up(api)
		time.Sleep(time.Minute)
		e.down(api)
		time.Sleep(68 * time.Second)
		e.up(api) // a short outage: its resolve is held
		upAt := time.Now()
		settle()
		wantEvents(t, ch, EventDown) // held
		time.Sleep(time.Minute)      // stopped inside the hold
		closeAt := time.Now()
		d.Close()
		wantEvents(t, ch, EventDown, EventUp)
		up := ch.messages()[1]
		if in := up.Items[0].Incident; in == nil || !in.End.Equal(upAt) {
			t.Errorf("resolved incident %+v should end when api came back (%s)", in, upAt)
		}
		if up.Time.After(closeAt.Add(time.Second)) {
			t.Errorf("resolve sent at %s, want at Close (%s)", up.Time, closeAt)
		}
		mu.Lock()
		defer mu.Unlock()
		if n := len(reported); n != 2 || reported[1].End.IsZero() {
			t.Errorf("incident changes reported %+v, want opened then resolved", reported)
		}
	})
}

// TestCloseSendsFlappingResolve: a flapping incident whose monitor is up
// waits FlapQuiet for its resolve; a graceful stop inside that wait sends
// the resolve at once, saying how often it flapped, instead of leaving the
// incident open wherever it was sent.
func TestCloseSendsFlappingResolve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}})
		e := newFakeEngine(d)
		lb := testMonitor("lb")
		e.up(lb)
		e.flap(lb, 8) // down and up every minute: it flaps
		upAt := time.Now()
		settle()
		if open := d.Incidents(); len(open) != 1 || !open[0].Flapping {
			t.Fatalf("open incidents %+v, want one flapping", open)
		}
		time.Sleep(DefaultFlapQuiet / 2) // stopped before it settles
		d.Close()
		wantEvents(t, ch, EventDown, EventUp)
		up := ch.messages()[1]
		if in := up.Items[0].Incident; in == nil || !in.Flapping || !in.End.Equal(upAt) {
			t.Errorf("resolved incident %+v should be the flapping one, ending when lb came back (%s)", in, upAt)
		}
		if up.Items[0].Flaps != 4 || !strings.Contains(up.Text, "flapped 4 times") {
			t.Errorf("resolve should say it flapped 4 times: flaps %d\n%s", up.Items[0].Flaps, up.Text)
		}
	})
}

// TestCloseLeavesFlappingDownOpen: a flapping incident whose monitor is
// down at the stop is still open: nothing is sent for it.
func TestCloseLeavesFlappingDownOpen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}})
		e := newFakeEngine(d)
		lb := testMonitor("lb")
		e.up(lb)
		e.flap(lb, 9) // ends down
		settle()
		d.Close()
		wantEvents(t, ch, EventDown)
	})
}

// TestCloseSendsNoResolveTwice: a resolve whose hold ended before Close
// went out then; Close sends nothing more, and nothing for a monitor
// that is down again (its incident is open, not held).
func TestCloseSendsNoResolveTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}})
		e := newFakeEngine(d)
		api, web := testMonitor("api"), testMonitor("web")
		e.up(api)
		e.up(web)
		time.Sleep(time.Minute)
		e.down(api)
		e.down(web)
		time.Sleep(30 * time.Second)
		e.up(api)
		e.up(web)
		time.Sleep(30 * time.Second)
		e.down(web) // back down during the hold: the incident goes on
		time.Sleep(DefaultResolveHold)
		e.up(api)
		settle()
		d.Close()
		var ups []string
		for _, m := range ch.messages() {
			for _, it := range m.Items {
				if it.Event == EventUp {
					ups = append(ups, it.Monitor)
				}
			}
		}
		if len(ups) != 1 || ups[0] != "api" {
			t.Errorf("resolves sent for %v, want one for api", ups)
		}
	})
}

// TestSwitchCloseSendsCarriedHeldResolve: a reload hands the held resolve
// over (the old Dispatcher sends nothing), and the stop that follows
// sends it through the new one, once.
func TestSwitchCloseSendsCarriedHeldResolve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		oldCh, newCh := &fakeChannel{name: "oncall"}, &fakeChannel{name: "oncall"}
		sw := NewSwitch(New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": oldCh}}))
		e := newFakeEngine(sw)
		api := testMonitor("api")
		e.up(api)
		time.Sleep(time.Minute)
		e.down(api)
		time.Sleep(30 * time.Second)
		e.up(api)
		settle()
		sw.Replace(New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": newCh}}))
		settle()
		wantEvents(t, oldCh, EventDown)
		wantEvents(t, newCh)
		sw.Close()
		wantEvents(t, oldCh, EventDown)
		wantEvents(t, newCh, EventUp)
	})
}

// TestCloseHeldResolveBounded: a channel that hangs cannot hold up Close
// past DrainTimeout with a held resolve to send.
func TestCloseHeldResolveBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}})
		e := newFakeEngine(d)
		api := testMonitor("api")
		e.up(api)
		time.Sleep(time.Minute)
		e.down(api)
		time.Sleep(30 * time.Second)
		e.up(api)
		settle()
		ch.mu.Lock()
		ch.hang = true
		ch.mu.Unlock()
		start := time.Now()
		d.Close()
		if spent := time.Since(start); spent > defaultDrain+time.Second {
			t.Errorf("Close took %s with a hanging channel, want at most the %s drain", spent, defaultDrain)
		}
		ch.mu.Lock()
		defer ch.mu.Unlock()
		if ch.calls != 2 {
			t.Errorf("%d attempts, want the down and one attempt of the resolve", ch.calls)
		}
	})
}

// TestResolveLate: after a crash, the resolve of an incident that ended
// within the hold (plus a little) goes out once at start; an older one,
// or one of a monitor down again, does not.
func TestResolveLate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch},
			Monitors: []*monitor.Monitor{testMonitor("api"), testMonitor("db"), testMonitor("old")}})
		defer d.Close()
		now := time.Now()
		recent := monitor.Incident{Monitor: "api", Start: now.Add(-3 * time.Minute), End: now.Add(-2 * time.Minute),
			Codes: []int{502}, Notes: []monitor.Note{{Monitor: "api", Kind: monitor.NoteText, Author: "alice", Text: "restarted the pool"}}}
		if !d.ResolveLate("api", recent, nil) {
			t.Error("a resolve held when upbeat died was not sent")
		}
		if d.ResolveLate("old", monitor.Incident{Start: now.Add(-time.Hour), End: now.Add(-d.LateResolveWindow() - time.Second)}, nil) {
			t.Error("a resolve of an incident that ended long ago was sent")
		}
		if d.ResolveLate("db", monitor.Incident{Start: now.Add(-time.Minute)}, nil) {
			t.Error("a resolve was sent for an incident that has not ended")
		}
		d.Restore("db", monitor.Incident{Start: now.Add(-time.Minute)})
		if d.ResolveLate("db", monitor.Incident{Start: now.Add(-3 * time.Minute), End: now.Add(-2 * time.Minute)}, nil) {
			t.Error("a resolve was sent for a monitor with an incident open")
		}
		settle()
		wantEvents(t, ch, EventUp)
		m := ch.messages()[0]
		it := m.Items[0]
		if it.Monitor != "api" || it.Duration != time.Minute || it.Incident == nil || !it.Incident.End.Equal(recent.End) {
			t.Errorf("late resolve %+v, want api's incident, a minute long", it)
		}
		if m.Title != "api is UP again after 1m" || len(it.Incident.Notes) != 1 {
			t.Errorf("late resolve %q with notes %+v", m.Title, it.Incident.Notes)
		}
		if open := d.Incidents(); len(open) != 1 || open[0].Monitor != "db" {
			t.Errorf("open incidents %+v, want db's only", open)
		}
	})
}
