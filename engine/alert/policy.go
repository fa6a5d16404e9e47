package alert

import (
	"slices"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
)

// monState is what the dispatcher knows about one monitor.
type monState struct {
	name        string
	m           *engine.Monitor
	status      engine.Status // as the engine last said
	statusKnown bool
	inc         *incident // open incident, if any
	good        int       // good checks in a row while the incident recovers
	lastCounted time.Time // time of the last result counted (each result counts once)

	edges     []time.Time // changes between down and up within the flap window
	flapping  bool
	flapTimer *time.Timer
	flapGen   uint64    // tells the current settle timer from stopped ones
	lastUp    time.Time // the latest change away from down

	degradedSent bool      // a degraded message went out and no "normal" yet
	lastDegraded time.Time // when the latest degraded message went out

	heldByMaint bool           // down inside a window: alert if still down after it
	suspect     *engine.Result // first down result of a monitor whose status we were never told
}

// incident is an open incident and its reminders.
type incident struct {
	engine.Incident
	last  *engine.Result        // the latest failing result
	sent  map[*outlet]time.Time // last message per channel, for reminders
	timer *time.Timer
	gen   uint64 // tells the current reminder timer from stopped ones
}

// snapshot returns a copy safe to hand out.
func (in *incident) snapshot() engine.Incident {
	c := in.Incident
	c.Codes = slices.Clone(c.Codes)
	c.Classes = slices.Clone(c.Classes)
	return c
}

// note records the code and class of a failing result.
func (in *incident) note(r *engine.Result) {
	if r == nil || r.Status != engine.StatusDown {
		return
	}
	cp := *r
	in.last = &cp
	if r.Code != 0 && !slices.Contains(in.Codes, r.Code) {
		in.Codes = append(in.Codes, r.Code)
	}
	if r.Class != "" && !slices.Contains(in.Classes, r.Class) {
		in.Classes = append(in.Classes, r.Class)
	}
}

// stopTimers stops the monitor's timers.
func (ms *monState) stopTimers() {
	if ms.flapTimer != nil {
		ms.flapTimer.Stop()
		ms.flapTimer = nil
	}
	if ms.inc != nil && ms.inc.timer != nil {
		ms.inc.timer.Stop()
		ms.inc.timer = nil
	}
}

// mon returns the state of a monitor, creating it. Called with mu held.
func (d *Dispatcher) mon(name string) *monState {
	ms, ok := d.mons[name]
	if !ok {
		ms = &monState{name: name, m: d.monitors[name]}
		d.mons[name] = ms
	}
	return ms
}

// Notify implements engine.Notifier. It handles EventChange (and passes
// EventResult to Observe); it never blocks on delivery.
func (d *Dispatcher) Notify(ev engine.Event, st *engine.MonitorState) {
	switch ev.Kind {
	case engine.EventResult:
		if ev.Result != nil {
			d.Observe(ev.Result)
		}
		return
	case engine.EventChange:
	default:
		return
	}
	d.mu.Lock()
	defer d.unlock()
	if d.closed {
		return
	}
	name := ev.Monitor
	if name == "" && st != nil && st.Monitor != nil {
		name = st.Monitor.Name
	}
	ms := d.mon(name)
	if st != nil && st.Monitor != nil {
		ms.m = st.Monitor
	}
	t := ev.Time
	if t.IsZero() {
		t = time.Now()
	}
	from, to, r := ev.From, ev.To, ev.Result
	ms.status, ms.statusKnown, ms.suspect = to, true, nil
	d.count(ms, r)
	if ms.inc != nil && st != nil && st.Acked {
		d.ackLocked(ms)
	}
	inMaint := (st != nil && (st.InMaint != "" || st.Status == engine.StatusMaintenance)) || d.maintActive(ms, t)

	startedFlapping := false
	if flapEdge(from, to) && !inMaint {
		startedFlapping = d.edge(ms, t)
	}

	switch to {
	case engine.StatusDown:
		ms.degradedSent = false
		if inMaint {
			ms.heldByMaint = true
			return
		}
		ms.heldByMaint = false
		if ms.inc != nil { // still open: recovering, or back from a window
			if startedFlapping {
				d.flapStart(ms)
			}
			return
		}
		d.open(ms, t, r, startedFlapping)

	case engine.StatusUp, engine.StatusDegraded:
		wasHeld := ms.heldByMaint
		ms.heldByMaint = false
		if from == engine.StatusDown {
			ms.lastUp = t
		}
		if ms.inc == nil && from == engine.StatusDown && !wasHeld {
			// Down before we knew it (restored at start): resolve it all the same.
			ms.inc = &incident{Incident: engine.Incident{Monitor: name}, sent: map[*outlet]time.Time{}}
		}
		if ms.inc != nil {
			switch {
			case startedFlapping:
				d.flapStart(ms)
			case ms.flapping:
			default:
				d.maybeResolve(ms, t, r)
			}
			return
		}
		if inMaint {
			return
		}
		if to == engine.StatusDegraded && from != engine.StatusDegraded {
			d.degraded(ms, t, r)
		}
		if to == engine.StatusUp && from == engine.StatusDegraded && ms.degradedSent {
			ms.degradedSent = false
			it := itemFrom(EventNormal, ms.m, ms.name, r)
			d.enqueue(it, d.routes(ms.m))
		}
	}
}

