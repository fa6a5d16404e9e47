package engine

import (
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// tallies is history that counted checks per hour and per day.
type tallies struct {
	hours, days []monitor.Tally
}

func (tallies) Restore(string, int) ([]monitor.Result, time.Time, bool) {
	return nil, time.Time{}, false
}

func (t tallies) Tally(_ string, period time.Duration, n int, _ time.Time) []monitor.Tally {
	src := t.days
	if period == time.Hour {
		src = t.hours
	}
	out := make([]monitor.Tally, n)
	copy(out[n-min(n, len(src)):], src[max(0, len(src)-n):])
	return out
}

func TestUptimeCounterSeededThenCounting(t *testing.T) {
	now := time.Date(2026, 3, 20, 10, 30, 0, 0, time.UTC)
	h := tallies{hours: make([]monitor.Tally, tallyHours), days: make([]monitor.Tally, tallyDays)}
	for i := range h.hours {
		h.hours[i] = monitor.Tally{Good: 9, Total: 10} // 90% every hour
	}
	h.hours[0] = monitor.Tally{Good: 0, Total: 10} // the hour 24 hours ago, counted whole
	for i := range h.days {
		h.days[i] = monitor.Tally{Good: 100, Total: 100}
	}
	h.days[tallyDays-8] = monitor.Tally{Good: 0, Total: 100} // the day 7d starts in: 14 of its hours inside
	var u uptimeCounter
	u.seed(h, "x", now)
	h24, d7, d30 := u.figures(now, true)
	if want := float64(24*9) / 250; !h24.Valid || h24.Ratio != want {
		t.Errorf("24h = %+v, want %v", h24, want)
	}
	edge := 14.0 / 24 * 100
	if want := 700 / (700 + edge); !d7.Valid || d7.Ratio != want {
		t.Errorf("7d = %+v, want %v", d7, want)
	}
	if !d30.Valid || d30.Ratio >= 1 || d30.Ratio < 0.96 {
		t.Errorf("30d = %+v", d30)
	}

	// An hour later the hour that was down has left the 24h window, and
	// a failure now counts.
	later := now.Add(time.Hour)
	u.count(&monitor.Result{Time: later, Status: monitor.StatusDown})
	u.count(&monitor.Result{Time: later, Status: monitor.StatusMaintenance})
	h24, _, _ = u.figures(later, true)
	if want := float64(24*9) / 241; h24.Ratio != want {
		t.Errorf("24h an hour later = %v, want %v", h24.Ratio, want)
	}
	// Two days on without a result: the window holds nothing of the 24h.
	if h24, d7, _ := u.figures(later.Add(48*time.Hour), true); h24.Valid || !d7.Valid {
		t.Errorf("two days later: 24h %+v, 7d %+v", h24, d7)
	}
}

func TestUptimeCounterWithoutHistoryKnowsOnly24h(t *testing.T) {
	var u uptimeCounter
	now := time.Date(2026, 3, 20, 10, 30, 0, 0, time.UTC)
	for i := range 4 {
		st := monitor.StatusUp
		if i == 0 {
			st = monitor.StatusDown
		}
		u.count(&monitor.Result{Time: now.Add(time.Duration(i) * time.Minute), Status: st})
	}
	h24, d7, d30 := u.figures(now.Add(5*time.Minute), false)
	if h24.Ratio != 0.75 || d7.Valid || d30.Valid {
		t.Errorf("24h %+v 7d %+v 30d %+v", h24, d7, d30)
	}
	if n := testing.AllocsPerRun(100, func() { u.count(&monitor.Result{Time: now, Status: monitor.StatusUp}) }); n != 0 {
		t.Errorf("counting a result costs %v allocations", n)
	}
}

// bulk is history that restores every monitor in one pass, and refuses
// to be asked one monitor at a time.
type bulk struct {
	tallies
	results []monitor.Result
	since   map[string]time.Time
}

func (bulk) Restore(string, int) ([]monitor.Result, time.Time, bool) {
	panic("restored one monitor at a time")
}

func (b bulk) RestoreAll(n int, fn func(r *monitor.Result)) error {
	for i := range b.results {
		fn(&b.results[i])
	}
	return nil
}

func (b bulk) Since(name string) (time.Time, bool) { s, ok := b.since[name]; return s, ok }

func TestRestoreAllInOnePass(t *testing.T) {
	now := time.Now()
	h := bulk{tallies: tallies{hours: []monitor.Tally{{Good: 3, Total: 4}}, days: []monitor.Tally{{Good: 3, Total: 4}}},
		since: map[string]time.Time{"web": now.Add(-time.Hour), "db": now.Add(-5 * time.Minute)}}
	for i := range 100 {
		at := now.Add(time.Duration(i-100) * time.Second)
		h.results = append(h.results, monitor.Result{Monitor: "web", Time: at, Status: monitor.StatusUp, Code: 200 + i})
		if i >= 90 {
			h.results = append(h.results, monitor.Result{Monitor: "db", Time: at, Status: monitor.StatusDown, Code: 0, Class: "refused"})
		}
	}
	e, err := New(testConfig(testMonitor("web", time.Minute), testMonitor("db", time.Minute), testMonitor("new", time.Minute)),
		Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: upChecker()}, Restorer: h})
	if err != nil {
		t.Fatal(err)
	}
	web, _ := e.State("web")
	if web.Status != monitor.StatusUp || !web.Since.Equal(h.since["web"]) || web.Last.Code != 299 || len(web.Recent) != DefaultRecent ||
		web.Recent[0].Code != 240 || !web.Uptime24.Valid || web.Uptime24.Ratio != 0.75 {
		t.Errorf("web: %v since %v, last %d, %d samples from %d, 24h %+v", web.Status, web.Since, web.Last.Code, len(web.Recent),
			web.Recent[0].Code, web.Uptime24)
	}
	if db, _ := e.State("db"); db.Status != monitor.StatusDown || len(db.Recent) != 10 || db.Last.Class != "refused" {
		t.Errorf("db: %v, %d samples, last %q", db.Status, len(db.Recent), db.Last.Class)
	}
	if n, _ := e.State("new"); n.Status != monitor.StatusPending || len(n.Recent) != 0 {
		t.Errorf("a monitor history does not know: %v with %d samples", n.Status, len(n.Recent))
	}
}

