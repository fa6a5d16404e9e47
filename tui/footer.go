package tui

import (
	"strings"

	"github.com/upbeat-monitor/upbeat/internal/humanize"
)

// The footer is the last line of the screen: the keys of the screen shown
// (from the key map), a flash message about the last action, or the
// filter and maintenance prompts.

// footer renders the last line.
func (m *Model) footer() string {
	s := m.sty
	if m.askQuit > 0 {
		return s.Warn.Render(m.quitQuestion())
	}
	switch m.state {
	case stateFilter:
		return trunc(s.Key.Render(m.keys.Filter.Help().Key+" ")+m.input.View()+
			s.Dim.Render("  "+promptHints(m.keys.KeepFilter, m.keys.ClearFilter)), m.w)
	case stateMaint:
		return trunc(s.Key.Render("maintenance for "+clean(m.target)+": ")+m.input.View()+
			s.Dim.Render("  "+promptHints(m.keys.StartMaint, m.keys.EndMaint, m.keys.CancelMaint)), m.w)
	case stateNote:
		return m.notePrompt()
	}
	if m.flash != "" {
		st := s.Plain
		if m.flashBad {
			st = s.Bad
		}
		return st.Render(trunc(m.flash, m.w))
	}
	var b strings.Builder
	for i, h := range fitHints(m.hints(), m.w) {
		if i > 0 {
			b.WriteString("  ")
		}
		k, desc := h.b.hint()
		b.WriteString(s.Key.Render(k) + " " + s.Dim.Render(desc))
	}
	return b.String()
}

// quitQuestion asks whether to quit while other dashboards are attached,
// in as many words as the line has room for.
func (m *Model) quitQuestion() string {
	n := m.askQuit
	q, _ := m.keys.Quit.hint()
	who := humanize.Count(n, "dashboard is", "dashboards are")
	forms := []string{
		who + " attached to this upbeat: quitting stops monitoring for them too · " + q + " again to quit, any other key to stay",
		who + " attached: quitting stops monitoring for them · " + q + " again to quit, any other key to stay",
		"quitting stops monitoring for " + humanize.Count(n, "attached dashboard", "attached dashboards") + " · " + q + " quits, other keys stay",
		"quitting stops " + humanize.Count(n, "dashboard", "dashboards") + " · " + q + " quits, other keys stay",
	}
	for _, f := range forms {
		if width(f) <= m.w {
			return f
		}
	}
	return trunc(forms[len(forms)-1], m.w)
}

// hints are the keys of the screen shown.
func (m *Model) hints() []hint {
	switch m.state {
	case stateDetail:
		return m.keys.detailHints()
	case stateHelp:
		return m.keys.helpHints(m.help.Scrolls())
	}
	return m.keys.tableHints()
}

// inputWidth is the width of the prompt's text field: the filter grows
// with what is typed, the maintenance duration is short.
func (m *Model) inputWidth() int {
	if m.state == stateMaint {
		return max(1, min(12, m.w-40))
	}
	if m.state == stateNote {
		return m.noteInputWidth()
	}
	// room for the placeholder whole ("name, tag, status or code"), and
	// for what is typed as it grows
	return max(1, min(max(24, width(m.input.Placeholder)+1, width(m.input.Value())+2), m.w-30))
}

// promptHints is a prompt's hints on one line: "enter keep · esc clear".
func promptHints(bs ...Binding) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		k, desc := b.hint()
		parts[i] = k + " " + desc
	}
	return strings.Join(parts, " · ")
}

// fitHints returns the hints that fit in w cells, two spaces apart: those
// of the first rank first, then each rank in turn, in order, up to the
// first that does not fit; they stay in the order given.
func fitHints(hints []hint, w int) []hint {
	in := make([]bool, len(hints))
	used := -2 // no gap before the first
	take := func(r rank) bool {
		for i, h := range hints {
			if h.rank != r {
				continue
			}
			k, desc := h.b.hint()
			n := 2 + width(k) + 1 + width(desc)
			if used+n > w {
				return false
			}
			in[i] = true
			used += n
		}
		return true
	}
	for r := rankKeep; r <= rankMore; r++ {
		if !take(r) {
			break
		}
	}
	out := make([]hint, 0, len(hints))
	for i, h := range hints {
		if in[i] {
			out = append(out, h)
		}
	}
	return out
}
