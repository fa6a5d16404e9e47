package history

import (
	"fmt"
	"time"
)

// DayCount is one UTC day of a monitor's results as uptime sees them.
type DayCount struct {
	Counted uint64 // results that count toward uptime (maintenance and paused ones do not)
	Down    uint64 // those of them that were down
}

// Uptime returns the share of the day's counted results that were not
// down; ok is false when none counts.
func (c DayCount) Uptime() (ratio float64, ok bool) {
	if c.Counted == 0 {
		return 0, false
	}
	return float64(c.Counted-min(c.Down, c.Counted)) / float64(c.Counted), true
}

// Daily counts a monitor's results per UTC day for the n days that end
// with the day holding now, oldest first (a status page's 90-day bar).
// It reads what Uptime reads: finished days from daily rollups, the
// hours of today from hourly ones and from memory; the rollup files of
// a period are read once for every monitor, so the days of many monitors
// cost little more than those of one.
func (db *DB) Daily(name string, n int, now time.Time) ([]DayCount, error) {
	out := make([]DayCount, n)
	if n <= 0 {
		return out, nil
	}
	to := now.Unix()
	first := dayOf(to) - int64(n-1)*86400
	add := func(p periodSum) {
		i := (p.start - first) / 86400
		if p.start < first || i >= int64(n) || p.checks < p.excluded {
			return
		}
		c := p.checks - p.excluded
		out[i].Counted += c
		out[i].Down += min(p.failures, c)
	}
	s := db.st.snapshot(name, first, needSums)
	for _, sp := range spans(first, to+1, s.flushed) {
		t, err := db.roll.sumsOf(&s.marks, sp.fam, sp.file)
		if err != nil {
			return nil, fmt.Errorf("daily counts of %s: %w", name, err)
		}
		if lst := t[name]; lst != nil {
			for _, p := range *lst {
				if p.start >= sp.from && p.start < sp.to {
					add(p)
				}
			}
		}
	}
	for _, p := range s.openSums {
		if p.start <= to {
			add(p)
		}
	}
	return out, nil
}
