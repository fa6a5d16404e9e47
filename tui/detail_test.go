package tui_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

func stateOf(t *testing.T, states []monitor.State, name string) monitor.State {
	t.Helper()
	for _, st := range states {
		if st.Monitor.Name == name {
			return st
		}
	}
	t.Fatalf("no monitor %q", name)
	return monitor.State{}
}

// history24h makes a day of results every 5 minutes with usual phases
// (TLS 45 ms), a 502 incident, and 502s by hour with a peak at 03:00.
func history24h(name string) *tuitest.History {
	var byHour [24]int
	byHour[3], byHour[4], byHour[15] = 41, 3, 1
	return &tuitest.History{
		ResultsOf: map[string][]monitor.Result{name: dayOfResults(name)},
		IncidentsOf: map[string][]monitor.Incident{name: {
			{Monitor: name, Start: fixedNow.Add(-11 * time.Hour), End: fixedNow.Add(-11*time.Hour + 12*time.Minute), Codes: []int{502}},
			{Monitor: name, Start: fixedNow.Add(-4 * time.Minute), Codes: []int{502}, Acked: true},
		}},
		ByHourOf: map[string][24]int{name: byHour},
	}
}

// days holds the results of history24h by monitor name. They are the same
// on every call and many (newSource asks for every monitor's), so they are
// made once and shared; nobody writes to them (tuitest.History hands out
// copies), and their capacity is their length, so that an append copies.
var days sync.Map

// dayOfResults returns the day of results history24h gives name.
func dayOfResults(name string) []monitor.Result {
	if rs, ok := days.Load(name); ok {
		return rs.([]monitor.Result)
	}
	rs := make([]monitor.Result, 0, 24*12)
	i := 0
	for t := fixedNow.Add(-24 * time.Hour); t.Before(fixedNow); t = t.Add(5 * time.Minute) {
		i++
		lat := time.Duration(80+(i*7)%200) * time.Millisecond
		r := monitor.Result{Monitor: name, Time: t, Status: monitor.StatusUp, Code: 200, Latency: lat,
			Phases: monitor.Phases{DNS: 2 * time.Millisecond, Connect: 10 * time.Millisecond, TLS: 45 * time.Millisecond, FirstByte: 60 * time.Millisecond, Transfer: time.Millisecond}}
		if t.Hour() == 3 && t.Minute() < 20 {
			r.Status, r.Code, r.Class = monitor.StatusDown, 502, "http_502"
		}
		rs = append(rs, r)
	}
	stored, _ := days.LoadOrStore(name, slices.Clip(rs))
	return stored.([]monitor.Result)
}

func newDetail(t *testing.T, st monitor.State, related []monitor.State, q source.Querier, w, h int) *tui.Detail {
	t.Helper()
	d := tui.NewDetail(plainStyles(), tui.DefaultKeyMap())
	d.SetSize(w, h)
	d.SetNow(fixedNow)
	d.Open(st, related, q == nil)
	if q != nil {
		d.SetHistory(tui.QueryHistory(context.Background(), q, st.Monitor.Name, fixedNow))
	}
	return d
}

func TestDetailShowsEverythingAboutAMonitor(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)
	st := stateOf(t, states, "checkout") // degraded, TLS 340 ms in its last check
	d := newDetail(t, st, nil, history24h("checkout"), 100, 400)
	v := d.View()
	for _, re := range []string{
		`▲ degraded\s+checkout`,
		`TLS\s+340 ms\s+usually 45 ms\s+▲ 7\.6× slower`,
		`first byte\s+1100 ms\s+usually 60 ms`,
		`p50 \S+ · p95 \S+ · p99 \S+ · \d+ checks in 24h`,
		`│.* p50 \d+ms\n`,
		`Status timeline`,
		`█`, // the 03:00 failures on the timeline
		`most at 03:00 UTC: 41 of 45 failed checks`,
		`\d\d:\d\d\s+12m\s+502\s+resolved`,
		`\s4m\s+502\s+open, acked`,
		`Slow response`,
		`First step`,
	} {
		if !regexp.MustCompile(re).MatchString(v) {
			t.Errorf("detail lacks /%s/:\n%s", re, v)
		}
	}
	checkFits(t, v, 100, 400)
}

