package alert

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// A reload replaces one Dispatcher by another built from the new
// configuration (Switch.Replace). The old one hands over:
//
//   - what it knew of every monitor the new configuration still has: its
//     status and counters, flapping, a held resolve, and the open
//     incident with its latest failing result and, per channel name, when
//     the last message about it went out, so that reminders keep their
//     reason and their schedule however often the config is edited;
//   - the messages waiting in its burst window, for the channels the new
//     configuration still has;
//   - every channel's queue, including a message waiting to be retried
//     (with its attempts and its next due time) or kept (kept.go), and
//     whether the channel is failing, to the new channel of the same
//     name. That channel sends nothing until the old one's attempt in
//     flight, if any, has ended, so messages keep their order.
//
// A channel the new configuration lacks finishes its queue in the
// background with its normal retries (MaxAttempts each; a kept message
// gets one more attempt), then stops: nothing is kept for a channel that
// is gone, and what fails is given up on.
// Incidents of monitors the new configuration lacks are closed without a
// message: see takeOver.

// handover is what a retiring Dispatcher passes to its successor.
type handover struct {
	mons       []tracker // copies, incidents included, without alarms
	burst      []pending
	resendsDue map[string]time.Time // channel name: when its next resend of every open incident is due
}

// retire stops d's policy for good (no more alerts taken, alarms stopped,
// connectivity checks ended, whose messages go to d's channels) and
// returns what its successor needs. ok is false when d was closed
// already: there is nothing to hand over.
func (d *Dispatcher) retire() (h handover, ok bool) {
	d.gate.lock()
	if d.gate.closed {
		d.gate.unlock()
		return h, false
	}
	h.mons = d.policy.export()
	h.resendsDue = d.policy.resendsDue()
	d.gate.closed = true
	d.policy.stopAlarms()
	h.burst = d.burst.take()
	d.gate.unlock()
	d.policy.stopAsks()
	d.burst.stopChecks()
	return h, true
}

// export copies every tracker, sorted by monitor name.
func (p *policy) export() []tracker {
	out := make([]tracker, 0, len(p.mons))
	for _, e := range p.mons {
		t := e.tracker
		t.edges = slices.Clone(t.edges)
		if in := t.inc; in != nil {
			c := *in
			c.Incident = in.snapshot()
			c.sent = maps.Clone(in.sent)
			t.inc = &c
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b tracker) int { return strings.Compare(a.name, b.name) })
	return out
}

// takeOver adopts the state a retired Dispatcher handed over. A monitor
// that d already knows keeps what d knows.
//
// The incident of a monitor the new configuration no longer has is closed
// quietly and returned (End set to now): nothing will ever check it again,
// so kept open it would remind forever and never resolve. No message goes
// out: removing a monitor is a deliberate edit by whoever runs upbeat,
// most often because what it watched is gone, and a message would have to
// claim an outcome (up, or still down) that nobody checked. When neither
// configuration lists any monitor (an embedder that does not tell), every
// incident is kept.
//
// A reminder goes on from when the last message about the incident went
// to a channel of that name; a channel new to the incident starts its
// reminders from now, so an edit of the config sends nothing by itself.
func (d *Dispatcher) takeOver(h handover, oldKnew bool) (dropped []monitor.Incident) {
	if !d.gate.enter() {
		return nil
	}
	defer d.gate.unlock()
	p := d.policy
	filter := oldKnew || len(p.monitors) > 0
	now := p.clock.Now()
	for _, t := range h.mons {
		if _, ok := p.monitors[t.name]; filter && !ok {
			if t.inc != nil {
				in := t.inc.Incident
				in.End = now
				dropped = append(dropped, in)
			}
			continue
		}
		if _, known := p.mons[t.name]; known {
			continue
		}
		e := &entry{tracker: t}
		e.rules = &p.rules
		if m, ok := p.monitors[t.name]; ok {
			e.m = m
		}
		p.mons[t.name] = e
		if in := e.inc; in != nil {
			sent := in.sent
			in.sent = map[string]time.Time{}
			for _, o := range p.post.routes(e.m) {
				if at, ok := sent[o.name]; ok {
					in.sent[o.name] = at
				} else {
					in.sent[o.name] = now
				}
			}
		}
		p.step(e, event{kind: inResume, now: now})
	}
	p.startResends(h.resendsDue)
	// The new configuration may say otherwise of who depends on whom.
	for name := range p.deps.children {
		p.settleChildren(name)
	}
	for _, e := range p.mons {
		if e.phase == phaseJoined && len(p.deps.parents[e.name]) == 0 {
			p.step(e, event{kind: inRelease, now: now})
		}
	}
	return dropped
}

// passOn gives next what d's channels still have to send: the burst
// window's messages and every queue, to the channel of the same name;
// d's channels that next lacks finish their queues with their normal
// retries. When all of d's workers are done, d is cancelled and its done
// channel closed. Called once, after retire.
func (d *Dispatcher) passOn(next *Dispatcher, burst []pending) {
	var theirs, mine []pending
	for _, p := range burst {
		var nr, or []*outlet
		for _, o := range p.routes {
			if n, ok := next.post.byName[o.name]; ok {
				nr = append(nr, n)
			} else {
				or = append(or, o)
			}
		}
		if len(nr) > 0 {
			theirs = append(theirs, pending{item: p.item, routes: nr})
		}
		if len(or) > 0 {
			mine = append(mine, pending{item: p.item, routes: or})
		}
	}
	next.adoptBurst(theirs)
	if len(mine) > 0 {
		d.post.deliver(mine, verdict{})
	}
	d.post.passOn(next.post)
}

// adoptBurst puts messages of a retired Dispatcher in d's burst window.
func (d *Dispatcher) adoptBurst(items []pending) {
	if len(items) == 0 {
		return
	}
	if !d.gate.enter() {
		d.post.deliver(items, verdict{})
		return
	}
	for _, p := range items {
		d.burst.add(p.item, p.routes)
	}
	d.gate.unlock()
}
