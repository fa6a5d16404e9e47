package engine

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// NoteStore keeps notes (what people write on incidents, why they
// acknowledged them) across restarts; the history implements it.
type NoteStore interface {
	// AddNote stores one note durably.
	AddNote(n *monitor.Note) error
}

// Annotator is a Notifier that wants to know of every note on an open
// incident, so that its next message about the incident carries them.
type Annotator interface {
	// Note adds n to its monitor's open incident. It must not block.
	Note(n monitor.Note)
}

// ErrBadNote: a note is empty or too long (see CleanNote).
var ErrBadNote = source.ErrBadNote

// CleanNote returns a note's text and author as they are kept: escape
// sequences and control characters gone (a note is one line), spaces
// trimmed, the author cut to monitor.MaxAuthorLen. The error wraps
// ErrBadNote for a note without text (an acknowledgement's reason may
// be empty) or one over monitor.MaxNoteLen characters.
func CleanNote(n monitor.Note) (monitor.Note, error) {
	n.Text = strings.TrimSpace(Sanitize(n.Text, 0))
	n.Author = strings.TrimSpace(Sanitize(n.Author, monitor.MaxAuthorLen))
	if n.Kind == 0 {
		n.Kind = monitor.NoteText
	}
	switch {
	case n.Kind != monitor.NoteText && n.Kind != monitor.NoteAck:
		return n, fmt.Errorf("%w: a person may write a note or acknowledge, not %s", ErrBadNote, n.Kind)
	case n.Kind == monitor.NoteText && n.Text == "":
		return n, fmt.Errorf("%w: the note is empty", ErrBadNote)
	case utf8.RuneCountInString(n.Text) > monitor.MaxNoteLen:
		return n, fmt.Errorf("%w: %d characters, over the limit of %d", ErrBadNote, utf8.RuneCountInString(n.Text), monitor.MaxNoteLen)
	}
	return n, nil
}

// AddNote adds a note to a monitor's open incident, or (Kind
// monitor.NoteAck) acknowledges it with a reason. The engine sets the
// note's Monitor and Time, keeps it (Options.Notes), tells the notifier
// and publishes it to every subscriber as an EventNote. A monitor that
// is not down has no open incident: the error wraps ErrNoIncident.
func (e *Engine) AddNote(name string, n monitor.Note) (monitor.Note, error) {
	return e.controls.addNote(name, n)
}

// RestoreIncident tells the engine that a monitor's incident, begun at
// start, is open after a restart (the alerting takes it over): in a
// window, paused or not checked yet, the monitor still takes notes and
// acknowledgements, and down again, it is down since start.
func (e *Engine) RestoreIncident(name string, start time.Time) {
	down := false
	_ = e.controls.states.with(name, func(en *entry) {
		if en.state.Status == monitor.StatusUp || en.state.Status == monitor.StatusDegraded {
			return
		}
		en.incident = start
		if down = en.state.Status == monitor.StatusDown; down {
			en.state.Since = start
		}
	})
	if down { // the journal began with it down since a later time: after a window, say
		e.hub.redate(name, start)
	}
}

// RestoreAcked marks a monitor's open incident as acknowledged again after
// a restart: history keeps an acknowledgement as a note, and the live flag
// is the engine's. Nothing is written and nothing is told. A monitor that
// is neither down, pending nor paused is left alone: pending is a monitor
// restored from a maintenance window (its next check says whether it is
// still in it), paused one paused while down, whose incident the window
// or the pause only silenced, and the flag goes with it into the window
// or the pause and out of it, as a window or a pause in the incident
// keeps it.
func (e *Engine) RestoreAcked(name string) {
	_ = e.controls.states.with(name, func(en *entry) {
		switch en.state.Status {
		case monitor.StatusDown, monitor.StatusPending, monitor.StatusPaused:
			en.state.Acked = true
		}
	})
}

// addNote: see Engine.AddNote.
func (c *controls) addNote(name string, n monitor.Note) (monitor.Note, error) {
	n, err := CleanNote(n)
	if err != nil {
		return n, err
	}
	n.Monitor = name
	open := false
	err = c.states.with(name, func(en *entry) {
		// down, or in a window, paused or not checked since a restart
		// with its incident open: the incident takes notes all along
		if open = en.state.Status == monitor.StatusDown || !en.incident.IsZero(); open && n.Kind == monitor.NoteAck {
			en.state.Acked = true
		}
		n.Time = c.now().Round(0) // wall clock only: it is kept across restarts
	})
	if err != nil {
		return n, err
	}
	if !open { // nothing to acknowledge or write on
		return n, fmt.Errorf("%w: %s is not down", ErrNoIncident, name)
	}
	if c.notes != nil {
		if err := c.notes.AddNote(&n); err != nil {
			c.log.Warn("could not keep a note", "monitor", name, "err", err)
			c.warn("notes", "notes are not saved: "+Sanitize(err.Error(), 120))
		} else {
			c.warn("notes", "")
		}
	}
	if n.Kind == monitor.NoteAck && c.acker != nil {
		c.acker.Ack(name)
	}
	if c.annotator != nil {
		c.annotator.Note(n)
	}
	cp := n
	c.publish(monitor.Event{Kind: monitor.EventNote, Time: n.Time, Monitor: name, Note: &cp})
	return n, nil
}