// The detail view's incidents read as history has them: one across a
// maintenance window lasts from its first failure to its recovery, its
// window left out of the downtime (as upbeat report counts it); one
// ended by a pause says so, not "resolved".
func TestDetailIncidentsAcrossAWindowAndAPause(t *testing.T) {
	t.Parallel()
	st := stateOf(t, tuitest.Fixture(fixedNow), "api")
	start := fixedNow.Add(-3 * time.Hour)
	h := &tuitest.History{IncidentsOf: map[string][]monitor.Incident{"api": {
		{Monitor: "api", Start: start, End: start.Add(20 * time.Minute), Codes: []int{502},
			Breaks: []monitor.Break{{Start: start.Add(5 * time.Minute), End: start.Add(15 * time.Minute), Status: monitor.StatusMaintenance}}},
		{Monitor: "api", Start: start.Add(time.Hour), End: start.Add(time.Hour + 3*time.Minute), Codes: []int{503}, Paused: true},
	}}}
	v := newDetail(t, st, nil, h, 100, 400).View()
	for _, re := range []string{`2 incidents, down 13m in all`, `\s20m\s+502\s+resolved`, `\s3m\s+503\s+paused`} {
		if !regexp.MustCompile(re).MatchString(v) {
			t.Errorf("detail lacks /%s/:\n%s", re, v)
		}
	}
}

func TestDetailExplainsTheCurrentError(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)
	st := stateOf(t, states, "api")
	d := newDetail(t, st, nil, history24h("api"), 90, 400)
	v := strings.Join(strings.Fields(d.View()), " ")
	e := kb.ForResult(502, "http_502")
	for _, want := range []string{
		"502 Bad Gateway — " + e.Summary,
		strings.Join(strings.Fields(e.Meaning), " "),
		"Common causes",
		e.Causes[0],
		"First step",
		strings.Join(strings.Fields(e.FirstStep), " "),
		"error: 502 Bad Gateway from nginx",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q", want)
		}
	}
}

func TestDetailCertificateAndDomainDates(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)
	shop := stateOf(t, states, "shop")
	related := []monitor.State{stateOf(t, states, "shop-cert"), stateOf(t, states, "shop-domain")}
	d := newDetail(t, shop, related, nil, 140, 300) // two columns
	v := d.View()
	for _, want := range []string{
		"certificate expires 2027-01-25 (in 62 days)\n",
		"            issuer Example Test CA",
		"certificate expires 2026-11-29 (in 5 days)",
		"domain      expires 2027-03-01 (in 97 days)\n",
		"            registrar Example Registrar",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
	checkFits(t, v, 140, 300)
}

func TestDetailWithoutHistorySaysSo(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)
	st := stateOf(t, states, "reports")
	d := newDetail(t, st, nil, nil, 100, 300)
	v := d.View()
	for _, want := range []string{
		"history is off: showing the last 120 checks only",
		"Latency, recent checks",
		"p99",
		"checks ago",
		"needs history (history is off)",
		"504 Gateway Timeout",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("detail without history lacks %q:\n%s", want, v)
		}
	}
}

func TestDetailScrollsAndFits(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)
	for _, st := range states {
		for _, size := range [][2]int{{0, 0}, {1, 1}, {20, 5}, {80, 21}, {120, 37}, {200, 47}} {
			d := newDetail(t, st, nil, history24h(st.Monitor.Name), size[0], size[1])
			checkFits(t, d.View(), size[0], size[1])
		}
	}
	d := newDetail(t, stateOf(t, states, "api"), nil, history24h("api"), 80, 20)
	first := d.View()
	if !strings.Contains(first, "lines · j/k scroll") {
		t.Fatalf("no scroll hint when the content is taller than the view:\n%s", first)
	}
	d.Update(keyRunes("G"))
	last := d.View()
	if last == first || !strings.Contains(last, "Incidents") {
		t.Fatalf("G did not scroll to the end:\n%s", last)
	}
	checkFits(t, last, 80, 20)
}