// flapEdge reports whether a change counts towards flapping: one between
// down and up (or degraded).
func flapEdge(from, to engine.Status) bool {
	good := func(s engine.Status) bool { return s == engine.StatusUp || s == engine.StatusDegraded }
	return (from == engine.StatusDown && good(to)) || (to == engine.StatusDown && good(from))
}

// Observe takes every check result (the engine calls it before Notify for
// the same result). It counts good checks for recover_after, collects the
// codes and classes of an open incident, and notices a monitor that was
// already down when upbeat started.
func (d *Dispatcher) Observe(r *engine.Result) {
	d.mu.Lock()
	defer d.unlock()
	if d.closed {
		return
	}
	ms := d.mon(r.Monitor)
	if !d.count(ms, r) {
		return
	}
	switch {
	case ms.inc != nil:
		if !ms.flapping {
			d.maybeResolve(ms, r.Time, r)
		}
	case ms.heldByMaint:
		if r.Status != engine.StatusDown {
			ms.heldByMaint = false
		} else if !d.maintActive(ms, r.Time) && ms.status != engine.StatusMaintenance {
			// The window ended and the monitor is still down, with no change to tell us.
			ms.heldByMaint = false
			d.open(ms, r.Time, r, false)
		}
	case !ms.statusKnown:
		if r.Status != engine.StatusDown {
			ms.suspect = nil
			ms.status, ms.statusKnown = r.Status, true
			return
		}
		if d.maintActive(ms, r.Time) {
			return
		}
		if ms.suspect == nil {
			// A change may follow for this very result; wait for the next one.
			cp := *r
			ms.suspect = &cp
			return
		}
		// Down twice with no change: the engine restored it as down. Its
		// incident was announced before the restart; take it over quietly.
		// When it began is not known here (Restore tells it).
		inc := &incident{Incident: engine.Incident{Monitor: ms.name}, sent: map[*outlet]time.Time{}}
		inc.note(ms.suspect)
		inc.note(r)
		ms.suspect = nil
		ms.status, ms.statusKnown = engine.StatusDown, true
		ms.inc = inc
		now := time.Now()
		for _, o := range d.routes(ms.m) {
			inc.sent[o] = now
		}
		d.scheduleReminder(ms)
	}
}

// count takes a result into the monitor's counters once. It reports
// whether the result was new. Called with mu held.
func (d *Dispatcher) count(ms *monState, r *engine.Result) bool {
	if r == nil || r.Time.Equal(ms.lastCounted) {
		return false
	}
	ms.lastCounted = r.Time
	switch r.Status {
	case engine.StatusDown:
		ms.good = 0
		if ms.inc != nil {
			ms.inc.note(r)
		}
	case engine.StatusUp, engine.StatusDegraded:
		ms.good++
	}
	return true
}

// maintActive asks the configured windows. Called with mu held.
func (d *Dispatcher) maintActive(ms *monState, t time.Time) bool {
	if d.opts.Maintenance == nil || ms.m == nil {
		return false
	}
	_, ok := d.opts.Maintenance.Active(ms.m, t)
	return ok
}

// open starts an incident and queues its first message. Called with mu held.
func (d *Dispatcher) open(ms *monState, t time.Time, r *engine.Result, flapping bool) {
	inc := &incident{Incident: engine.Incident{Monitor: ms.name, Start: t, Flapping: flapping}, sent: map[*outlet]time.Time{}}
	inc.note(r)
	ms.inc = inc
	ms.good = 0
	event := EventDown
	if flapping {
		event = EventFlapping
	}
	routes := d.routes(ms.m)
	now := time.Now()
	for _, o := range routes {
		inc.sent[o] = now
	}
	d.enqueue(d.incidentItem(ms, event, now), routes)
	d.scheduleReminder(ms)
	d.incidentChanged(inc)
}

