package alert

import (
	"slices"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// policy keeps one tracker per monitor and does what their transitions
// ask: it queues messages in the burst window, arms and stops their
// alarms, and reports incident changes. Every method is called with the
// serial lock held.
type policy struct {
	*serial
	rules      rules
	monitors   map[string]*monitor.Monitor // as configured; may be empty (embedders)
	mons       map[string]*entry
	post       *courier
	burst      *burst
	onIncident func(monitor.Incident)
	resends    []*resendLoop
	asks       asks
	deps       deps            // depends_on
	settling   map[string]bool // monitors settleChildren is working on
}

// entry is a tracker with its alarms.
type entry struct {
	tracker
	remind, hold, settle, wait alarm
}

// entry returns the tracker of a monitor, creating it.
func (p *policy) entry(name string) *entry {
	e, ok := p.mons[name]
	if !ok {
		e = &entry{tracker: tracker{name: name, m: p.monitors[name], rules: &p.rules}}
		p.mons[name] = e
	}
	return e
}

// step hands ev to e's tracker and carries out what it asks.
func (p *policy) step(e *entry, ev event) {
	if ev.now.IsZero() {
		ev.now = p.clock.Now()
	}
	p.withDeps(e, &ev)
	for _, f := range e.handle(ev) {
		p.apply(e, f, ev.now)
	}
	p.settleChildren(e.name)
}

// apply carries out one effect.
func (p *policy) apply(e *entry, f effect, now time.Time) {
	switch f.kind {
	case doSend:
		p.burst.add(p.related(e.name, f.item), p.post.routes(e.m))
	case doStamp:
		for _, o := range p.post.routes(e.m) {
			e.inc.sent[o.name] = f.at
		}
	case doArmRemind:
		p.armReminder(e, now)
	case doStopRemind:
		e.remind.cancel()
	case doRemind:
		p.remind(e, f, now)
	case doArmHold:
		p.arm(&e.hold, f.at.Sub(now), func() { p.step(e, event{kind: inHoldEnd}) })
	case doStopHold:
		e.hold.cancel()
	case doArmSettle:
		p.arm(&e.settle, f.at.Sub(now), func() { p.step(e, event{kind: inSettle}) })
	case doAsk:
		p.ask(e, f.gen)
	case doNote:
		p.post.log.Info("incident not opened: the other locations do not confirm it", "monitor", e.name, "locations", f.text)
	case doArmWait:
		p.arm(&e.wait, f.at.Sub(now), func() { p.step(e, event{kind: inWaitEnd}) })
	case doStopWait:
		e.wait.cancel()
	case doJoined:
		p.joined(f.root, e.name)
	case doReport:
		if p.onIncident != nil {
			in := f.inc
			p.later(func() { p.onIncident(in) })
		}
	}
}

// armReminder arms e's reminder for the channel due first; none when the
// incident is acknowledged or no channel of the monitor reminds.
func (p *policy) armReminder(e *entry, now time.Time) {
	e.remind.cancel()
	if e.inc == nil || e.inc.Acked {
		return
	}
	var next time.Time
	for _, o := range p.post.routes(e.m) {
		if o.renotify <= 0 || !o.accepts(EventReminder) {
			continue
		}
		due := e.inc.sent[o.name].Add(o.renotify)
		if next.IsZero() || due.Before(next) {
			next = due
		}
	}
	if next.IsZero() {
		return
	}
	p.arm(&e.remind, next.Sub(now), func() { p.step(e, event{kind: inRemind}) })
}

// remind sends f's reminder to the channels whose renotify has passed
// since they were last told, and notes them as told, quiet or not.
func (p *policy) remind(e *entry, f effect, now time.Time) {
	var due []*outlet
	for _, o := range p.post.routes(e.m) {
		if o.renotify > 0 && o.accepts(EventReminder) && !now.Before(e.inc.sent[o.name].Add(o.renotify)) {
			e.inc.sent[o.name] = now
			due = append(due, o)
		}
	}
	if !f.quiet && len(due) > 0 {
		p.burst.add(p.related(e.name, f.item), due)
	}
}

// change takes a status change from the engine.
func (p *policy) change(ev monitor.Event, st *monitor.State) {
	name := ev.Monitor
	if name == "" && st != nil && st.Monitor != nil {
		name = st.Monitor.Name
	}
	e := p.entry(name)
	in := event{kind: inChange, now: p.clock.Now(), at: ev.Time, from: ev.From, to: ev.To, result: ev.Result}
	if st != nil {
		if st.Monitor != nil {
			e.m = st.Monitor
		}
		in.maint = st.InMaint != "" || st.Status == monitor.StatusMaintenance
		in.acked = st.Acked
	}
	if in.at.IsZero() {
		in.at = in.now
	}
	p.step(e, in)
}

// sendHeld sends every held resolve now, as when its hold ends (Close:
// the process is stopping and the hold would never end), and so does a
// flapping incident whose monitor is up: its resolve waits for FlapQuiet,
// which would never pass either. A reload does not come here: it hands
// held resolves and flapping over (retire).
func (p *policy) sendHeld() {
	names := make([]string, 0, len(p.mons))
	for name, e := range p.mons {
		if e.phase == phaseHeld || e.phase == phaseFlapping && e.upNow() {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	now := p.clock.Now()
	for _, name := range names {
		e := p.mons[name]
		if e.phase == phaseFlapping {
			p.step(e, event{kind: inSettle, now: now})
		} else {
			p.step(e, event{kind: inHoldEnd, now: now})
		}
		if e.inc == nil {
			p.post.log.Info("held resolve queued at shutdown; its delivery is logged apart", "monitor", name)
		}
	}
}

// stopAlarms stops every alarm (closing or retiring).
func (p *policy) stopAlarms() {
	for _, e := range p.mons {
		e.remind.cancel()
		e.hold.cancel()
		e.settle.cancel()
		e.wait.cancel()
	}
	for _, r := range p.resends {
		r.timer.cancel()
	}
}

// incidents returns the open incidents, oldest first.
func (p *policy) incidents() []monitor.Incident {
	var out []monitor.Incident
	for _, e := range p.mons {
		if e.inc != nil {
			out = append(out, e.inc.snapshot())
		}
	}
	slices.SortFunc(out, func(a, b monitor.Incident) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Monitor, b.Monitor)
	})
	return out
}

// everyMonitorDown reports whether every monitor being checked is down,
// counting configured monitors not heard of yet as pending.
func (p *policy) everyMonitorDown() bool {
	total, down := 0, 0
	count := func(s monitor.Status) {
		if s == monitor.StatusPaused || s == monitor.StatusMaintenance {
			return
		}
		total++
		if s == monitor.StatusDown {
			down++
		}
	}
	for name := range p.monitors {
		if _, seen := p.mons[name]; !seen {
			count(monitor.StatusPending)
		}
	}
	for _, e := range p.mons {
		count(e.status)
	}
	return total >= 2 && down == total
}
