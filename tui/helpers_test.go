package tui_test

import tea "github.com/charmbracelet/bubbletea"

// keyRunes is the message a key press of s sends.
func keyRunes(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }
