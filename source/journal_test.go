package source

import (
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

var t0 = time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)

func result(name string, at time.Duration, st monitor.Status, code int) Event {
	r := &monitor.Result{Monitor: name, Time: t0.Add(at), Status: st, Code: code}
	return Event{Event: monitor.Event{Kind: monitor.EventResult, Time: r.Time, Monitor: name, Result: r}}
}

func change(name string, at time.Duration, from, to monitor.Status, code int) Event {
	ev := result(name, at, to, code)
	ev.Kind, ev.From, ev.To = monitor.EventChange, from, to
	return ev
}

// A journal keeps what a log tells of: a failure and the change it made,
// its repeats as one record (the first one's time, the newest result, how
// many), the result that ends it; not a healthy monitor's checks, nor a
// first good check, nor the same result delivered twice.
func TestJournalKeepsWhatALogTellsOf(t *testing.T) {
	var j Journal
	for _, ev := range []Event{
		change("shop", 0, monitor.StatusPending, monitor.StatusUp, 200),
		result("shop", 0, monitor.StatusUp, 200),
		result("api", 0, monitor.StatusDown, 502),
		change("api", 0, monitor.StatusUp, monitor.StatusDown, 502),
		result("api", 0, monitor.StatusDown, 502), // again
		result("shop", 30*time.Second, monitor.StatusUp, 200),
		result("api", 30*time.Second, monitor.StatusDown, 502),
		result("api", 60*time.Second, monitor.StatusDown, 502),
		result("api", 60*time.Second, monitor.StatusDown, 502), // again
		result("api", 90*time.Second, monitor.StatusDown, 502),
		{Event: monitor.Event{Kind: monitor.EventNote, Time: t0.Add(95 * time.Second), Monitor: "api", Note: &monitor.Note{Text: "on it"}}},
		result("api", 120*time.Second, monitor.StatusDown, 504),
		result("api", 150*time.Second, monitor.StatusUp, 200),
		change("api", 150*time.Second, monitor.StatusDown, monitor.StatusUp, 200),
		result("api", 180*time.Second, monitor.StatusUp, 200),
	} {
		j.Add(ev)
	}
	type rec struct {
		kind    monitor.EventKind
		at, res time.Duration // the record's time, its result's
		repeats int
	}
	want := []rec{
		{monitor.EventResult, 0, 0, 0},
		{monitor.EventChange, 0, 0, 0},
		{monitor.EventResult, 30 * time.Second, 90 * time.Second, 3},
		{monitor.EventNote, 95 * time.Second, -1, 0},
		{monitor.EventResult, 120 * time.Second, 120 * time.Second, 0},
		{monitor.EventResult, 150 * time.Second, 150 * time.Second, 0},
		{monitor.EventChange, 150 * time.Second, 150 * time.Second, 0},
	}
	got := j.Events()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Monitor != "api" || g.Kind != w.kind || !g.Time.Equal(t0.Add(w.at)) || g.Repeats != w.repeats ||
			(w.res >= 0 && !g.Result.Time.Equal(t0.Add(w.res))) {
			t.Errorf("record %d: %v of %s at %v, ×%d; want %v at +%v (result +%v), ×%d", i, g.Kind, g.Monitor, g.Time, g.Repeats, w.kind, w.at, w.res, w.repeats)
		}
	}
}

// A journal keeps the newest records within its limit. A failure whose
// record was cut starts a record of its own, on which its repeats count.
func TestJournalKeepsTheNewest(t *testing.T) {
	j := NewJournal(8)
	j.Add(result("db", 0, monitor.StatusDown, 0))
	j.Add(result("api", 0, monitor.StatusDown, 502))
	for i := range 20 {
		j.Add(Event{Event: monitor.Event{Kind: monitor.EventWarning, Time: t0.Add(time.Duration(i) * time.Second), Message: "w"}})
	}
	j.Add(result("api", time.Hour, monitor.StatusDown, 502))
	j.Add(result("api", 2*time.Hour, monitor.StatusDown, 502))
	j.Add(result("db", time.Hour, monitor.StatusDown, 0))
	got := j.Events()
	if len(got) > 10 || len(got) < 8 {
		t.Fatalf("%d records, want the newest 8 to 10", len(got))
	}
	if got[0].Kind != monitor.EventWarning {
		t.Errorf("the oldest records are kept: %+v", got[0])
	}
	api, db := got[len(got)-2], got[len(got)-1]
	if api.Monitor != "api" || api.Repeats != 2 || !api.Time.Equal(t0.Add(time.Hour)) || !api.Result.Time.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("api's repeats after the cut: %+v, want one record from +1h to +2h, ×2", api)
	}
	if db.Monitor != "db" || db.Repeats != 0 || !db.Time.Equal(t0.Add(time.Hour)) {
		t.Errorf("db's failure, its first record cut: %+v, want a record of its own", db)
	}
}
