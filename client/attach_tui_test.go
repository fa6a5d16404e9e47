package client

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
)

// The real dashboard, attached to two daemons on loopback with different
// locations, one seeing the target down and the other up: it shows the
// monitor down (the worst) from one location of two, a column per
// location with what each sees, both locations in the header, the log
// line naming where it went down, and in the detail view where it is down
// and where up.
func TestAttachDashboardToTwoDaemons(t *testing.T) {
	eu, us := newSwitch(), newSwitch()
	eu.set("shop", monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "bad gateway"})
	eEU := runEngine(t, config("eu-west", testMonitor("shop", "https://shop.example/")), eu, engine.Options{})
	eUS := runEngine(t, config("us-east", testMonitor("shop", "https://shop.example/")), us, engine.Options{})
	sock := filepath.Join(t.TempDir(), "eu.sock")
	serve(t, eEU, api.Options{Socket: sock})
	sUS := serve(t, eUS, api.Options{Listen: "127.0.0.1:0"})
	c := dial(t, []string{sock, "http://" + sUS.TCPAddr()}, Options{})

	tm := plainDashboard(t, c)
	if err := c.CheckNow(bg, "shop"); err != nil {
		t.Fatal(err)
	}
	wants := map[string]*regexp.Regexp{
		"locations in the header": regexp.MustCompile(`location eu-west, us-east`),
		"a column per location":   regexp.MustCompile(`STATUS\s+NAME\s+eu-west\s+us-east\s`),
		"the split in the row":    regexp.MustCompile(`✕ down 1/2 shop\s+✕ 502\s+● up\s`),
		"the log says where":      regexp.MustCompile(`shop\s+eu-west: \S+ → down\s+502 Bad Gateway`),
	}
	var seen []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen = append(seen, b...)
		for _, re := range wants {
			if !re.Match(seen) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))

	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("down from eu-west, up from us-east"))
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	v := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()
	for _, want := range []string{"✕ down  shop", "✕ down from eu-west, up from us-east", "── By location"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail view lacks %q:\n%s", want, v)
		}
	}
}

// Attached to one daemon whose socket sits deep in the file system (a
// long XDG_RUNTIME_DIR), the real dashboard at 80 columns names the socket
// by its end, the socket's name and the directories above it that fit
// behind a leading "…", rather than its start cut off mid-path.
func TestAttachLongSocketHeader(t *testing.T) {
	sw := newSwitch()
	sw.set("shop", monitor.Result{Status: monitor.StatusUp, Code: 200})
	e := runEngine(t, config("eu-west", testMonitor("shop", "https://shop.example/")), sw, engine.Options{})
	dir := filepath.Join(t.TempDir(), "oncall-runtime", "session-0042")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "upbeat.sock")
	serve(t, e, api.Options{Socket: sock})
	c := dial(t, []string{sock}, Options{})

	tm := plainDashboard(t, c)
	want := regexp.MustCompile(`daemon at …/\S*session-0042/upbeat\.sock · location eu-west`)
	var seen []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen = append(seen, b...)
		return want.Match(seen)
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	v := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()
	if line := strings.Split(v, "\n")[1]; !want.MatchString(line) {
		t.Errorf("header at 80 columns: %q, want /%s/", line, want)
	}
}

// The user's trial: the real dashboard at 80x24 attached to a daemon that
// warns, is restarted without the warning, then stopped again. The header
// then says the connection is lost and the figures stale, with nothing of
// the first daemon's warning.
func TestAttachDashboardAcrossRestart(t *testing.T) {
	const gaveUp = `alert "hook" gave up on "3 monitors behind 127.0.0.1:18080 down; 1 monitor down since 09:12"`
	cfg := config("eu-west", testMonitor("shop", "https://shop.example/"))
	e1 := runEngine(t, cfg, newSwitch(), engine.Options{})
	sock := filepath.Join(t.TempDir(), "upbeat.sock")
	s1 := serve(t, e1, api.Options{Socket: sock})
	c := dial(t, []string{sock}, Options{})

	tm := plainDashboard(t, c)
	waitOut := func(what string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(what)) },
			teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	waitOut("daemon at")
	e1.Warn("alert:hook", gaveUp)
	waitOut(`gave up on`)
	s1.Close()
	waitOut("lost connection to")
	s2 := serve(t, runEngine(t, cfg, newSwitch(), engine.Options{}), api.Options{Socket: sock})
	waitOut("reconnected to")
	s2.Close()
	waitOut("lost connection to")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	v := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()
	lines := strings.Split(v, "\n")
	if !strings.Contains(lines[0], "stale:") {
		t.Errorf("line 1 does not say the figures are stale: %q", lines[0])
	}
	if w := strings.TrimSpace(lines[2]); !strings.HasPrefix(w, "! lost connection to ") || !strings.HasSuffix(w, "upbeat.sock, retrying") {
		t.Errorf("warning line: %q, want the lost connection alone", w)
	}
	if strings.Contains(strings.Join(lines[:4], "\n"), "gave up") {
		t.Errorf("the first daemon's warning stays in the header:\n%s", v)
	}
}

