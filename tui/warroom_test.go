package tui_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// warRoomSource is the fixture with a war room on api, three minutes in,
// and api's last check carrying the address it connected to.
func warRoomSource() *tuitest.Source {
	src := newSource()
	states := src.Snapshot()
	for i := range states {
		if states[i].Monitor.Name == "api" {
			states[i].WarRoom = monitor.WarRoom{Start: fixedNow.Add(-3 * time.Minute), Until: fixedNow.Add(12*time.Minute + 30*time.Second),
				Every: 5 * time.Second, Checks: 36, Failures: 4}
			states[i].Last.Remote = "203.0.113.7:443"
		}
	}
	src.SetStates(states)
	return src
}

// The war room banner on the table, and the command that reproduces the
// failure at the end of the detail view, at 80×24 and 200×50, compared with
// testdata/TestGoldenWarRoom/*.golden (refresh with go test ./tui -run
// TestGoldenWarRoom -update).
func TestGoldenWarRoom(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		w, h int
		keys string
		want string // waited for before quitting
	}{
		{"banner-80x24", 80, 24, "", "WAR ROOM api"},
		{"banner-200x50", 200, 50, "", "w on it ends it"},
		{"reproduce-80x24", 80, 24, "\rjjjjjjjjjjjjjjjjjj", "y copies it"},
		{"reproduce-200x50", 200, 50, "\r", "203.0.113.7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tm := start(t, warRoomSource(), c.w, c.h)
			waitOutput(t, tm, "Monitors")
			for _, k := range c.keys {
				if k == '\r' {
					tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
					// the detail's history comes in on its own: the
					// frame is compared with it loaded, however fast
					// the keys that follow are
					waitOutput(t, tm, "last 30 days: ")
				} else {
					tm.Send(keyRunes(string(k)))
				}
			}
			waitOutput(t, tm, c.want)
			v := finalView(t, tm)
			checkFits(t, v, c.w, c.h)
			if n := strings.Count(v, "\n") + 1; n != c.h {
				t.Errorf("frame has %d lines, want %d", n, c.h)
			}
			teatest.RequireEqualOutput(t, []byte(v))
		})
	}
}

// w starts a war room on the selected monitor through the source (for the
// source's default duration); w on a monitor in one ends it, esc does not
// (it runs for every dashboard attached). A war room event is a line in the log.
func TestWarRoomKeys(t *testing.T) {
	t.Parallel()
	src := newSource()
	m := tui.New(src, testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	run := func(_ tea.Model, cmd tea.Cmd) {
		for _, msg := range drain(cmd) {
			m.Update(msg)
		}
	}
	run(m.Update(keyRunes("w")))
	if c := <-src.Calls; c.Op != "warroom" || c.Name != "api" || c.D != 0 {
		t.Fatalf("w: %+v, want a war room on api for the default duration", c)
	}
	src.SetStates(warRoomSource().Snapshot())
	m.Update(tui.EventsMsg(nil))
	m.Update(tui.FrameMsg())
	if !strings.Contains(m.View(), "WAR ROOM api") {
		t.Fatalf("no banner:\n%s", m.View())
	}
	run(m.Update(keyRunes("w")))
	if c := <-src.Calls; c.Op != "warroom" || c.Name != "api" || c.D >= 0 {
		t.Fatalf("w in a war room: %+v, want it ended", c)
	}
	run(m.Update(tea.KeyMsg{Type: tea.KeyEsc})) // by reflex, after a prompt: the war room goes on
	select {
	case c := <-src.Calls:
		t.Fatalf("esc on the table: %+v, want nothing (only w ends a war room)", c)
	default:
	}
	m.Update(tui.EventsMsg(events(monitor.Event{Kind: monitor.EventWarRoom, Time: fixedNow, Monitor: "api",
		Message: "war room on api: checked every 5s for 15m"})))
	m.Update(tui.FrameMsg())
	if v := m.View(); !strings.Contains(v, "◉ war room on api: checked every 5s for 15m") {
		t.Errorf("the war room's start is not in the log:\n%s", v)
	}
}

// drain runs cmd and the commands it batches, and returns their messages
// (the flash timer's is left out: it only waits).
func drain(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			if c == nil {
				continue
			}
			done := make(chan tea.Msg, 1)
			go func() { done <- c() }()
			select {
			case m := <-done:
				out = append(out, m)
			case <-time.After(50 * time.Millisecond): // the flash's timer: nothing to run
			}
		}
		return out
	}
	return []tea.Msg{msg}
}

// OSC52 wraps the sequence for tmux's passthrough as well when asked, and
// takes every control character out of what it is given.
func TestOSC52(t *testing.T) {
	t.Parallel()
	if got := tui.OSC52("hi", false); got != "\x1b]52;c;aGk=\x07" {
		t.Errorf("OSC52 = %q", got)
	}
	got := tui.OSC52("a\x1b]52;c;x\x07b", true)
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("a]52;c;xb")) + "\x07"
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "\x1bPtmux;\x1b"+want+"\x1b\\") {
		t.Errorf("OSC52 for tmux = %q", got)
	}
}
