package history

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// CountChecks counts by minute and by hour what uptime counts: a failure
// counts, a stalled result (stored paused) and one in maintenance do not.
func TestCountChecks(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	c := newClock(start)
	db := mustOpen(t, t.TempDir(), testOptions(t, c))
	defer db.Close()
	for i := range 150 { // every 30s for 75 minutes
		r := httpRecord("shop", start.Add(time.Duration(i)*30*time.Second), i)
		switch {
		case i%10 == 3:
			r.Status = monitor.StatusDown
		case i == 5:
			r.Status, r.Class = monitor.StatusPaused, monitor.ClassStalled
		case i == 6:
			r.Status = monitor.StatusMaintenance
		}
		c.Set(r.Time)
		if err := db.Append(&r); err != nil {
			t.Fatal(err)
		}
	}
	end := start.Add(75 * time.Minute)
	var hours []string
	if err := db.CountChecks("shop", start, end, time.Hour, func(at time.Time, n, f uint64) {
		hours = append(hours, fmt.Sprintf("%s %d/%d", at.Format("15:04"), f, n))
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(hours, ", "); got != "10:00 12/118, 11:00 3/30" {
		t.Errorf("by hour: %s", got)
	}
	var mins []string
	if err := db.CountChecks("shop", start, start.Add(4*time.Minute), time.Minute, func(at time.Time, n, f uint64) {
		mins = append(mins, fmt.Sprintf("%s %d/%d", at.Format("15:04"), f, n))
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(mins, ", "); got != "10:00 0/2, 10:01 1/2, 10:02 0/1, 10:03 0/1" {
		t.Errorf("by minute: %s", got)
	}
	if err := db.CountChecks("shop", start, end, time.Second, func(time.Time, uint64, uint64) {}); err == nil {
		t.Error("a step of a second was taken")
	}
}
