package tui_test

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

const waitLimit = 10 * time.Second

// testOptions are the dashboard's options in tests: a fixed clock, no
// colour, and new data drawn within a millisecond rather than at the next
// of ten frames a second, so that a test waiting to see an event does not
// wait for the frame (TestEventsAreCoalescedIntoFrames covers the frames).
func testOptions() tui.Options {
	return tui.Options{Now: func() time.Time { return fixedNow }, Renderer: asciiRenderer(), NoColor: true, User: "alice", MaxFPS: 1000}
}

// newSource is the fixture with a history for every monitor.
func newSource() *tuitest.Source {
	states := tuitest.Fixture(fixedNow)
	src := tuitest.New(states...)
	src.SetInfo(source.Info{Config: "/etc/upbeat/upbeat.toml", Location: "eu-west"})
	h := &tuitest.History{ResultsOf: map[string][]monitor.Result{}, IncidentsOf: map[string][]monitor.Incident{}, ByHourOf: map[string][24]int{}}
	for _, st := range states {
		one := history24h(st.Monitor.Name)
		h.ResultsOf[st.Monitor.Name] = one.ResultsOf[st.Monitor.Name]
		h.IncidentsOf[st.Monitor.Name] = one.IncidentsOf[st.Monitor.Name]
		h.ByHourOf[st.Monitor.Name] = one.ByHourOf[st.Monitor.Name]
	}
	src.SetQuery(h)
	return src
}

// program is the whole program running under teatest, with everything it
// has written so far.
type program struct {
	*teatest.TestModel
	seen []byte
}

// start runs the whole program under teatest at w×h.
func start(t *testing.T, src source.Source, w, h int) *program {
	t.Helper()
	m := tui.New(src, testOptions())
	t.Cleanup(m.Close)
	return &program{TestModel: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))}
}

// waitOutput waits until the program has written s (at any time so far).
func waitOutput(t *testing.T, p *program, s string) {
	t.Helper()
	var last []byte
	teatest.WaitFor(t, p.Output(), func(b []byte) bool {
		last = b
		return bytes.Contains(append(append([]byte(nil), p.seen...), b...), []byte(s))
	}, teatest.WithDuration(waitLimit), teatest.WithCheckInterval(5*time.Millisecond))
	p.seen = append(p.seen, last...)
}

// finalView quits the program and returns its last frame.
func finalView(t *testing.T, tm *program) string {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).View()
}

