package tui_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

func resultEv(at time.Time, name string, st monitor.Status, code int, class, errText string) monitor.Event {
	return monitor.Event{Kind: monitor.EventResult, Time: at, Monitor: name,
		Result: &monitor.Result{Monitor: name, Time: at, Status: st, Code: code, Class: class, Error: errText}}
}

func TestLogPaneExplainsErrorsNewestFirst(t *testing.T) {
	t.Parallel()
	l := tui.NewLogPane(plainStyles())
	l.SetSize(160, 10)
	t0 := fixedNow
	l.Add(events(
		resultEv(t0, "api", monitor.StatusDown, 502, "http_502", ""),
		resultEv(t0.Add(time.Second), "db-port", monitor.StatusDown, 0, "refused", "connection refused"),
		resultEv(t0.Add(2*time.Second), "shop", monitor.StatusUp, 200, "", ""), // not an error: no line
	))
	lines := strings.Split(l.View(), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %d:\n%s", len(lines), l.View())
	}
	if !strings.Contains(lines[0], "db-port") || !strings.Contains(lines[1], "api") {
		t.Fatalf("not newest first:\n%s", l.View())
	}
	e := kb.ForResult(502, "http_502")
	want := "502 " + e.Name + " — " + e.Summary
	if !strings.Contains(lines[1], want) {
		t.Fatalf("502 line lacks %q: %q", want, lines[1])
	}
	if !strings.Contains(lines[1], "✕") {
		t.Fatalf("502 line lacks the down glyph: %q", lines[1])
	}
	r := kb.ForResult(0, "refused")
	if !strings.Contains(lines[0], r.Name+" — "+r.Summary) {
		t.Fatalf("refused line lacks its explanation: %q", lines[0])
	}
}

func TestLogPaneCountsRepeatsAndListsChangesAlertsWarnings(t *testing.T) {
	t.Parallel()
	l := tui.NewLogPane(plainStyles())
	l.SetSize(160, 20)
	t0 := fixedNow
	for i := 0; i < 3; i++ {
		l.Add(events(resultEv(t0.Add(time.Duration(i)*30*time.Second), "api", monitor.StatusDown, 502, "http_502", "")))
		if i == 0 { // the first failure also changed the status: same line
			r0 := &monitor.Result{Monitor: "api", Time: t0, Status: monitor.StatusDown, Code: 502, Class: "http_502"}
			l.Add(events(monitor.Event{Kind: monitor.EventChange, Time: t0, Monitor: "api", From: monitor.StatusUp, To: monitor.StatusDown, Result: r0}))
		}
	}
	// the change is a line; the failures after it are counted on one line
	if n := strings.Count(l.View(), "\n") + 1; n != 2 {
		t.Fatalf("want the change and one line of repeats, got %d:\n%s", n, l.View())
	}
	if first := strings.Split(l.View(), "\n")[0]; !strings.Contains(first, "api  502 Bad Gateway") || !strings.HasSuffix(first, "×2") {
		t.Fatalf("repeats not counted:\n%s", l.View())
	}
	r := &monitor.Result{Monitor: "api", Time: t0.Add(2 * time.Minute), Status: monitor.StatusUp, Code: 200}
	l.Add(events(
		monitor.Event{Kind: monitor.EventChange, Time: t0.Add(2 * time.Minute), Monitor: "api", From: monitor.StatusDown, To: monitor.StatusUp, Result: r},
		monitor.Event{Kind: monitor.EventAlert, Time: t0.Add(2 * time.Minute), Monitor: "api", Alert: &monitor.AlertEvent{Channel: "oncall", Kind: "webhook", Subject: "api is up", OK: true, Attempts: 1}},
		monitor.Event{Kind: monitor.EventAlert, Time: t0.Add(3 * time.Minute), Monitor: "api", Alert: &monitor.AlertEvent{Channel: "mail", Kind: "email", Subject: "api is up", OK: false, Error: "535 auth failed", Attempts: 3, GaveUp: true}},
		monitor.Event{Kind: monitor.EventWarning, Time: t0.Add(4 * time.Minute), Message: "history: disk full, results are not saved"},
	))
	v := l.View()
	lines := strings.Split(v, "\n")
	for i, want := range []string{
		"! history: disk full",
		"alert mail (email) FAILED after 3 attempts: api is up — 535 auth failed",
		"alert oncall (webhook) sent: api is up",
		"● api  down → up after 2m",
		"✕ api  502 Bad Gateway",
		"✕ api  up → down  502 Bad Gateway",
	} {
		if i >= len(lines) || !strings.Contains(lines[i], want) {
			t.Fatalf("line %d should contain %q:\n%s", i, want, v)
		}
	}
	// a new failure after recovery is a new line
	l.Add(events(resultEv(t0.Add(5*time.Minute), "api", monitor.StatusDown, 504, "http_504", "")))
	if !strings.Contains(strings.Split(l.View(), "\n")[0], "504 Gateway Timeout") {
		t.Fatalf("new failure not on top:\n%s", l.View())
	}
}

