package maint

import (
	"slices"
	"sort"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Occurrence is one stretch of time a maintenance window is open.
type Occurrence struct {
	Name       string    // the window's name; AdhocName for an ad-hoc one
	Start, End time.Time // Start is zero for an ad-hoc window (it is open now)
	win        *window   // nil for an ad-hoc window
	monitor    string    // an ad-hoc window's monitor; "" for every monitor
}

// Covers reports whether the occurrence puts m in maintenance.
func (o *Occurrence) Covers(m *monitor.Monitor) bool {
	if o.win != nil {
		return o.win.applies(m)
	}
	return o.monitor == "" || o.monitor == m.Name
}

// Next returns, for each window, its occurrence open at t or else the
// first one that starts before until; windows with neither are left out.
// Ad-hoc windows open at t are included, one per monitor. The list is
// sorted by start, open ones first.
func (w *Windows) Next(t, until time.Time) []Occurrence {
	w.mu.RLock()
	defer w.mu.RUnlock()
	var out []Occurrence
	for _, win := range w.wins {
		if o, ok := win.next(t, until); ok {
			out = append(out, o)
		}
	}
	names := make([]string, 0, len(w.adhoc))
	for n, end := range w.adhoc {
		if t.Before(end) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		out = append(out, Occurrence{Name: AdhocName, End: w.adhoc[n], monitor: n})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// next returns the window's occurrence open at t, else its first start
// in (t, until).
func (win *window) next(t, until time.Time) (Occurrence, bool) {
	if win.sched == nil {
		if win.end.After(t) && win.start.Before(until) {
			return Occurrence{Name: win.name, Start: win.start, End: win.end, win: win}, true
		}
		return Occurrence{}, false
	}
	// Walk the starts back from until: the earliest one whose occurrence
	// has not ended by t is the answer. latestStart looks back at least a
	// day and the duration from where it is asked, so stepping back by
	// that much when it finds nothing skips no start.
	var best time.Time
	probe := until.Add(-time.Nanosecond)
	for !probe.Before(t.Add(-win.dur)) {
		st, ok := win.sched.latestStart(probe, win.dur, win.loc)
		if !ok {
			probe = probe.Add(-win.dur - 24*time.Hour)
			continue
		}
		if !st.Add(win.dur).After(t) {
			break
		}
		best = st
		probe = st.Add(-time.Nanosecond)
	}
	if best.IsZero() {
		return Occurrence{}, false
	}
	return Occurrence{Name: win.name, Start: best.UTC(), End: best.Add(win.dur).UTC(), win: win}, true
}