// The whole program at three sizes, compared with testdata/TestGolden/*.golden
// (refresh with go test ./tui -run TestGolden -update).
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		w, h int
		keys string
		want string // waited for before quitting
	}{
		{"80x24", 80, 24, "", "Log · newest first"},
		{"120x40", 120, 40, "", "Log · newest first"},
		{"200x50", 200, 50, "", "Log · newest first"},
		{"detail-80x24", 80, 24, "\r", "last 30 days: 2 incidents"},
		{"detail-120x40", 120, 40, "j\r", "last 30 days: 2 incidents"},
		{"detail-200x50", 200, 50, "jj\r", "last 30 days: 2 incidents"},
		{"help-80x24", 80, 24, "?", "close help"},
		{"grouped-120x40", 120, 40, "ts", "by tag"},
		// attached to two daemons: a column per location
		{"locations-80x24", 80, 24, "", "Log · newest first"},
		{"locations-200x50", 200, 50, "", "Log · newest first"},
		{"locations-detail-80x24", 80, 24, "jjj\r", "down from eu-west, up from us-east"},
		{"locations-detail-200x50", 200, 50, "jjj\r", "down from eu-west, up from us-east"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := newSource()
			if strings.HasPrefix(c.name, "locations") {
				src = twoLocationSource()
			}
			tm := start(t, src, c.w, c.h)
			waitOutput(t, tm, "Monitors")
			for _, k := range c.keys {
				if k == '\r' {
					tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
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

func TestResizeToTinyNeverPanics(t *testing.T) {
	t.Parallel()
	tm := start(t, newSource(), 80, 24)
	waitOutput(t, tm, "Monitors")
	for _, s := range [][2]int{{20, 5}, {1, 1}, {0, 0}, {40, 10}, {0, 0}, {200, 50}, {20, 5}} {
		tm.Send(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // detail at 20×5
	tm.Send(tea.WindowSizeMsg{Width: 1, Height: 1})
	tm.Send(tea.WindowSizeMsg{Width: 20, Height: 5})
	waitOutput(t, tm, "terminal too small")
	v := finalView(t, tm)
	checkFits(t, v, 20, 5)
	if !strings.Contains(v, "terminal too small") {
		t.Fatalf("20×5 should say the terminal is too small: %q", v)
	}
}

// Every state at every size: never more lines than the terminal, never a
// line wider than it, never a panic.
func TestEveryStateFitsEverySize(t *testing.T) {
	t.Parallel()
	src := newSource()
	sizes := [][2]int{{0, 0}, {1, 1}, {20, 5}, {31, 7}, {32, 8}, {40, 10}, {60, 15}, {80, 24}, {100, 30}, {159, 40}, {160, 40}, {250, 60}}
	for _, keys := range []string{"", "\r", "?", "/", "m", "t", "\rG"} {
		m := tui.New(src, testOptions())
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		for _, k := range keys {
			if k == '\r' {
				m.Update(tea.KeyMsg{Type: tea.KeyEnter})
			} else {
				m.Update(keyRunes(string(k)))
			}
		}
		for _, s := range sizes {
			m.Update(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
			v := m.View()
			checkFits(t, v, s[0], s[1])
			if (s[0] < 32 || s[1] < 8) && s[0] > 0 && s[1] > 1 && !strings.Contains(v, "terminal too small") {
				t.Errorf("keys %q at %v: no \"terminal too small\": %q", keys, s, v)
			}
		}
		m.Close()
	}
}

// A target that answers with OSC 52 (clipboard) and a title-setting
// sequence in its error, URL, issuer and even its name never gets them to
// the terminal.
func TestEscapeSequencesFromTargetsNeverReachTheTerminal(t *testing.T) {
	t.Parallel()
	const osc52 = "\x1b]52;c;SGVsbG8gY2xpcGJvYXJk\x07"
	const title = "\x1b]0;pwned-title\x1b\\"
	const c1 = "\u009d2;pwned-c1\u009c"
	m := tuitest.Monitor("evil"+title+"-site", "https://evil.example.test/"+osc52)
	st := tuitest.State(m, monitor.StatusDown, fixedNow.Add(-time.Minute), nil, monitor.Result{
		Time: fixedNow, Status: monitor.StatusDown, Error: "boom " + osc52 + " and " + title + " and " + c1,
		FinalURL: "https://x.test/" + title, CertIssuer: "CA " + osc52, CertExpiry: fixedNow.Add(48 * time.Hour), CertDays: 2,
		Class: "weird" + title,
	})
	src := tuitest.New(st)
	tm := start(t, src, 120, 40)
	waitOutput(t, tm, "Monitors")
	bad := monitor.Result{Monitor: m.Name, Time: fixedNow, Status: monitor.StatusDown, Error: "late " + osc52 + title}
	src.Publish(monitor.Event{Kind: monitor.EventResult, Time: fixedNow, Monitor: m.Name, Result: &bad},
		monitor.Event{Kind: monitor.EventWarning, Time: fixedNow, Message: "storage " + osc52},
		monitor.Event{Kind: monitor.EventAlert, Time: fixedNow, Monitor: m.Name, Alert: &monitor.AlertEvent{Channel: "x" + title, Error: "e" + osc52}})
	waitOutput(t, tm, "late")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitOutput(t, tm, "What this means")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(waitLimit)))
	if err != nil {
		t.Fatal(err)
	}
	all := string(out) + tm.FinalModel(t).View()
	for _, bad := range []string{"\x1b]", "\u009d", "SGVsbG8", "pwned", "52;c;"} {
		if strings.Contains(all, bad) {
			t.Fatalf("output contains %q", bad)
		}
	}
	if !strings.Contains(all, "boom") || !strings.Contains(all, "evil") {
		t.Fatal("the text around the sequences should still show")
	}
}

func sendKeys(tm *program, keys ...tea.KeyMsg) {
	for _, k := range keys {
		tm.Send(k)
	}
}

func waitCall(t *testing.T, src *tuitest.Source) tuitest.Call {
	t.Helper()
	select {
	case c := <-src.Calls:
		return c
	case <-time.After(waitLimit):
		t.Fatal("no call reached the source")
	}
	return tuitest.Call{}
}

func TestActionKeysCallTheSource(t *testing.T) {
	t.Parallel()
	src := newSource()
	tm := start(t, src, 120, 40)
	waitOutput(t, tm, "Monitors")
	// the first row is api (down): status sort puts the worst first
	for _, c := range []struct {
		keys []tea.KeyMsg
		want tuitest.Call
		done string // the flash once the call has returned
	}{
		{[]tea.KeyMsg{keyRunes("c")}, tuitest.Call{Op: "check", Name: "api"}, "check api: done"},
		{[]tea.KeyMsg{keyRunes("p")}, tuitest.Call{Op: "pause", Name: "api", Paused: true}, "pause api: done"},
		{[]tea.KeyMsg{keyRunes("a"), {Type: tea.KeyEnter}}, tuitest.Call{Op: "ack", Name: "api", Note: monitor.Note{Kind: monitor.NoteAck, Author: "alice"}},
			"acknowledge api: done"},
		{[]tea.KeyMsg{keyRunes("n"), keyRunes("pool"), {Type: tea.KeyEnter}},
			tuitest.Call{Op: "note", Name: "api", Note: monitor.Note{Kind: monitor.NoteText, Author: "alice", Text: "pool"}}, "note on api: done"},
		{[]tea.KeyMsg{keyRunes("m"), {Type: tea.KeyEnter}}, tuitest.Call{Op: "maintain", Name: "api", D: 30 * time.Minute}, "maintenance 30m for api: done"},
		{[]tea.KeyMsg{keyRunes("j"), keyRunes("m"), keyRunes("2h"), {Type: tea.KeyEnter}},
			tuitest.Call{Op: "maintain", Name: "db-port", D: 2 * time.Hour}, "maintenance 2h for db-port: done"},
		{[]tea.KeyMsg{{Type: tea.KeyEnter}, keyRunes("c")}, tuitest.Call{Op: "check", Name: "db-port"}, "check db-port: done"}, // from the detail view
	} {
		sendKeys(tm, c.keys...)
		if got := waitCall(t, src); got != c.want {
			t.Fatalf("keys %v: call %+v, want %+v", c.keys, got, c.want)
		}
		// The call's answer comes back as a message of its own: the next
		// keys wait for it, or it could land after them (and its flash
		// hide theirs).
		waitOutput(t, tm, c.done)
	}
	// api is now paused in the source: p resumes it
	sendKeys(tm, tea.KeyMsg{Type: tea.KeyEsc}, keyRunes("k"), keyRunes("p"))
	if got := waitCall(t, src); got != (tuitest.Call{Op: "pause", Name: "api", Paused: false}) {
		t.Fatalf("p on a paused monitor: %+v", got)
	}
	finalView(t, tm)
}

func TestAckWithoutIncidentDoesNotCall(t *testing.T) {
	t.Parallel()
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(keyRunes("/"))
	for _, r := range "cache" {
		m.Update(keyRunes(string(r)))
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	m.Update(keyRunes("a")) // the prompt opens, saying there is nothing to acknowledge
	m.Update(keyRunes("p")) // a reason, not a pause
	if v := m.View(); !strings.Contains(v, "acknowledge cache, reason: p") || strings.Contains(v, "pause cache") {
		t.Fatalf("a, then p, on an up monitor:\n%s", v)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	if v := m.View(); !strings.Contains(v, "cache has no open incident to acknowledge") || strings.Contains(v, "acknowledge cache…") {
		t.Fatalf("ack on an up monitor:\n%s", v)
	}
}

// a on a degraded monitor, which has no incident (only down opens one),
// opens the prompt saying so, and enter sends nothing: a reason typed
// there is not taken and then refused.
func TestAckOnDegradedSaysNothingToAcknowledge(t *testing.T) {
	t.Parallel()
	src := newSource()
	tm := start(t, src, 120, 40)
	waitOutput(t, tm, "Monitors")
	sendKeys(tm, keyRunes("/"), keyRunes("checkout"), tea.KeyMsg{Type: tea.KeyEnter}, keyRunes("a"))
	waitOutput(t, tm, "no open incident: esc") // the prompt opens, saying so
	sendKeys(tm, keyRunes("slow upstream"), tea.KeyMsg{Type: tea.KeyEnter})
	waitOutput(t, tm, "checkout has no open incident to acknowledge")
	select {
	case c := <-src.Calls:
		t.Errorf("an ack of a degraded monitor reached the source: %+v", c)
	default:
	}
}

func TestSortCycleAndFilterKeys(t *testing.T) {
	t.Parallel()
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	// the name on the first row under the column headings
	first := func() string {
		lines := strings.Split(m.View(), "\n")
		for i, l := range lines {
			if strings.Contains(l, "STATUS") && i+1 < len(lines) {
				return strings.Fields(strings.TrimPrefix(lines[i+1], "›"))[2]
			}
		}
		t.Fatalf("no table:\n%s", m.View())
		return ""
	}
	if !strings.Contains(m.View(), "sort status") || first() != "api" {
		t.Fatalf("default sort:\n%s", m.View())
	}
	for _, want := range []string{"sort name", "sort latency", "sort uptime", "sort last change", "sort status"} {
		m.Update(keyRunes("s"))
		if !strings.Contains(m.View(), want) {
			t.Fatalf("after s want %q:\n%s", want, m.View())
		}
	}
	m.Update(keyRunes("s")) // by name: api, billing, cache, …
	if first() != "api" {
		t.Fatalf("first by name = %q", first())
	}
	m.Update(keyRunes("s")) // by latency: slowest first
	if first() != "cdn-origin" {
		t.Fatalf("first by latency = %q\n%s", first(), m.View())
	}

	m.Update(keyRunes("/"))
	for _, r := range "tag:data" {
		m.Update(keyRunes(string(r)))
	}
	if got := sorted(tableNames(t, m.View())); !slicesEqual(got, []string{"cache", "db-port", "resolver"}) {
		t.Fatalf("filter as typed shows %v:\n%s", got, m.View())
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	v := m.View()
	if !strings.Contains(v, `filter "tag:data"`) || !strings.Contains(v, "Monitors 3 of 15") {
		t.Fatalf("filter kept after enter:\n%s", v)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if v := m.View(); strings.Contains(v, "filter") && strings.Contains(v, "tag:data") {
		t.Fatalf("esc should clear the filter:\n%s", v)
	}
	m.Update(keyRunes("/"))
	m.Update(keyRunes("5"))
	m.Update(keyRunes("0"))
	m.Update(keyRunes("4"))
	m.Update(tea.KeyMsg{Type: tea.KeyEsc}) // esc while typing cancels
	if strings.Contains(m.View(), `filter "504"`) {
		t.Fatal("esc while typing should drop the filter")
	}
}

func TestHelpListsEveryKey(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {100, 30}} {
		helpAt(t, size[0], size[1])
	}
}

func helpAt(t *testing.T, w, h int) {
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(keyRunes("?"))
	v := m.View()
	for range 40 { // a short screen scrolls: read every line of the help
		m.Update(keyRunes("j"))
		v += "\n" + m.View()
	}
	km := tui.DefaultKeyMap()
	for _, b := range []tui.Binding{km.Up, km.Down, km.PageUp, km.PageDown, km.Top, km.Bottom, km.Enter, km.Back,
		km.Filter, km.Sort, km.Group, km.Check, km.Pause, km.Ack, km.Note, km.Maint, km.WarRoom, km.Copy, km.Help, km.Quit} {
		re := `(^|\s)` + regexp.QuoteMeta(b.Help().Key) + `\s+` + regexp.QuoteMeta(b.Help().Desc)
		if !regexp.MustCompile(re).MatchString(v) {
			t.Errorf("help lacks %q %q:\n%s", b.Help().Key, b.Help().Desc, v)
		}
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if strings.Contains(m.View(), "Keys") {
		t.Fatal("esc should close the help")
	}
}

// New results arrive through the subscription; each batch re-arms the
// wait, so a second batch shows too; warnings reach the header.
func TestLiveEventsReachTheScreen(t *testing.T) {
	t.Parallel()
	src := newSource()
	tm := start(t, src, 120, 40)
	waitOutput(t, tm, "Monitors")
	r := monitor.Result{Monitor: "shop", Time: fixedNow, Status: monitor.StatusDown, Code: 503, Class: "http_503"}
	src.Publish(monitor.Event{Kind: monitor.EventResult, Time: fixedNow, Monitor: "shop", Result: &r})
	waitOutput(t, tm, "503 Service Unavailable")
	r2 := monitor.Result{Monitor: "cache", Time: fixedNow, Status: monitor.StatusDown, Class: "timeout"}
	src.Publish(monitor.Event{Kind: monitor.EventResult, Time: fixedNow, Monitor: "cache", Result: &r2},
		monitor.Event{Kind: monitor.EventWarning, Time: fixedNow, Message: "history: disk full"})
	waitOutput(t, tm, kb.ForResult(0, "timeout").Name+" — "+kb.ForResult(0, "timeout").Summary[:20])
	waitOutput(t, tm, "! history: disk full")
	// a state change in the snapshot shows after the next batch
	st := stateOf(t, src.Snapshot(), "cache")
	st.Status = monitor.StatusDown
	src.Set(st)
	src.Publish(monitor.Event{Kind: monitor.EventChange, Time: fixedNow, Monitor: "cache", From: monitor.StatusUp, To: monitor.StatusDown, Result: &r2})
	waitOutput(t, tm, "6 down")
	src.Publish(monitor.Event{Kind: monitor.EventWarning, Time: fixedNow, Message: "history: disk full", Clear: true})
	waitOutput(t, tm, "no longer: history: disk full")
	v := finalView(t, tm)
	if header := strings.Join(strings.Split(v, "\n")[:3], "\n"); strings.Contains(header, "! history: disk full") {
		t.Fatalf("a cleared warning stays in the header:\n%s", v)
	}
	if n := strings.Count(v, "✕ cache "); n != 1 {
		t.Fatalf("the failing result and the change it caused should share one line, got %d:\n%s", n, v)
	}
}

func TestNoColorAndSixteenColours(t *testing.T) {
	t.Parallel()
	src := newSource()
	render := func(p termenv.Profile, noColor bool) string {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(p)
		opts := testOptions()
		opts.Renderer, opts.NoColor = r, noColor
		m := tui.New(src, opts)
		defer m.Close()
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
		v := m.View()
		m.Update(tea.KeyMsg{Type: tea.KeyEnter})
		return v + m.View()
	}
	if v := render(termenv.TrueColor, true); strings.Contains(v, "\x1b") {
		t.Fatalf("NoColor output has escape sequences: %q", v[:min(200, len(v))])
	}
	v := render(termenv.TrueColor, false)
	if !strings.Contains(v, "\x1b[") {
		t.Fatal("colour output has no colour")
	}
	if m := regexp.MustCompile(`\x1b\[[0-9;]*[34]8;[25];`).FindString(v); m != "" {
		t.Fatalf("a colour beyond the 16 basic ones: %q", m)
	}
	// readable without colour: every status has its word
	plain := render(termenv.Ascii, true)
	for _, w := range []string{"✕ down", "▲ degraded", "● up", "○ pending", "◆ maint", "‖ paused"} {
		if !strings.Contains(plain, w) {
			t.Errorf("no %q without colour", w)
		}
	}
}

// tableNames returns the monitor names on the table rows of a frame.
func tableNames(t *testing.T, view string) []string {
	t.Helper()
	var out []string
	in := false
	for _, l := range strings.Split(view, "\n") {
		switch {
		case strings.Contains(l, " STATUS "):
			in = true
		case strings.HasPrefix(l, "──"), l == "":
			in = false
		case in:
			f := strings.Fields(strings.TrimPrefix(l, "›"))
			if len(f) > 2 && f[0] != "▾" {
				out = append(out, f[2])
			}
		}
	}
	return out
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

func TestMouseSelectsAndOpens(t *testing.T) {
	t.Parallel()
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	// header (2 lines), the table's rule, its headings: the second row is on line 5
	click := tea.MouseMsg{X: 20, Y: 5, Action: tea.MouseActionPress, Button: tea.MouseButtonLeft}
	m.Update(click)
	if !strings.Contains(m.View(), "›✕ down     db-port") {
		t.Fatalf("a click did not select db-port:\n%s", m.View())
	}
	m.Update(click)
	if v := m.View(); !strings.Contains(v, "✕ down  db-port") || !strings.Contains(v, "What this means") {
		t.Fatalf("a second click did not open db-port:\n%s", v)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	m.Update(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown})
	if !strings.Contains(m.View(), "›✕ down     status-json") {
		t.Fatalf("the wheel did not move the selection:\n%s", m.View())
	}
}

func TestMaintenancePromptCancels(t *testing.T) {
	t.Parallel()
	src := newSource()
	m := tui.New(src, testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(keyRunes("m"))
	if !strings.Contains(m.View(), "maintenance for api: 30m") {
		t.Fatalf("no prompt:\n%s", m.View())
	}
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if cmd != nil {
		t.Fatal("esc on the prompt returned a command")
	}
	if v := m.View(); strings.Contains(v, "maintenance for api") || !strings.Contains(v, "enter detail") {
		t.Fatalf("esc did not close the prompt:\n%s", v)
	}
	select {
	case c := <-src.Calls:
		t.Fatalf("esc still called %+v", c)
	default:
	}
}

// Keys that arrive in one read come as one message: "/cdn" typed quickly
// (or batched by SSH) must open the filter and type "cdn" into it.
func TestKeysArrivingTogether(t *testing.T) {
	t.Parallel()
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/cdn")})
	v := m.View()
	if !strings.Contains(v, `filter "cdn"`) && !strings.Contains(v, "/ cdn") {
		t.Fatalf("/cdn in one message did not filter by cdn:\n%s", v)
	}
	// a paste stays whole text, never keys
	m2 := tui.New(newSource(), testOptions())
	defer m2.Close()
	m2.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	_, cmd := m2.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("qq"), Paste: true})
	if cmd != nil {
		if _, quit := cmd().(tea.QuitMsg); quit {
			t.Fatalf("a paste of qq was read as the quit key")
		}
	}
}

// Clearing a filter gives the table its rows back at once, whether esc
// cancels the typing or clears a kept filter: the table's height follows
// the number of rows the filter leaves, both ways.
func TestClearingTheFilterGivesTheTableItsRowsBack(t *testing.T) {
	t.Parallel()
	esc, enter := tea.KeyMsg{Type: tea.KeyEsc}, tea.KeyMsg{Type: tea.KeyEnter}
	for _, c := range []struct {
		name  string
		keys  []tea.KeyMsg
		clear []tea.KeyMsg
	}{
		{"esc while typing", []tea.KeyMsg{keyRunes("/sho")}, []tea.KeyMsg{esc}},
		{"esc on the table", []tea.KeyMsg{keyRunes("/sho"), enter}, []tea.KeyMsg{esc}},
		{"typing it away", []tea.KeyMsg{keyRunes("/sho")}, []tea.KeyMsg{{Type: tea.KeyBackspace}, {Type: tea.KeyBackspace}, {Type: tea.KeyBackspace}, enter}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := tui.New(newSource(), testOptions())
			defer m.Close()
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			m.Update(keyRunes("jjjjjjjjjj")) // shop, the last row on screen: the filter keeps it
			before := m.View()
			for _, k := range c.keys {
				m.Update(k)
			}
			if got := sorted(tableNames(t, m.View())); !slicesEqual(got, []string{"shop", "shop-cert", "shop-domain"}) {
				t.Fatalf("the filter sho shows %v:\n%s", got, m.View())
			}
			for _, k := range c.clear {
				m.Update(k)
			}
			if after := m.View(); after != before {
				t.Fatalf("after clearing the filter the screen differs from before it.\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// A kept filter whose matches change with the data (status:down while
// monitors go down) resizes the table to the rows it now has.
func TestFilteredTableFollowsTheData(t *testing.T) {
	t.Parallel()
	src := newSource()
	tm := start(t, src, 80, 24)
	waitOutput(t, tm, "Monitors")
	tm.Send(keyRunes("/status:down"))
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitOutput(t, tm, "Monitors 5 of 15")
	st := stateOf(t, src.Snapshot(), "cache")
	st.Status = monitor.StatusDown
	src.Set(st)
	src.Publish(monitor.Event{Kind: monitor.EventChange, Time: fixedNow, Monitor: "cache", From: monitor.StatusUp, To: monitor.StatusDown})
	waitOutput(t, tm, "Monitors 6 of 15")
	v := finalView(t, tm)
	if got := tableNames(t, v); len(got) != 6 {
		t.Fatalf("6 monitors match, the table shows %v:\n%s", got, v)
	}
}

// When the footer is short of room, ? help and q quit (and esc back in the
// detail view) stay, then the keys used most (open, filter, check, ack),
// then the others while they fit.
func TestFooterKeepsHelpAndQuit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		keys    string
		w       int
		want    string
		wantNot string
	}{
		{"", 200, "enter detail  / filter  s sort  t group  c check  p pause  a ack  n note  m maint  w war room  ? help  q quit", ""},
		{"", 80, "  ? help  q quit", "m maint"},
		{"", 60, "enter detail  / filter  c check  a ack  ? help  q quit", "sort"},
		{"", 40, "enter detail  / filter  ? help  q quit", "sort"},
		{"", 32, "? help  q quit", "maint"},
		{"\r", 200, "esc back  j/k scroll  c check  p pause  a ack  n note  m maint  w war room  y copy curl  ? help  q quit", ""},
		{"\r", 60, "esc back  j/k scroll  c check  a ack  n note  ? help  q quit", "p pause"},
		{"\r", 40, "esc back  j/k scroll  ? help  q quit", "maint"},
		{"\r", 32, "esc back  ? help  q quit", "scroll"},
	} {
		m := tui.New(newSource(), testOptions())
		m.Update(tea.WindowSizeMsg{Width: c.w, Height: 24})
		for _, k := range c.keys {
			if k == '\r' {
				m.Update(tea.KeyMsg{Type: tea.KeyEnter})
			} else {
				m.Update(keyRunes(string(k)))
			}
		}
		v := m.View()
		m.Close()
		lines := strings.Split(v, "\n")
		footer := lines[len(lines)-1]
		if !strings.Contains(footer, c.want) || (c.wantNot != "" && strings.Contains(footer, c.wantNot)) {
			t.Errorf("keys %q at %d columns: footer %q, want %q without %q", c.keys, c.w, footer, c.want, c.wantNot)
		}
		if lipgloss.Width(footer) > c.w {
			t.Errorf("keys %q at %d columns: footer %q is wider than the screen", c.keys, c.w, footer)
		}
	}
}

// 0 (or off, end) typed at the maintenance prompt ends the maintenance:
// the prompt's 30m is a placeholder, not text that 0 would be added to.
func TestMaintenancePromptZeroEndsIt(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"0", "off", "end"} {
		src := newSource()
		tm := start(t, src, 120, 40)
		waitOutput(t, tm, "Monitors")
		sendKeys(tm, keyRunes("m"), keyRunes(in), tea.KeyMsg{Type: tea.KeyEnter})
		if got := waitCall(t, src); got != (tuitest.Call{Op: "maintain", Name: "api", D: 0}) {
			t.Fatalf("%q: call %+v, want maintain api 0", in, got)
		}
		waitOutput(t, tm, "end maintenance for api: done")
		if v := finalView(t, tm); strings.Contains(v, "not a duration") {
			t.Fatalf("%q was refused:\n%s", in, v)
		}
	}
}

// At 80x24, the size people first try, the whole help is on one screen:
// it gives up its blank lines rather than scroll; with room to spare it
// keeps them.
func TestHelpFitsAt80x24(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		m := tui.New(newSource(), testOptions())
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		m.Update(keyRunes("?"))
		v := m.View()
		m.Close()
		checkFits(t, v, size[0], size[1])
		if strings.Contains(v, "j/k scroll") {
			t.Errorf("%dx%d: the help scrolls:\n%s", size[0], size[1], v)
		}
		for _, want := range []string{"check the monitor now", "Filter:", "Status:", "×12 after an entry means"} {
			if !strings.Contains(v, want) {
				t.Errorf("%dx%d: the help lacks %q:\n%s", size[0], size[1], want, v)
			}
		}
		if size[1] == 40 && !strings.Contains(v, "\n\n") {
			t.Errorf("%dx%d: the help left out its blank lines though it has room:\n%s", size[0], size[1], v)
		}
	}
}

// At 60x15 the help does not fit: it scrolls with j/k (and the page keys),
// its last line says which lines are shown, and the footer says how to
// scroll; scrolled down, the keys that act on a monitor appear.
func TestHelpScrollsOnASmallScreen(t *testing.T) {
	t.Parallel()
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 15})
	m.Update(keyRunes("?"))
	v := m.View()
	checkFits(t, v, 60, 15)
	lines := strings.Split(v, "\n")
	if footer := lines[len(lines)-1]; !strings.Contains(footer, "j/k scroll") || !strings.Contains(footer, "close help") {
		t.Errorf("help footer %q, want close help and j/k scroll", footer)
	}
	if !regexp.MustCompile(`── 1-13 of \d+ lines · j/k scroll ──`).MatchString(v) {
		t.Errorf("help does not say which lines it shows:\n%s", v)
	}
	seen := v
	for range 40 {
		m.Update(keyRunes("j"))
		seen += m.View()
	}
	for _, want := range []string{"check the monitor now", "acknowledge; a reason is optional", "write a note on the open incident", "maintenance for a while", "×12 after an entry means"} {
		if !strings.Contains(seen, want) {
			t.Errorf("scrolling the help never shows %q:\n%s", want, m.View())
		}
	}
	checkFits(t, m.View(), 60, 15)
	m.Update(keyRunes("g"))
	if !strings.Contains(m.View(), "── 1-13 of") {
		t.Errorf("g does not go back to the top:\n%s", m.View())
	}
	m.Update(keyRunes("?"))
	if strings.Contains(m.View(), "close help") {
		t.Errorf("? did not close the help:\n%s", m.View())
	}
}

// What the line has room for is shown whole: the filter prompt's
// placeholder at 80 columns, and the heatmap's caption beside the facts
// column of a 120-column detail view (wrapped, never cut).
func TestPlaceholderAndCaptionAreNotCut(t *testing.T) {
	t.Parallel()
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(keyRunes("/"))
	lines := strings.Split(m.View(), "\n")
	if footer := lines[len(lines)-1]; !strings.Contains(footer, "name, tag, status or code") {
		t.Errorf("filter prompt %q cuts its placeholder", footer)
	}

	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	m.Update(keyRunes("g")) // api, down
	m.Update(keyRunes("a"))
	lines = strings.Split(m.View(), "\n")
	if footer := lines[len(lines)-1]; !strings.Contains(footer, "reason: optional") {
		t.Errorf("ack prompt %q cuts its placeholder", footer)
	}

	st := stateOf(t, tuitest.Fixture(fixedNow), "api")
	v := newDetail(t, st, nil, history24h("api"), 120, 300).View()
	if !strings.Contains(v, "most at 03:00 UTC: 41 of 45 failed checks (last 30 days)") || !strings.Contains(v, "darker is more") {
		t.Errorf("heatmap caption cut:\n%s", v)
	}
}

// / filters the log pane as it filters the table: only the entries about
// the monitors it leaves, and the pane's title says so; clearing the
// filter brings every entry back.
func TestFilterAppliesToTheLog(t *testing.T) {
	t.Parallel()
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	logPart := func() string {
		v := m.View()
		i := strings.Index(v, "── Log")
		if i < 0 {
			t.Fatalf("no log pane:\n%s", v)
		}
		return v[i:]
	}
	if l := logPart(); !strings.Contains(l, "status-json") || !strings.Contains(l, "db-port") {
		t.Fatalf("before the filter the log lacks entries:\n%s", l)
	}
	m.Update(keyRunes("/db"))
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	l := logPart()
	if !strings.Contains(l, "db-port") || strings.Contains(l, "status-json") || strings.Contains(l, " api ") {
		t.Errorf("filtered by \"db\", the log shows other monitors:\n%s", l)
	}
	if !strings.Contains(l, `Log · newest first · filter "db"`) {
		t.Errorf("the log's title does not say it is filtered:\n%s", l)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if l := logPart(); !strings.Contains(l, "status-json") || strings.Contains(l, `filter "db"`) {
		t.Errorf("esc did not bring the log back:\n%s", l)
	}
}
