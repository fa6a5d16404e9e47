package monitor

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"
)

// NoteKind says what a Note records.
type NoteKind uint8

// Note kinds.
const (
	NoteText  NoteKind = iota + 1 // a person wrote something about the incident
	NoteAck                       // a person acknowledged the incident; Text is the reason (may be empty)
	NoteAlert                     // an alert about the incident was delivered (OK) or failed; Author is the channel
)

func (k NoteKind) String() string {
	switch k {
	case NoteText:
		return "note"
	case NoteAck:
		return "ack"
	case NoteAlert:
		return "alert"
	}
	return "unknown"
}

// ParseNoteKind is the inverse of NoteKind.String; 0 for a word it does
// not know.
func ParseNoteKind(s string) NoteKind {
	for k := NoteText; k <= NoteAlert; k++ {
		if k.String() == s {
			return k
		}
	}
	return 0
}

// MaxNoteLen bounds a note's text (and an acknowledgement's reason), in
// characters.
const MaxNoteLen = 500

// MaxAuthorLen bounds a note's author, in characters.
const MaxAuthorLen = 64

// Note is one entry of an incident's timeline that is not a check
// result: what a person wrote or why they acknowledged, and each alert's
// delivery. Who and when are kept with it.
type Note struct {
	Monitor string
	Time    time.Time
	Kind    NoteKind
	// Author is who wrote it: the local user name, the SSH key's name,
	// what an API caller gave. For NoteAlert, the [[alert]] channel.
	Author string
	// Text is the note, the acknowledgement's reason, or for NoteAlert
	// the message's subject (and the error when it failed).
	Text string
	OK   bool // NoteAlert: the message was delivered
}

// IncidentID returns the short, stable identifier of the incident of a
// monitor that began at start: the same for every viewer, and after a
// restart, because both inputs come from history. Start is taken to the
// second.
func IncidentID(monitor string, start time.Time) string {
	h := sha256.New()
	h.Write([]byte(monitor))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(start.Unix(), 10)))
	return hex.EncodeToString(h.Sum(nil))[:8]
}

// ID returns the incident's short identifier (see IncidentID).
func (in *Incident) ID() string { return IncidentID(in.Monitor, in.Start) }

// NotesDuring returns the notes of notes that fall within the incident:
// from its start (less slack, as history and the alerting may put the
// start a little apart) to its end (now for an open one). An incident
// that ended at a pause (Paused) has no end for its notes: the monitor,
// paused while down, still has it open, and it takes notes until the
// monitor is resumed (AttachNotes bounds it by the next incident).
func (in *Incident) NotesDuring(notes []Note, slack time.Duration) []Note {
	var out []Note
	for _, n := range notes {
		if n.Monitor != in.Monitor || n.Time.Before(in.Start.Add(-slack)) {
			continue
		}
		if !in.End.IsZero() && !in.Paused && n.Time.After(in.End.Add(slack)) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// AttachNotes sets the Notes of each incident of ins, a monitor's oldest
// first, to those of notes written while it was open (NotesDuring); a
// paused one's reach up to the next incident's start.
func AttachNotes(ins []Incident, notes []Note, slack time.Duration) {
	for i := range ins {
		n := ins[i].NotesDuring(notes, slack)
		if ins[i].Paused && i+1 < len(ins) {
			next := ins[i+1].Start.Add(-slack)
			n = slices.DeleteFunc(n, func(x Note) bool { return !x.Time.Before(next) })
		}
		ins[i].Notes = n
	}
}
