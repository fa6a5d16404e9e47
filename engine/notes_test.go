package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// memNotes is a NoteStore in memory.
type memNotes struct {
	mu    sync.Mutex
	notes []monitor.Note
}

func (m *memNotes) AddNote(n *monitor.Note) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notes = append(m.notes, *n)
	return nil
}

// annotatingNotifier records the notes the engine tells it of.
type annotatingNotifier struct {
	mu    sync.Mutex
	notes []monitor.Note
	acks  []string
}

func (a *annotatingNotifier) Notify(monitor.Event, *monitor.State) {}
func (a *annotatingNotifier) Note(n monitor.Note) {
	a.mu.Lock()
	a.notes = append(a.notes, n)
	a.mu.Unlock()
}
func (a *annotatingNotifier) Ack(name string) {
	a.mu.Lock()
	a.acks = append(a.acks, name)
	a.mu.Unlock()
}

// A note goes on an open incident only, cleaned, bounded, stamped with
// the engine's time; it is kept, told to the notifier and published. An
// acknowledgement with a reason acknowledges too.
func TestAddNote(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		down := false
		chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
			mu.Lock()
			defer mu.Unlock()
			if down {
				return monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502"}
			}
			return monitor.Result{Status: monitor.StatusUp}
		})
		store, notifier := &memNotes{}, &annotatingNotifier{}
		e, _ := New(testConfig(testMonitor("a", 10*time.Second)), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk},
			Notes: store, Notifier: notifier})
		sub := e.Subscribe()
		defer sub.Close()
		stop := runEngine(t, e)
		defer stop()
		time.Sleep(11 * time.Second)
		synctest.Wait()
		if _, err := e.AddNote("a", monitor.Note{Text: "hello"}); !errors.Is(err, ErrNoIncident) {
			t.Errorf("note while up: %v, want ErrNoIncident", err)
		}
		if _, err := e.AddNote("nope", monitor.Note{Text: "hello"}); !errors.Is(err, ErrNoMonitor) {
			t.Errorf("note on an unknown monitor: %v, want ErrNoMonitor", err)
		}
		mu.Lock()
		down = true
		mu.Unlock()
		time.Sleep(10 * time.Second)
		synctest.Wait()

		for _, bad := range []monitor.Note{{Text: ""}, {Text: "  \t "}, {Text: "\x1b[31m"}, {Text: strings.Repeat("x", monitor.MaxNoteLen+1)},
			{Kind: monitor.NoteAlert, Text: "forged delivery"}} {
			if _, err := e.AddNote("a", bad); !errors.Is(err, ErrBadNote) {
				t.Errorf("note %q: %v, want ErrBadNote", bad.Text, err)
			}
		}
		n, err := e.AddNote("a", monitor.Note{Text: "pool \x1b]52;c;ZXZpbA==\x07restarted\r\nrm -rf", Author: "alice\x1b[2J"})
		if err != nil {
			t.Fatal(err)
		}
		if n.Text != "pool restarted  rm -rf" || n.Author != "alice" || n.Kind != monitor.NoteText || n.Monitor != "a" || !n.Time.Equal(time.Now()) {
			t.Errorf("note as kept: %+v", n)
		}
		if _, err := e.AddNote("a", monitor.Note{Kind: monitor.NoteAck, Author: "bob"}); err != nil {
			t.Errorf("acknowledgement without a reason: %v", err)
		}
		if st, _ := e.State("a"); !st.Acked {
			t.Error("an acknowledgement through AddNote did not acknowledge")
		}
		if err := e.Ack("a"); err != nil { // the old way: an acknowledgement without a reason, kept too
			t.Error(err)
		}
		if len(store.notes) != 3 || store.notes[0] != n || store.notes[2].Kind != monitor.NoteAck {
			t.Errorf("kept: %+v", store.notes)
		}
		if len(notifier.notes) != 3 || len(notifier.acks) != 2 {
			t.Errorf("notifier told of %d notes and %d acknowledgements, want 3 and 2", len(notifier.notes), len(notifier.acks))
		}
		var published []monitor.Note
		evs, _ := sub.Drain()
		for _, ev := range evs {
			if ev.Kind == monitor.EventNote {
				published = append(published, *ev.Note)
			}
		}
		if len(published) != 3 || published[0] != n {
			t.Errorf("published: %+v", published)
		}
	})
}
