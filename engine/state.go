package engine

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// states is every monitor's live state, in configuration order: what
// Snapshot shows and what each result changes. It decides a monitor's
// status (an incident opens when it goes down, ends when it comes back),
// and applies maintenance windows.
type states struct {
	recent  int         // samples kept per monitor
	maint   Maintenance // configured windows; nil: none
	history bool        // uptime over 7 and 30 days is known (history counted what came before)
	now     func() time.Time

	mu       sync.RWMutex
	cfg      *Config
	byName   map[string]*entry
	order    []*entry
	lastSnap time.Time // when the last snapshot was taken
}

// outcome is what a result changed.
type outcome struct {
	from, to monitor.Status
	change   *monitor.Event // the status change, if any
	state    monitor.State  // the state after it; only with a change
	slo      monitor.SLO    // the objective's figures after the result, when it counted toward one
}

func (s *states) config() *Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg
}

func (s *states) count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.order)
}

// list returns the entries in configuration order.
func (s *states) list() []*entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]*entry(nil), s.order...)
}

// snapFrequent is how soon after the last snapshot a snapshot counts as
// one of a series (a dashboard redrawing): the samples it unpacks are kept
// for the next one. An occasional reader (a scrape) keeps nothing alive.
const snapFrequent = 2 * time.Second

func (s *states) appendSnapshot(dst []monitor.State) []monitor.State {
	now := s.now()
	s.mu.Lock() // the samples unpacked for a series are kept in the entries
	defer s.mu.Unlock()
	keep := now.Sub(s.lastSnap) < snapFrequent
	s.lastSnap = now
	dst = slices.Grow(dst, len(s.order))
	for _, en := range s.order {
		dst = append(dst, s.published(en, now, keep))
	}
	return dst
}

func (s *states) state(name string) (monitor.State, error) {
	now := s.now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	en, ok := s.byName[name]
	if !ok {
		return monitor.State{}, fmt.Errorf("%w: %s", ErrNoMonitor, name)
	}
	return s.published(en, now, false), nil
}

// published is en's state as readers see it at now: with its recent
// samples and uptime figures. With keep the unpacked samples are kept
// for the next reader (the lock must then be held for writing).
func (s *states) published(en *entry, now time.Time, keep bool) monitor.State {
	l := &en.state
	st := monitor.State{Monitor: en.m, Status: l.Status, Since: l.Since, Last: l.Last, Recent: en.recent.samples(keep),
		Paused: l.Paused, Acked: l.Acked, InMaint: l.InMaint, Checks: l.Checks, Skipped: l.Skipped, Location: s.cfg.Settings.Location,
		WarRoom: l.WarRoom}
	st.Uptime24, st.Uptime7d, st.Uptime30 = en.up.figures(now, s.history)
	if en.slo != nil {
		st.SLO = en.slo.figures()
	}
	return st
}

// inForce returns the record a journal begins with for each monitor down
// or degraded (see source.InForce), in configuration order.
func (s *states) inForce() []source.Event {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []source.Event
	for _, en := range s.order {
		st := monitor.State{Monitor: en.m, Status: en.state.Status, Since: en.state.Since, Last: en.state.Last}
		if ev, ok := source.InForce(&st); ok {
			out = append(out, ev)
		}
	}
	return out
}

// get returns the named monitor's entry.
func (s *states) get(name string) (*entry, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	en, ok := s.byName[name]
	return en, ok
}

// with runs fn on the named monitor's entry with the lock held.
func (s *states) with(name string, fn func(en *entry)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	en, ok := s.byName[name]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoMonitor, name)
	}
	fn(en)
	return nil
}

// each runs fn on every entry, in configuration order, with the lock held
// for reading.
func (s *states) each(fn func(en *entry)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, en := range s.order {
		fn(en)
	}
}

// isDown reports whether en is down.
func (s *states) isDown(en *entry) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return en.state.Status == monitor.StatusDown
}

// skipped counts a check of en that was due while the last one still ran.
func (s *states) skipped(en *entry) {
	s.mu.Lock()
	en.state.Skipped++
	s.mu.Unlock()
}