// Durations from the configuration read as a person writes them: a demo
// run at three times the speed has a 2/3 s timeout, not "666.666666ms".
func TestDetailShowsSettingsHumanely(t *testing.T) {
	t.Parallel()
	st := stateOf(t, tuitest.Fixture(fixedNow), "billing") // a 20-minute Retry-After
	m := *st.Monitor
	m.Interval, m.Timeout = time.Second, 2*time.Second/3
	st.Monitor = &m
	v := newDetail(t, st, nil, nil, 120, 40).View()
	for _, want := range []string{"every 1s · timeout 667ms", "Retry-After 20m "} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "666") || strings.Contains(v, "m0s") {
		t.Errorf("detail shows a raw duration:\n%s", v)
	}
}

// The explanation of a 503 names the Retry-After header: at no width does
// the detail view break it across lines.
func TestDetailKeepsRetryAfterOnOneLine(t *testing.T) {
	t.Parallel()
	st := stateOf(t, tuitest.Fixture(fixedNow), "billing") // a 503 in maintenance
	// one column: from 120 columns the explanation goes beside the charts
	for w := 40; w < 120; w++ {
		v := newDetail(t, st, nil, nil, w, 400).View()
		if !strings.Contains(strings.Join(strings.Fields(v), " "), "in a Retry-After header") {
			t.Fatalf("at %d columns the explanation lacks Retry-After:\n%s", w, v)
		}
		for _, l := range strings.Split(v, "\n") {
			l = strings.TrimSpace(l)
			if strings.HasSuffix(l, "Retry") || strings.HasSuffix(l, "Retry-") || l == "-" || strings.HasPrefix(l, "-After") || strings.HasPrefix(l, "After") {
				t.Fatalf("at %d columns Retry-After breaks across lines at %q:\n%s", w, l, v)
			}
		}
	}
}

// alertEv is an alert delivery event.
func alertEv(at time.Duration, name string, a monitor.AlertEvent) monitor.Event {
	return monitor.Event{Kind: monitor.EventAlert, Time: fixedNow.Add(at), Monitor: name, Alert: &a}
}

// alertSection returns the lines of the detail view's Alerts section.
func alertSection(t *testing.T, v string) []string {
	t.Helper()
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "── Alerts ") {
			var out []string
			for _, l := range lines[i+1:] {
				if l == "" || strings.HasPrefix(l, "── ") {
					break
				}
				out = append(out, strings.TrimRight(l, " "))
			}
			return out
		}
	}
	t.Fatalf("no Alerts section:\n%s", v)
	return nil
}

