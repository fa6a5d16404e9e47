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

// headerLine2 renders the header for info at width w and returns its
// second line.
func headerLine2(t *testing.T, info source.Info, w int) string {
	t.Helper()
	h := tui.NewHeader(plainStyles())
	h.SetSize(w, 0)
	h.SetData(tuitest.Fixture(fixedNow), info, nil, fixedNow)
	v := h.View()
	checkFits(t, v, w, h.Height())
	return strings.Split(v, "\n")[1]
}

// When the second line does not fit, it drops whole parts, least useful
// first, and never cuts the location label.
func TestHeaderSecondLineDropsWholeParts(t *testing.T) {
	t.Parallel()
	demo := source.Info{Config: "built-in demo", Location: "demo", Demo: true}
	two := source.Info{Location: "eu-west, us-east", Daemons: []source.Daemon{
		{Addr: "/run/user/1000/upbeat/eu-west.sock", Location: "eu-west", Reachable: true},
		{Addr: "/run/user/1000/upbeat/us-east.sock", Location: "us-east", Reachable: true},
	}}
	three := source.Info{Daemons: two.Daemons, Location: "eu-west, us-east, ap-southeast-2"}
	one := source.Info{Config: "/etc/upbeat/upbeat.toml", Location: "eu-west"}
	for _, tc := range []struct {
		info    source.Info
		w       int
		want    []string
		wantNot []string
	}{
		{one, 200, []string{"config /etc/upbeat/upbeat.toml · location eu-west · 15 monitors", "uptime 24h 97.8%  14:03:00"}, nil},
		{one, 80, []string{"config /etc/upbeat/upbeat.toml · location eu-west", "uptime 24h 97.8%  14:03:00"}, []string{"…"}},
		// the demo's past is simulated, and the header says so at every width that has room
		{demo, 200, []string{"demo: 7 days of simulated history, then live targets on loopback · upbeat init writes a config · location demo · 15 monitors"}, nil},
		{demo, 80, []string{"demo: 7 days of simulated history · location demo", "uptime 24h 97.8%"}, []string{"…", "location de…"}},
		{demo, 40, []string{"demo · location demo"}, []string{"…"}},
		// several daemons: their sockets whole, or each cut from the left
		// at a directory, never cut at the end
		{two, 200, []string{"daemons at /run/user/1000/upbeat/eu-west.sock, /run/user/1000/upbeat/us-east.sock · location eu-west, us-east"}, nil},
		{two, 120, []string{"daemons at …/upbeat/eu-west.sock, …/upbeat/us-east.sock · location eu-west, us-east", "uptime 24h 97.8%"}, nil},
		{two, 80, []string{"location eu-west, us-east", "uptime 24h 97.8%"}, []string{"daemons", "…"}},
		{two, 50, []string{"location eu-west, us-east ", "uptime 24h 97.8%"}, []string{"config", "…"}},
		{three, 32, []string{"location eu-west, us-east +1"}, []string{"…", "ap-"}},
	} {
		l := headerLine2(t, tc.info, tc.w)
		for _, s := range tc.want {
			if !strings.Contains(l, s) {
				t.Errorf("%d columns, %q: line 2 lacks %q: %q", tc.w, tc.info.Location, s, l)
			}
		}
		for _, s := range tc.wantNot {
			if strings.Contains(l, s) {
				t.Errorf("%d columns, %q: line 2 has %q: %q", tc.w, tc.info.Location, s, l)
			}
		}
	}
}

// The header's warning line puts the count of a refused config's mistakes
// and the hint to run upbeat validate before the mistakes themselves.
func TestHeaderRefusedConfigKeepsCountAndHint(t *testing.T) {
	t.Parallel()
	h := tui.NewHeader(plainStyles())
	h.SetSize(80, 0)
	msg := "config not reloaded: /srv/upbeat/upbeat.toml:3: monitor.intreval: unknown key; /srv/upbeat/upbeat.toml:7: monitor.url: not a URL"
	h.SetData(tuitest.Fixture(fixedNow), source.Info{Config: "/srv/upbeat/upbeat.toml"}, []string{msg}, fixedNow)
	v := h.View()
	checkFits(t, v, 80, h.Height())
	line := strings.Split(v, "\n")[2]
	for _, want := range []string{"! config not reloaded", "2 mistakes", "upbeat validate"} {
		if !strings.Contains(line, want) {
			t.Errorf("warning line lacks %q: %q", want, line)
		}
	}
}

// Counts read as a person would write them: "1 monitor", "1 failed
// check", never "1 monitors".
func TestCountsAgreeWithTheirNoun(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)[:1]
	h := tui.NewHeader(plainStyles())
	h.SetSize(200, 0)
	h.SetData(states, source.Info{Config: "upbeat.toml"}, nil, fixedNow)
	if v := h.View(); !strings.Contains(v, "· 1 monitor ") || strings.Contains(v, "1 monitors") {
		t.Errorf("header with one monitor: %q", v)
	}
	st := states[0]
	var byHour [24]int
	byHour[3] = 1
	q := &tuitest.History{ByHourOf: map[string][24]int{st.Monitor.Name: byHour}}
	v := newDetail(t, st, nil, q, 100, 300).View()
	if !strings.Contains(v, "no incident · 1 failed check\n") {
		t.Errorf("detail with one failed check:\n%s", v)
	}
}

