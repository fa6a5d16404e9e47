package alert

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The notes on an incident go out with the next message about it: the
// reminder's and the resolve's text, and the Alertmanager annotation.
func TestMessagesCarryTheNotes(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 14, 2, 5, 0, time.UTC)
	in := &monitor.Incident{Monitor: "shop", Start: t0, End: t0.Add(12 * time.Minute), Codes: []int{502}, Notes: []monitor.Note{
		{Monitor: "shop", Time: t0.Add(time.Minute), Kind: monitor.NoteAck, Author: "bob", Text: "looking"},
		{Monitor: "shop", Time: t0.Add(5 * time.Minute), Kind: monitor.NoteText, Author: "alice", Text: "pool restarted on db-2"},
	}}
	c := composer{loc: time.UTC}
	up := Item{Event: EventUp, Since: t0, Duration: 12 * time.Minute, Incident: in}
	up.Monitor, up.Status = "shop", monitor.StatusUp
	msg := c.single(up, in.End)
	for _, want := range []string{"Notes:", "- 2026-11-24 14:03:05 UTC bob acknowledged: looking", "alice: pool restarted on db-2"} {
		if !strings.Contains(msg.Text, want) && !strings.Contains(msg.Text, strings.TrimPrefix(want, "- 2026-11-24 ")) {
			t.Errorf("resolve text lacks %q:\n%s", want, msg.Text)
		}
	}
	rem := itemFrom(EventReminder, testMonitor("shop"), "shop", &monitor.Result{Monitor: "shop", Status: monitor.StatusDown, Code: 502})
	rem.Since, rem.Duration, rem.Incident = t0, 10*time.Minute, in
	if msg := c.single(rem, t0.Add(10*time.Minute)); !strings.Contains(msg.Text, "alice: pool restarted on db-2") {
		t.Errorf("reminder text lacks the note:\n%s", msg.Text)
	}
	other := Item{Event: EventUp, Since: t0, Duration: 9 * time.Minute, Incident: &monitor.Incident{Monitor: "search", Start: t0}}
	other.Monitor, other.Status = "search", monitor.StatusUp
	if msg := c.group([]Item{up, other}, "", in.End); !strings.Contains(msg.Text, "● shop UP") ||
		!strings.Contains(msg.Text, "Notes on shop:\n- 2026-11-24 14:03:05 UTC bob acknowledged: looking\n- 2026-11-24 14:07:05 UTC alice: pool restarted on db-2\n") {
		t.Errorf("a grouped resolve lacks the notes of its monitor:\n%s", msg.Text)
	}
	// Many long notes never push a monitor's line out of what a channel
	// that cuts a long text sends.
	var many []Item
	for i := range 5 {
		svc := &monitor.Incident{Monitor: fmt.Sprintf("svc%d", i), Start: t0, End: in.End}
		for range 10 {
			svc.Notes = append(svc.Notes, monitor.Note{Monitor: svc.Monitor, Time: t0, Kind: monitor.NoteText, Author: "a",
				Text: strings.Repeat("x", monitor.MaxNoteLen)})
		}
		it := Item{Event: EventUp, Since: t0, Duration: time.Minute, Incident: svc}
		it.Monitor, it.Status = svc.Monitor, monitor.StatusUp
		many = append(many, it)
	}
	grouped := c.group(many, "", in.End)
	sent := cleanLines(grouped.Text, 3500)
	for i := range 5 {
		if !strings.Contains(sent, fmt.Sprintf("● svc%d UP", i)) {
			t.Errorf("what a channel sends of a grouped resolve (%d of %d bytes) does not name svc%d:\n%s", len(sent), len(grouped.Text), i, sent)
		}
	}
	an := annotations(up, false)
	if got := an[AnnotationNotes]; got != "bob acknowledged: looking; alice: pool restarted on db-2" {
		t.Errorf("notes annotation %q", got)
	}
	bare := Item{Event: EventUp}
	bare.Monitor = "shop"
	if _, ok := annotations(bare, false)[AnnotationNotes]; ok {
		t.Error("a notes annotation without notes")
	}
}

// NoteLine says who did what.
func TestNoteLine(t *testing.T) {
	for _, c := range []struct {
		n    monitor.Note
		want string
	}{
		{monitor.Note{Kind: monitor.NoteText, Author: "alice", Text: "x"}, "alice: x"},
		{monitor.Note{Kind: monitor.NoteAck}, "someone acknowledged"},
		{monitor.Note{Kind: monitor.NoteAlert, Author: "pager", Text: "shop is DOWN", OK: true}, "alert pager delivered: shop is DOWN"},
		{monitor.Note{Kind: monitor.NoteAlert, Author: "pager", Text: "shop is DOWN"}, "alert pager failed: shop is DOWN"},
	} {
		if got := NoteLine(c.n); got != c.want {
			t.Errorf("NoteLine(%+v) = %q, want %q", c.n, got, c.want)
		}
	}
}
