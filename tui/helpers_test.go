package tui_test

import (
	tea "github.com/charmbracelet/bubbletea"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// keyRunes is the message a key press of s sends.
func keyRunes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

// events is evs as a source delivers them (from no location in particular).
func events(evs ...monitor.Event) []source.Event {
	out := make([]source.Event, len(evs))
	for i, ev := range evs {
		out[i] = source.Event{Event: ev}
	}
	return out
}