func TestLogPaneSeedsCurrentProblemsAndFits(t *testing.T) {
	t.Parallel()
	l := tui.NewLogPane(plainStyles())
	l.Seed(tuitest.Fixture(fixedNow), nil)
	for _, w := range []int{0, 1, 10, 40, 80, 200} {
		for _, h := range []int{0, 1, 3, 20} {
			l.SetSize(w, h)
			checkFits(t, l.View(), w, h)
		}
	}
	l.SetSize(200, 20)
	v := l.View()
	// newest problem first: status-json went down 2 minutes ago
	first := strings.Split(v, "\n")[0]
	if !strings.Contains(first, "status-json") || !strings.Contains(first, "JSON assertion failed") || !strings.HasPrefix(first, "14:01:00 ✕") {
		t.Fatalf("first line: %q", first)
	}
	if !strings.Contains(v, "db-port") || strings.Contains(v, "cache") {
		t.Fatalf("seed should list the down and degraded monitors only:\n%s", v)
	}
	// wrapping beside the table keeps whole explanations
	l.SetWrap(true)
	l.SetSize(60, 30)
	checkFits(t, l.View(), 60, 30)
	flat := strings.Join(strings.Fields(l.View()), " ")
	if want := kb.ForResult(502, "http_502").Summary; !strings.Contains(flat, want) {
		t.Fatalf("wrapped log lacks the whole explanation %q:\n%s", want, l.View())
	}
	if strings.Contains(l.View(), "…") && !strings.Contains(l.View(), " …") {
		t.Fatalf("wrapped entries should not be cut mid-word:\n%s", l.View())
	}
}

// logLines renders the pane at w columns (wrapped, as beside the table,
// or cut, as under it) and returns its lines.
func logLines(l *tui.LogPane, w int, wrapped bool) []string {
	l.SetWrap(wrapped)
	l.SetSize(w, 20)
	return strings.Split(l.View(), "\n")
}

// The engine's reload message already says "config reloaded": the pane
// shows it once.
func TestLogPaneSaysConfigReloadedOnce(t *testing.T) {
	t.Parallel()
	l := tui.NewLogPane(plainStyles())
	l.Add(events(monitor.Event{Kind: monitor.EventReload, Time: fixedNow,
		Message: "config reloaded: 3 change(s): added shop, changed api, removed old"}))
	v := logLines(l, 160, false)[0]
	if !strings.Contains(v, "↻ config reloaded: 3 change(s): added shop") || strings.Count(v, "config reloaded") != 1 {
		t.Fatalf("reload line: %q", v)
	}
}