// The detail view lists the alerts sent about its monitor, newest first:
// when, the channel and its kind, the subject, and whether it arrived; a
// failed delivery says after how many attempts and why, on one entry
// however many attempts were reported; a grouped message shows under
// every monitor it is about.
func TestDetailListsTheAlertsSentAboutTheMonitor(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)
	tgErr := "telegram: Post \"https://api.telegram.org/bot[REDACTED]/sendMessage\": 401 Unauthorized"
	evs := events(
		alertEv(-4*time.Minute, "api", monitor.AlertEvent{Channel: "oncall", Kind: "webhook",
			Subject: "api is DOWN: 502 Bad Gateway", OK: true, Attempts: 1, Monitors: []string{"api"}}),
		// every attempt is reported: the retries replace the failure before them
		alertEv(-3*time.Minute, "checkout", monitor.AlertEvent{Channel: "tg", Kind: "telegram",
			Subject: "checkout is \x1b[31mDEGRADED\x1b[0m: slow", Error: tgErr, Attempts: 1, Monitors: []string{"checkout"}}),
		alertEv(-3*time.Minute+2*time.Second, "checkout", monitor.AlertEvent{Channel: "tg", Kind: "telegram",
			Subject: "checkout is \x1b[31mDEGRADED\x1b[0m: slow", Error: tgErr, Attempts: 2, Monitors: []string{"checkout"}}),
		alertEv(-3*time.Minute+6*time.Second, "checkout", monitor.AlertEvent{Channel: "tg", Kind: "telegram",
			Subject: "checkout is \x1b[31mDEGRADED\x1b[0m: slow", Error: tgErr + "\x07", Attempts: 3, Monitors: []string{"checkout"}}),
		// a burst: one message about two monitors, with no single Monitor
		alertEv(-time.Minute, "", monitor.AlertEvent{Channel: "mail", Kind: "email",
			Subject: "2 monitors down", OK: true, Attempts: 2, Monitors: []string{"api", "shop"}}),
		// not an alert: ignored
		monitor.Event{Kind: monitor.EventWarning, Time: fixedNow, Monitor: "cache", Message: "disk full"},
	)
	// the events come in two batches, the second after the view was drawn
	d := newDetail(t, stateOf(t, states, "api"), nil, history24h("api"), 100, 400)
	d.AddEvents(evs[:1])
	if got := alertSection(t, d.View()); len(got) != 1 {
		t.Fatalf("api after one alert: %q", got)
	}
	d.AddEvents(evs[1:])

	for _, c := range []struct {
		name string
		want []string
	}{
		{"api", []string{
			"14:02:00 ✓ mail (email)  sent (attempt 2) · 2 monitors down",
			"13:59:00 ✓ oncall (webhook)  sent · api is DOWN: 502 Bad Gateway",
		}},
		{"shop", []string{
			"14:02:00 ✓ mail (email)  sent (attempt 2) · 2 monitors down",
		}},
		{"checkout", []string{
			"14:00:06 ✕ tg (telegram)  checkout is DEGRADED: slow",
			"           failed after 3 attempts: telegram: Post",
			`           "https://api.telegram.org/bot[REDACTED]/sendMessage": 401 Unauthorized`,
		}},
		{"cache", []string{
			"no alert sent for this monitor since the dashboard started",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d.Open(stateOf(t, states, c.name), nil, false)
			v := d.View()
			got := alertSection(t, v)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("alerts of %s:\n%s\nwant:\n%s", c.name, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if strings.ContainsAny(v, "\x1b\x07") {
				t.Errorf("a control character reached the view: %q", v)
			}
		})
	}

	// at 80 columns the entries are cut to fit and the error wraps onto
	// more lines; the view scrolls to show them
	d.SetSize(80, 20)
	d.Open(stateOf(t, states, "checkout"), nil, false)
	d.Update(keyRunes("G"))
	v := d.View()
	checkFits(t, v, 80, 20)
	got := alertSection(t, v)
	if len(got) != 4 || !strings.HasPrefix(got[1], "           failed after 3 attempts: telegram: Post") ||
		got[3] != "           Unauthorized" {
		t.Errorf("alerts of checkout at 80 columns:\n%s", strings.Join(got, "\n"))
	}
}

// Only the latest deliveries are kept, and listed newest first.
func TestDetailKeepsTheLatestAlerts(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)
	d := newDetail(t, stateOf(t, states, "api"), nil, nil, 100, 400)
	for i := range 25 {
		d.AddEvents(events(alertEv(time.Duration(i-30)*time.Minute, "api", monitor.AlertEvent{
			Channel: "oncall", Kind: "webhook", Subject: fmt.Sprintf("message %d", i), OK: true, Attempts: 1})))
	}
	got := alertSection(t, d.View())
	if len(got) != 10 || !strings.HasSuffix(got[0], "message 24") || !strings.HasSuffix(got[9], "message 15") {
		t.Errorf("kept alerts:\n%s", strings.Join(got, "\n"))
	}
}

