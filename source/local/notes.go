package local

import (
	"context"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// NoteQuerier is a history that keeps notes (package history does).
type NoteQuerier interface {
	// Notes returns a monitor's notes in [from, to), oldest first.
	Notes(monitor string, from, to time.Time) ([]monitor.Note, error)
}

// AddNote implements source.Source.
func (s *Source) AddNote(ctx context.Context, name string, n monitor.Note) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.e.AddNote(name, n)
	return err
}

// withNotes adds to each incident the notes written on it (not the
// alerts' deliveries, which only `upbeat incident show` lists).
func withNotes(q any, name string, ins []monitor.Incident) {
	nq, ok := q.(NoteQuerier)
	if !ok || len(ins) == 0 {
		return
	}
	notes, err := nq.Notes(name, ins[0].Start.Add(-sameIncident), time.Now().Add(time.Hour))
	if err != nil || len(notes) == 0 {
		return
	}
	AttachNotes(ins, notes)
}

// AttachNotes sets the Notes of each incident to the notes (of kinds
// note and ack) written while it was open. notes must be of the
// incidents' monitor, oldest first.
func AttachNotes(ins []monitor.Incident, notes []monitor.Note) {
	var people []monitor.Note
	for _, n := range notes {
		if n.Kind != monitor.NoteAlert {
			people = append(people, n)
		}
	}
	monitor.AttachNotes(ins, people, sameIncident)
}
