package tui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Notes and acknowledgements with a reason: n and a open a prompt under
// the screen, enter sends what was typed to the source (which keeps it,
// and shows it on every attached dashboard as an EventNote), esc cancels.

// prompting reports whether a prompt that takes text (not the filter)
// is open at the bottom of the screen.
func (m *Model) prompting() bool { return m.state == stateMaint || m.state == stateNote }

// askAck opens the prompt for the reason of an acknowledgement of the
// current monitor's open incident. On a monitor that has none (only down
// opens one) it opens too, saying there is nothing to acknowledge, so that
// a reason typed after a never acts as keys (a p in it would pause the
// monitor); enter then sends nothing and says why.
func (m *Model) askAck() tea.Cmd {
	st := m.current()
	if st != nil && !hasIncident(st) {
		return m.askText(st, monitor.NoteAck, "no open incident: esc", true)
	}
	return m.askText(st, monitor.NoteAck, "optional", false) // the label says "reason:"
}

// askNote opens the prompt for a note on the current monitor's open
// incident. On a monitor that has none it opens too, saying so, for the
// same reason as askAck; a note typed there is sent, and comes back
// refused with its words on screen unless the monitor went down
// meanwhile.
func (m *Model) askNote() tea.Cmd {
	st := m.current()
	if st != nil && !hasIncident(st) {
		return m.askText(st, monitor.NoteText, "no open incident: esc", true)
	}
	return m.askText(st, monitor.NoteText, "what you found or did", false)
}

// askText opens the prompt; none says the monitor had no open incident
// when it opened.
// hasIncident reports whether st may have an incident open, which notes
// and acknowledgements are written on: only down opens one, and a
// window, a pause or a restart keeps it open under another status (the
// source knows; it refuses what has none). Up and degraded have none.
func hasIncident(st *monitor.State) bool {
	return st.Status != monitor.StatusUp && st.Status != monitor.StatusDegraded
}

func (m *Model) askText(st *monitor.State, kind monitor.NoteKind, placeholder string, none bool) tea.Cmd {
	if st == nil {
		return m.setFlash("no monitor selected", true)
	}
	m.target, m.noteKind, m.noIncident = st.Monitor.Name, kind, none
	m.prev, m.state = m.state, stateNote
	m.input.Placeholder = placeholder
	m.input.SetValue("")
	return m.input.Focus()
}

// noteKey handles a key typed in the note prompt.
func (m *Model) noteKey(k tea.KeyMsg) tea.Cmd {
	return m.promptKey(k, m.keys.SaveNote, m.keys.CancelNote, m.sendNote) // SendAck is the same key as SaveNote
}

// sendNote sends what the prompt holds.
func (m *Model) sendNote() tea.Cmd {
	n := monitor.Note{Kind: m.noteKind, Author: m.opts.User, Text: strings.TrimSpace(m.input.Value())}
	if st := m.find(m.target); m.noIncident && st != nil && hasIncident(st) {
		m.noIncident = false // it went down while the words were typed
	}
	verb := "note on"
	switch {
	case n.Kind == monitor.NoteAck && m.noIncident:
		return m.setFlash(m.target+" has no open incident to acknowledge", false)
	case n.Kind == monitor.NoteAck:
		verb = "acknowledge"
	case n.Text == "" && m.noIncident:
		return m.setFlash(m.target+" has no open incident to write a note on", false)
	case n.Text == "":
		return m.setFlash("an empty note is not saved", true)
	}
	name, src, ctx := m.target, m.src, m.ctx
	return tea.Batch(m.setFlash(verb+" "+name+"…", false), func() tea.Msg {
		return actionMsg{verb: verb, name: name, err: src.AddNote(ctx, name, n), note: n.Text, ack: n.Kind == monitor.NoteAck}
	})
}

