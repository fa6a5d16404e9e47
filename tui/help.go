package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
)

// Help lists every key, grouped by what it does. When the screen is too
// short for all of it, it scrolls (j/k, the page keys, the mouse wheel)
// and its last line says which lines are shown.
type Help struct {
	sty    *Styles
	keys   KeyMap
	w, h   int
	offset int // first line on screen, as last scrolled to (see shown)
}

// NewHelp returns the help screen.
func NewHelp(sty *Styles, keys KeyMap) *Help { return &Help{sty: sty, keys: keys} }

// SetSize sets the screen's size.
func (h *Help) SetSize(w, ht int) { h.w, h.h = max(w, 0), max(ht, 0) }

// Update scrolls on navigation keys and the mouse wheel; the model closes
// the help on ? or esc.
func (h *Help) Update(msg tea.Msg) (*Help, tea.Cmd) {
	lines := h.lines()
	h.offset = h.shown(lines) // move from where the person sees it
	page := max(h.h-1, 1)
	switch msg := msg.(type) {
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelDown:
			h.offset++
		case tea.MouseButtonWheelUp:
			h.offset--
		}
	case tea.KeyMsg:
		switch {
		case h.keys.Down.Matches(msg):
			h.offset++
		case h.keys.Up.Matches(msg):
			h.offset--
		case h.keys.PageDown.Matches(msg):
			h.offset += page
		case h.keys.PageUp.Matches(msg):
			h.offset -= page
		case h.keys.Top.Matches(msg):
			h.offset = 0
		case h.keys.Bottom.Matches(msg):
			h.offset = len(lines)
		}
	}
	h.offset = h.shown(lines)
	return h, nil
}

// Scrolls reports whether the help is taller than the screen.
func (h *Help) Scrolls() bool { return len(h.lines()) > h.h }

// page is the number of lines of help on screen: one less than the
// height when it does not fit, for the line that says where we are.
func (h *Help) page(lines []string) int {
	if len(lines) > h.h {
		return max(h.h-1, 0)
	}
	return h.h
}

// shown is the first line on screen: the offset kept, within what the
// help has at this size.
func (h *Help) shown(lines []string) int {
	return max(0, min(h.offset, len(lines)-h.page(lines)))
}

// View renders the key list, in two columns when there is room; when it
// does not fit, the part scrolled to and a line that says which.
func (h *Help) View() string {
	if h.w <= 0 || h.h <= 0 {
		return ""
	}
	lines := h.lines()
	page := h.page(lines)
	off := h.shown(lines)
	end := min(len(lines), off+page)
	vis := lines[off:end]
	if page < h.h {
		k, desc := h.keys.Scroll.hint()
		more := fmt.Sprintf("── %d-%d of %d lines · %s %s ──", off+1, end, len(lines), k, desc)
		vis = append(slices.Clone(vis), h.sty.Dim.Render(trunc(more, h.w)))
	}
	return strings.Join(vis, "\n")
}

// lines is the whole help at the screen's width.
func (h *Help) lines() []string {
	s := h.sty
	gs := h.keys.helpGroups()
	keyW := func(gs ...helpGroup) int {
		w := 0
		for _, g := range gs {
			for _, b := range g.bindings {
				w = max(w, width(b.Help().Key))
			}
		}
		return w
	}
	render := func(g helpGroup, kw int) []string {
		lines := []string{s.Rule.Render(g.title)}
		for _, b := range g.bindings {
			lines = append(lines, "  "+s.Key.Render(fit(b.Help().Key, kw))+"  "+b.Help().Desc)
		}
		return lines
	}
	lines := []string{s.Bold.Render("Keys")}
	// Move on the left and the rest on the right, when both fit, each
	// column with its own key width
	left := render(gs[0], keyW(gs[0]))
	rkw := keyW(gs[1:]...)
	right := append(append(render(gs[1], rkw), ""), render(gs[2], rkw)...)
	lw, rw := maxWidth(left), maxWidth(right)
	if lw+2+rw <= h.w {
		lines = append(lines, sideBySide(left, right, lw, 2)...)
	} else {
		kw := keyW(gs...)
		for i, g := range gs {
			if i > 0 {
				lines = append(lines, "")
			}
			lines = append(lines, render(g, kw)...)
		}
	}
	keep, clear := h.keys.KeepFilter.Help(), h.keys.ClearFilter.Help()
	notes := [][]string{
		h.legend("Filter:", "words must all match: part of a name or tag, a status (down, degraded, maint…), "+
			"a code (502, 5xx) or a failure class (timeout); narrow a word with name:, tag:, status: or code:. "+
			keep.Key+" "+keep.Desc+", "+clear.Key+" "+clear.Desc+"."),
		h.legend("Status:", "● up  ▲ degraded  ✕ down  ◆ maintenance  ‖ paused  ○ pending (unchecked)"),
		h.legend("Log:", logRepeatsLegend+"."),
	}
	// A blank line before each note, unless leaving them out is what
	// makes the help fit the screen (80x24 among others): then it does
	// not scroll.
	n := len(lines)
	for _, l := range notes {
		n += len(l)
	}
	gap := n+len(notes) > h.h && n <= h.h
	for _, l := range notes {
		if !gap {
			lines = append(lines, "")
		}
		lines = append(lines, l...)
	}
	for i := range lines {
		lines[i] = trunc(lines[i], h.w)
	}
	return lines
}

// legend is a titled paragraph of the help, wrapped to its width.
func (h *Help) legend(title, text string) []string {
	lines := wrap(title+" "+text, h.w)
	lines[0] = h.sty.Rule.Render(title) + strings.TrimPrefix(lines[0], title)
	return lines
}

func maxWidth(lines []string) int {
	w := 0
	for _, l := range lines {
		w = max(w, width(l))
	}
	return w
}
