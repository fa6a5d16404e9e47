package tui_test

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// hookGaveUp is a daemon's warning long enough not to fit 80 columns,
// worded as the daemon words it (app_notes.go's warnUndelivered).
const hookGaveUp = `alert "hook" gave up after 5 attempts: Post "http://127.0.0.1:18080/hook": dial tcp 127.0.0.1:18080: connect: connection refused; "3 monitors behind 127.0.0.1:18080 down; 1 monitor down since 09:12" not delivered`

// headerOf renders m at w×h and returns its first line and its warning
// line ("" when there is none).
func headerOf(t *testing.T, m *tui.Model, w, h int) (line1, warning string) {
	t.Helper()
	v := tui.Render(m)
	checkFits(t, v, w, h)
	lines := strings.Split(v, "\n")
	for _, l := range lines[:min(len(lines), 5)] {
		if strings.HasPrefix(strings.TrimSpace(l), "! ") {
			warning = strings.TrimSpace(l)
		}
	}
	return lines[0], warning
}

// The dashboard attached to a daemon that is stopped, restarted, and
// stopped again, fed as the client feeds it: the warnings in Info, and
// events that raise and clear them. While the connection is lost, the
// header says so (and that the figures are stale), whatever the daemon
// warned of before; once reconnected, it shows what the new daemon
// reports, not what the old one did.
func TestHeaderAcrossDaemonRestart(t *testing.T) {
	t.Parallel()
	const sock = "/run/user/1000/upbeat.sock"
	lost := monitor.LostConnection(sock)
	src := tuitest.New(tuitest.Fixture(fixedNow)...)
	m := tui.New(src, testOptions())
	defer m.Close()
	tui.Step(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	// the daemon's state changes, then its events arrive and a frame reads it
	become := func(warnings []string, evs ...monitor.Event) {
		src.SetInfo(source.Info{Daemon: sock, Location: "eu-west", Warnings: warnings})
		tui.Step(m, tui.EventsMsg(events(evs...)))
		tui.Step(m, tui.FrameMsg())
	}
	raise := func(msg string) monitor.Event {
		return monitor.Event{Kind: monitor.EventWarning, Time: fixedNow, Message: msg}
	}
	clear := func(msg string) monitor.Event {
		return monitor.Event{Kind: monitor.EventWarning, Time: fixedNow, Message: msg, Clear: true}
	}
	wantLost := "! lost connection to " + sock + ", retrying"

	become([]string{hookGaveUp}, raise(hookGaveUp))
	if line1, w := headerOf(t, m, 80, 24); !strings.HasPrefix(w, `! alert "hook" gave up after 5 attempts: `) || strings.Contains(line1, "stale") {
		t.Fatalf("the daemon's warning: %q, %q", line1, w)
	}
	become([]string{hookGaveUp, lost}, raise(lost))
	if line1, w := headerOf(t, m, 80, 24); w != wantLost+" (+1 more)" || !strings.Contains(line1, "stale:") {
		t.Errorf("first stop: %q, %q, want %q and stale figures", line1, w, wantLost+" (+1 more)")
	}
	become(nil, clear(lost)) // the new daemon has no warning: none of the old one's stays
	if line1, w := headerOf(t, m, 80, 24); w != "" || strings.Contains(line1, "stale") {
		t.Errorf("reconnected to a daemon with no warning: %q, %q", line1, w)
	}
	become([]string{lost}, raise(lost))
	if line1, w := headerOf(t, m, 80, 24); w != wantLost || !strings.Contains(line1, "stale:") {
		t.Errorf("second stop: %q, %q, want %q and stale figures", line1, w, wantLost)
	}
}

// A lost connection outranks the daemon's warnings wherever it is in the
// list, and the count of the others is never cut off at 80 columns.
func TestHeaderWarningLineOrder(t *testing.T) {
	t.Parallel()
	const sock = "/run/user/1000/upbeat.sock"
	lost := monitor.LostConnection(sock)
	for _, tc := range []struct {
		warnings []string
		want     string
	}{
		{[]string{lost, hookGaveUp}, "! " + lost + " (+1 more)"},
		{[]string{"history: disk full", lost, hookGaveUp}, "! " + lost + " (+2 more)"},
		// the cause stays in sight: what follows it goes first, then its start
		{[]string{"history: disk full", hookGaveUp}, `! alert "hook" gave up after 5 attempts: … connect: connection refused (+1 more)`},
		{[]string{hookGaveUp}, `! alert "hook" gave up after 5 attempts: …0.1:18080: connect: connection refused`},
		// over several daemons, each warning begins with its daemon's name
		{[]string{"eu-west: " + hookGaveUp}, `! eu-west: alert "hook" gave up after 5 attempts: …: connect: connection refused`},
	} {
		src := tuitest.New(tuitest.Fixture(fixedNow)...)
		src.SetInfo(source.Info{Daemon: sock, Warnings: tc.warnings})
		m := tui.New(src, testOptions())
		tui.Step(m, tea.WindowSizeMsg{Width: 80, Height: 24})
		if _, w := headerOf(t, m, 80, 24); w != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.warnings, w, tc.want)
		}
		m.Close()
	}
}
