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

// countingHistory is a Restorer that counts: one failed check in each of
// the last 48 hours, and per minute over the last 6 hours, none failed
// but in the last 5 minutes, where all 5 did.
type countingHistory struct{ emptyRestorer }

func (countingHistory) CountChecks(name string, from, to time.Time, step time.Duration, fn func(time.Time, uint64, uint64)) error {
	for t := from.Truncate(step); t.Before(to); t = t.Add(step) {
		switch {
		case step == time.Hour:
			fn(t, 60, 1)
		case to.Sub(t) <= 5*time.Minute:
			fn(t, 1, 1)
		default:
			fn(t, 1, 0)
		}
	}
	return nil
}

// At start the objective's figures come from history, once.
func TestSLOFiguresComeFromHistoryAtStart(t *testing.T) {
	m := testMonitor("shop", time.Minute)
	m.SLO, m.SLOWindow = 0.99, 2*24*time.Hour
	now := time.Date(2026, 3, 2, 12, 30, 0, 0, time.UTC)
	e, err := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: upChecker()},
		Restorer: countingHistory{}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := e.State("shop")
	s := st.SLO
	if s.Objective != 0.99 || s.Checks != 48*60 || s.Failures != 48 {
		t.Errorf("window: %d of %d failed (objective %v), want 48 of 2880", s.Failures, s.Checks, s.Objective)
	}
	if b, _ := s.BurnRate(5 * time.Minute); math.Abs(b-100) > 1e-9 {
		t.Errorf("burn over 5m %v, want 100 (every check failed)", b)
	}
	// the hour is the current minute and the 59 before it: 5 of 59 failed
	if b, _ := s.BurnRate(time.Hour); math.Abs(b-100*5/59.0) > 1e-9 {
		t.Errorf("burn over 1h %v, want %v", b, 100*5/59.0)
	}
}
