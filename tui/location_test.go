package tui_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// twoLocationSource is the fixture as seen through two daemons, eu-west
// and us-east; "api" is down 502 from eu-west and up from us-east.
func twoLocationSource() *tuitest.Source {
	states, locs := tuitest.TwoLocations(fixedNow)
	src := tuitest.New(states...)
	src.SetLocations(locs)
	src.SetInfo(source.Info{Location: "eu-west, us-east", Daemons: []source.Daemon{
		{Addr: "/run/upbeat/eu.sock", Location: "eu-west", Monitors: len(states), Reachable: true},
		{Addr: "https://us-east.example.test:8443", Location: "us-east", Monitors: len(states), Reachable: true},
	}})
	return src
}

// With two locations the table has a column for each, after the name; a
// monitor down from one location only says so in its status cell, and
// its detail view says where it is down and where up.
func TestTwoLocationsTableAndDetail(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{80, 24}, {200, 50}} {
		w, h := sz[0], sz[1]
		m := tui.New(twoLocationSource(), testOptions())
		m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		v := m.View()
		checkFits(t, v, w, h)
		tbl := tablePart(v)
		head := lineOf(t, tbl, " STATUS ")
		eu, us, name, lat := strings.Index(head, "eu-west"), strings.Index(head, "us-east"), strings.Index(head, "NAME"), strings.Index(head, "LATENCY")
		if eu < 0 || us < 0 || !(name < eu && eu < us && us < lat) {
			t.Errorf("%d×%d: want NAME, eu-west, us-east, LATENCY in that order: %q", w, h, head)
		}
		// a cell per location under its heading: the glyph and the code, or the status word
		api := lineOf(t, tbl, " api ")
		if !strings.Contains(api, "✕ down 1/2") {
			t.Errorf("%d×%d: api is down from one location of two: %q", w, h, api)
		}
		if cell(head, api, "eu-west") != "✕ 502" || cell(head, api, "us-east") != "● up" {
			t.Errorf("%d×%d: api cells %q and %q, want ✕ 502 and ● up: %q", w, h, cell(head, api, "eu-west"), cell(head, api, "us-east"), api)
		}
		if rep := lineOf(t, tbl, " reports "); cell(head, rep, "eu-west") != "● up" || cell(head, rep, "us-east") != "✕ 504" {
			t.Errorf("%d×%d: reports row %q", w, h, rep)
		}
		if db := lineOf(t, tbl, " db-port "); strings.Contains(db, "1/2") || cell(head, db, "us-east") != "✕ refused" {
			t.Errorf("%d×%d: db-port is down from both: %q", w, h, db)
		}
		if co := lineOf(t, tbl, " checkout "); !strings.Contains(co, "▲ degr 1/2") || cell(head, co, "eu-west") != "▲ slow" {
			t.Errorf("%d×%d: checkout row %q", w, h, co)
		}
		if l := lineOf(t, v, "location"); !strings.Contains(l, "location eu-west, us-east") {
			t.Errorf("%d×%d: header cuts the locations: %q", w, h, l)
		}
		// the log names the location of each problem, once for both when both see it
		if l := lineOf(t, v, "✕ api "); !strings.Contains(l, "eu-west: down") || strings.Contains(l, "us-east") {
			t.Errorf("%d×%d: log line of api: %q", w, h, l)
		}
		if l := lineOf(t, v, "✕ cdn-origin "); !strings.Contains(l, "eu-west, us-east: down") {
			t.Errorf("%d×%d: log line of cdn-origin: %q", w, h, l)
		}

		// the detail view of api
		m.Update(keyRunes("/"))
		for _, r := range "name:api" {
			m.Update(keyRunes(string(r)))
		}
		m.Update(tea.KeyMsg{Type: tea.KeyEnter})
		m.Update(tea.KeyMsg{Type: tea.KeyEnter})
		d := m.View()
		checkFits(t, d, w, h)
		if !strings.Contains(d, "down from eu-west, up from us-east") {
			t.Errorf("%d×%d: detail lacks the location summary:\n%s", w, h, d)
		}
		if l := lineOf(t, d, "eu-west  ✕"); !strings.Contains(l, "✕ down") || !strings.Contains(l, "502") {
			t.Errorf("%d×%d: by location, eu-west: %q", w, h, l)
		}
		if l := lineOf(t, d, "us-east  ●"); !strings.Contains(l, "● up") || !strings.Contains(l, "88ms") {
			t.Errorf("%d×%d: by location, us-east: %q", w, h, l)
		}
		m.Close()
	}
}

