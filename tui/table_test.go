package tui_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// fixedNow is the clock of every test: golden files depend on it.
var fixedNow = time.Date(2026, 11, 24, 14, 3, 0, 0, time.UTC)

// asciiRenderer renders without colour, as in a golden file.
func asciiRenderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return r
}

func plainStyles() *tui.Styles { return tui.NewStyles(asciiRenderer(), true) }

func newTable(t *testing.T, states []monitor.State, w, h int) *tui.Table {
	t.Helper()
	tb := tui.NewTable(plainStyles(), tui.DefaultKeyMap())
	tb.SetNow(fixedNow)
	tb.SetSize(w, h)
	tb.SetData(states)
	return tb
}

// newLocatedTable is newTable for a source that merges several daemons:
// locs says how each location sees each monitor.
func newLocatedTable(t *testing.T, states []monitor.State, locs map[string][]source.LocationState, w, h int) *tui.Table {
	t.Helper()
	tb := tui.NewTable(plainStyles(), tui.DefaultKeyMap())
	tb.SetNow(fixedNow)
	tb.SetSize(w, h)
	tb.SetLocations(locs)
	tb.SetData(states)
	return tb
}

// lineOf returns the first line of view that contains s.
func lineOf(t *testing.T, view, s string) string {
	t.Helper()
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	t.Fatalf("no line contains %q in:\n%s", s, view)
	return ""
}

// checkFits fails when view has more lines than h or a line wider than w.
func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if view == "" {
		lines = nil
	}
	if len(lines) > h {
		t.Fatalf("%d×%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Fatalf("%d×%d: line %d is %d cells wide: %q", w, h, i, lw, l)
		}
	}
}

// many returns n monitors made from the fixture with unique names.
func many(n int) []monitor.State {
	base := tuitest.Fixture(fixedNow)
	out := make([]monitor.State, 0, n)
	for i := 0; len(out) < n; i++ {
		st := base[i%len(base)]
		m := *st.Monitor
		m.Name = fmt.Sprintf("%s-%04d", m.Name, i)
		st.Monitor = &m
		out = append(out, st)
	}
	return out
}

func TestTableShowsGlyphAndWordForEveryStatus(t *testing.T) {
	t.Parallel()
	tb := newTable(t, tuitest.Fixture(fixedNow), 120, 40)
	v := tb.View()
	for name, want := range map[string]string{
		"api":         "✕ down",
		"checkout":    "▲ degraded",
		"billing":     "◆ maint",
		"legacy-ftp":  "‖ paused",
		"new-service": "○ pending",
		"shop ":       "● up",
	} {
		if l := lineOf(t, v, name); !strings.Contains(l, want) {
			t.Errorf("row of %s lacks %q: %q", name, want, l)
		}
	}
}

func TestTableLatencyIsHonest(t *testing.T) {
	t.Parallel()
	tb := newTable(t, tuitest.Fixture(fixedNow), 120, 40)
	v := tb.View()
	if l := lineOf(t, v, "cache"); !strings.Contains(l, "0.4ms") {
		t.Errorf("0.4 ms latency not shown as 0.4ms: %q", l)
	}
	if l := lineOf(t, v, "new-service"); !strings.Contains(l, "—") {
		t.Errorf("a monitor with no result should show —: %q", l)
	}
	// restored paused after a restart, its last result is the record of
	// the pause, which measured nothing: no "<0.1ms"
	states := tuitest.Fixture(fixedNow)
	for i := range states {
		if states[i].Monitor.Name == "cache" {
			states[i].Status, states[i].Paused = monitor.StatusPaused, true
			states[i].Last = monitor.Result{Monitor: "cache", Time: fixedNow.Add(-time.Minute), Status: monitor.StatusPaused, Error: monitor.StoppedPaused}
		}
	}
	if l := lineOf(t, newTable(t, states, 120, 40).View(), "cache"); strings.Contains(l, "<0.1ms") || strings.Contains(l, "0.0ms") {
		t.Errorf("a pause's record shown as a latency: %q", l)
	}
	if strings.Contains(v, "no data") {
		t.Error(`the table says "no data"`)
	}
	// 24h, 7d and 30d uptime, certificate days and "since" at this width
	l := lineOf(t, v, "shop ")
	for _, want := range []string{"99.95%", "99.91%", "99.87%", "62d", "up 3d"} {
		if !strings.Contains(l, want) {
			t.Errorf("shop row lacks %q: %q", want, l)
		}
	}
	if l := lineOf(t, v, "api "); !strings.Contains(l, "down 4m") {
		t.Errorf("api row lacks \"down 4m\": %q", l)
	}
}

