package main

import (
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// A status page shows what people wrote about an incident and their
// acknowledgements, from the history; not the record of alerts sent, nor
// notes from before the incident began.
func TestPageNotesFromHistory(t *testing.T) {
	db, err := history.Open(t.TempDir(), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, n := range []monitor.Note{
		{Monitor: "shop", Time: start.Add(-time.Hour), Kind: monitor.NoteText, Author: "ana", Text: "an older incident"},
		{Monitor: "shop", Time: start.Add(time.Minute), Kind: monitor.NoteAck, Author: "ana", Text: "on it"},
		{Monitor: "shop", Time: start.Add(2 * time.Minute), Kind: monitor.NoteAlert, Author: "oncall", Text: "shop is down", OK: true},
		{Monitor: "shop", Time: start.Add(3 * time.Minute), Kind: monitor.NoteText, Author: "ben", Text: "rolling back"},
		{Monitor: "db", Time: start.Add(3 * time.Minute), Kind: monitor.NoteText, Author: "ben", Text: "another monitor"},
	} {
		if err := db.AddNote(&n); err != nil {
			t.Fatal(err)
		}
	}
	got := pageNotes{db}.Notes("shop", start)
	if len(got) != 2 || got[0].Text != "acknowledged: on it" || got[1].Text != "rolling back" || got[1].Author != "ben" {
		t.Errorf("notes on the page: %+v", got)
	}
}
