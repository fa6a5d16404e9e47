package alert

import (
	"fmt"
	"strings"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Note adds a note, or an acknowledgement's reason, to the monitor's
// open incident, so that the next message about it (a reminder, the
// resolve) carries it. It does nothing when no incident is open.
func (d *Dispatcher) Note(n monitor.Note) {
	if !d.gate.enter() {
		return
	}
	defer d.gate.unlock()
	if e, ok := d.policy.mons[n.Monitor]; ok {
		d.policy.step(e, event{kind: inNote, note: n})
	}
}

// Note forwards a note (see Dispatcher.Note).
func (s *Switch) Note(n monitor.Note) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.cur.Load().Note(n)
}

// addNote keeps a note on the open incident and reports the incident, so
// that viewers see it.
func (t *tracker) addNote(ev event, fx *effects) {
	if t.inc == nil || ev.note.Kind == monitor.NoteAlert {
		return
	}
	t.inc.Notes = append(t.inc.Notes, ev.note)
	fx.report(t.inc)
}

// maxNotesShown is how many of an incident's notes a message quotes:
// the latest ones.
const maxNotesShown = 10

// notesText writes an incident's notes, one a line: "Notes:" then
// "- 14:02 alice: restarted the pool", and "acknowledged" for an
// acknowledgement. Nothing when it has none.
func (c *composer) notesText(b *strings.Builder, in *monitor.Incident) {
	if in == nil || len(in.Notes) == 0 {
		return
	}
	notes := in.Notes
	if len(notes) > maxNotesShown {
		fmt.Fprintf(b, "Notes (the latest %d of %d):\n", maxNotesShown, len(notes))
		notes = notes[len(notes)-maxNotesShown:]
	} else {
		b.WriteString("Notes:\n")
	}
	for _, n := range notes {
		fmt.Fprintf(b, "- %s %s\n", timeText(n.Time, c.loc), NoteLine(n))
	}
}

// NoteLine says what a note is in one line, without its time:
// "alice: restarted the pool", "alice acknowledged: looking into it".
func NoteLine(n monitor.Note) string {
	who := n.Author
	if who == "" {
		who = "someone"
	}
	switch n.Kind {
	case monitor.NoteAck:
		if n.Text == "" {
			return who + " acknowledged"
		}
		return who + " acknowledged: " + n.Text
	case monitor.NoteAlert:
		if n.OK {
			return "alert " + who + " delivered: " + n.Text
		}
		return "alert " + who + " failed: " + n.Text
	}
	return who + ": " + n.Text
}

// notesSummary is an incident's notes in one line for a field that holds
// one (an Alertmanager annotation): "alice: restarted the pool; bob
// acknowledged".
func notesSummary(in *monitor.Incident) string {
	if in == nil || len(in.Notes) == 0 {
		return ""
	}
	notes := in.Notes
	if len(notes) > maxNotesShown {
		notes = notes[len(notes)-maxNotesShown:]
	}
	parts := make([]string, len(notes))
	for i, n := range notes {
		parts[i] = NoteLine(n)
	}
	return strings.Join(parts, "; ")
}
