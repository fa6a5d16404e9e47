package alert

import (
	"slices"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// monState is what the dispatcher knows about one monitor.
type monState struct {
	name        string
	m           *monitor.Monitor
	status      monitor.Status // as the engine last said
	statusKnown bool
	inc         *incident // open incident, if any
	good        int       // good checks in a row while the incident recovers
	goodSince   time.Time // time of the first of those good checks
	lastCounted time.Time // time of the last result counted (each result counts once)

	edges     []time.Time // changes between down and up within the flap window
	flapping  bool
	flapTimer *time.Timer
	flapGen   uint64    // tells the current settle timer from stopped ones
	lastUp    time.Time // the latest change away from down

	holdTimer  *time.Timer     // a resolve waiting for the monitor to stay up
	holdGen    uint64          // tells the current hold timer from stopped ones
	holdEnd    time.Time       // when the held incident would have resolved at once
	holdResult *monitor.Result // the good result that would have resolved it

	degradedSent bool      // a degraded message went out and no "normal" yet
	lastDegraded time.Time // when the latest degraded message went out

	heldByMaint bool            // down inside a window: alert if still down after it
	suspect     *monitor.Result // first down result of a monitor whose status we were never told
}

// incident is an open incident and its reminders.
type incident struct {
	monitor.Incident
	last  *monitor.Result       // the latest failing result
	sent  map[*outlet]time.Time // last message per channel, for reminders
	timer *time.Timer
	gen   uint64 // tells the current reminder timer from stopped ones
	downs int    // times the monitor went down during the incident
}

// snapshot returns a copy safe to hand out.
func (in *incident) snapshot() monitor.Incident {
	c := in.Incident
	c.Codes = slices.Clone(c.Codes)
	c.Classes = slices.Clone(c.Classes)
	return c
}

// note records the code and class of a failing result.
func (in *incident) note(r *monitor.Result) {
	if r == nil || r.Status != monitor.StatusDown {
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
	ms.cancelHold()
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
func (d *Dispatcher) Notify(ev monitor.Event, st *monitor.State) {
	switch ev.Kind {
	case monitor.EventResult:
		if ev.Result != nil {
			d.Observe(ev.Result)
		}
		return
	case monitor.EventChange:
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
	inMaint := (st != nil && (st.InMaint != "" || st.Status == monitor.StatusMaintenance)) || d.maintActive(ms, t)

	startedFlapping := false
	if flapEdge(from, to) && !inMaint {
		startedFlapping = d.edge(ms, t)
	}

	switch to {
	case monitor.StatusDown:
		ms.degradedSent = false
		ms.cancelHold() // not steady after all: the incident goes on
		if inMaint {
			ms.heldByMaint = true
			return
		}
		ms.heldByMaint = false
		if ms.inc != nil { // still open: recovering, held, or back from a window
			if flapEdge(from, to) {
				ms.inc.downs++
			}
			if startedFlapping {
				d.markFlapping(ms)
			}
			return
		}
		d.open(ms, t, r, ms.flapping)

	case monitor.StatusUp, monitor.StatusDegraded:
		wasHeld := ms.heldByMaint
		ms.heldByMaint = false
		if from == monitor.StatusDown {
			ms.lastUp = t
		}
		if ms.inc == nil && from == monitor.StatusDown && !wasHeld {
			// Down before we knew it (restored at start): resolve it all the same.
			ms.inc = &incident{Incident: monitor.Incident{Monitor: name}, sent: map[*outlet]time.Time{}}
		}
		if ms.inc != nil {
			switch {
			case startedFlapping:
				d.markFlapping(ms)
			case ms.flapping:
			default:
				d.maybeResolve(ms, t, r)
			}
			return
		}
		if inMaint {
			return
		}
		if to == monitor.StatusDegraded && from != monitor.StatusDegraded {
			d.degraded(ms, t, r)
		}
		if to == monitor.StatusUp && from == monitor.StatusDegraded && ms.degradedSent {
			ms.degradedSent = false
			it := itemFrom(EventNormal, ms.m, ms.name, r)
			d.enqueue(it, d.routes(ms.m))
		}
	}
}

// flapEdge reports whether a change counts towards flapping: one between
// down and up (or degraded).
func flapEdge(from, to monitor.Status) bool {
	good := func(s monitor.Status) bool { return s == monitor.StatusUp || s == monitor.StatusDegraded }
	return (from == monitor.StatusDown && good(to)) || (to == monitor.StatusDown && good(from))
}

// Observe takes every check result (the engine calls it before Notify for
// the same result). It counts good checks for recover_after, collects the
// codes and classes of an open incident, and notices a monitor that was
// already down when upbeat started.
func (d *Dispatcher) Observe(r *monitor.Result) {
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
		if r.Status != monitor.StatusDown {
			ms.heldByMaint = false
		} else if !d.maintActive(ms, r.Time) && ms.status != monitor.StatusMaintenance {
			// The window ended and the monitor is still down, with no change to tell us.
			ms.heldByMaint = false
			d.open(ms, r.Time, r, false)
		}
	case !ms.statusKnown:
		if r.Status != monitor.StatusDown {
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
		inc := &incident{Incident: monitor.Incident{Monitor: ms.name}, sent: map[*outlet]time.Time{}}
		inc.note(ms.suspect)
		inc.note(r)
		ms.suspect = nil
		ms.status, ms.statusKnown = monitor.StatusDown, true
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
func (d *Dispatcher) count(ms *monState, r *monitor.Result) bool {
	if r == nil || r.Time.Equal(ms.lastCounted) {
		return false
	}
	ms.lastCounted = r.Time
	switch r.Status {
	case monitor.StatusDown:
		ms.good = 0
		ms.goodSince = time.Time{}
		ms.cancelHold() // a failure, even one the engine's retries absorb, is not steady
		if ms.inc != nil {
			ms.inc.note(r)
		}
	case monitor.StatusUp, monitor.StatusDegraded:
		if ms.good == 0 {
			ms.goodSince = r.Time
		}
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
func (d *Dispatcher) open(ms *monState, t time.Time, r *monitor.Result, flapping bool) {
	inc := &incident{Incident: monitor.Incident{Monitor: ms.name, Start: t, Flapping: flapping}, sent: map[*outlet]time.Time{}, downs: 1}
	inc.note(r)
	ms.inc = inc
	ms.good = 0
	ms.goodSince = time.Time{}
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
	it.Status = monitor.StatusDown
	it.Since = inc.Start
	it.Flapping = ms.flapping
	if !inc.Start.IsZero() && event == EventReminder {
		it.Duration = now.Sub(inc.Start)
	}
	snap := inc.snapshot()
	it.Incident = &snap
	return it
}

// recovered reports whether ms's incident may resolve: the monitor is up
// (or degraded) and has had RecoverAfter good checks in a row. Called with
// mu held.
func (d *Dispatcher) recovered(ms *monState) bool {
	if ms.inc == nil || !ms.statusKnown || ms.good < d.opts.RecoverAfter {
		return false
	}
	return ms.status == monitor.StatusUp || ms.status == monitor.StatusDegraded
}

// maybeResolve resolves the incident once the monitor has recovered (see
// recovered), at once or after the resolve hold (see holdFor). t is when
// it recovered and becomes the incident's end either way. Called with mu
// held.
func (d *Dispatcher) maybeResolve(ms *monState, t time.Time, r *monitor.Result) {
	if !d.recovered(ms) || ms.holdTimer != nil {
		return
	}
	wait := d.holdFor(ms, t)
	if wait <= 0 {
		d.resolve(ms, t, r)
		return
	}
	ms.holdEnd = t
	ms.holdResult = nil
	if r != nil {
		cp := *r
		ms.holdResult = &cp
	}
	ms.holdGen++
	gen := ms.holdGen
	ms.holdTimer = time.AfterFunc(wait, func() { d.holdDone(ms, gen) })
}

// holdFor returns how much longer the resolve of ms's incident, recovered
// at t, must wait; 0 or less: send it now.
//
// The rule: a resolve is held only when the incident is younger than
// FlapWindow, or when the monitor changed between down and up more than
// once within the FlapWindow before t (it bounced). Then it goes out
// once the monitor has been up without a failure for ResolveHold, counted
// from when it came back. A long outage that ends cleanly resolves at
// once. Called with mu held.
func (d *Dispatcher) holdFor(ms *monState, t time.Time) time.Duration {
	hold := d.opts.ResolveHold
	if hold <= 0 {
		return 0
	}
	inc := ms.inc
	young := !inc.Start.IsZero() && t.Sub(inc.Start) < d.opts.FlapWindow
	if !young {
		cut := t.Add(-d.opts.FlapWindow)
		recent := 0
		for _, e := range ms.edges {
			if e.After(cut) && !e.After(t) {
				recent++
			}
		}
		if recent < 2 {
			return 0
		}
	}
	// Up since the later of the change back up and the first good check
	// in a row, as long as that is within this incident.
	var since time.Time
	for _, s := range []time.Time{ms.lastUp, ms.goodSince} {
		if !s.Before(inc.Start) && !s.After(t) && s.After(since) {
			since = s
		}
	}
	if since.IsZero() {
		since = t
	}
	return time.Until(since.Add(hold))
}

// holdDone sends the held resolve once the monitor stayed up for the
// hold. A failure in the meantime cancelled it.
func (d *Dispatcher) holdDone(ms *monState, gen uint64) {
	d.mu.Lock()
	defer d.unlock()
	if d.closed || ms.holdTimer == nil || ms.holdGen != gen {
		return
	}
	ms.holdTimer = nil
	end, r := ms.holdEnd, ms.holdResult
	ms.holdResult = nil
	if ms.flapping || !d.recovered(ms) {
		return
	}
	d.resolve(ms, end, r)
}

// cancelHold drops a held resolve: the incident stays open.
func (ms *monState) cancelHold() {
	if ms.holdTimer != nil {
		ms.holdTimer.Stop()
		ms.holdTimer = nil
	}
	ms.holdResult = nil
}

// resolve closes the incident and queues the one message saying so.
// Called with mu held.
func (d *Dispatcher) resolve(ms *monState, t time.Time, r *monitor.Result) {
	inc := ms.inc
	if inc.timer != nil {
		inc.timer.Stop()
		inc.timer = nil
	}
	ms.cancelHold()
	inc.End = t
	ms.inc = nil
	ms.good = 0
	ms.goodSince = time.Time{}
	it := Item{Event: EventUp, Monitor: ms.name, Status: ms.status, Since: inc.Start}
	if inc.downs > 1 {
		it.Flaps = inc.downs
	}
	if ms.m != nil {
		it.URL = displayURL(ms.m.URL)
	}
	if r != nil && r.Status != monitor.StatusDown {
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

// markFlapping marks the open incident as flapping. Nothing is sent: its
// people already had the one message about it (the down that opened it),
// its reminders go on as for any open incident, and its resolve waits
// until the monitor settles. Called with mu held.
func (d *Dispatcher) markFlapping(ms *monState) {
	ms.cancelHold() // settle decides now, after FlapQuiet
	inc := ms.inc
	if inc.Flapping {
		return
	}
	inc.Flapping = true
	d.incidentChanged(inc)
}

// settle ends flapping after FlapQuiet without a change: a monitor that
// is up resolves its incident with one message; one that stays down keeps
// its incident open, with nothing sent (its reminders go on).
func (d *Dispatcher) settle(ms *monState, gen uint64) {
	d.mu.Lock()
	defer d.unlock()
	if d.closed || ms.flapTimer == nil || ms.flapGen != gen {
		return
	}
	ms.flapTimer = nil
	ms.flapping = false
	ms.edges = nil
	if ms.inc == nil || (ms.status != monitor.StatusUp && ms.status != monitor.StatusDegraded) {
		return
	}
	end := ms.lastUp
	if end.IsZero() {
		end = time.Now()
	}
	d.resolve(ms, end, nil)
}

// degraded queues a gentle message, at most one per DegradedEvery per
// monitor. Called with mu held.
func (d *Dispatcher) degraded(ms *monState, t time.Time, r *monitor.Result) {
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
	// Quiet too while a resolve is held: the monitor is up, not "still down".
	quiet := inc.Acked || ms.status == monitor.StatusPaused || ms.status == monitor.StatusMaintenance ||
		ms.holdTimer != nil || d.maintActive(ms, now)
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
func (d *Dispatcher) Ack(name string) {
	d.mu.Lock()
	defer d.unlock()
	if ms, ok := d.mons[name]; ok && ms.inc != nil {
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
func (d *Dispatcher) Restore(name string, open monitor.Incident) {
	d.mu.Lock()
	defer d.unlock()
	if d.closed {
		return
	}
	ms := d.mon(name)
	if ms.inc != nil {
		return
	}
	open.Monitor = name
	open.End = time.Time{}
	open.Codes = slices.Clone(open.Codes)
	open.Classes = slices.Clone(open.Classes)
	inc := &incident{Incident: open, sent: map[*outlet]time.Time{}}
	now := time.Now()
	for _, o := range d.routes(ms.m) {
		inc.sent[o] = now
	}
	ms.inc = inc
	ms.status, ms.statusKnown, ms.suspect = monitor.StatusDown, true, nil
	d.scheduleReminder(ms)
}