// plainDashboard runs the real dashboard on c at 80x24, without colour,
// until the test ends.
func plainDashboard(t *testing.T, c *Client) *teatest.TestModel {
	t.Helper()
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	m := tui.New(c, tui.Options{Renderer: r, NoColor: true})
	t.Cleanup(m.Close)
	return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
}

// The user's trial: dashboards on one daemon during an incident, one
// attached before it, one halfway and one after, in three tmux panes.
// Their log panes tell the same story, line for line: a dashboard that
// attaches replays what the daemon kept of the events and builds its
// lines from them as the first built them live.
func TestAttachedLaterTellsTheSameStory(t *testing.T) {
	// the daemon's clock moves half a minute before each check, so that
	// each result has a time of its own (the wire keeps milliseconds)
	var mu sync.Mutex
	now := time.Now().Truncate(time.Hour).Add(14 * time.Minute)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	later := func() { mu.Lock(); now = now.Add(30 * time.Second); mu.Unlock() }
	sw := newSwitch()
	cfg := config("eu-west", testMonitor("shop", "https://shop.example/"), testMonitor("api", "https://api.example/"))
	cfg.Settings.StallThreshold = 24 * time.Hour // the clock's jumps are no stall
	e := runEngine(t, cfg, sw, engine.Options{Now: clock, Asleep: func() time.Duration { return 0 }})
	sock := filepath.Join(t.TempDir(), "upbeat.sock")
	serve(t, e, api.Options{Socket: sock})
	sub := e.Subscribe()
	defer sub.Close()
	check := func(name string, r monitor.Result) {
		t.Helper()
		later()
		sw.set(name, r)
		if err := e.CheckNow(name); err != nil {
			t.Fatal(err)
		}
		waitForEvent(t, sub, "a check of "+name, func(ev source.Event) bool {
			return ev.Kind == monitor.EventResult && ev.Monitor == name && ev.Result.Status == r.Status
		})
	}
	note := func(kind monitor.NoteKind, text string) {
		t.Helper()
		later()
		if _, err := e.AddNote("shop", monitor.Note{Kind: kind, Text: text, Author: "ana"}); err != nil {
			t.Fatal(err)
		}
	}
	attach := func() *teatest.TestModel { // it has subscribed when it returns
		return plainDashboard(t, dial(t, []string{sock}, Options{}))
	}

	ok := monitor.Result{Status: monitor.StatusUp, Code: 200}
	check("shop", ok)
	check("api", ok)
	early := attach()
	bad := monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "HTTP 502 Bad Gateway"}
	check("shop", bad)
	check("shop", bad)
	check("api", monitor.Result{Status: monitor.StatusDegraded, Code: 200, Class: "slow", Latency: 2 * time.Second})
	check("shop", bad)
	note(monitor.NoteText, "rolling back the 14:00 deploy")
	halfway := attach()
	note(monitor.NoteAck, "on it")
	check("shop", bad)
	check("shop", ok)
	late := attach()

	logs := map[string][]string{}
	for name, tm := range map[string]*teatest.TestModel{"early": early, "halfway": halfway, "late": late} {
		waitOutput(t, tm, "down → up after")
		if err := tm.Quit(); err != nil {
			t.Fatal(err)
		}
		v := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).View()
		_, log, ok := strings.Cut(v, "── Log")
		if !ok {
			t.Fatalf("%s: no log pane at 80x24:\n%s", name, v)
		}
		for _, l := range strings.Split(log, "\n")[1:] {
			if w := lipgloss.Width(l); w > 80 {
				t.Errorf("%s: a log line %d columns wide: %q", name, w, l)
			}
			if l = strings.TrimRight(l, " "); l != "" && !strings.Contains(l, "enter detail") {
				logs[name] = append(logs[name], l)
			}
		}
	}
	story := strings.Join(logs["early"], "\n")
	for i, want := range []string{"● shop  down → up after 3m30s", "✓ shop  ana acknowledged: on it", "✎ shop  ana: rolling back the 14:00 deploy",
		"▲ api   up → degraded  Slow response", "✕ shop  502 Bad Gateway — ", "✕ shop  up → down  502 Bad Gateway"} {
		if i >= len(logs["early"]) || !strings.Contains(logs["early"][i], want) {
			t.Errorf("line %d of the early dashboard's log should contain %q:\n%s", i, want, story)
		}
	}
	if !strings.HasSuffix(logs["early"][4], "×3") {
		t.Errorf("the repeats are not counted: %q", logs["early"][4])
	}
	for _, name := range []string{"halfway", "late"} {
		if got := strings.Join(logs[name], "\n"); got != story {
			t.Errorf("the dashboard attached %s tells another story:\n%s\n\nthan the one attached before:\n%s", name, got, story)
		}
	}
}

// waitOutput waits (10s at most) until tm has drawn what.
func waitOutput(t *testing.T, tm *teatest.TestModel, what string) {
	t.Helper()
	var seen []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen = append(seen, b...)
		return bytes.Contains(seen, []byte(what))
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
}