// The dashboard hands the alerts it is told of to the detail view: a
// grouped message shows in the view of each monitor it is about.
func TestDashboardDetailShowsAlertsFromEvents(t *testing.T) {
	t.Parallel()
	src := newSource()
	tm := start(t, src, 200, 50)
	waitOutput(t, tm, "Monitors")
	src.Publish(alertEv(-time.Minute, "", monitor.AlertEvent{Channel: "mail", Kind: "email",
		Subject: "2 monitors down", OK: true, Attempts: 1, Monitors: []string{"api", "shop"}}))
	waitOutput(t, tm, "alert mail (email) sent: 2 monitors down") // the log pane
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})                       // api, the first row
	waitOutput(t, tm, "14:02:00 ✓ mail (email)  sent · 2 monitors down")
	v := finalView(t, tm)
	checkFits(t, v, 200, 50)
}

// A 503's Retry-After is on the detail view's status line at 80 columns,
// where the line is narrowest (issue 10).
func TestDetailRetryAfterAt80Columns(t *testing.T) {
	t.Parallel()
	st := stateOf(t, tuitest.Fixture(fixedNow), "billing") // a 503 with a 20-minute Retry-After
	v := newDetail(t, st, nil, nil, 80, 24).View()
	if !strings.Contains(v, "Retry-After 20m") {
		t.Errorf("detail at 80 columns lacks Retry-After:\n%s", v)
	}
	checkFits(t, v, 80, 24)
}

// The explanation never contradicts the status, and never ends in a colon
// with nothing after it: a down push monitor whose last check only waits
// for its first beat (after a restart) says it is down and why; a monitor
// whose last failure had no code (refused) says when it was, and what it
// was once the history tells.
func TestDetailExplainsTheLastFailure(t *testing.T) {
	t.Parallel()
	push := tuitest.Monitor("nightly-backup", "push://t0ken")
	push.Interval = 10 * time.Minute
	beatDown := monitor.Result{Monitor: "nightly-backup", Kind: monitor.KindPush, Time: fixedNow.Add(-36 * time.Second),
		Status: monitor.StatusDown, Class: "push_down", Error: "last beat 25m ago, expected every 10m"}
	samples := []monitor.Sample{{Time: beatDown.Time, Status: monitor.StatusDown}}
	waiting := tuitest.State(push, monitor.StatusDown, fixedNow.Add(-15*time.Minute), samples,
		monitor.Result{Time: fixedNow.Add(-2 * time.Second), Status: monitor.StatusPending, Error: "waiting for the first beat"})
	waiting.Last.Status = monitor.StatusPending // a passive check still waiting keeps the status down

	port := tuitest.Monitor("db-port", "tcp://db.example.test:5432")
	refused := monitor.Result{Monitor: "db-port", Kind: monitor.KindTCP, Time: fixedNow.Add(-36 * time.Second), Status: monitor.StatusDown,
		Class: "refused", Error: "nothing accepts connections on 192.0.2.7:5432 (connection refused)"}
	up := tuitest.State(port, monitor.StatusUp, fixedNow.Add(-20*time.Second),
		[]monitor.Sample{{Time: refused.Time, Status: monitor.StatusDown}, {Time: fixedNow.Add(-20 * time.Second), Status: monitor.StatusUp}},
		monitor.Result{Status: monitor.StatusUp})

	hist := &tuitest.History{ResultsOf: map[string][]monitor.Result{"nightly-backup": {beatDown}, "db-port": {refused}}}
	for _, c := range []struct {
		name    string
		st      monitor.State
		q       source.Querier
		want    []string
		wantNot []string
	}{
		{"push down, waiting, with history", waiting, hist,
			[]string{"down since", "the last check is pending: waiting for the first beat", "the last failure, 36s ago:", "Heartbeat missing"},
			[]string{"no error now"}},
		{"push down, waiting, no history", waiting, nil,
			[]string{"down since", "the last check is pending: waiting for the first beat", "the last failure was 36s ago"},
			[]string{"no error now"}},
		{"refused, no history", up, nil,
			[]string{"no error now · the last failure was 36s ago"}, nil},
		{"refused, with history", up, hist,
			[]string{"no error now · the last failure was 36s ago:", "Connection refused", "error: nothing accepts connections"}, nil},
	} {
		v := newDetail(t, c.st, nil, c.q, 100, 300).View()
		for _, w := range c.want {
			if !strings.Contains(v, w) {
				t.Errorf("%s: detail lacks %q:\n%s", c.name, w, v)
			}
		}
		for _, w := range c.wantNot {
			if strings.Contains(v, w) {
				t.Errorf("%s: detail says %q:\n%s", c.name, w, v)
			}
		}
		for _, l := range strings.Split(v, "\n") {
			if strings.HasSuffix(strings.TrimSpace(l), ":") && strings.Contains(l, "failure") {
				if i := strings.Index(v, l); !strings.Contains(v[i+len(l):], "—") {
					t.Errorf("%s: %q has nothing after it:\n%s", c.name, l, v)
				}
			}
		}
	}
}

