package tui

import (
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// Help lists every key, grouped by what it does.
type Help struct {
	sty  *Styles
	keys KeyMap
	w, h int
}

// NewHelp returns the help screen.
func NewHelp(sty *Styles, keys KeyMap) *Help { return &Help{sty: sty, keys: keys} }

// SetSize sets the screen's size.
func (h *Help) SetSize(w, ht int) { h.w, h.h = max(w, 0), max(ht, 0) }

// Update does nothing: the model closes the help on ? or esc.
func (h *Help) Update(tea.Msg) (*Help, tea.Cmd) { return h, nil }

// View renders the key list, in two columns when there is room, cut to
// the screen.
func (h *Help) View() string {
	if h.w <= 0 || h.h <= 0 {
		return ""
	}
	s := h.sty
	keyW := 0
	for _, g := range h.keys.helpGroups() {
		for _, b := range g.bindings {
			keyW = max(keyW, width(b.Help().Key))
		}
	}
	var groups [][]string
	for _, g := range h.keys.helpGroups() {
		lines := []string{s.Rule.Render(g.title)}
		for _, b := range g.bindings {
			lines = append(lines, "  "+s.Key.Render(fit(b.Help().Key, keyW))+"  "+b.Help().Desc)
		}
		groups = append(groups, lines)
	}
	lines := []string{s.Bold.Render("Keys")}
	// Move on the left and the rest on the right, when both fit
	right := append(append(slices.Clone(groups[1]), ""), groups[2]...)
	lw, rw := maxWidth(groups[0]), maxWidth(right)
	if lw+2+rw <= h.w {
		lines = append(lines, sideBySide(groups[0], right, lw, 2)...)
	} else {
		for i, g := range groups {
			if i > 0 {
				lines = append(lines, "")
			}
			lines = append(lines, g...)
		}
	}
	lines = append(lines, "")
	keep, clear := h.keys.KeepFilter.Help(), h.keys.ClearFilter.Help()
	for i, l := range wrap("Filter: words must all match: part of a name or tag, a status (down, degraded, maint…), "+
		"a code (502, 5xx) or a failure class (timeout); narrow a word with name:, tag:, status: or code:. "+
		keep.Key+" "+keep.Desc+", "+clear.Key+" "+clear.Desc+".", h.w) {
		if i == 0 {
			l = s.Rule.Render("Filter:") + strings.TrimPrefix(l, "Filter:")
		}
		lines = append(lines, l)
	}
	lines = append(lines, "")
	for i, l := range wrap("Status: ● up  ▲ degraded  ✕ down  ◆ maintenance  ‖ paused  ○ pending (not checked yet)", h.w) {
		if i == 0 {
			l = s.Rule.Render("Status:") + strings.TrimPrefix(l, "Status:")
		}
		lines = append(lines, l)
	}
	for i := range lines {
		lines[i] = trunc(lines[i], h.w)
	}
	if len(lines) > h.h {
		lines = lines[:h.h]
	}
	return strings.Join(lines, "\n")
}

func maxWidth(lines []string) int {
	w := 0
	for _, l := range lines {
		w = max(w, width(l))
	}
	return w
}
