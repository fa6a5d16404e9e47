package maint

import (
	"testing"
	"time"
)

func TestNext(t *testing.T) {
	w := mustNew(t,
		&Config{Name: "deploy", Monitors: []string{"api"}, Start: utc("2026-03-10T02:00:00Z"), End: utc("2026-03-10T02:30:00Z")},
		&Config{Name: "past", Start: utc("2026-03-01T02:00:00Z"), End: utc("2026-03-01T02:30:00Z")},
		&Config{Name: "patching", Tags: []string{"web"}, Weekdays: []string{"sun"}, At: "03:00", Duration: 45 * time.Minute, Timezone: "Europe/Berlin"},
		&Config{Name: "backup", Cron: "0 1 * * *", Duration: 20 * time.Minute},
		&Config{Name: "yearly", Cron: "0 0 1 1 *", Duration: time.Hour},
	)
	w.Add("blog", utc("2026-03-04T13:00:00Z"))
	now := utc("2026-03-04T12:00:00Z") // a Wednesday
	got := w.Next(now, now.Add(30*24*time.Hour))
	want := []struct {
		name       string
		start, end string
	}{
		{AdhocName, "", "2026-03-04T13:00:00Z"},
		{"backup", "2026-03-05T01:00:00Z", "2026-03-05T01:20:00Z"},
		{"patching", "2026-03-08T02:00:00Z", "2026-03-08T02:45:00Z"}, // 03:00 in Berlin (CET)
		{"deploy", "2026-03-10T02:00:00Z", "2026-03-10T02:30:00Z"},
	}
	if len(got) != len(want) {
		t.Fatalf("Next = %+v", got)
	}
	for i, o := range got {
		start := ""
		if !o.Start.IsZero() {
			start = o.Start.Format(time.RFC3339)
		}
		if o.Name != want[i].name || start != want[i].start || o.End.Format(time.RFC3339) != want[i].end {
			t.Errorf("%d: %s %s–%s, want %+v", i, o.Name, o.Start, o.End, want[i])
		}
	}
	if !got[0].Covers(blog) || got[0].Covers(api) {
		t.Error("the ad-hoc window covers the wrong monitors")
	}
	if !got[2].Covers(shop) || got[2].Covers(api) || !got[1].Covers(blog) || !got[3].Covers(api) || got[3].Covers(shop) {
		t.Error("configured windows cover the wrong monitors")
	}

	// Inside an occurrence, that occurrence is the one returned.
	in := utc("2026-03-05T01:10:00Z")
	for _, o := range w.Next(in, in.Add(time.Hour)) {
		if o.Name == "backup" && !o.Start.Equal(utc("2026-03-05T01:00:00Z")) {
			t.Errorf("open backup window starts %s", o.Start)
		}
	}
}