// apply updates en's state with a result. ok is false when the result
// says nothing any more: its monitor is paused or gone, or something newer
// is known already (a push beat overtook a scheduled check). A result
// inside a maintenance window is changed to say so.
func (s *states) apply(en *entry, r *monitor.Result) (o outcome, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if en.gone || en.state.Paused || r.Time.Before(en.state.Last.Time) {
		return outcome{}, false
	}
	o.from, o.to = en.state.Status, r.Status
	if o.to == monitor.StatusPending || r.Stalled() { // a passive check still waiting, or upbeat stalled: keep the status
		o.to = o.from
	}
	switch name, in := s.inWindowLocked(en, r.Time); {
	case r.Stalled():
		// upbeat stalled: the result says nothing, the status stays
	case in:
		// A monitor inside a window shows as maintenance whatever its
		// check says (the code and latency are kept), and is recorded so:
		// history counts neither downtime nor uptime nor an incident for
		// a planned window.
		en.state.InMaint = name
		o.to = monitor.StatusMaintenance
		r.Status = monitor.StatusMaintenance
	default:
		en.state.InMaint = ""
	}
	en.state.Last = *r
	en.state.Checks++
	countWarRoom(en, r)
	en.recent.push(sampleOf(r), s.recent)
	en.up.count(r)
	if en.slo != nil && counts(r) {
		en.slo.count(r)
		o.slo = en.slo.figures()
	}
	if o.to != o.from {
		o.change = setStatusLocked(en, o.to, r.Time, r)
		o.state = s.published(en, s.now(), false)
	}
	return o, true
}

// setStatusLocked changes en's status at t and returns the change event;
// r is the result that caused it, if one did.
func setStatusLocked(en *entry, to monitor.Status, t time.Time, r *monitor.Result) *monitor.Event {
	from := en.state.Status
	en.state.Status = to
	en.state.Since = t
	switch to {
	case monitor.StatusDown:
		if en.incident.IsZero() || en.incident.After(t) {
			en.incident = t
		}
		en.state.Since = en.incident // down since the incident began, across a window or a pause
	case monitor.StatusUp, monitor.StatusDegraded:
		en.incident = time.Time{}
	}
	if !keepsAck(from, to) {
		en.state.Acked = false
	}
	return &monitor.Event{Kind: monitor.EventChange, Time: t, Monitor: en.m.Name, Result: r, From: from, To: to}
}

// keepsAck reports whether an incident's acknowledgement outlasts a
// change. A window or a pause in the middle of an incident keeps it, into
// the window or the pause and out of it: still down after, it is the
// incident that was acknowledged (the alerting and history keep it open
// across them). So does a restart in the window or the pause, which
// leaves the monitor pending until its next check, or paused
// (RestoreAcked); resumed, a monitor is pending until its next check too.
// Any other change ends the acknowledgement.
func keepsAck(from, to monitor.Status) bool {
	switch to {
	case monitor.StatusMaintenance, monitor.StatusPaused:
		return true
	case monitor.StatusPending:
		return from == monitor.StatusPaused
	case monitor.StatusDown:
		return silenced(from)
	}
	return false
}

// silenced reports whether an acknowledged incident may be in status s
// without being down: in a window, or restored from one and not checked
// since, or resumed from a pause and not checked since (only RestoreAcked
// and a resume leave a pending monitor acknowledged).
func silenced(s monitor.Status) bool {
	return s == monitor.StatusMaintenance || s == monitor.StatusPending
}

// staleInWindow returns the monitors inside a maintenance window at now
// whose last result is from before it: restored after a restart (a window
// does not survive in the status, which is pending), or from before a
// window that began while upbeat was stopped. Until its first check, up
// to maxSpread after start, such a monitor would show that old result,
// and pending or its status of before; Run checks them at once, as
// starting a window from a dashboard does (controls.maintain).
func (s *states) staleInWindow(now time.Time) []*entry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*entry
	for _, en := range s.order {
		if _, in := s.inWindowLocked(en, now); in && !en.state.Last.Time.IsZero() && en.state.Last.Time.Before(now) {
			out = append(out, en)
		}
	}
	return out
}

// inWindow reports whether en is inside a maintenance window at t.
func (s *states) inWindow(en *entry, t time.Time) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, in := s.inWindowLocked(en, t)
	return in
}

// AdhocWindow is the name State.InMaint gives the maintenance started
// with Maintain (`upbeat maintain`, the dashboard's m).
const AdhocWindow = "ad hoc"

func (s *states) inWindowLocked(en *entry, t time.Time) (string, bool) {
	if !en.adhoc.IsZero() && t.Before(en.adhoc) {
		return AdhocWindow, true
	}
	if s.maint != nil {
		return s.maint.Active(en.m, t)
	}
	return "", false
}
