package history

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Notes are kept across a reopen, read by a reader while the writer
// writes, filtered by monitor and time; a torn tail (a crash mid-append)
// is skipped by readers and cut off by the next writer.
func TestNotesLog(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	db := mustOpen(t, dir, Options{Now: func() time.Time { return t0 }})
	add := func(db *DB, n monitor.Note) {
		t.Helper()
		if err := db.AddNote(&n); err != nil {
			t.Fatal(err)
		}
	}
	add(db, monitor.Note{Monitor: "api", Time: t0, Kind: monitor.NoteText, Author: "alice", Text: "pool restarted"})
	add(db, monitor.Note{Monitor: "db", Time: t0.Add(time.Minute), Kind: monitor.NoteAck, Author: "bob"})
	add(db, monitor.Note{Monitor: "api", Time: t0.Add(2 * time.Minute), Kind: monitor.NoteAlert, Author: "pager", Text: "api is DOWN", OK: true})

	ro := mustOpen(t, dir, Options{ReadOnly: true})
	got, err := ro.Notes("api", t0, t0.Add(time.Hour))
	if err != nil || len(got) != 2 || got[0].Text != "pool restarted" || got[0].Author != "alice" || !got[0].Time.Equal(t0) ||
		got[1].Kind != monitor.NoteAlert || !got[1].OK {
		t.Fatalf("reader: %+v, %v", got, err)
	}
	if got, _ := ro.Notes("api", t0.Add(time.Second), t0.Add(time.Hour)); len(got) != 1 {
		t.Errorf("from after the first note: %+v", got)
	}
	if got, _ := ro.Notes("", t0, t0.Add(time.Hour)); len(got) != 3 {
		t.Errorf("every monitor's: %+v", got)
	}
	if err := ro.AddNote(&monitor.Note{Monitor: "api", Time: t0, Kind: monitor.NoteText, Text: "x"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("a reader added a note: %v", err)
	}
	db.Close()

	// a crash in the middle of an append
	path := filepath.Join(dir, notesName)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0x40, 1, 2}) // a length and part of a checksum
	f.Close()
	if got, err := ro.Notes("api", t0, t0.Add(time.Hour)); err != nil || len(got) != 2 {
		t.Fatalf("reader over a torn tail: %+v, %v", got, err)
	}
	db = mustOpen(t, dir, Options{Now: func() time.Time { return t0 }})
	defer db.Close()
	add(db, monitor.Note{Monitor: "api", Time: t0.Add(3 * time.Minute), Kind: monitor.NoteText, Author: "carol", Text: "fixed"})
	got, err = db.Notes("api", t0, t0.Add(time.Hour))
	if err != nil || len(got) != 3 || got[2].Author != "carol" {
		t.Fatalf("after the torn tail was cut: %+v, %v", got, err)
	}
}

// Notes that do not say which monitor or what they are are refused.
func TestNotesLogRefusesIncompleteNotes(t *testing.T) {
	db := mustOpen(t, t.TempDir(), Options{})
	defer db.Close()
	for _, n := range []monitor.Note{{Kind: monitor.NoteText, Text: "x"}, {Monitor: "api", Text: "x"}} {
		if err := db.AddNote(&n); err == nil {
			t.Errorf("note %+v was kept", n)
		}
	}
}

func FuzzDecodeNotes(f *testing.F) {
	f.Add([]byte(notesMagic))
	f.Add(append([]byte(notesMagic), appendFrame(nil, []byte(`{"m":"api","t":1,"k":"note","x":"hi"}`))...))
	f.Fuzz(func(t *testing.T, b []byte) {
		notes, good, _ := decodeNotes(b)
		if good < 0 || good > int64(len(b)) {
			t.Fatalf("good prefix %d of %d bytes", good, len(b))
		}
		for _, n := range notes {
			if n.Kind == 0 {
				t.Fatal("a note of no kind")
			}
		}
	})
}

// Notes are decoded once and kept while the file does not change; a note
// added since is seen at once.
func TestNotesSeenAfterCachedRead(t *testing.T) {
	db, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Now().Truncate(time.Second)
	add := func(text string) {
		if err := db.AddNote(&monitor.Note{Monitor: "shop", Time: at, Kind: monitor.NoteText, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	add("one")
	for range 2 {
		if ns, err := db.Notes("shop", at.Add(-time.Hour), at.Add(time.Hour)); err != nil || len(ns) != 1 {
			t.Fatalf("notes %+v, %v", ns, err)
		}
	}
	add("two")
	if ns, _ := db.Notes("shop", at.Add(-time.Hour), at.Add(time.Hour)); len(ns) != 2 || ns[1].Text != "two" {
		t.Errorf("after a second note: %+v", ns)
	}
}
