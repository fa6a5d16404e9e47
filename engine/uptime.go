package engine

import (
	"math"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Buckets of the uptime counter: 25 hours, so that the 24h window can
// start on an hour boundary and count that hour whole (as history does),
// and 31 UTC days for the 7d and 30d windows.
const (
	tallyHours = 25
	tallyDays  = 31
)

// uptimeCounter keeps a monitor's counted checks per hour and per UTC day,
// seeded from history when the monitor is restored and updated by every
// result after that: the 24h, 7d and 30d figures cost a few additions
// when they are read, never a read of history, whatever the number of
// monitors. It is guarded by the states' lock.
type uptimeCounter struct {
	hours [tallyHours]hourTally    // by hour number % tallyHours
	days  [tallyDays]monitor.Tally // by day number % tallyDays
	hour  int64                    // hour number of the newest result counted; 0: none
	// first is the hour number of the monitor's first result when it is
	// known (0 when not): the day a window starts in is then counted in
	// the share of its hours with results that lie inside the window, so
	// that a monitor younger than a window shows the same figure for it
	// as for any longer one.
	first  int64
	seeded bool // history's counts are in; first comes from history
}

// hourTally is an hour's tally in 16 bits each: a check a second is 3,600
// an hour; a count that would pass 65,535 stays there.
type hourTally struct{ good, total uint16 }

func (t *hourTally) add(good bool) {
	if t.total == math.MaxUint16 {
		return
	}
	t.total++
	if good {
		t.good++
	}
}

func hourNumber(t time.Time) int64 { return floorDiv(t.Unix(), 3600) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// advance moves the newest hour to h, emptying the hours and days that
// leave the counter.
func (u *uptimeCounter) advance(h int64) {
	if u.hour == 0 {
		u.hour = h
		return
	}
	if h <= u.hour {
		return
	}
	for x := u.hour + 1; x <= h && x <= u.hour+tallyHours; x++ {
		u.hours[mod(x, tallyHours)] = hourTally{}
	}
	d0, d1 := floorDiv(u.hour, 24), floorDiv(h, 24)
	for d := d0 + 1; d <= d1 && d <= d0+tallyDays; d++ {
		u.days[mod(d, tallyDays)] = monitor.Tally{}
	}
	u.hour = h
}

// count adds a result. Maintenance, a stall and a pending check count
// neither for nor against uptime, and a result older than what the counter holds is left out.
func (u *uptimeCounter) count(r *monitor.Result) {
	switch r.Status {
	case monitor.StatusMaintenance, monitor.StatusPaused, monitor.StatusPending:
		// A planned window, a check spoilt by a stall of upbeat's own, or a
		// check that judged nothing yet counts neither for nor against uptime.
		return
	}
	h := hourNumber(r.Time)
	u.advance(h)
	if h <= u.hour-tallyHours {
		return
	}
	if u.first == 0 && !u.seeded {
		u.first = h
	}
	good := r.Status != monitor.StatusDown
	u.hours[mod(h, tallyHours)].add(good)
	d := &u.days[mod(floorDiv(h, 24), tallyDays)]
	d.Total++
	if good {
		d.Good++
	}
}

// seed fills the counter with what history counted before now.
func (u *uptimeCounter) seed(hist Restorer, name string, now time.Time) {
	hours := hist.Tally(name, time.Hour, tallyHours, now)
	days := hist.Tally(name, 24*time.Hour, tallyDays, now)
	h := hourNumber(now)
	*u = uptimeCounter{hour: h}
	for i, t := range hours {
		u.hours[mod(h-int64(len(hours)-1-i), tallyHours)] = hourTally{uint16(min(t.Good, math.MaxUint16)), uint16(min(t.Total, math.MaxUint16))}
	}
	d := floorDiv(h, 24)
	for i, t := range days {
		u.days[mod(d-int64(len(days)-1-i), tallyDays)] = t
		u.seeded = u.seeded || t.Total > 0
	}
	if o, ok := hist.(Origin); ok && u.seeded {
		if t, ok := o.First(name); ok {
			u.first = hourNumber(t)
		}
	}
}

// figures returns the 24h, 7d and 30d uptime at now. Without history
// (long false) only the 24h figure is known. The 24h window starts on the
// hour 24 hours ago, counted whole, as history counts it; the longer
// windows add whole days, and of the day the window starts in the share
// of it inside the window (of the part after the monitor's first result,
// when that is known and falls in that day).
func (u *uptimeCounter) figures(now time.Time, long bool) (h24, d7, d30 monitor.Uptime) {
	if u.hour == 0 {
		return
	}
	nowH := max(hourNumber(now), u.hour)
	var good, total float64
	for x := nowH - 24; x <= nowH; x++ {
		if x > u.hour-tallyHours && x <= u.hour {
			t := u.hours[mod(x, tallyHours)]
			good, total = good+float64(t.good), total+float64(t.total)
		}
	}
	h24 = ratio(good, total)
	if long {
		d7, d30 = u.overDays(nowH, 7), u.overDays(nowH, 30)
	}
	return h24, d7, d30
}

// overDays is the uptime over the days since the hour n days before nowH.
func (u *uptimeCounter) overDays(nowH int64, n int64) monitor.Uptime {
	startH := nowH - 24*n
	first, last, newest := floorDiv(startH, 24), floorDiv(nowH, 24), floorDiv(u.hour, 24)
	var good, total float64
	for d := first; d <= last; d++ {
		if d <= newest-tallyDays || d > newest {
			continue
		}
		t := u.days[mod(d, tallyDays)]
		w := 1.0
		if d == first {
			lo := max(d*24, u.first) // the day's hours that can hold results
			w = float64(24*(d+1)-max(startH, lo)) / float64(max(24*(d+1)-lo, 1))
		}
		good, total = good+w*float64(t.Good), total+w*float64(t.Total)
	}
	return ratio(good, total)
}

func ratio(good, total float64) monitor.Uptime {
	if total <= 0 {
		return monitor.Uptime{}
	}
	return monitor.Uptime{Ratio: good / total, Valid: true}
}