// notePrompt is the footer while the note prompt is open.
func (m *Model) notePrompt() string {
	s := m.sty
	label, hints := "note on "+clean(m.target)+": ", promptHints(m.keys.SaveNote, m.keys.CancelNote)
	if m.noteKind == monitor.NoteAck {
		label, hints = "acknowledge "+clean(m.target)+", reason: ", promptHints(m.keys.SendAck, m.keys.CancelNote)
	}
	return trunc(s.Key.Render(label)+m.input.View()+s.Dim.Render("  "+hints), m.w)
}

// noteInputWidth is the note field's width: what the line leaves.
func (m *Model) noteInputWidth() int {
	label := "note on " + clean(m.target) + ": "
	hints := promptHints(m.keys.SaveNote, m.keys.CancelNote)
	if m.noteKind == monitor.NoteAck {
		label = "acknowledge " + clean(m.target) + ", reason: "
		hints = promptHints(m.keys.SendAck, m.keys.CancelNote)
	}
	return max(1, m.w-width(label)-width(hints)-3)
}

// AddNotes keeps the notes among evs, so that the incidents list shows a
// note as soon as any dashboard writes it, before history is asked again.
func (d *Detail) AddNotes(evs []source.Event) {
	for i := range evs {
		ev := &evs[i]
		if ev.Kind != monitor.EventNote || ev.Note == nil {
			continue
		}
		n := *ev.Note
		if n.Monitor == "" {
			n.Monitor = ev.Monitor
		}
		if d.live == nil {
			d.live = map[string][]monitor.Note{}
		}
		if !slices.ContainsFunc(d.live[n.Monitor], func(x monitor.Note) bool { return sameNote(x, n) }) {
			d.live[n.Monitor] = append(d.live[n.Monitor], n)
			if len(d.live[n.Monitor]) > maxLiveNotes {
				d.live[n.Monitor] = d.live[n.Monitor][1:]
			}
		}
		if n.Monitor == d.Name() {
			d.drawn.clear()
		}
	}
}

// maxLiveNotes is how many notes per monitor AddNotes keeps.
const maxLiveNotes = 50

// sameIncidentSlack is how far apart history and the alerting may put an
// incident's start.
const sameIncidentSlack = time.Second

func sameNote(a, b monitor.Note) bool {
	return a.Time.Equal(b.Time) && a.Kind == b.Kind && a.Author == b.Author && a.Text == b.Text
}

// notesOf returns an incident's notes: those history gave with it and
// those that arrived since, oldest first, each once.
func (d *Detail) notesOf(in *monitor.Incident) []monitor.Note {
	out := slices.Clone(in.Notes)
	for _, n := range in.NotesDuring(d.live[in.Monitor], sameIncidentSlack) {
		if !slices.ContainsFunc(out, func(x monitor.Note) bool { return sameNote(x, n) }) {
			out = append(out, n)
		}
	}
	slices.SortStableFunc(out, func(a, b monitor.Note) int { return a.Time.Compare(b.Time) })
	return out
}

// noteLines renders an incident's notes under it, the latest max of them.
func (d *Detail) noteLines(in *monitor.Incident, w, most int) []string {
	notes := d.notesOf(in)
	if len(notes) == 0 {
		return nil
	}
	s := d.sty
	var out []string
	if len(notes) > most {
		out = append(out, s.Dim.Render(trunc("  … "+strconv.Itoa(len(notes)-most)+" earlier notes", w)))
		notes = notes[len(notes)-most:]
	}
	loc := d.now.Location()
	for _, n := range notes {
		glyph := "✎"
		if n.Kind == monitor.NoteAck {
			glyph = "✓"
		}
		out = append(out, trunc("  "+s.Dim.Render(glyph+" "+n.Time.In(loc).Format("Jan 02 15:04"))+" "+clean(noteText(n)), w))
	}
	return out
}

// noteText is a note in words, without its time: "alice: restarted the
// pool", "bob acknowledged: looking".
func noteText(n monitor.Note) string {
	who := n.Author
	if who == "" {
		who = "someone"
	}
	if n.Kind == monitor.NoteAck {
		if n.Text == "" {
			return who + " acknowledged"
		}
		return who + " acknowledged: " + n.Text
	}
	return who + ": " + n.Text
}
