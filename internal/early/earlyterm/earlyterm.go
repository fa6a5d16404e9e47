// Package earlyterm stops Bubble Tea v1 from asking the terminal for its
// background colour while the program starts.
//
// Bubble Tea v1 calls lipgloss.HasDarkBackground in a package init. Where
// the terminal answers nothing (some SSH clients, serial consoles, a pty
// that nobody reads), that waits termenv's five-second timeout before
// main runs — for every upbeat command, `--version` included. upbeat's
// dashboard uses its own renderer and only the 16 basic colours, so the
// answer is never needed: this package tells the default renderer up
// front, and the query is never sent.
//
// It works because Go initialises, among the packages whose imports are
// ready, the one whose import path sorts first (Go 1.21 and later): this
// module's path sorts before github.com/charmbracelet/bubbletea, and it
// imports lipgloss but not Bubble Tea. It is its own module only so that
// its path can sort that early.
package earlyterm

import "github.com/charmbracelet/lipgloss"

func init() {
	lipgloss.SetHasDarkBackground(true)
}
