package history

import (
	"reflect"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// TestDaily counts results per UTC day from daily rollups, hourly ones
// and the open hour alike, in the writer and in a reader opened beside it.
func TestDaily(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	day0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := newClock(day0)
	db := mustOpen(t, dir, testOptions(t, c))
	defer db.Close()
	// Four days of a result every hour; on the second day two are down,
	// on the third one is in maintenance; the fourth day is today, up to 10:00.
	for h := 0; h < 3*24+11; h++ {
		at := day0.Add(time.Duration(h) * time.Hour)
		st := monitor.StatusUp
		switch h {
		case 24 + 5, 24 + 6:
			st = monitor.StatusDown
		case 48 + 1:
			st = monitor.StatusMaintenance
		}
		c.Set(at)
		r := result("shop", at, st, 200)
		if err := db.Append(&r); err != nil {
			t.Fatal(err)
		}
		other := result("other", at, monitor.StatusDown, 502)
		if err := db.Append(&other); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	now := c.Now()
	want := []DayCount{{}, {24, 0}, {24, 2}, {23, 0}, {11, 0}}
	got, err := db.Daily("shop", 5, now)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Daily = %v, %v; want %v", got, err, want)
	}
	if r, ok := got[2].Uptime(); !ok || r != 22.0/24 {
		t.Errorf("uptime of the second day = %v, %v", r, ok)
	}
	if _, ok := got[0].Uptime(); ok {
		t.Error("a day without results has an uptime")
	}
	if o, _ := db.Daily("other", 5, now); o[1] != (DayCount{24, 24}) {
		t.Errorf("other's first day = %v", o[1])
	}
	if none, err := db.Daily("nobody", 3, now); err != nil || !reflect.DeepEqual(none, make([]DayCount, 3)) {
		t.Errorf("an unknown monitor: %v, %v", none, err)
	}

	ro, err := Open(dir, Options{ReadOnly: true, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	// The reader sees what the writer had written when it opened; the
	// hour still open in the writer's memory may be missing.
	got, err = ro.Daily("shop", 5, now)
	if err != nil || !reflect.DeepEqual(got[:4], want[:4]) || got[4].Counted < 10 {
		t.Fatalf("read-only Daily = %v, %v; want %v", got, err, want)
	}
}