// A cleared warning cannot be misread as the problem itself: a cleared
// refusal of the config says it is accepted; any other says "no longer";
// a warning replaced by a new one at the same instant shows the new one
// alone.
func TestLogPaneClearedWarningsReadAsGoodNews(t *testing.T) {
	t.Parallel()
	const refused = "config not reloaded: upbeat.toml:3: monitor.intreval: unknown key"
	l := tui.NewLogPane(plainStyles())
	l.Add(events(
		monitor.Event{Kind: monitor.EventWarning, Time: fixedNow, Message: refused},
		monitor.Event{Kind: monitor.EventWarning, Time: fixedNow.Add(time.Minute), Message: "history: disk full"},
		monitor.Event{Kind: monitor.EventWarning, Time: fixedNow.Add(2 * time.Minute), Message: "history: disk full", Clear: true},
		monitor.Event{Kind: monitor.EventWarning, Time: fixedNow.Add(3 * time.Minute), Message: refused, Clear: true},
	))
	lines := logLines(l, 160, false)
	if !strings.Contains(lines[0], "✓ config accepted") || strings.Contains(lines[0], "not reloaded") {
		t.Fatalf("a cleared refusal: %q", lines[0])
	}
	if !strings.Contains(lines[1], "✓ no longer: history: disk full") {
		t.Fatalf("a cleared warning: %q", lines[1])
	}
	if strings.Contains(strings.Join(lines, "\n"), "resolved") {
		t.Fatalf("cleared warnings read as \"resolved\":\n%s", strings.Join(lines, "\n"))
	}

	// refused again, with another mistake: the engine retires the old text
	// and raises the new one at the same instant
	const again = "config not reloaded: upbeat.toml:9: monitor.url: not a URL"
	l.Add(events(monitor.Event{Kind: monitor.EventWarning, Time: fixedNow.Add(4 * time.Minute), Message: refused}))
	l.Add(events(monitor.Event{Kind: monitor.EventWarning, Time: fixedNow.Add(5 * time.Minute), Message: refused, Clear: true}))
	l.Add(events(monitor.Event{Kind: monitor.EventWarning, Time: fixedNow.Add(5 * time.Minute), Message: again}))
	lines = logLines(l, 160, false)
	if !strings.Contains(lines[0], "! config not reloaded") || !strings.Contains(lines[0], "upbeat.toml:9") {
		t.Fatalf("the new refusal is not on top: %q", lines[0])
	}
	if strings.Contains(lines[1], "config accepted") {
		t.Fatalf("a refusal replaced by another reads as accepted:\n%s", strings.Join(lines, "\n"))
	}
}

// The end of a lost connection to a daemon reads as the reconnection it
// is, never as "no longer: lost connection".
func TestLogPaneSaysReconnected(t *testing.T) {
	t.Parallel()
	lost := monitor.LostConnection("/run/upbeat/upbeat.sock")
	never := monitor.Unreachable("https://eu.example.test:9477", "connection refused")
	l := tui.NewLogPane(plainStyles())
	l.Add([]source.Event{
		{Event: monitor.Event{Kind: monitor.EventWarning, Time: fixedNow, Message: lost}},
		{Event: monitor.Event{Kind: monitor.EventWarning, Time: fixedNow.Add(time.Second), Message: never}},
		{Event: monitor.Event{Kind: monitor.EventWarning, Time: fixedNow.Add(time.Minute), Message: lost, Clear: true}},
		{Event: monitor.Event{Kind: monitor.EventWarning, Time: fixedNow.Add(2 * time.Minute), Message: never, Clear: true}},
	})
	lines := logLines(l, 160, false)
	if !strings.Contains(lines[0], "✓ connected to https://eu.example.test:9477") {
		t.Errorf("the first connection after failures: %q", lines[0])
	}
	if !strings.Contains(lines[1], "✓ reconnected to /run/upbeat/upbeat.sock") {
		t.Errorf("a reconnection: %q", lines[1])
	}
	if v := strings.Join(lines, "\n"); strings.Contains(v, "no longer") {
		t.Errorf("a reconnection reads as a problem that went away:\n%s", v)
	}
}