func TestTableCounterAndVisibleRowsOnly(t *testing.T) {
	t.Parallel()
	tb := newTable(t, many(57), 100, 10)
	if got := tb.Counter(); got != "1-9 of 57" {
		t.Fatalf("counter = %q, want 1-9 of 57", got)
	}
	if n := len(strings.Split(tb.View(), "\n")); n != 10 {
		t.Fatalf("view has %d lines, want 10 (headings and 9 rows)", n)
	}
	tb.Update(tea.KeyMsg{Type: tea.KeyPgDown})
	if got := tb.Counter(); got != "10-18 of 57" {
		t.Fatalf("after PgDn counter = %q, want 10-18 of 57", got)
	}
	tb.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("G")})
	if got := tb.Counter(); got != "49-57 of 57" {
		t.Fatalf("after G counter = %q, want 49-57 of 57", got)
	}
	if sel := tb.Selected(); sel == nil || sel.Monitor.Name != tb.Names()[56] {
		t.Fatalf("after G the last monitor should be selected, got %v", sel)
	}
	tb.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("g")})
	if got := tb.Counter(); got != "1-9 of 57" {
		t.Fatalf("after g counter = %q", got)
	}
	tb.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("j")})
	if sel := tb.Selected(); sel == nil || sel.Monitor.Name != tb.Names()[1] {
		t.Fatalf("j should select the second row")
	}
	// all rows fit: no counter
	if got := newTable(t, many(5), 100, 10).Counter(); got != "" {
		t.Fatalf("counter = %q when everything fits", got)
	}
}

func TestTableTruncatesNamesAndNeverWraps(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)
	tb := newTable(t, states, 80, 30)
	l := lineOf(t, tb.View(), "payments")
	if !strings.Contains(l, "…") || strings.Contains(l, "with-a-long-name") {
		t.Fatalf("long name not cut with …: %q", l)
	}
	for w := 0; w <= 260; w += 7 {
		for _, h := range []int{0, 1, 2, 5, 30} {
			tb := newTable(t, states, w, h)
			checkFits(t, tb.View(), w, h)
		}
	}
}

func TestTableColumnsDropWhenNarrow(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)
	wide := strings.Split(newTable(t, states, 200, 30).View(), "\n")[0]
	narrow := strings.Split(newTable(t, states, 80, 30).View(), "\n")[0]
	for _, col := range []string{"KIND", "7D", "30D", "CERT", "RESPONSE", "24H", "LATENCY", "CODE"} {
		if !strings.Contains(wide, col) {
			t.Errorf("200 columns: heading lacks %s: %q", col, wide)
		}
	}
	for _, col := range []string{"STATUS", "NAME", "CODE", "LATENCY", "24H", "RESPONSE"} {
		if !strings.Contains(narrow, col) {
			t.Errorf("80 columns: essential column %s dropped: %q", col, narrow)
		}
	}
	if strings.Contains(narrow, "30D") {
		t.Errorf("80 columns: 30D should have dropped: %q", narrow)
	}
}

func TestTableSortOrder(t *testing.T) {
	t.Parallel()
	tb := newTable(t, tuitest.Fixture(fixedNow), 120, 40)
	byName := map[string]monitor.Status{}
	for _, st := range tuitest.Fixture(fixedNow) {
		byName[st.Monitor.Name] = st.Status
	}
	names := tb.Names()
	for i := 1; i < len(names); i++ {
		if byName[names[i-1]].Severity() > byName[names[i]].Severity() {
			t.Fatalf("status sort: %s (%s) before %s (%s)", names[i-1], byName[names[i-1]], names[i], byName[names[i]])
		}
	}
	if byName[names[0]] != monitor.StatusDown || byName[names[len(names)-1]] != monitor.StatusUp {
		t.Fatalf("status sort should start with down and end with up: %v", names)
	}
	if got := tb.CycleSort(); got != tui.SortName {
		t.Fatalf("s after status = %v", got)
	}
	names = tb.Names()
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Fatalf("name sort: %v", names)
	}
	for range 4 {
		tb.CycleSort()
	}
	if tb.Sort() != tui.SortStatus {
		t.Fatalf("five presses of s should come back to status, got %v", tb.Sort())
	}
}

