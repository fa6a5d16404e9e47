package wire

import (
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Note is a note on an incident, or an acknowledgement with its reason
// (kind "note" or "ack"); in `upbeat incident show --json`, also an
// alert's delivery (kind "alert", author the channel, ok whether it was
// delivered).
type Note struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Author string    `json:"author,omitempty"`
	Text   string    `json:"text,omitempty"`
	OK     *bool     `json:"ok,omitempty"` // alert only
}

// NoteRequest is the body of POST /api/v1/monitors/{name}/notes, and the
// optional body of POST /api/v1/monitors/{name}/ack (where text is the
// reason and may be empty). Author is who writes it; without one, the
// daemon says "api".
type NoteRequest struct {
	Text   string `json:"text"`
	Author string `json:"author,omitempty"`
}

// FromNote converts a note.
func FromNote(n *monitor.Note) Note {
	out := Note{Time: utc(n.Time), Kind: n.Kind.String(), Author: n.Author, Text: n.Text}
	if n.Kind == monitor.NoteAlert {
		ok := n.OK
		out.OK = &ok
	}
	return out
}

// FromNotes converts a list of notes; nil stays nil.
func FromNotes(ns []monitor.Note) []Note {
	if ns == nil {
		return nil
	}
	out := make([]Note, len(ns))
	for i := range ns {
		out[i] = FromNote(&ns[i])
	}
	return out
}

// ToDomain converts back, sanitized, as a note of the named monitor. A
// kind this version does not know reads as a plain note.
func (n *Note) ToDomain(monitorName string) monitor.Note {
	k := monitor.ParseNoteKind(n.Kind)
	if k == 0 {
		k = monitor.NoteText
	}
	out := monitor.Note{Monitor: monitorName, Time: n.Time, Kind: k, Author: clean(n.Author), Text: clean(n.Text)}
	if n.OK != nil {
		out.OK = *n.OK
	}
	return out
}

// ToNotes converts a list back; nil stays nil.
func ToNotes(ns []Note, monitorName string) []monitor.Note {
	if ns == nil {
		return nil
	}
	out := make([]monitor.Note, len(ns))
	for i := range ns {
		out[i] = ns[i].ToDomain(monitorName)
	}
	return out
}
