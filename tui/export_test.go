package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/upbeat-monitor/upbeat/source"
)

// Step handles msg as Update does, but leaves the frame as it was (for
// tests that look at drawing apart from handling).
func Step(m *Model, msg tea.Msg) tea.Cmd { return m.step(msg) }

// Draw draws the frame as Update does after a message.
func Draw(m *Model) { m.draw() }

// Render draws m's frame from its state now, as Draw does when the frame
// is stale, and returns it.
func Render(m *Model) string { return m.render() }

// EventsMsg is the message a batch of the source's events arrives in.
func EventsMsg(evs []source.Event) tea.Msg { return eventsMsg{events: evs} }

// FrameMsg is the frame tick: new data is read and drawn.
func FrameMsg() tea.Msg { return frameMsg{} }

// TickMsg is the one-second tick.
func TickMsg() tea.Msg { return tickMsg{} }

// CutMiddle is cutMiddle, for tests.
func CutMiddle(s string, w int) string { return cutMiddle(s, w) }
