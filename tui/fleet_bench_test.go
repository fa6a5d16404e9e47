package tui_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// newFleet returns a dashboard over a fleet at 200×50: n monitors seen
// from three locations (a column each), from 4 shards x 3 locations x 2
// replicas of daemons, one of which does not answer.
func newFleet(b *testing.B, n int) *tui.Model {
	b.Helper()
	states := many(n)
	src := tuitest.New(states...)
	locs := map[string][]source.LocationState{}
	for i := range states {
		st := &states[i]
		var ls []source.LocationState
		for j, loc := range []string{"eu-west", "us-east", "ap-south"} {
			s := st.Status
			if j > 0 && i%7 == 0 {
				s = monitor.StatusUp // down from one location only
			}
			ls = append(ls, source.LocationState{Location: loc, Status: s, Code: st.Last.Code, Class: st.Last.Class,
				Latency: st.Last.Latency, Since: st.Since})
		}
		locs[st.Monitor.Name] = ls
	}
	src.SetLocations(locs)
	info := source.Info{Location: "eu-west, us-east, ap-south"}
	for i := range 24 {
		d := source.Daemon{Addr: fmt.Sprintf("https://upbeat-%02d.example:9477", i), Location: []string{"eu-west", "us-east", "ap-south"}[i%3],
			Shard: fmt.Sprintf("%d/4", i%4+1), Monitors: n / 4, Reachable: i != 5}
		if !d.Reachable {
			d.Error = "connection refused"
		}
		info.Daemons = append(info.Daemons, d)
	}
	src.SetInfo(info)
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	opts := testOptions()
	opts.Renderer, opts.NoColor = r, false
	m := tui.New(src, opts)
	b.Cleanup(m.Close)
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	if v := m.View(); !strings.Contains(v, "daemons 23/24 reachable") || !strings.Contains(v, "ap-south") {
		b.Fatalf("the fleet's frame lacks the daemons line or the location columns:\n%s", v)
	}
	return m
}

// BenchmarkViewFleet20k is one frame of the dashboard over a fleet of
// 20,000 monitors, a column per location and the daemons' header line,
// after a key press moved the selection (the bar: under 5 ms).
func BenchmarkViewFleet20k(b *testing.B) {
	m := newFleet(b, 20000)
	keys := []tea.KeyMsg{keyRunes("j"), keyRunes("k")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Update(keys[i%2])
		if m.View() == "" {
			b.Fatal("empty frame")
		}
	}
}

// BenchmarkViewFleet20kPaging: every frame shows rows never drawn before.
func BenchmarkViewFleet20kPaging(b *testing.B) {
	m := newFleet(b, 20000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%400 == 399 {
			m.Update(keyRunes("g"))
		}
		m.Update(tea.KeyMsg{Type: tea.KeyPgDown})
		if m.View() == "" {
			b.Fatal("empty frame")
		}
	}
}
