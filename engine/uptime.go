package engine

import (
	"context"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// uptimeWindows are the 24h, 7d and 30d windows, in the order of uptimes.
var uptimeWindows = [3]time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// uptimes are a state's 24h, 7d and 30d figures, in that order.
func uptimes(st *monitor.State) [3]*monitor.Uptime {
	return [3]*monitor.Uptime{&st.Uptime24, &st.Uptime7d, &st.Uptime30}
}

// uptimeCounter keeps a monitor's good and total checks in 24 hourly
// buckets, so that its uptime is known without history, and remembers
// which figures history has taken over.
type uptimeCounter struct {
	buckets [24]struct{ good, total uint32 }
	hour    int64   // hour number of the newest bucket
	history [3]bool // which figures came from history
}

// count adds r and updates the figures history does not know. Without
// history (withHistory false) only the 24h figure is kept.
func (u *uptimeCounter) count(st *monitor.State, r *monitor.Result, withHistory bool) {
	hour := r.Time.Unix() / 3600
	if u.hour == 0 {
		u.hour = hour
	}
	for u.hour < hour {
		u.hour++
		u.buckets[u.hour%24] = struct{ good, total uint32 }{}
	}
	switch r.Status {
	case monitor.StatusMaintenance, monitor.StatusPaused, monitor.StatusPending:
		// A planned window, a check spoilt by a stall of upbeat's own, or a
		// check that judged nothing yet counts neither for nor against uptime.
		return
	}
	b := &u.buckets[hour%24]
	if hour > u.hour-24 {
		b.total++
		if r.Status != monitor.StatusDown {
			b.good++
		}
	}
	// Without history, or before history has anything on a new monitor,
	// the hourly buckets are the whole truth about the last 24 hours (and
	// about any longer window of a monitor younger than that).
	var good, total uint32
	for _, x := range u.buckets {
		good += x.good
		total += x.total
	}
	if total == 0 {
		return
	}
	mem := monitor.Uptime{Ratio: float64(good) / float64(total), Valid: true}
	for i, fig := range uptimes(st) {
		if !withHistory && i > 0 {
			break // a longer window than the buckets cover, with nothing to say about it
		}
		if !u.history[i] {
			*fig = mem
		}
	}
}

// apply keeps the figures history knows; the others stay counted here.
func (u *uptimeCounter) apply(st *monitor.State, got [3]monitor.Uptime) {
	for i, fig := range uptimes(st) {
		u.history[i] = got[i].Valid
		if got[i].Valid {
			*fig = got[i]
		}
	}
}

// uptimeRefresher refreshes every monitor's uptime from history on its own
// goroutine (history may be slow, a failing disk, and must never hold up
// the checks), as often as the number of monitors allows: every 5 s for a
// few hundred, at most every minute, so a monitor that just went down does
// not show 100% for long.
type uptimeRefresher struct {
	hist   Restorer // nil: no history, nothing to refresh
	states *states
	now    func() time.Time
	// kicks names monitors whose figures are stale now (a result that
	// took them down or back up was stored): refreshed at once, not at
	// the next round, so that a monitor that just went down never shows
	// 100% for seconds.
	kicks chan string
}

func newUptimeRefresher(hist Restorer, s *states, now func() time.Time) *uptimeRefresher {
	return &uptimeRefresher{hist: hist, states: s, now: now, kicks: make(chan string, 64)}
}

// kick asks for a monitor's figures to be read again at once; it never
// blocks (a kick that finds the queue full is covered by the next round).
func (u *uptimeRefresher) kick(name string) {
	if u.hist == nil {
		return
	}
	select {
	case u.kicks <- name:
	default:
	}
}

// run refreshes until ctx is done: every monitor each round, and a
// monitor at once when it is kicked.
func (u *uptimeRefresher) run(ctx context.Context) {
	if u.hist == nil {
		return
	}
	t := time.NewTimer(uptimePeriod(u.states.count()))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case name := <-u.kicks:
			if en, ok := u.states.get(name); ok {
				u.refresh(en, u.now())
			}
		case <-t.C:
			now := u.now()
			for _, en := range u.states.list() {
				if ctx.Err() != nil {
					return
				}
				u.refresh(en, now)
			}
			t.Reset(uptimePeriod(u.states.count()))
		}
	}
}

// refresh reads a monitor's figures from history (without the states'
// lock) and puts them in its state.
func (u *uptimeRefresher) refresh(en *entry, now time.Time) {
	got := u.fromHistory(en.m.Name, now)
	u.states.locked(func() { en.up.apply(&en.state, got) })
}

// uptimePeriod spends about 2 ms of history reads per monitor per round.
func uptimePeriod(monitors int) time.Duration {
	return min(max(time.Duration(monitors)*2*time.Millisecond, 5*time.Second), time.Minute)
}

// fromHistory asks history for the 24h, 7d and 30d figures.
func (u *uptimeRefresher) fromHistory(name string, now time.Time) [3]monitor.Uptime {
	var got [3]monitor.Uptime
	for i := range got {
		got[i] = u.hist.Uptime(name, uptimeWindows[i], now)
	}
	return got
}
