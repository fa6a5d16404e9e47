package engine

import (
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// sloCounter counts a monitor's checks for its objective, in memory: per
// minute over the longest burn window (6 hours) and per hour over the
// objective's window, with a running sum for each window, so that a
// result costs a few additions and the figures never need history. At
// start they are filled from history once (CheckCounter).
//
// A result in maintenance, paused, or caught in a stall of upbeat's own
// counts neither way, as for uptime.
type sloCounter struct {
	objective float64
	window    time.Duration

	minutes [burnMinutes]tally32 // by minute number mod burnMinutes
	minute  int64                // minute number (Unix/60) of the newest minute bucket; 0: none yet
	burn    [len(monitor.BurnWindows)]tally64

	hours []tally32 // by hour number mod len(hours)
	hour  int64     // hour number of the newest hour bucket; 0: none yet
	whole tally64   // over the window
}

// burnMinutes is the longest burn window in minutes.
const burnMinutes = 6 * 60

type tally32 struct{ checks, failures uint32 }
type tally64 struct{ checks, failures uint64 }

func (t *tally64) add(x tally32) { t.checks += uint64(x.checks); t.failures += uint64(x.failures) }
func (t *tally64) sub(x tally32) { t.checks -= uint64(x.checks); t.failures -= uint64(x.failures) }

// newSLOCounter returns a counter for m, or nil when m has no objective.
func newSLOCounter(m *monitor.Monitor) *sloCounter {
	if m.SLO <= 0 || m.SLO >= 1 {
		return nil
	}
	w := m.SLOWindow
	if w <= 0 {
		w = monitor.DefaultSLOWindow
	}
	return &sloCounter{objective: m.SLO, window: w, hours: make([]tally32, hoursIn(w))}
}

// hoursIn is the number of hour buckets a window needs.
func hoursIn(w time.Duration) int { return max(int((w+time.Hour-1)/time.Hour), 1) }

// counts reports whether a result of this status counts for the objective.
func counts(r *monitor.Result) bool {
	return r.Status != monitor.StatusMaintenance && r.Status != monitor.StatusPaused
}

// count adds one result.
func (c *sloCounter) count(r *monitor.Result) {
	if !counts(r) {
		return
	}
	var x tally32
	x.checks = 1
	if r.Status == monitor.StatusDown {
		x.failures = 1
	}
	c.add(r.Time, x)
}

// add puts x in the buckets of t, moving the windows on to t first. A
// time older than the newest bucket counts in the newest bucket.
func (c *sloCounter) add(t time.Time, x tally32) {
	u := t.Unix()
	c.advanceMinutes(u / 60)
	c.advanceHours(u / 3600)
	b := &c.minutes[mod(c.minute, burnMinutes)]
	b.checks += x.checks
	b.failures += x.failures
	for i := range c.burn {
		c.burn[i].add(x)
	}
	h := &c.hours[mod(c.hour, int64(len(c.hours)))]
	h.checks += x.checks
	h.failures += x.failures
	c.whole.add(x)
}

// advanceMinutes makes m the newest minute: each minute that passes takes
// the bucket that leaves a burn window out of its sum.
func (c *sloCounter) advanceMinutes(m int64) {
	if c.minute == 0 || m-c.minute >= burnMinutes {
		if c.minute != 0 && m <= c.minute {
			return
		}
		c.minutes = [burnMinutes]tally32{}
		c.burn = [len(monitor.BurnWindows)]tally64{}
		c.minute = m
		return
	}
	for c.minute < m {
		c.minute++
		for i, w := range monitor.BurnWindows {
			k := int64(w / time.Minute)
			c.burn[i].sub(c.minutes[mod(c.minute-k, burnMinutes)])
		}
		c.minutes[mod(c.minute, burnMinutes)] = tally32{}
	}
}

// advanceHours makes h the newest hour, the same way.
func (c *sloCounter) advanceHours(h int64) {
	n := int64(len(c.hours))
	if c.hour == 0 || h-c.hour >= n {
		if c.hour != 0 && h <= c.hour {
			return
		}
		clear(c.hours)
		c.whole = tally64{}
		c.hour = h
		return
	}
	for c.hour < h {
		c.hour++
		i := mod(c.hour, n)
		c.whole.sub(c.hours[i])
		c.hours[i] = tally32{}
	}
}

// figures are the counter's state as of its newest result.
func (c *sloCounter) figures() monitor.SLO {
	s := monitor.SLO{Objective: c.objective, Window: c.window, Checks: c.whole.checks, Failures: c.whole.failures}
	for i := range c.burn {
		s.Burn[i] = monitor.BurnRate(c.burn[i].failures, c.burn[i].checks, c.objective)
	}
	return s
}

// carry returns the counter a monitor changed by a reload gets: this one
// with the new objective, the hour buckets kept as far as the new window
// reaches; nil when m has no objective any more.
func (c *sloCounter) carry(m *monitor.Monitor) *sloCounter {
	n := newSLOCounter(m)
	if n == nil || c == nil {
		return n
	}
	n.minutes, n.minute, n.burn = c.minutes, c.minute, c.burn
	n.hour = c.hour
	keep := min(len(n.hours), len(c.hours))
	for i := range int64(keep) {
		x := c.hours[mod(c.hour-i, int64(len(c.hours)))]
		n.hours[mod(c.hour-i, int64(len(n.hours)))] = x
		n.whole.add(x)
	}
	return n
}

func mod(a, b int64) int64 { return (a%b + b) % b }

// seedSLO fills a new entry's counter from history, when history can
// count (CheckCounter): hours over the window, minutes over the burn
// windows. It reads history, so it is called without the engine's locks.
func (e *Engine) seedSLO(en *entry, now time.Time) {
	cc, ok := e.hist.(CheckCounter)
	if !ok || en.slo == nil {
		return
	}
	c := en.slo
	fill := func(from time.Time, step time.Duration, put func(time.Time, tally32)) {
		_ = cc.CountChecks(en.m.Name, from, now, step, func(start time.Time, checks, failures uint64) {
			put(start, tally32{uint32(min(checks, 1<<31)), uint32(min(failures, 1<<31))})
		})
	}
	// Hours first, into a counter of their own: the minutes are counted
	// again below, over a part of the same time, into the minute buckets
	// only.
	fill(now.Add(-c.window), time.Hour, func(t time.Time, x tally32) {
		c.advanceHours(t.Unix() / 3600)
		h := &c.hours[mod(c.hour, int64(len(c.hours)))]
		h.checks += x.checks
		h.failures += x.failures
		c.whole.add(x)
	})
	c.advanceHours(now.Unix() / 3600)
	fill(now.Add(-time.Duration(burnMinutes)*time.Minute), time.Minute, func(t time.Time, x tally32) {
		c.advanceMinutes(t.Unix() / 60)
		b := &c.minutes[mod(c.minute, burnMinutes)]
		b.checks += x.checks
		b.failures += x.failures
		for i := range c.burn {
			c.burn[i].add(x)
		}
	})
	c.advanceMinutes(now.Unix() / 60)
}
