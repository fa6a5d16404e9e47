package store

import (
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// A history written when every failed attempt was kept as a note shows
// one message retried six times once, in the timeline and in the count of
// alerts; another channel's deliveries in between are kept apart.
func TestPostmortemFoldsRetriedAttempts(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 17, 6, 0, 0, time.UTC)
	var notes []monitor.Note
	for i := range 6 {
		notes = append(notes, monitor.Note{Monitor: "api", Time: at.Add(time.Duration(i) * 10 * time.Second),
			Kind: monitor.NoteAlert, Author: "hook", Text: "api is DOWN (HTTP 501)"})
		if i == 2 {
			notes = append(notes, monitor.Note{Monitor: "api", Time: at.Add(25 * time.Second), Kind: monitor.NoteAlert,
				Author: "mail", Text: "api is DOWN", OK: true})
		}
	}
	notes = append(notes, monitor.Note{Monitor: "api", Time: at.Add(time.Minute), Kind: monitor.NoteText, Author: "bob", Text: "on it"})
	pm := &Postmortem{Incident: monitor.Incident{Monitor: "api", Start: at}, Alerts: foldAttempts(notes)}
	var lines []string
	for _, n := range pm.Alerts {
		lines = append(lines, alertLine(n))
	}
	want := []string{"alert hook FAILED: api is DOWN (HTTP 501) (6 attempts)", "alert mail delivered: api is DOWN"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("alerts:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if !pm.Alerts[0].Time.Equal(at) {
		t.Errorf("the folded message is shown at %v, want its first attempt %v", pm.Alerts[0].Time, at)
	}
	var counted string
	for _, f := range pm.facts() {
		if f[0] == "Alerts" {
			counted = f[1]
		}
	}
	if counted != "1 delivered, 1 failed" {
		t.Errorf("Alerts: %q, want messages counted: 1 delivered, 1 failed", counted)
	}
}