// After a restart the status is restored with the time it began, while
// the engine counts checks from its own start: the line that says how
// long the monitor has been down gives no count of checks beside it.
func TestDetailNowLineMixesNoSpans(t *testing.T) {
	t.Parallel()
	since := fixedNow.Add(-3 * time.Hour)
	db := tuitest.Monitor("db-port", "tcp://db.example.test:5432")
	st := tuitest.State(db, monitor.StatusDown, since, nil, monitor.Result{Time: fixedNow, Status: monitor.StatusDown,
		Class: "refused", Error: "nothing accepts connections on 192.0.2.7:5432 (connection refused)", Attempts: 1})
	st.Checks = 12 // since the daemon restarted, minutes ago
	for _, w := range []int{80, 200} {
		v := newDetail(t, st, nil, nil, w, 24).View()
		checkFits(t, v, w, 24)
		var now string
		for _, l := range strings.Split(v, "\n") {
			if strings.HasPrefix(l, "down for 3h") {
				now = l
			}
		}
		if now == "" {
			t.Fatalf("%d columns: no line says how long it has been down:\n%s", w, v)
		}
		if strings.Contains(now, "12 checks") {
			t.Errorf("%d columns: %q counts the checks since the restart beside a span of 3h", w, now)
		}
	}
}

// The line about the last 30 days fits at 80 columns and narrower, whole
// words only: a long one breaks between its parts rather than being cut
// ("· 83 failed chec…").
func TestDetailHistoryLineCutsNoWord(t *testing.T) {
	t.Parallel()
	const name = "legacy"
	var byHour [24]int
	byHour[3], byHour[4] = 80, 3
	var incs []monitor.Incident
	for i := range 11 {
		start := fixedNow.Add(-time.Duration(i+1) * 48 * time.Hour)
		incs = append(incs, monitor.Incident{Monitor: name, Start: start, End: start.Add(5 * time.Hour), Codes: []int{502}})
	}
	incs = append(incs, monitor.Incident{Monitor: name, Start: fixedNow.Add(-4 * time.Minute), Codes: []int{502}})
	h := &tuitest.History{ResultsOf: map[string][]monitor.Result{name: dayOfResults(name)},
		IncidentsOf: map[string][]monitor.Incident{name: incs}, ByHourOf: map[string][24]int{name: byHour}}
	st := stateOf(t, tuitest.Fixture(fixedNow), "api")
	st.Monitor = tuitest.Monitor(name, "https://legacy.example.test/")
	for _, w := range []int{200, 80, 60, 40} {
		v := newDetail(t, st, nil, h, w, 60).View()
		lines := strings.Split(v, "\n")
		i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "last 30 days:") })
		if i < 0 {
			t.Fatalf("%d columns: no line about the last 30 days:\n%s", w, v)
		}
		got := strings.Join(lines[i:i+3], "\n")
		words := strings.Join(strings.Fields(got), " ")
		if !strings.Contains(words, "12 incidents, down 2d07h in all (one still open)") || !strings.Contains(words, "83 failed checks") ||
			strings.Contains(got, "…") {
			t.Errorf("%d columns: the last 30 days read\n%s", w, got)
		}
		if w == 200 && !strings.Contains(lines[i], "(one still open) · 83 failed checks") {
			t.Errorf("200 columns: not on one line: %q", lines[i])
		}
		checkFits(t, v, w, 60)
	}
}

