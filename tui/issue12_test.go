package tui_test

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// The folded dependency view and the objective section of the detail
// view, at 80×24 and 200×50, compared with testdata/TestGoldenIssue12/*.golden
// (refresh with go test ./tui -run TestGoldenIssue12 -update).
func TestGoldenIssue12(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		w, h int
		keys string
		want string // waited for before quitting
	}{
		{"folded-80x24", 80, 24, "", "12 folded under edge-router"},
		{"folded-200x50", 200, 50, "", "edge-router +12 behind"},
		{"slo-detail-80x24", 80, 24, "\r", "2 incidents, down"}, // the incidents come with the query: the last to arrive
		{"slo-detail-200x50", 200, 50, "\r", "2 incidents, down"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := newSource()
			states := src.Snapshot()
			if strings.HasPrefix(c.name, "folded") {
				states = append(states, tuitest.BehindRouter(fixedNow)...)
			} else {
				tuitest.WithSLO(states, "api")
			}
			src.SetStates(states)
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

// Folding: the children of a down router leave the table and show as a
// count on its row; a filter shows them again; once the router is up they
// are rows of their own, whatever their status.
func TestFoldingFollowsTheParent(t *testing.T) {
	t.Parallel()
	states := append(tuitest.Fixture(fixedNow), tuitest.BehindRouter(fixedNow)...)
	tb := newTable(t, states, 120, 40)
	names := strings.Join(tb.Names(), ",")
	if strings.Contains(names, "branch-") || !strings.Contains(names, "edge-router") {
		t.Fatalf("rows %s", names)
	}
	if n, under := tb.Folded(); n != 12 || under != "edge-router" {
		t.Errorf("folded %d under %q", n, under)
	}
	tb.SetFilter("branch")
	if got := len(tb.Names()); got != 12 {
		t.Errorf("the filter shows %d of the folded monitors, want all 12", got)
	}
	tb.SetFilter("")
	for i := range states {
		if states[i].Monitor.Name == "edge-router" {
			states[i].Status = monitor.StatusUp
		}
	}
	tb.SetData(states)
	if n, _ := tb.Folded(); n != 0 || !strings.Contains(strings.Join(tb.Names(), ","), "branch-07") {
		t.Errorf("with the router up: folded %d, rows %v", n, tb.Names())
	}
}

// The detail view of the router names the monitors folded under it.
func TestDetailNamesTheMonitorsBehind(t *testing.T) {
	t.Parallel()
	src := newSource()
	src.SetStates(append(src.Snapshot(), tuitest.BehindRouter(fixedNow)...))
	m := tui.New(src, testOptions())
	defer m.Close()
	tui.Step(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	tui.Step(m, keyRunes("/edge-router"))
	tui.Step(m, tea.KeyMsg{Type: tea.KeyEnter}) // keep the filter
	tui.Step(m, tea.KeyMsg{Type: tea.KeyEnter}) // open the detail
	v := tui.Render(m)
	if !strings.Contains(v, "12 monitors are down behind it (depends_on), folded under it: branch-01, branch-02") {
		t.Errorf("the router's detail does not name what is behind it:\n%s", v)
	}
}
