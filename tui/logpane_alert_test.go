package tui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/tui"
)

// The attempts at one message are one line that says how it ended, and
// says it before the message's text, so that a line cut at 80 columns
// still tells a failure from a delivery.
func TestLogPaneShowsOneLineAMessage(t *testing.T) {
	t.Parallel()
	l := tui.NewLogPane(plainStyles())
	l.SetSize(60, 5) // the log pane beside the table on an 80-column screen
	t0 := time.Date(2026, 3, 1, 17, 6, 0, 0, time.UTC)
	subject := "3 monitors behind 127.0.0.1:18080 down; 1 monitor up again"
	attempt := func(n int, ok, gaveUp bool) monitor.Event {
		a := &monitor.AlertEvent{Channel: "hook", Kind: "webhook", Subject: subject, OK: ok, Attempts: n, GaveUp: gaveUp}
		if !ok {
			a.Error = "HTTP 501"
		}
		return monitor.Event{Kind: monitor.EventAlert, Time: t0.Add(time.Duration(n) * 10 * time.Second), Alert: a}
	}
	for i := 1; i <= 5; i++ {
		l.Add(events(attempt(i, false, false)))
	}
	if v := l.View(); strings.Count(v, "alert hook") != 1 || !strings.Contains(v, "alert hook (webhook) failing, retrying (attempt 5)") {
		t.Fatalf("five attempts at one message, still retried:\n%s", v)
	}
	l.Add(events(attempt(6, false, true)))
	v := l.View()
	if strings.Count(v, "alert hook") != 1 || !strings.Contains(v, "17:06 » alert hook (webhook) FAILED after 6 attempts") {
		t.Fatalf("a message given up on after six attempts:\n%s", v)
	}
	checkFits(t, v, 60, 5)
	// the next message is a line of its own, even with the same subject
	l.Add(events(attempt(1, false, false), attempt(2, true, false)))
	v = l.View()
	lines := strings.Split(v, "\n")
	if strings.Count(v, "alert hook") != 2 || !strings.Contains(lines[0], "alert hook (webhook) sent on attempt 2") {
		t.Fatalf("a second message, delivered on its second attempt:\n%s", v)
	}
}