// Attached to a daemon whose socket sits under a long XDG_RUNTIME_DIR, the
// header names the socket readably at 80 columns: its end (the socket's
// name and the directory above it) behind a leading "…", never the start
// of the path cut off at the right. The config goes first (the daemon is
// the source), and the home directory reads as ~, as in a shell. At
// 200×50 both paths show whole.
func TestHeaderNamesTheAttachedSocketAt80Columns(t *testing.T) {
	t.Parallel()
	const (
		home = "/home/alice"
		cfg  = home + "/.config/upbeat/upbeat.toml"
		run  = "/tmp/upbeat-ci-7f3a9c/runtime-dir-for-the-oncall-user/session-0042"
		sock = run + "/upbeat.sock"
	)
	line2 := func(info source.Info, home string, w, h int) string {
		src := tuitest.New(tuitest.Fixture(fixedNow)...)
		src.SetInfo(info)
		opts := testOptions()
		opts.Home = home
		m := tui.New(src, opts)
		defer m.Close()
		tui.Step(m, tea.WindowSizeMsg{Width: w, Height: h})
		v := tui.Render(m)
		checkFits(t, v, w, h)
		return strings.Split(v, "\n")[1]
	}
	attached := source.Info{Config: cfg, Daemon: sock, Location: "eu-west"}

	wide := line2(attached, home, 200, 50)
	if want := "config " + cfg + " (daemon at " + sock + ") · location eu-west"; !strings.Contains(wide, want) {
		t.Errorf("200 columns: want %q in %q", want, wide)
	}
	l := line2(attached, home, 80, 24)
	if want := "daemon at …/session-0042/upbeat.sock · location eu-west"; !strings.Contains(l, want) {
		t.Errorf("80 columns: want %q in %q", want, l)
	}
	if strings.Contains(l, "…·") || strings.Contains(l, "… ·") {
		t.Errorf("80 columns: a path cut at its end: %q", l)
	}
	// a socket in the home directory reads as ~, and then fits whole
	inHome := source.Info{Config: cfg, Daemon: home + "/.local/run/upbeat.sock", Location: "eu-west"}
	if l := line2(inHome, home, 80, 24); !strings.Contains(l, "daemon at ~/.local/run/upbeat.sock · location eu-west") {
		t.Errorf("80 columns, socket under home: %q", l)
	}
	// narrower, where the directory above the socket cannot stay, the
	// uptime does and the daemon goes whole: never a path cut at its end
	if l := line2(attached, home, 50, 24); strings.Contains(l, "…") || !strings.Contains(l, "location eu-west") {
		t.Errorf("50 columns: %q", l)
	}
	// over TCP the address keeps its host; the config there is a path on
	// the daemon's machine, never written with this user's ~
	remote := source.Info{Config: home + "/upbeat.toml", Daemon: "https://upbeat.eu-west.example.test:9477", Location: "eu-west"}
	if l := line2(remote, home, 120, 40); !strings.Contains(l, "config "+home+"/upbeat.toml (daemon at https://upbeat.eu-west.example.test:9477)") {
		t.Errorf("120 columns, a daemon over https: %q", l)
	}
	if l := line2(remote, home, 80, 24); !strings.Contains(l, "daemon at https://upbeat.eu-west.example.test:9477 · location eu-west") {
		t.Errorf("80 columns, a daemon over https: %q", l)
	}
	// a dashboard on its own engine: a long config path keeps its end too
	local := source.Info{Config: "/srv/deployments/2026-11/monitoring/upbeat/production/upbeat.toml", Location: "eu-west"}
	if l := line2(local, "", 80, 24); !strings.Contains(l, "config …/") || !strings.Contains(l, "/production/upbeat.toml · location eu-west") {
		t.Errorf("80 columns, a long config path: %q", l)
	}
}

// The warning that the connection to the daemon was lost names its socket
// cut from the left as the source line does, so that "retrying" and the
// count of other warnings stay in sight at 80 columns; at 200 it is whole.
func TestHeaderWarningKeepsRetryingInSight(t *testing.T) {
	t.Parallel()
	const sock = "/tmp/upbeat-ci-7f3a9c/runtime-dir-for-the-oncall-user/session-0042/upbeat.sock"
	warning := func(w, h int) string {
		src := tuitest.New(tuitest.Fixture(fixedNow)...)
		src.SetInfo(source.Info{Daemon: sock, Warnings: []string{"disk is full", monitor.LostConnection(sock)}})
		m := tui.New(src, testOptions())
		defer m.Close()
		tui.Step(m, tea.WindowSizeMsg{Width: w, Height: h})
		v := tui.Render(m)
		checkFits(t, v, w, h)
		for _, l := range strings.Split(v, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "! ") {
				return strings.TrimSpace(l)
			}
		}
		t.Fatalf("no warning line at %dx%d:\n%s", w, h, v)
		return ""
	}
	if got, want := warning(80, 24), "! lost connection to …/session-0042/upbeat.sock, retrying (+1 more)"; got != want {
		t.Errorf("80 columns: %q, want %q", got, want)
	}
	if got, want := warning(200, 50), "! "+monitor.LostConnection(sock)+" (+1 more)"; got != want {
		t.Errorf("200 columns: %q, want %q", got, want)
	}
}

// Where the config's whole path does not fit beside the daemon, it keeps
// the directory above its file before it is named by the file alone: two
// configs are often both upbeat.toml.
func TestHeaderNamesTheConfigByItsDirectoryFirst(t *testing.T) {
	t.Parallel()
	src := tuitest.New(tuitest.Fixture(fixedNow)...)
	src.SetInfo(source.Info{Config: "/srv/oncall/team-payments/staging/upbeat.toml", Daemon: "/tmp/s2/o.sock"})
	m := tui.New(src, testOptions())
	defer m.Close()
	tui.Step(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	v := tui.Render(m)
	checkFits(t, v, 80, 24)
	if l := strings.Split(v, "\n")[1]; !strings.Contains(l, "config …/staging/upbeat.toml (daemon at /tmp/s2/o.sock)") {
		t.Errorf("80 columns: %q", l)
	}
}