// A refused reload lists every mistake in one long line: the count and
// the hint to run upbeat validate come first, so that the pane cut at 80
// columns or wrapped beside the table still shows them, and the file's
// directory is left out.
func TestLogPaneRefusedReloadKeepsCountAndHint(t *testing.T) {
	t.Parallel()
	const dir = "/home/someone/.config/upbeat/"
	msg := "config not reloaded: " + dir + "upbeat.toml:3: monitor.intreval: unknown key; " +
		dir + "upbeat.toml:7: monitor.url: \"htp://x\" is not an http or https URL"
	l := tui.NewLogPane(plainStyles())
	l.Add(events(monitor.Event{Kind: monitor.EventWarning, Time: fixedNow, Message: msg}))
	for _, c := range []struct {
		w       int
		wrapped bool
	}{{80, false}, {60, true}, {109, true}} {
		lines := logLines(l, c.w, c.wrapped)
		shown := lines[0] // cut: the one line
		if c.wrapped {
			shown = strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
		}
		if want := "config not reloaded, 2 mistakes (see upbeat validate): upbeat.toml:3"; !strings.Contains(shown, want) {
			t.Errorf("%d columns (wrapped %v): lacks %q:\n%s", c.w, c.wrapped, want, strings.Join(lines, "\n"))
		}
		if v := strings.Join(lines, "\n"); strings.Contains(v, dir) {
			t.Errorf("%d columns: the directory takes the room:\n%s", c.w, v)
		}
	}
	flat := strings.Join(strings.Fields(strings.Join(logLines(l, 109, true), " ")), " ")
	if !strings.Contains(flat, "upbeat.toml:3: monitor.intreval: unknown key; upbeat.toml:7: monitor.url") {
		t.Fatalf("wrapped, both mistakes should show: %q", flat)
	}

	// a refusal that is not a list of mistakes (the file unreadable) keeps its words
	l2 := tui.NewLogPane(plainStyles())
	l2.Add(events(monitor.Event{Kind: monitor.EventWarning, Time: fixedNow, Message: "config not reloaded: read config: open /etc/upbeat.toml: permission denied"}))
	if v := logLines(l2, 160, false)[0]; !strings.Contains(v, "upbeat validate") || !strings.Contains(v, "read config: open /etc/upbeat.toml: permission denied") || strings.Contains(v, "mistake") {
		t.Fatalf("unreadable config: %q", v)
	}
}

