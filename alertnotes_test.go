package main

import (
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// One message is one note in history, whatever its retries: a failed
// attempt that is retried is not kept; the outcome is, with how many
// attempts it took.
func TestOneDeliveryNoteAMessage(t *testing.T) {
	rt := idleRuntime(t)
	if rt.store == nil {
		t.Fatal("the runtime has no history")
	}
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	ev := func(at time.Duration, subject string, attempt int, ok, gaveUp bool) monitor.Event {
		a := &monitor.AlertEvent{Channel: "hook", Kind: "webhook", Subject: subject, OK: ok, Attempts: attempt,
			GaveUp: gaveUp, Monitors: []string{"api"}}
		if !ok {
			a.Error = "HTTP 501"
		}
		return monitor.Event{Kind: monitor.EventAlert, Time: t0.Add(at), Alert: a}
	}
	for i := 1; i <= 6; i++ {
		rt.keepDelivery(ev(time.Duration(i)*time.Second, "api is DOWN", i, false, i == 6))
	}
	rt.keepDelivery(ev(time.Minute, "api is up", 1, false, false))
	rt.keepDelivery(ev(time.Minute+time.Second, "api is up", 2, true, false))
	notes, err := rt.store.Notes("api", t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []monitor.Note{
		{Text: "api is DOWN (after 6 attempts: HTTP 501)"},
		{Text: "api is up (on attempt 2)", OK: true},
	}
	if len(notes) != len(want) {
		t.Fatalf("%d notes, want %d: %+v", len(notes), len(want), notes)
	}
	for i, n := range notes {
		if n.Kind != monitor.NoteAlert || n.Author != "hook" || n.Text != want[i].Text || n.OK != want[i].OK {
			t.Errorf("note %d: %+v, want %q ok=%v", i, n, want[i].Text, want[i].OK)
		}
	}
}
