package monitor

import (
	"testing"
	"time"
)

// A note belongs to the incident open when it was written. One that ended
// at a pause (Paused) is open still for the alerting, and takes the notes
// written while its monitor stays paused, up to the next incident.
func TestAttachNotes(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	note := func(after time.Duration, text string) Note {
		return Note{Monitor: "db", Time: t0.Add(after), Kind: NoteText, Text: text}
	}
	notes := []Note{note(time.Minute, "in the first"), note(20*time.Minute, "after it"),
		note(2*time.Hour, "while paused"), note(5*time.Hour, "in the third")}
	ins := []Incident{
		{Monitor: "db", Start: t0, End: t0.Add(10 * time.Minute)},
		{Monitor: "db", Start: t0.Add(time.Hour), End: t0.Add(90 * time.Minute), Paused: true},
		{Monitor: "db", Start: t0.Add(4 * time.Hour)},
	}
	AttachNotes(ins, notes, time.Second)
	for i, want := range [][]string{{"in the first"}, {"while paused"}, {"in the third"}} {
		var got []string
		for _, n := range ins[i].Notes {
			got = append(got, n.Text)
		}
		if len(got) != len(want) || got[0] != want[0] {
			t.Errorf("incident %d: notes %q, want %q", i, got, want)
		}
	}
}