func TestTableFilter(t *testing.T) {
	t.Parallel()
	tb := newTable(t, tuitest.Fixture(fixedNow), 120, 40)
	for filter, want := range map[string][]string{
		"down":              {"api", "db-port", "status-json", "cdn-origin", "reports"},
		"tag:data":          {"db-port", "cache", "resolver"},
		"502":               {"api"},
		"5xx":               {"api", "cdn-origin", "billing", "reports"},
		"refused":           {"db-port"},
		"name:shop":         {"shop-cert", "shop", "shop-domain"},
		"status:maint":      {"billing"},
		"prod down":         {"api", "db-port", "status-json"},
		"code:522":          {"cdn-origin"},
		"nothing-like-this": nil,
	} {
		tb.SetFilter(filter)
		got := tb.Names()
		if !slices.Equal(sorted(got), sorted(want)) {
			t.Errorf("filter %q: got %v, want %v", filter, got, want)
		}
	}
	tb.SetFilter("nothing-like-this")
	if !strings.Contains(tb.View(), "no monitor matches") {
		t.Error("an empty result should say so")
	}
	tb.SetFilter("")
	if shown, total := tb.Len(); shown != total {
		t.Errorf("an empty filter shows %d of %d", shown, total)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestTableGroupByTag(t *testing.T) {
	t.Parallel()
	tb := newTable(t, tuitest.Fixture(fixedNow), 120, 40)
	tb.ToggleGroup()
	v := tb.View()
	for _, want := range []string{"▾ data (2)", "▾ prod (7)", "▾ untagged (1)"} {
		if !strings.Contains(v, want) {
			t.Errorf("grouped view lacks %q:\n%s", want, v)
		}
	}
	if i, j := strings.Index(v, "▾ data"), strings.Index(v, "▾ untagged"); i > j {
		t.Error("untagged should come last")
	}
}

func TestPrintPlain(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := tui.PrintPlain(&b, tuitest.Fixture(fixedNow), 100); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "\x1b") {
		t.Fatalf("plain output has escape sequences: %q", out)
	}
	if !strings.HasPrefix(out, "5 down, 2 degraded, 5 up, 1 pending, 1 maintenance, 1 paused\n") {
		t.Fatalf("summary line: %q", strings.SplitN(out, "\n", 2)[0])
	}
	if strings.Contains(out, "›") {
		t.Error("plain output marks a selected row")
	}
	lineOf(t, out, "✕ down     api")
	checkFits(t, strings.TrimRight(out, "\n"), 100, 100)
}

// Without a terminal, Run prints the plain table instead of failing on /dev/tty.
func TestRunWithoutTerminalPrintsPlainTable(t *testing.T) {
	t.Parallel()
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := tui.Run(context.Background(), tuitest.New(tuitest.Fixture(fixedNow)...), tui.Options{Output: f}); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "\x1b") || !strings.Contains(string(out), "✕ down     api") {
		t.Fatalf("not a plain table:\n%q", out)
	}
}

// The CODE column uses the room it has: whole class names when the table
// is wide, short labels that stay distinct when it is not, never two
// classes cut to the same "tls_ex…".
func TestCodeColumnUsesTheRoom(t *testing.T) {
	t.Parallel()
	expired := tuitest.State(tuitest.Monitor("old-cert", "tls://a.example.test:443"), monitor.StatusDown, fixedNow.Add(-time.Hour), nil,
		monitor.Result{Time: fixedNow, Status: monitor.StatusDown, Class: "tls_expired", Attempts: 1})
	expiring := tuitest.State(tuitest.Monitor("new-cert", "tls://b.example.test:443"), monitor.StatusDegraded, fixedNow.Add(-time.Hour), nil,
		monitor.Result{Time: fixedNow, Status: monitor.StatusDegraded, Class: "tls_expiring", Attempts: 1})
	for _, c := range []struct {
		w                 int
		expired, expiring string
	}{
		{200, "tls_expired", "tls_expiring"},
		{120, "tls_expired", "tls_expiring"},
		{80, "expired", "expiring"},
		{60, "expired", "expiring"},
	} {
		v := newTable(t, []monitor.State{expired, expiring}, c.w, 5).View()
		checkFits(t, v, c.w, 5)
		if l := lineOf(t, v, "old-cert"); !strings.Contains(l, " "+c.expired+" ") || strings.Contains(l, "…") {
			t.Errorf("%d columns: %q, want %q whole", c.w, l, c.expired)
		}
		if l := lineOf(t, v, "new-cert"); !strings.Contains(l, " "+c.expiring+" ") || strings.Contains(l, "…") {
			t.Errorf("%d columns: %q, want %q whole", c.w, l, c.expiring)
		}
	}
}

// Printed for a pipe or a file (no width given), every name is whole,
// however long: two that differ in their middle do not read alike.
func TestPrintPlainKeepsNamesWhole(t *testing.T) {
	t.Parallel()
	states := tuitest.Fixture(fixedNow)
	long := []string{"payments-gateway-eu-primary-with-a-long-tail", "payments-gateway-eu-replica-with-a-long-tail"}
	for i, n := range long {
		m := *states[i].Monitor
		m.Name = n
		states[i].Monitor = &m
	}
	var b strings.Builder
	if err := tui.PrintPlain(&b, states, 0); err != nil {
		t.Fatal(err)
	}
	for _, n := range long {
		if !strings.Contains(b.String(), n) {
			t.Errorf("%s is not whole:\n%s", n, b.String())
		}
	}
	b.Reset()
	tui.PrintPlain(&b, states, 100) // a width given is kept to
	checkFits(t, strings.TrimRight(b.String(), "\n"), 100, 100)
}

// Names just past the name column's width, of insecure monitors too, are
// whole as well (found in review: the room went to the sparkline first).
func TestPrintPlainNamesJustOverTheLimit(t *testing.T) {
	t.Parallel()
	for _, insecure := range []bool{false, true} {
		for n := 27; n <= 60; n++ {
			states := tuitest.Fixture(fixedNow)
			name := "p-" + strings.Repeat("x", n-4) + "-1"
			m := *states[0].Monitor
			m.Name, m.Insecure = name, insecure
			states[0].Monitor = &m
			var b strings.Builder
			if err := tui.PrintPlain(&b, states, 0); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), name) {
				t.Errorf("a name of %d cells (insecure %v) is cut", n, insecure)
			}
		}
	}
}
