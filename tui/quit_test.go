package tui_test

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/upbeat-monitor/upbeat/tui"
)

// A dashboard that runs the engine itself, with other dashboards attached
// to it, asks before quitting: quitting stops monitoring for them too. q
// or ctrl+c again quits; any other key stays and does nothing else. With
// none attached, q quits at once, as a dashboard attached to a daemon
// does.
func TestQuitAsksWhileOthersAreAttached(t *testing.T) {
	t.Parallel()
	ctrlC := tea.KeyMsg{Type: tea.KeyCtrlC}
	for _, c := range []struct {
		name     string
		attached int32
		keys     []tea.KeyMsg // before the last key, which quits
		quit     tea.KeyMsg
	}{
		{"none attached: q", 0, nil, keyRunes("q")},
		{"none attached: ctrl+c", 0, nil, ctrlC},
		{"two attached: q, j stays, q q", 2, []tea.KeyMsg{keyRunes("q"), keyRunes("j"), keyRunes("q")}, keyRunes("q")},
		{"one attached: ctrl+c ctrl+c", 1, []tea.KeyMsg{ctrlC}, ctrlC},
		{"one attached: ctrl+c q", 1, []tea.KeyMsg{ctrlC}, keyRunes("q")},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var attached atomic.Int32
			attached.Store(c.attached)
			opts := testOptions()
			opts.Attached = func() int { return int(attached.Load()) }
			m := tui.New(newSource(), opts)
			t.Cleanup(m.Close)
			tm := &program{TestModel: teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))}
			waitOutput(t, tm, "Monitors")
			// each key's footer is waited for, so that each is drawn (the
			// renderer draws what stands at its tick, not every frame)
			asked, hints := 0, 1
			for _, k := range c.keys {
				tm.Send(k)
				if k.String() == "j" { // stays: the footer names the keys again
					hints++
					waitCount(t, tm, "? help  q quit", hints)
					continue
				}
				asked++
				if c.attached == 2 {
					waitCount(t, tm, "2 dashboards are attached: quitting stops monitoring for them · q again to quit, any other key to stay", asked)
				} else {
					waitCount(t, tm, "1 dashboard is attached", asked)
				}
			}
			tm.Send(c.quit)
			v := tm.FinalModel(t, teatest.WithFinalTimeout(waitLimit)).View()
			if names := tableNames(t, v); len(names) == 0 || !strings.Contains(v, "›✕ down     api") {
				t.Errorf("the key that answered the question moved the selection:\n%s", v)
			}
		})
	}
}

// The question fits the line, down to the narrowest screen drawn.
func TestQuitQuestionFits(t *testing.T) {
	t.Parallel()
	for _, w := range []int{200, 100, 80, 60, 32} {
		opts := testOptions()
		opts.Attached = func() int { return 12 }
		m := tui.New(newSource(), opts)
		m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		m.Update(keyRunes("q"))
		lines := strings.Split(m.View(), "\n")
		last := lines[len(lines)-1]
		if !strings.Contains(last, "12 ") || lipgloss.Width(last) > w {
			t.Errorf("%d columns: %q", w, last)
		}
		if w >= 80 && !strings.Contains(last, "stops monitoring for 12") && !strings.Contains(last, "quitting stops monitoring for them") {
			t.Errorf("%d columns: the question does not say monitoring stops: %q", w, last)
		}
		m.Close()
	}
}

// waitCount waits until the program has written s n times.
func waitCount(t *testing.T, p *program, s string, n int) {
	t.Helper()
	var last []byte
	teatest.WaitFor(t, p.Output(), func(b []byte) bool {
		last = b
		return bytes.Count(append(append([]byte(nil), p.seen...), b...), []byte(s)) >= n
	}, teatest.WithDuration(waitLimit), teatest.WithCheckInterval(5*time.Millisecond))
	p.seen = append(p.seen, last...)
}
