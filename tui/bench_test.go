package tui_test

import (
	"io"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// newBig returns a dashboard of n monitors at 200×50.
func newBig(b *testing.B, n int) *tui.Model {
	b.Helper()
	// in colour (16 ANSI colours), as on a real terminal
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	opts := testOptions()
	opts.Renderer, opts.NoColor = r, false
	m := tui.New(tuitest.New(many(n)...), opts)
	b.Cleanup(m.Close)
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	m.View()
	return m
}

// BenchmarkView10k is one frame of 10,000 monitors at 200×50 after a key
// press moved the selection: header, the visible rows of the table with
// their sparklines (cached between frames), and the log pane.
func BenchmarkView10k(b *testing.B) {
	m := newBig(b, 10000)
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

// BenchmarkView10kPaging is the worst case: every frame shows 47 rows never
// drawn before, so every sparkline is drawn from scratch.
func BenchmarkView10kPaging(b *testing.B) {
	m := newBig(b, 10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%200 == 199 {
			m.Update(keyRunes("g"))
		}
		m.Update(tea.KeyMsg{Type: tea.KeyPgDown})
		if m.View() == "" {
			b.Fatal("empty frame")
		}
	}
}

// BenchmarkTableSetData10k is the work of a data frame: filtering and
// sorting a new snapshot of 10,000 monitors (at most MaxFPS times a second).
func BenchmarkTableSetData10k(b *testing.B) {
	states := many(10000)
	tb := tui.NewTable(plainStyles(), tui.DefaultKeyMap())
	tb.SetSize(200, 47)
	b.ReportAllocs()
	for b.Loop() {
		tb.SetData(states)
	}
}