// first is a history that knows when the monitor's first result was.
type first struct {
	tallies
	at time.Time
}

func (f first) First(string) (time.Time, bool) { return f.at, true }

// A monitor younger than both windows shows the same 7d and 30d figure,
// the ratio of all its checks, though the 7d window starts in the day it
// began: that day's checks all lie inside the window. Counted live and
// seeded from a history that knows the first result alike.
func TestUptimeOfAMonitorYoungerThanTheWindow(t *testing.T) {
	begin := time.Date(2026, 11, 17, 15, 30, 0, 0, time.UTC)
	now := time.Date(2026, 11, 24, 15, 4, 0, 0, time.UTC) // 7d starts at 15:00 on Nov 17
	var live uptimeCounter
	h := tallies{hours: make([]monitor.Tally, tallyHours), days: make([]monitor.Tally, tallyDays)}
	var good, total float64
	for at, i := begin, 0; at.Before(now); at, i = at.Add(10*time.Minute), i+1 {
		st := monitor.StatusUp
		if i%50 == 0 {
			st = monitor.StatusDown
		}
		live.count(&monitor.Result{Time: at, Status: st})
		total++
		if st == monitor.StatusUp {
			good++
		}
		d := &h.days[tallyDays-1-int(now.Sub(at.Truncate(24*time.Hour))/(24*time.Hour))]
		if hours := int(now.Truncate(time.Hour).Sub(at.Truncate(time.Hour)) / time.Hour); hours < tallyHours {
			x := &h.hours[tallyHours-1-hours]
			x.Total++
			if st == monitor.StatusUp {
				x.Good++
			}
		}
		d.Total++
		if st == monitor.StatusUp {
			d.Good++
		}
	}
	var seeded uptimeCounter
	seeded.seed(first{h, begin}, "x", now)
	for name, u := range map[string]*uptimeCounter{"counted": &live, "seeded": &seeded} {
		_, d7, d30 := u.figures(now, true)
		if !d7.Valid || !d30.Valid || d7.Ratio != good/total || d30.Ratio != good/total {
			t.Errorf("%s: 7d %+v, 30d %+v, want both %v", name, d7, d30, good/total)
		}
	}
}
