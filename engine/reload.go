package engine

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// reload is one new configuration applied as a diff: monitors whose
// settings are unchanged keep their state; changed ones keep their history
// and status but are checked again at once; new ones start pending;
// removed ones stop.
type reload struct {
	cfg *Config
	// fresh are the entries of the monitors that are new, restored from
	// history before any lock is taken: history may be slow, and checks
	// must not wait for it. Reloads are one at a time, so none is missing.
	fresh map[string]*entry
	// bare makes an entry without history.
	bare    func(m *monitor.Monitor) *entry
	changes []string // a line per change, sorted
	removed []*entry
}

// newMonitors returns the names in cfg that s does not know.
func (s *states) newMonitors(cfg *Config) []*monitor.Monitor {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*monitor.Monitor
	for _, m := range cfg.Monitors {
		if _, ok := s.byName[m.Name]; !ok {
			out = append(out, m)
		}
	}
	return out
}

// apply swaps the new entries in and tells the scheduler what to check
// at once and what to drop.
func (rl *reload) apply(s *states, sched *scheduler) {
	cfg := rl.cfg
	s.mu.Lock()
	defer s.mu.Unlock()
	next := make(map[string]*entry, len(cfg.Monitors))
	order := make([]*entry, 0, len(cfg.Monitors))
	for _, m := range cfg.Monitors {
		old, ok := s.byName[m.Name]
		var en *entry
		switch {
		case !ok:
			en = rl.fresh[m.Name]
			rl.changes = append(rl.changes, "added "+m.Name)
		case sameMonitor(old.m, m):
			en = old
		default:
			// busy and again are shared: a check of the old settings still
			// in flight keeps the new entry from starting a second one, and
			// starts the new entry's once it ends if one was asked for
			en = rl.bare(m)
			en.busy, en.again, en.adhoc, en.up, en.recent, en.state = old.busy, old.again, old.adhoc, old.up, old.recent, old.state
			en.incident = old.incident
			en.slo = old.slo.carry(m)
			old.gone = true
			sched.stop(old)
			if wr := en.state.WarRoom; !wr.Until.IsZero() { // the war room goes on at its pace
				en.warEnd = old.warEnd
				sched.warRoom(en, wr.Every, wr.Until)
			}
			rl.changes = append(rl.changes, "changed "+m.Name)
		}
		if en != old {
			if en.state.Paused {
				en.off = true
			} else {
				sched.soon(en)
			}
		}
		next[m.Name], order = en, append(order, en)
	}
	for _, en := range s.order {
		if _, ok := next[en.m.Name]; !ok {
			en.gone = true
			sched.stop(en)
			rl.changes = append(rl.changes, "removed "+en.m.Name)
			rl.removed = append(rl.removed, en)
		}
	}
	s.byName, s.order, s.cfg = next, order, cfg
	sort.Strings(rl.changes)
}

// message says what the reload changed, in a line.
func (rl *reload) message() string {
	if len(rl.changes) == 0 {
		return "config reloaded: no change"
	}
	return fmt.Sprintf("config reloaded: %d change(s): %s", len(rl.changes), joinMax(rl.changes, 6))
}

// sameMonitor reports whether a reload left a monitor's settings as they were.
func sameMonitor(a, b *monitor.Monitor) bool { return reflect.DeepEqual(a, b) }

// joinMax joins s with commas, naming at most max of them.
func joinMax(s []string, max int) string {
	if len(s) <= max {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:max], ", ") + fmt.Sprintf(", and %d more", len(s)-max)
}