// incidentItem describes the open incident of ms for a message.
func (d *Dispatcher) incidentItem(ms *monState, event string, now time.Time) Item {
	inc := ms.inc
	it := itemFrom(event, ms.m, ms.name, inc.last)
	it.Status = engine.StatusDown
	it.Since = inc.Start
	it.Flapping = ms.flapping
	if !inc.Start.IsZero() && event == EventReminder {
		it.Duration = now.Sub(inc.Start)
	}
	snap := inc.snapshot()
	it.Incident = &snap
	return it
}

// maybeResolve resolves the incident once the monitor is up and has had
// RecoverAfter good checks in a row. Called with mu held.
func (d *Dispatcher) maybeResolve(ms *monState, t time.Time, r *engine.Result) {
	if ms.inc == nil || ms.status == engine.StatusDown || !ms.statusKnown || ms.good < d.opts.RecoverAfter {
		return
	}
	if ms.status != engine.StatusUp && ms.status != engine.StatusDegraded {
		return
	}
	d.resolve(ms, t, r)
}

// resolve closes the incident and queues the one message saying so.
// Called with mu held.
func (d *Dispatcher) resolve(ms *monState, t time.Time, r *engine.Result) {
	inc := ms.inc
	if inc.timer != nil {
		inc.timer.Stop()
		inc.timer = nil
	}
	inc.End = t
	ms.inc = nil
	ms.good = 0
	it := Item{Event: EventUp, Monitor: ms.name, Status: ms.status, Since: inc.Start}
	if ms.m != nil {
		it.URL = displayURL(ms.m.URL)
	}
	if r != nil && r.Status != engine.StatusDown {
		it.Code = r.Code
	}
	if !inc.Start.IsZero() {
		it.Duration = t.Sub(inc.Start)
	}
	snap := inc.snapshot()
	it.Incident = &snap
	d.enqueue(it, d.routes(ms.m))
	d.incidentChanged(inc)
}

// incidentChanged tells OnIncident, after mu is released.
func (d *Dispatcher) incidentChanged(inc *incident) {
	if d.opts.OnIncident == nil {
		return
	}
	snap := inc.snapshot()
	d.after = append(d.after, func() { d.opts.OnIncident(snap) })
}

// edge records a change between down and up and reports whether the
// monitor has just started flapping. While it flaps, every edge pushes
// the settling time further out. Called with mu held.
func (d *Dispatcher) edge(ms *monState, t time.Time) bool {
	cut := t.Add(-d.opts.FlapWindow)
	ms.edges = slices.DeleteFunc(ms.edges, func(e time.Time) bool { return e.Before(cut) })
	ms.edges = append(ms.edges, t)
	started := false
	if !ms.flapping && len(ms.edges) >= d.opts.FlapChanges {
		ms.flapping = true
		started = true
	}
	if ms.flapping {
		if ms.flapTimer != nil {
			ms.flapTimer.Stop()
		}
		ms.flapGen++
		gen := ms.flapGen
		ms.flapTimer = time.AfterFunc(d.opts.FlapQuiet, func() { d.settle(ms, gen) })
	}
	return started
}

// flapStart turns the open incident into a flapping one and queues the
// one message about it. Called with mu held.
func (d *Dispatcher) flapStart(ms *monState) {
	inc := ms.inc
	inc.Flapping = true
	routes := d.routes(ms.m)
	now := time.Now()
	for _, o := range routes {
		inc.sent[o] = now
	}
	d.enqueue(d.incidentItem(ms, EventFlapping, now), routes)
	d.scheduleReminder(ms)
	d.incidentChanged(inc)
}

// settle ends flapping after FlapQuiet without a change: a monitor that
// is up resolves its incident; one that stays down gets one message that
// it is down for good.
func (d *Dispatcher) settle(ms *monState, gen uint64) {
	d.mu.Lock()
	defer d.unlock()
	if d.closed || ms.flapTimer == nil || ms.flapGen != gen {
		return
	}
	ms.flapTimer = nil
	ms.flapping = false
	ms.edges = nil
	if ms.inc == nil {
		return
	}
	switch ms.status {
	case engine.StatusDown:
		if d.maintActive(ms, time.Now()) {
			return
		}
		routes := d.routes(ms.m)
		now := time.Now()
		for _, o := range routes {
			ms.inc.sent[o] = now
		}
		d.enqueue(d.incidentItem(ms, EventDown, now), routes)
		d.scheduleReminder(ms)
	case engine.StatusUp, engine.StatusDegraded:
		end := ms.lastUp
		if end.IsZero() {
			end = time.Now()
		}
		d.resolve(ms, end, nil)
	}
}