// tablePart returns the lines of the table in a frame: from its headings
// to the log's rule, left of the log when the log is beside it.
func tablePart(v string) string {
	var out []string
	in := false
	for _, l := range strings.Split(v, "\n") {
		l, _, _ = strings.Cut(l, "│")
		switch {
		case strings.HasPrefix(l, " STATUS "):
			in = true
		case strings.HasPrefix(l, "── Log"):
			in = false
		}
		if in {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// cell returns the text of row under the heading title (the column runs
// from the heading's start to the next heading).
func cell(head, row, title string) string {
	hr, rr := []rune(head), []rune(row)
	i := strings.Index(head, title)
	if i < 0 {
		return ""
	}
	start := len([]rune(head[:i]))
	end := start + len([]rune(title))
	for end < len(hr) && hr[end] == ' ' {
		end++
	}
	if start >= len(rr) {
		return ""
	}
	return strings.TrimSpace(string(rr[start:min(end, len(rr))]))
}

// At every width the location columns come before the less essential
// ones; when even they do not fit, no other column takes their place.
func TestLocationColumnsHavePriority(t *testing.T) {
	t.Parallel()
	states, locs := tuitest.TwoLocations(fixedNow)
	for w := 40; w <= 200; w += 4 {
		tb := newLocatedTable(t, states, locs, w, 20)
		v := tb.View()
		checkFits(t, v, w, 21)
		head := strings.Split(v, "\n")[0]
		hasEU, hasUS := strings.Contains(head, "eu-west"), strings.Contains(head, "us-east")
		if others := strings.Contains(head, "LATENCY") || strings.Contains(head, "CODE") || strings.Contains(head, "24H"); others && !(hasEU && hasUS) {
			t.Errorf("width %d: a column shows while a location does not: %q", w, head)
		}
		if hasUS && !hasEU {
			t.Errorf("width %d: the second location without the first: %q", w, head)
		}
		if w >= 60 && !(hasEU && hasUS) {
			t.Errorf("width %d: both locations should fit: %q", w, head)
		}
	}
	if got := newLocatedTable(t, states, locs, 80, 20).Locations(); !slices.Equal(got, []string{"eu-west", "us-east"}) {
		t.Errorf("Locations() = %v", got)
	}
	if got := newTable(t, tuitest.Fixture(fixedNow), 80, 20).Locations(); got != nil {
		t.Errorf("one daemon: Locations() = %v, want none", got)
	}
}

// Sorted by status, a monitor down from every location comes before one
// down from some only.
func TestStatusSortPutsDownEverywhereFirst(t *testing.T) {
	t.Parallel()
	states, locs := tuitest.TwoLocations(fixedNow)
	names := newLocatedTable(t, states, locs, 120, 40).Names()
	if i, j := slices.Index(names, "cdn-origin"), slices.Index(names, "api"); i < 0 || j < 0 || i > j {
		t.Errorf("cdn-origin (down from both) should come before api (down from one): %v", names)
	}
	if i, j := slices.Index(names, "api"), slices.Index(names, "shop-cert"); i > j {
		t.Errorf("api (down from one) should still come before shop-cert (degraded): %v", names)
	}
}

func TestLocationSummary(t *testing.T) {
	t.Parallel()
	loc := func(name string, s monitor.Status) source.LocationState {
		return source.LocationState{Location: name, Status: s}
	}
	for _, tc := range []struct {
		locs []source.LocationState
		want string
	}{
		{nil, ""},
		{[]source.LocationState{loc("eu-west", monitor.StatusDown)}, ""},
		{[]source.LocationState{loc("us-east", monitor.StatusUp), loc("eu-west", monitor.StatusDown)}, "down from eu-west, up from us-east"},
		{[]source.LocationState{loc("a", monitor.StatusUp), loc("b", monitor.StatusUp)}, "up from a and b"},
		{[]source.LocationState{loc("a", monitor.StatusDown), loc("b", monitor.StatusUp), loc("c", monitor.StatusDown), loc("d", monitor.StatusDegraded)},
			"down from a and c; degraded from d; up from b"},
		{[]source.LocationState{loc("eu\x1b]0;x\x07", monitor.StatusDown), loc("us", monitor.StatusUp)}, "down from eu, up from us"},
	} {
		if got := tui.LocationSummary(tc.locs); got != tc.want {
			t.Errorf("LocationSummary(%v) = %q, want %q", tc.locs, got, tc.want)
		}
	}
}

// Events from several daemons name their location in the log, and a
// failure repeating from one location is counted on its own line while the
// other location's checks, up, leave it alone.
func TestLogPaneNamesTheLocation(t *testing.T) {
	t.Parallel()
	l := tui.NewLogPane(plainStyles())
	l.SetSize(160, 10)
	t0 := fixedNow
	at := func(ev monitor.Event, loc string) source.Event { return source.Event{Event: ev, Location: loc} }
	bad := &monitor.Result{Monitor: "shop", Time: t0, Status: monitor.StatusDown, Code: 502, Class: "http_502"}
	l.Add([]source.Event{
		at(resultEv(t0, "shop", monitor.StatusDown, 502, "http_502", ""), "eu-west"),
		at(monitor.Event{Kind: monitor.EventChange, Time: t0, Monitor: "shop", From: monitor.StatusUp, To: monitor.StatusDown, Result: bad}, "eu-west"),
	})
	for i := 1; i <= 3; i++ {
		l.Add([]source.Event{
			at(resultEv(t0.Add(time.Duration(i)*time.Second), "shop", monitor.StatusUp, 200, "", ""), "us-east"),
			at(resultEv(t0.Add(time.Duration(i)*30*time.Second), "shop", monitor.StatusDown, 502, "http_502", ""), "eu-west"),
		})
	}
	v := l.View()
	if n := strings.Count(v, "\n") + 1; n != 2 {
		t.Fatalf("one failure from one location: its change and its repeats, got %d lines:\n%s", n, v)
	}
	lines := strings.Split(v, "\n")
	if !strings.Contains(lines[1], "shop  eu-west: up → down  502 Bad Gateway") || !strings.Contains(lines[0], "shop  eu-west: 502 Bad Gateway") ||
		!strings.HasSuffix(lines[0], "×3") {
		t.Fatalf("want the change from eu-west, and its repeats counted ×3:\n%s", v)
	}
	// in a narrow pane the explanation is cut, not the count
	l.SetSize(60, 10)
	if v := l.View(); !strings.HasSuffix(strings.Split(v, "\n")[0], "… ×3") || !strings.Contains(v, "eu-west: up → down") {
		t.Fatalf("narrow pane should keep the location and the count:\n%s", v)
	}
	checkFits(t, l.View(), 60, 10)
	l.SetSize(160, 10)
	up := &monitor.Result{Monitor: "shop", Time: t0.Add(2 * time.Minute), Status: monitor.StatusUp, Code: 200}
	l.Add([]source.Event{at(monitor.Event{Kind: monitor.EventChange, Time: up.Time, Monitor: "shop", From: monitor.StatusDown, To: monitor.StatusUp, Result: up}, "eu-west"),
		at(monitor.Event{Kind: monitor.EventAlert, Time: up.Time, Monitor: "shop", Alert: &monitor.AlertEvent{Channel: "oncall", Subject: "shop is up", OK: true}}, "eu-west")})
	first := strings.Split(l.View(), "\n")
	if !strings.Contains(first[0], "eu-west: alert oncall sent: shop is up") || !strings.Contains(first[1], "shop  eu-west: down → up after 2m") {
		t.Fatalf("recovery and alert from eu-west:\n%s", l.View())
	}
}

// An event's time is when its check started: a slow check that started
// before a quick one is published after it. The log still lists newest
// first by the time it shows, and what it counts stays on the right line.
func TestLogPaneOrdersByTimeNotArrival(t *testing.T) {
	t.Parallel()
	l := tui.NewLogPane(plainStyles())
	l.SetSize(160, 10)
	t0 := fixedNow
	slow := &monitor.Result{Monitor: "reports", Time: t0, Status: monitor.StatusDown, Class: "timeout", Error: "timed out after 10s"}
	l.Add(events(resultEv(t0.Add(-time.Minute), "api", monitor.StatusDown, 502, "http_502", "")))
	l.Add(events(resultEv(t0.Add(5*time.Second), "api", monitor.StatusDown, 503, "http_503", ""))) // quick, started later
	// the slow one, started first, arrives last
	l.Add(events(
		monitor.Event{Kind: monitor.EventResult, Time: t0, Monitor: "reports", Result: slow},
		monitor.Event{Kind: monitor.EventChange, Time: t0, Monitor: "reports", From: monitor.StatusUp, To: monitor.StatusDown, Result: slow},
	))
	l.Add(events(resultEv(t0.Add(6*time.Second), "db", monitor.StatusDown, 0, "refused", "connection refused")))
	lines := strings.Split(l.View(), "\n")
	var times []string
	for _, ln := range lines {
		times = append(times, strings.Fields(ln)[0])
	}
	if !slices.IsSortedFunc(times, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Fatalf("not newest first by time: %v\n%s", times, l.View())
	}
	if len(lines) != 4 || !strings.Contains(lines[0], "db") || !strings.Contains(lines[1], "503") ||
		!strings.Contains(lines[2], "reports  up → down") || !strings.Contains(lines[3], "502") {
		t.Fatalf("lines:\n%s", l.View())
	}
	// the slow monitor's repeats count on their own line, from the first
	// of them, however the lines of others came in between
	for _, after := range []time.Duration{40 * time.Second, 70 * time.Second} {
		l.Add(events(monitor.Event{Kind: monitor.EventResult, Time: t0.Add(after), Monitor: "reports",
			Result: &monitor.Result{Monitor: "reports", Time: t0.Add(after), Status: monitor.StatusDown, Class: "timeout"}}))
	}
	if v := l.View(); !strings.HasSuffix(lineOf(t, v, "14:03:40 ✕ reports"), "×2") || strings.Count(v, "reports") != 2 {
		t.Fatalf("repeats not counted on a line of their own:\n%s", v)
	}
}