// The detail view asks for its monitor's history again as soon as the
// monitor changes status (the incident that just ended is shown ended),
// and not at every tick when nothing changed.
func TestDetailHistoryFollowsAChangeOfStatus(t *testing.T) {
	t.Parallel()
	src := newSource()
	m := tui.New(src, testOptions())
	defer m.Close()
	tui.Step(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	tui.Step(m, keyRunes("g")) // api, down
	for _, msg := range drain(tui.Step(m, tea.KeyMsg{Type: tea.KeyEnter})) {
		tui.Step(m, msg) // its history
	}
	asks := func() bool {
		for _, msg := range runNow(tui.Step(m, tui.TickMsg())) {
			if strings.HasSuffix(fmt.Sprintf("%T", msg), "historyMsg") {
				tui.Step(m, msg)
				return true
			}
		}
		return false
	}
	if asks() {
		t.Fatal("a tick with nothing changed asked for the history again")
	}
	st := stateOf(t, src.Snapshot(), "api")
	st.Status, st.Since = monitor.StatusUp, fixedNow
	src.Set(st)
	tui.Step(m, tui.EventsMsg([]source.Event{{Event: monitor.Event{Kind: monitor.EventChange, Time: fixedNow, Monitor: "api",
		From: monitor.StatusDown, To: monitor.StatusUp}}}))
	tui.Step(m, tui.FrameMsg())
	if !asks() {
		t.Error("api recovered in the detail view, and its history was not asked for again")
	}
	if asks() {
		t.Error("the history was asked for again at the next tick, with nothing changed since")
	}
}

// runNow runs cmd and the commands it batches, at any depth, and returns
// the messages of those that answer at once; a timer (the next tick, a
// flash's end) is not waited for.
func runNow(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		b, ok := msg.(tea.BatchMsg)
		if !ok {
			return []tea.Msg{msg}
		}
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runNow(c)...)
		}
		return out
	case <-time.After(50 * time.Millisecond):
		return nil
	}
}

// Checks in a maintenance window are left out of the latency chart and its
// percentiles, and the legend says so: the window hides whether they
// failed, and a refused connection's latency is next to nothing.
func TestDetailLeavesWindowChecksOutOfTheLatency(t *testing.T) {
	t.Parallel()
	st := stateOf(t, tuitest.Fixture(fixedNow), "billing")
	var rs []monitor.Result
	for i := range 40 {
		r := monitor.Result{Monitor: "billing", Time: fixedNow.Add(time.Duration(i-40) * 10 * time.Minute), Status: monitor.StatusUp, Code: 200, Latency: 100 * time.Millisecond}
		if i >= 10 {
			r.Status, r.Code, r.Class, r.Latency = monitor.StatusMaintenance, 0, "refused", time.Millisecond
		}
		rs = append(rs, r)
	}
	d := newDetail(t, st, nil, &tuitest.History{ResultsOf: map[string][]monitor.Result{"billing": rs}}, 100, 400)
	if v := d.View(); !strings.Contains(v, "p50 100ms") || !strings.Contains(v, "10 checks in 24h (30 in a maintenance window left out)") {
		t.Errorf("window checks in the latency:\n%s", v)
	}
	for i := range rs[:10] {
		rs[i].Status = monitor.StatusMaintenance
	}
	d = newDetail(t, st, nil, &tuitest.History{ResultsOf: map[string][]monitor.Result{"billing": rs}}, 100, 400)
	if v := d.View(); !strings.Contains(v, "nothing to chart: the 40 checks in 24h were in a maintenance window") {
		t.Errorf("all checks in a window:\n%s", v)
	}
}
