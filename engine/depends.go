package engine

import (
	"slices"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// recheck runs the checks a change of en makes urgent, so that the alert
// policy learns at once what it waits for (depends_on): when en goes
// down, the monitors it depends on that were not checked since (is it
// behind one of them that is down too?); when en comes back, the monitors
// depending on it that are still down (did they come back with it?).
func (e *Engine) recheck(en *entry, from, to monitor.Status, r *monitor.Result) {
	switch {
	case to == monitor.StatusDown && len(en.m.DependsOn) > 0:
		for _, name := range en.m.DependsOn {
			p, ok := e.states.get(name)
			if ok && !p.busy.Load() && !e.states.checkedSince(p, r.Time) {
				e.sched.soon(p)
			}
		}
	case from == monitor.StatusDown && (to == monitor.StatusUp || to == monitor.StatusDegraded):
		for _, c := range e.states.downDependents(en.m.Name) {
			if !c.busy.Load() {
				e.sched.soon(c)
			}
		}
	}
}

// checkedSince reports whether en has a result of a check begun after t.
func (s *states) checkedSince(en *entry, t time.Time) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return en.state.Last.Time.After(t)
}

// downDependents returns the entries of the monitors that depend on name
// and are down.
func (s *states) downDependents(name string) []*entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*entry
	for _, en := range s.order {
		if en.state.Status == monitor.StatusDown && slices.Contains(en.m.DependsOn, name) {
			out = append(out, en)
		}
	}
	return out
}
