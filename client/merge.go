package client

import (
	"maps"
	"slices"
	"sync"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// merger keeps the merged view of several daemons (rows and each
// location's view) between data frames, so that a dashboard over a fleet
// of tens of thousands of monitors pays for what changed, not for the
// whole fleet, on every frame. A daemon's new snapshot (or hello: its
// location may change) throws the view away; a result or change marks
// its monitor to be merged again.
type merger struct {
	mu    sync.Mutex
	view  *merged             // nil: rebuilt on the next read
	dirty map[string]struct{} // monitors to merge again before the next read
}

// merged is the merged view. rows are only ever handed out as copies
// (Snapshot), so an update changes them in place; locs is handed out as
// it is (Locations), so an update makes a new map.
type merged struct {
	pos  map[string]int // monitor name: its row
	rows []monitor.State
	locs map[string][]source.LocationState
}

// invalidate throws the view away. Called without any daemon's lock.
func (m *merger) invalidate() {
	m.mu.Lock()
	m.view = nil
	clear(m.dirty)
	m.mu.Unlock()
}

// touch marks a monitor to be merged again. Called without any daemon's
// lock.
func (m *merger) touch(name string) {
	m.mu.Lock()
	if m.view != nil {
		if m.dirty == nil {
			m.dirty = map[string]struct{}{}
		}
		m.dirty[name] = struct{}{}
	}
	m.mu.Unlock()
}

// currentLocked returns the view, rebuilt or brought up to date. Its
// locs may be read but not changed; its rows must be copied before
// merge.mu, which the caller holds, is released.
func (c *Client) currentLocked() *merged {
	m := &c.merge
	if m.view == nil {
		m.view = c.build()
		clear(m.dirty)
		return m.view
	}
	if len(m.dirty) == 0 {
		return m.view
	}
	next := &merged{pos: m.view.pos, rows: m.view.rows, locs: maps.Clone(m.view.locs)}
	for name := range m.dirty {
		i, ok := next.pos[name]
		if !ok {
			continue
		}
		all := c.seenOf(name)
		if len(all) == 0 {
			continue
		}
		next.rows[i] = worstOf(all)
		next.locs[name] = locationStates(all)
	}
	clear(m.dirty)
	m.view = next
	return next
}

// build merges every daemon's mirror.
func (c *Client) build() *merged {
	order, byName := c.seen()
	v := &merged{pos: make(map[string]int, len(order)), rows: make([]monitor.State, len(order)),
		locs: make(map[string][]source.LocationState, len(order))}
	for i, n := range order {
		all := byName[n]
		v.pos[n] = i
		v.rows[i] = worstOf(all)
		v.locs[n] = locationStates(all)
	}
	return v
}

// seenOf is every location's view of one monitor (see seen).
func (c *Client) seenOf(name string) []seenFrom {
	var all []seenFrom
	for _, d := range c.daemons {
		d.mu.RLock()
		st, ok := d.states[name]
		label := d.label()
		d.mu.RUnlock()
		if ok {
			all = addSeen(all, label, st)
		}
	}
	return all
}

// addSeen adds a daemon's view to a monitor's: a location seen already
// (another replica) keeps the latest result.
func addSeen(all []seenFrom, label string, st *monitor.State) []seenFrom {
	if i := slices.IndexFunc(all, func(s seenFrom) bool { return s.label == label }); i >= 0 {
		if st.Last.Time.After(all[i].st.Last.Time) {
			all[i].st = st
		}
		return all
	}
	return append(all, seenFrom{label, st})
}

// worstOf is the merged state of a monitor: the worst any location sees.
func worstOf(all []seenFrom) monitor.State {
	worst := all[0].st
	for _, s := range all[1:] {
		if s.st.Status.Severity() < worst.Status.Severity() {
			worst = s.st
		}
	}
	return *worst
}

// locationStates says what each location sees of a monitor.
func locationStates(all []seenFrom) []source.LocationState {
	locs := make([]source.LocationState, len(all))
	for i, s := range all {
		locs[i] = source.LocationState{Location: s.label, Status: s.st.Status, Code: s.st.Last.Code,
			Class: s.st.Last.Class, Latency: s.st.Last.Latency, Since: s.st.Since}
	}
	return locs
}
