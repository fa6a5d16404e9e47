package history

import (
	"context"
	"fmt"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// CountChecks calls fn for each step of [from, to) that holds checks,
// oldest first: when it starts, the checks that count for uptime and
// objectives (maintenance and paused results do not; a result caught in
// a stall of upbeat's own is stored paused) and how many failed. step is
// time.Hour, answered from the hourly rollups (the hour holding from
// included), or time.Minute, answered from the raw results. The engine
// fills its objective counters with it once, at start (engine.CheckCounter).
func (db *DB) CountChecks(name string, from, to time.Time, step time.Duration,
	fn func(start time.Time, checks, failures uint64)) error {
	switch step {
	case time.Hour:
		rs, err := db.Rollups(name, time.Hour, from, to)
		if err != nil {
			return err
		}
		for i := range rs {
			if n := rs[i].Checks - rs[i].Excluded; n > 0 {
				fn(rs[i].Start, n, rs[i].Failures)
			}
		}
		return nil
	case time.Minute:
		var cur time.Time
		var n, f uint64
		flush := func() {
			if n > 0 {
				fn(cur, n, f)
			}
		}
		err := db.ScanResults(context.Background(), name, from, to, 0, func(r *monitor.Result) error {
			if excluded(r.Status) {
				return nil
			}
			m := r.Time.Truncate(time.Minute)
			if !m.Equal(cur) {
				flush()
				cur, n, f = m, 0, 0
			}
			n++
			if r.Status == monitor.StatusDown {
				f++
			}
			return nil
		})
		if err != nil {
			return err
		}
		flush()
		return nil
	}
	return fmt.Errorf("count checks of %s: step %s: want a minute or an hour", name, step)
}