// degraded queues a gentle message, at most one per DegradedEvery per
// monitor. Called with mu held.
func (d *Dispatcher) degraded(ms *monState, t time.Time, r *engine.Result) {
	if !ms.lastDegraded.IsZero() && t.Sub(ms.lastDegraded) < d.opts.DegradedEvery {
		return
	}
	ms.lastDegraded = t
	ms.degradedSent = true
	it := itemFrom(EventDegraded, ms.m, ms.name, r)
	it.Since = t
	d.enqueue(it, d.routes(ms.m))
}

// scheduleReminder arms the incident's reminder for the earliest channel
// due. Called with mu held.
func (d *Dispatcher) scheduleReminder(ms *monState) {
	inc := ms.inc
	if inc.timer != nil {
		inc.timer.Stop()
		inc.timer = nil
	}
	if inc.Acked || d.closed {
		return
	}
	var next time.Time
	for _, o := range d.routes(ms.m) {
		if o.renotify <= 0 || !o.accepts(EventReminder) {
			continue
		}
		due := inc.sent[o].Add(o.renotify)
		if next.IsZero() || due.Before(next) {
			next = due
		}
	}
	if next.IsZero() {
		return
	}
	inc.gen++
	gen := inc.gen
	inc.timer = time.AfterFunc(max(time.Until(next), 0), func() { d.remind(ms, inc, gen) })
}

// remind sends the reminders that are due, unless the incident is
// acknowledged or the monitor is paused or in maintenance.
func (d *Dispatcher) remind(ms *monState, inc *incident, gen uint64) {
	d.mu.Lock()
	defer d.unlock()
	if d.closed || ms.inc != inc || inc.timer == nil || inc.gen != gen {
		return
	}
	inc.timer = nil
	now := time.Now()
	quiet := inc.Acked || ms.status == engine.StatusPaused || ms.status == engine.StatusMaintenance ||
		d.maintActive(ms, now)
	var due []*outlet
	for _, o := range d.routes(ms.m) {
		if o.renotify > 0 && o.accepts(EventReminder) && !now.Before(inc.sent[o].Add(o.renotify)) {
			inc.sent[o] = now
			due = append(due, o)
		}
	}
	if !quiet && len(due) > 0 {
		d.enqueue(d.incidentItem(ms, EventReminder, now), due)
	}
	d.scheduleReminder(ms)
}

// Ack acknowledges a monitor's open incident: no reminders until it
// resolves; the resolve is still sent. It does nothing when no incident
// is open.
func (d *Dispatcher) Ack(monitor string) {
	d.mu.Lock()
	defer d.unlock()
	if ms, ok := d.mons[monitor]; ok && ms.inc != nil {
		d.ackLocked(ms)
	}
}

// ackLocked acknowledges ms's incident. Called with mu held.
func (d *Dispatcher) ackLocked(ms *monState) {
	if ms.inc.Acked {
		return
	}
	ms.inc.Acked = true
	if ms.inc.timer != nil {
		ms.inc.timer.Stop()
		ms.inc.timer = nil
	}
	d.incidentChanged(ms.inc)
}

// Restore takes over an incident that was open before a restart (from
// history): nothing is sent for it now, reminders continue from now, and
// its resolve is sent when the monitor recovers. Call it before checks
// start. An incident already known for the monitor is kept.
func (d *Dispatcher) Restore(monitor string, open engine.Incident) {
	d.mu.Lock()
	defer d.unlock()
	if d.closed {
		return
	}
	ms := d.mon(monitor)
	if ms.inc != nil {
		return
	}
	open.Monitor = monitor
	open.End = time.Time{}
	open.Codes = slices.Clone(open.Codes)
	open.Classes = slices.Clone(open.Classes)
	inc := &incident{Incident: open, sent: map[*outlet]time.Time{}}
	now := time.Now()
	for _, o := range d.routes(ms.m) {
		inc.sent[o] = now
	}
	ms.inc = inc
	ms.status, ms.statusKnown, ms.suspect = engine.StatusDown, true, nil
	d.scheduleReminder(ms)
}
