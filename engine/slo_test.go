package engine

import (
	"math"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The counter's figures match a count done the slow way, for every burn
// window and the whole window, as checks come in over more than the
// window (so every ring wraps) with gaps longer than a burn window.
func TestSLOCounterMatchesACountedWindow(t *testing.T) {
	m := &monitor.Monitor{Name: "shop", SLO: 0.99, SLOWindow: 2 * 24 * time.Hour}
	c := newSLOCounter(m)
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	type check struct {
		at   time.Time
		down bool
	}
	var all []check
	at := start
	for i := range 2000 {
		at = at.Add(time.Duration(1+i%7) * time.Minute)
		if i == 900 {
			at = at.Add(9 * time.Hour) // a gap longer than every burn window
		}
		down := i%13 == 0 || (i > 1500 && i < 1530)
		st := monitor.StatusUp
		if down {
			st = monitor.StatusDown
		}
		if i%50 == 7 { // maintenance counts neither way
			c.count(&monitor.Result{Time: at, Status: monitor.StatusMaintenance})
			continue
		}
		c.count(&monitor.Result{Time: at, Status: st})
		all = append(all, check{at, down})

		if i%97 != 0 && i != 1999 {
			continue
		}
		got := c.figures()
		// the slow way: whole minutes and hours, as the buckets see them
		var wc, wf uint64
		var bc, bf [len(monitor.BurnWindows)]uint64
		nowMin, nowHour := at.Unix()/60, at.Unix()/3600
		for _, x := range all {
			if x.at.Unix()/3600 > nowHour-int64(hoursIn(m.SLOWindow)) {
				wc++
				if x.down {
					wf++
				}
			}
			for j, w := range monitor.BurnWindows {
				if x.at.Unix()/60 > nowMin-int64(w/time.Minute) {
					bc[j]++
					if x.down {
						bf[j]++
					}
				}
			}
		}
		if got.Checks != wc || got.Failures != wf {
			t.Fatalf("check %d: window %d/%d, counted %d/%d", i, got.Failures, got.Checks, wf, wc)
		}
		for j, w := range monitor.BurnWindows {
			want := monitor.BurnRate(bf[j], bc[j], 0.99)
			if math.Abs(got.Burn[j]-want) > 1e-9 {
				t.Fatalf("check %d: burn over %s = %v, counted %v (%d/%d)", i, w, got.Burn[j], want, bf[j], bc[j])
			}
		}
	}
}

// A reload that changes the objective keeps the counts; one that
// shortens the window keeps what the new window reaches.
func TestSLOCounterCarriesOverAReload(t *testing.T) {
	m := &monitor.Monitor{Name: "shop", SLO: 0.999, SLOWindow: 30 * 24 * time.Hour}
	c := newSLOCounter(m)
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 * 24 {
		st := monitor.StatusUp
		if i%24 == 0 {
			st = monitor.StatusDown
		}
		c.count(&monitor.Result{Time: at.Add(time.Duration(i) * time.Hour), Status: st})
	}
	m2 := *m
	m2.SLO = 0.99
	if f := c.carry(&m2).figures(); f.Checks != 240 || f.Failures != 10 || f.Objective != 0.99 {
		t.Errorf("new objective: %+v", f)
	}
	m2.SLOWindow = 3 * 24 * time.Hour
	if f := c.carry(&m2).figures(); f.Checks != 72 || f.Failures != 3 {
		t.Errorf("shorter window: %d checks, %d failures; want the last 3 days' 72 and 3", f.Checks, f.Failures)
	}
	m2.SLO = 0
	if c.carry(&m2) != nil {
		t.Error("a monitor without an objective kept a counter")
	}
}
