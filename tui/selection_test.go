package tui_test

import (
	"fmt"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// selectionStates are five monitors; sorted by status, legacy is the top
// row: legacy, db-port (down), api (degraded), shop, web (up). Grouped by
// tag, legacy ("old") comes last.
func selectionStates() []monitor.State {
	st := func(name string, s monitor.Status, code int) monitor.State {
		tag := "core"
		if name == "legacy" {
			tag = "old"
		}
		m := tuitest.Monitor(name, "https://"+name+".example.test/", tag)
		samples := tuitest.Samples(name, fixedNow, 10, 30*time.Second, 40*time.Millisecond, 5*time.Millisecond, s, code, nil)
		return tuitest.State(m, s, fixedNow.Add(-10*time.Minute), samples, monitor.Result{})
	}
	return []monitor.State{
		st("legacy", monitor.StatusDown, 502),
		st("shop", monitor.StatusUp, 200),
		st("db-port", monitor.StatusDown, 0),
		st("api", monitor.StatusDegraded, 200),
		st("web", monitor.StatusUp, 200),
	}
}

// withStatus is st in status s from fixedNow on.
func withStatus(st monitor.State, s monitor.Status) monitor.State {
	st.Status, st.Since = s, fixedNow
	st.Paused = s == monitor.StatusPaused
	return st
}

// selectionTrial is the dashboard on selectionStates, with what it takes
// to change them as a source does and to see which monitor is selected.
type selectionTrial struct {
	t   *testing.T
	src *tuitest.Source
	tm  *program
	n   int // marks the changes made, so that each is waited for
}

func newSelectionTrial(t *testing.T) *selectionTrial {
	src := tuitest.New(selectionStates()...)
	tm := start(t, src, 120, 30)
	waitOutput(t, tm, "Monitors")
	return &selectionTrial{t: t, src: src, tm: tm}
}

// change makes the source hold states and tells the dashboard with ev,
// as a daemon does, then waits until the dashboard has drawn them: a
// warning that comes with them says when.
func (s *selectionTrial) change(states []monitor.State, ev monitor.Event) {
	s.t.Helper()
	s.n++
	mark := fmt.Sprintf("change %d drawn", s.n)
	s.src.SetStates(states)
	s.src.SetInfo(source.Info{Config: "test.toml", Warnings: []string{mark}})
	ev.Time = fixedNow
	s.src.Publish(ev)
	waitOutput(s.t, s.tm, mark)
}

// reload makes the source hold states, as after a reload (see change).
func (s *selectionTrial) reload(states []monitor.State) {
	s.t.Helper()
	s.change(states, monitor.Event{Kind: monitor.EventReload, Message: "config reloaded"})
}

// set replaces the named monitor's state (see change).
func (s *selectionTrial) set(name string, to monitor.Status) {
	s.t.Helper()
	states := s.src.Snapshot()
	for i := range states {
		if states[i].Monitor.Name == name {
			states[i] = withStatus(states[i], to)
		}
	}
	s.change(states, monitor.Event{Kind: monitor.EventChange, Monitor: name, To: to})
}

// keys sends keys as typed.
func (s *selectionTrial) keys(keys ...tea.KeyMsg) { sendKeys(s.tm, keys...) }

// selected is the monitor the next action applies to: c checks it, and
// the source is asked to check one monitor, by name.
func (s *selectionTrial) selected() string {
	s.t.Helper()
	s.keys(keyRunes("p")) // pause or resume: it reaches the source for any monitor
	c := waitCall(s.t, s.src)
	if c.Op != "pause" {
		s.t.Fatalf("p asked the source for %+v", c)
	}
	waitOutput(s.t, s.tm, " "+c.Name+": done") // pause or resume
	return c.Name
}

// action waits for the source to be asked op on a monitor, and returns
// which.
func (s *selectionTrial) action(op string) string {
	s.t.Helper()
	c := waitCall(s.t, s.src)
	if c.Op != op {
		s.t.Fatalf("want a call %s, got %+v", op, c)
	}
	return c.Name
}

// The selection stays on the monitor acted on or picked, whatever moves
// the rows around it: a change of status, an action's outcome, a sort, a
// filter, a new snapshot; when that monitor is gone, the one that was
// next to it is selected. Before, the selection stayed on the top row
// until the person moved it, so that the top row's next monitor took
// the keys meant for the one that left it.
func TestSelectionFollowsTheMonitor(t *testing.T) {
	t.Parallel()
	enter := tea.KeyMsg{Type: tea.KeyEnter}
	esc := tea.KeyMsg{Type: tea.KeyEsc}
	for _, c := range []struct {
		name string
		run  func(s *selectionTrial)
		want string
	}{
		{"recovers", func(s *selectionTrial) { s.set("legacy", monitor.StatusUp) }, "legacy"},
		{"maintenance from here", func(s *selectionTrial) {
			s.keys(keyRunes("m"), keyRunes("3m"), enter)
			if got := s.action("maintain"); got != "legacy" {
				t.Fatalf("maintenance for %s, want legacy", got)
			}
			s.set("legacy", monitor.StatusMaintenance)
		}, "legacy"},
		{"paused from here", func(s *selectionTrial) {
			s.keys(keyRunes("p"))
			s.action("pause")
			s.set("legacy", monitor.StatusPaused)
		}, "legacy"},
		{"acknowledged, then recovers", func(s *selectionTrial) {
			s.keys(keyRunes("a"), enter)
			s.action("ack")
			s.set("legacy", monitor.StatusUp)
		}, "legacy"},
		{"picked, then recovers", func(s *selectionTrial) {
			s.keys(keyRunes("j"), keyRunes("j")) // api
			s.set("api", monitor.StatusUp)
		}, "api"},
		{"another goes down above it", func(s *selectionTrial) {
			s.keys(keyRunes("G")) // web
			s.set("shop", monitor.StatusDown)
		}, "web"},
		{"sorted by name", func(s *selectionTrial) { s.keys(keyRunes("s")) }, "legacy"},
		{"grouped", func(s *selectionTrial) { s.keys(keyRunes("t")) }, "legacy"},
		// what a filter picks stays picked when it is cleared
		{"filtered, then cleared", func(s *selectionTrial) {
			s.keys(keyRunes("/"), keyRunes("web"), enter, esc)
		}, "web"},
		// db-port does not match: the monitor after it that does
		{"filtered out", func(s *selectionTrial) {
			s.keys(keyRunes("j"), keyRunes("/"), keyRunes("name:e"), enter) // legacy and web match
		}, "web"},
		{"resized", func(s *selectionTrial) {
			s.keys(keyRunes("j"))
			s.tm.Send(tea.WindowSizeMsg{Width: 200, Height: 50})
			s.set("db-port", monitor.StatusUp)
			s.tm.Send(tea.WindowSizeMsg{Width: 60, Height: 20})
		}, "db-port"},
		// a daemon's restart: the monitors come back, in another order
		{"a new snapshot", func(s *selectionTrial) {
			states := selectionStates()
			s.reload(nil)
			for i, j := 0, len(states)-1; i < j; i, j = i+1, j-1 {
				states[i], states[j] = states[j], states[i]
			}
			states[4] = withStatus(states[4], monitor.StatusPending) // legacy
			s.reload(states)
		}, "legacy"},
		// the selected monitor removed by a reload: the one after it
		{"removed", func(s *selectionTrial) {
			s.keys(keyRunes("j")) // db-port
			states := selectionStates()
			s.reload(append(states[:2:2], states[3:]...))
		}, "api"},
		{"the last one removed", func(s *selectionTrial) {
			s.keys(keyRunes("G")) // web
			s.reload(selectionStates()[:4])
		}, "shop"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := newSelectionTrial(t)
			c.run(s)
			if got := s.selected(); got != c.want {
				t.Errorf("p acts on %s, want %s", got, c.want)
			}
			finalView(t, s.tm)
		})
	}
}