// After a restart (of the daemon, or of the dashboard on its own engine)
// a monitor that has been down for hours is restored as down since then,
// and the dashboard lists it from its first frame at the time it went
// down. The checks made since the dashboard started are not all the checks
// of that span: the line counts none of them ("×5" beside 11:03 would
// read as five failures in three hours). A failure that begins while the
// dashboard watches still counts its repeats from its own time.
func TestLogLineAfterRestartCountsNoChecksFromAnotherSpan(t *testing.T) {
	t.Parallel()
	since := fixedNow.Add(-3 * time.Hour)
	db := tuitest.Monitor("db-port", "tcp://db.example.test:5432")
	st := tuitest.State(db, monitor.StatusDown, since, nil, monitor.Result{Time: fixedNow, Status: monitor.StatusDown,
		Class: "refused", Error: "nothing accepts connections on 192.0.2.7:5432 (connection refused)", Attempts: 1})
	st.Checks = 2 // since the daemon restarted
	api := tuitest.Monitor("api", "https://api.example.test/health")
	ok := tuitest.State(api, monitor.StatusUp, since, nil, monitor.Result{Time: fixedNow, Status: monitor.StatusUp, Code: 200})
	m := tui.New(tuitest.New(st, ok), testOptions())
	defer m.Close()
	tui.Step(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	var evs []monitor.Event
	for i := 1; i <= 5; i++ {
		at := fixedNow.Add(time.Duration(i) * 30 * time.Second)
		evs = append(evs, resultEv(at, "db-port", monitor.StatusDown, 0, "refused", st.Last.Error),
			resultEv(at, "api", monitor.StatusDown, 502, "http_502", "HTTP 502 Bad Gateway"))
	}
	tui.Step(m, tui.EventsMsg(events(evs...)))
	v := tui.Render(m)
	checkFits(t, v, 80, 24)
	_, logPart, found := strings.Cut(v, "── Log")
	if !found {
		t.Fatalf("no log pane at 80x24:\n%s", v)
	}
	line := func(name string) string {
		for _, l := range strings.Split(logPart, "\n") {
			if strings.Contains(l, " "+name+" ") {
				return l
			}
		}
		t.Fatalf("no log line about %s:\n%s", name, v)
		return ""
	}
	db0 := line("db-port")
	if !strings.HasPrefix(db0, since.Format("15:04")+" ✕ db-port") {
		t.Errorf("the restored problem's line does not start at its beginning (%s): %q", since.Format("15:04"), db0)
	}
	if strings.Contains(db0, "×") {
		t.Errorf("the line since %s counts only the checks since the dashboard started: %q\n%s", since.Format("15:04"), db0, v)
	}
	// api went down under the dashboard's eyes: its line counts from its time
	if a := line("api"); !strings.Contains(a, "×5") {
		t.Errorf("a failure seen from its start should count its repeats: %q\n%s", a, v)
	}
}

// A change of status is one line, never counted: the identical failures
// after it are counted on a failure line of their own ("×3"), so that no
// line reads as a monitor going down three times. The engine publishes
// the failing result first, then the change it caused; a duplicate of
// the change's own result adds nothing, and a monitor that flaps gets a
// line per change, none of them counted.
func TestLogPaneChangeLinesCountNoRepeats(t *testing.T) {
	t.Parallel()
	t0 := fixedNow
	change := func(at time.Time, from, to monitor.Status, code int, class string) monitor.Event {
		r := &monitor.Result{Monitor: "api", Time: at, Status: to, Code: code, Class: class}
		return monitor.Event{Kind: monitor.EventChange, Time: at, Monitor: "api", From: from, To: to, Result: r}
	}
	l := tui.NewLogPane(plainStyles())
	l.Add(events(resultEv(t0, "api", monitor.StatusDown, 502, "http_502", ""),
		change(t0, monitor.StatusUp, monitor.StatusDown, 502, "http_502"),
		resultEv(t0, "api", monitor.StatusDown, 502, "http_502", ""))) // the change's own result again
	for i := 1; i <= 3; i++ {
		l.Add(events(resultEv(t0.Add(time.Duration(i)*30*time.Second), "api", monitor.StatusDown, 502, "http_502", "")))
	}
	lines := logLines(l, 160, false)
	if len(lines) != 2 || !strings.Contains(lines[1], "api  up → down  502 Bad Gateway") {
		t.Fatalf("want the change, then the failures after it:\n%s", strings.Join(lines, "\n"))
	}
	if strings.Contains(lines[1], "×") {
		t.Errorf("the change line counts repeats: %q", lines[1])
	}
	if !strings.HasPrefix(lines[0], t0.Add(30*time.Second).Format("15:04:05")+" ✕ api  502 Bad Gateway") || !strings.HasSuffix(lines[0], "×3") {
		t.Errorf("the repeats are not counted on a failure line from the first of them: %q", lines[0])
	}
	if !l.Repeats() {
		t.Error("the pane does not explain the count")
	}

	// flapping: down, up, down with the same code, and a change that came
	// without its result (dropped for a slow viewer), then its repeats
	l = tui.NewLogPane(plainStyles())
	l.Add(events(resultEv(t0, "api", monitor.StatusDown, 502, "http_502", ""),
		change(t0, monitor.StatusUp, monitor.StatusDown, 502, "http_502"),
		change(t0.Add(time.Minute), monitor.StatusDown, monitor.StatusUp, 200, ""),
		change(t0.Add(2*time.Minute), monitor.StatusUp, monitor.StatusDown, 502, "http_502"),
		resultEv(t0.Add(3*time.Minute), "api", monitor.StatusDown, 502, "http_502", "")))
	lines = logLines(l, 80, false)
	checkFits(t, strings.Join(lines, "\n"), 80, 20)
	if len(lines) != 4 || strings.Contains(strings.Join(lines, "\n"), "×") || l.Repeats() {
		t.Errorf("three changes and one failure after them, nothing counted:\n%s", strings.Join(lines, "\n"))
	}
	for i, want := range []string{"api  502 Bad Gateway", "api  up → down  502", "api  down → up after 1m", "api  up → down  502"} {
		if i < len(lines) && !strings.Contains(lines[i], want) {
			t.Errorf("line %d: %q, want %q", i, lines[i], want)
		}
	}
}

// A dashboard that starts late replays the journal of its source: its
// log must read line for line as the log of one that watched every event
// live. Random stories of a few monitors (failures that repeat and
// change, recoveries, maintenance, errors on a monitor that stays up,
// notes, alerts retried, warnings) are told to one pane live, and to
// panes that start from the journal at points along the way and then go
// on live.
func TestLogPaneFromJournalReadsAsLive(t *testing.T) {
	t.Parallel() // sixteen stories: the rest of the package runs meanwhile
	outcomes := []monitor.Result{
		{Status: monitor.StatusUp, Code: 200},
		{Status: monitor.StatusDown, Code: 502, Class: "http_502"},
		{Status: monitor.StatusDown, Code: 502, Class: "http_502"},
		{Status: monitor.StatusDown, Code: 504, Class: "http_504"},
		{Status: monitor.StatusDegraded, Code: 200, Class: "slow"},
		{Status: monitor.StatusMaintenance, Code: 503, Class: "http_503"},
		{Status: monitor.StatusUp, Code: 404}, // expected, but an error code
		{Status: monitor.StatusPending},       // a push monitor still waiting
	}
	names := []string{"api", "shop", "db"}
	for seed := range uint64(16) {
		rng := rand.New(rand.NewPCG(seed, 7))
		status := map[string]monitor.Status{}
		journal := source.NewJournal(0)
		live := tui.NewLogPane(plainStyles())
		var late []*tui.LogPane
		at := fixedNow
		// the source began with a problem in force (restored at start):
		// the journal begins with it, and a dashboard started then seeds it
		if seed%2 == 1 {
			r := monitor.Result{Monitor: "db", Time: at, Status: monitor.StatusDown, Class: "refused", Error: "connection refused"}
			st := tuitest.State(tuitest.Monitor("db", "tcp://db.example.test:5432"), monitor.StatusDown, at.Add(-3*time.Hour), nil, r)
			status["db"] = monitor.StatusDown
			live.Seed([]monitor.State{st}, nil)
			ev, _ := source.InForce(&st)
			journal.Add(ev)
		}
		var last *monitor.Event
		tell := func(ev monitor.Event) {
			evs := events(ev)
			journal.Add(evs[0])
			live.Add(evs)
			for _, l := range late {
				l.Add(evs)
			}
		}
		for step := range 120 {
			at = at.Add(time.Duration(1+rng.IntN(40)) * time.Second)
			name := names[rng.IntN(len(names))]
			switch k := rng.IntN(20); {
			case k < 15: // a check, and the change it makes
				r := outcomes[rng.IntN(len(outcomes))]
				r.Monitor, r.Time = name, at
				from := status[name]
				to := r.Status
				if to == monitor.StatusPending {
					to = from
				}
				last = &monitor.Event{Kind: monitor.EventResult, Time: at, Monitor: name, Result: &r, From: from, To: to}
				tell(*last)
				if to != from {
					status[name] = to
					tell(monitor.Event{Kind: monitor.EventChange, Time: at, Monitor: name, Result: &r, From: from, To: to})
				}
			case k < 17:
				tell(monitor.Event{Kind: monitor.EventNote, Time: at, Monitor: name, Note: &monitor.Note{Kind: monitor.NoteKind(1 + rng.IntN(2)), Text: "looking"}})
			case k == 18: // a pause, or the resume of one
				from, to := status[name], monitor.StatusPaused
				if from == monitor.StatusPaused {
					to = monitor.StatusPending
				}
				status[name] = to
				tell(monitor.Event{Kind: monitor.EventChange, Time: at, Monitor: name, From: from, To: to})
			case k < 19:
				tries := 1 + rng.IntN(3)
				tell(monitor.Event{Kind: monitor.EventAlert, Time: at, Monitor: name,
					Alert: &monitor.AlertEvent{Channel: "oncall", Subject: name + " is down", OK: rng.IntN(2) == 0, Attempts: tries}})
			case k < 20 && last != nil && rng.IntN(2) == 0: // the same result again
				tell(*last)
			default:
				tell(monitor.Event{Kind: monitor.EventWarning, Time: at, Message: "history: disk full", Clear: rng.IntN(2) == 0})
			}
			if step%30 == 29 { // a dashboard starts
				l := tui.NewLogPane(plainStyles())
				l.Add(journal.Events())
				late = append(late, l)
			}
		}
		want := logLines(live, 160, false)
		for i, l := range late {
			l.SetSize(160, 500)
			live.SetSize(160, 500)
			if got, want := l.View(), live.View(); got != want {
				t.Fatalf("seed %d: a dashboard started from the journal at step %d reads:\n%s\n\nwhere one that watched live reads:\n%s", seed, 30*i+29, got, want)
			}
		}
		if len(want) < 5 {
			t.Fatalf("seed %d: too short a story to tell anything:\n%s", seed, strings.Join(want, "\n"))
		}
	}
}

// A first good check is not news, except after a resume: "paused →
// pending" is followed by "pending → up", so that the log says the
// monitor is back.
func TestLogPaneSaysResumedMonitorIsUp(t *testing.T) {
	t.Parallel()
	t0 := fixedNow
	change := func(name string, at time.Time, from, to monitor.Status) monitor.Event {
		return monitor.Event{Kind: monitor.EventChange, Time: at, Monitor: name, From: from, To: to}
	}
	l := tui.NewLogPane(plainStyles())
	l.Add(events(change("web", t0, monitor.StatusPending, monitor.StatusUp), // at start: not news
		change("api", t0, monitor.StatusUp, monitor.StatusPaused),
		change("api", t0.Add(time.Minute), monitor.StatusPaused, monitor.StatusPending),
		change("api", t0.Add(time.Minute+time.Second), monitor.StatusPending, monitor.StatusUp),
		change("api", t0.Add(2*time.Minute), monitor.StatusUp, monitor.StatusDown),
		change("api", t0.Add(3*time.Minute), monitor.StatusDown, monitor.StatusPending), // a reload, say
		change("api", t0.Add(4*time.Minute), monitor.StatusPending, monitor.StatusUp)))  // not after a resume
	got := strings.Join(logLines(l, 120, false), "\n")
	if strings.Contains(got, "web") || strings.Count(got, "pending → up") != 1 || !strings.Contains(got, "api  pending → up") {
		t.Errorf("want one pending → up, api's after its resume:\n%s", got)
	}
}

// A dashboard that starts after a resume reads, from the journal, the
// "pending → up" one that watched it live shows.
func TestLogPaneResumeFromJournalReadsAsLive(t *testing.T) {
	t.Parallel()
	change := func(at time.Time, from, to monitor.Status) monitor.Event {
		return monitor.Event{Kind: monitor.EventChange, Time: at, Monitor: "api", From: from, To: to}
	}
	evs := events(change(fixedNow, monitor.StatusUp, monitor.StatusPaused),
		change(fixedNow.Add(time.Minute), monitor.StatusPaused, monitor.StatusPending),
		change(fixedNow.Add(time.Minute+time.Second), monitor.StatusPending, monitor.StatusUp))
	journal, live := source.NewJournal(0), tui.NewLogPane(plainStyles())
	for _, ev := range evs {
		journal.Add(ev)
		live.Add([]source.Event{ev})
	}
	late := tui.NewLogPane(plainStyles())
	late.Add(journal.Events())
	live.SetSize(160, 20)
	late.SetSize(160, 20)
	if got, want := late.View(), live.View(); got != want || !strings.Contains(want, "pending → up") {
		t.Errorf("from the journal:\n%s\n\nlive:\n%s", got, want)
	}
}
