package alert

import (
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
//     (with its attempts and its next due time), to the new channel of
//     the same name. That channel sends nothing until the old one's
//     attempt in flight, if any, has ended, so messages keep their order.
//
// A channel the new configuration lacks finishes its queue in the
// background with its normal retries (MaxAttempts each), then stops.
// Incidents of monitors the new configuration lacks are closed without a
// message: see takeOver.

// handover is what a retiring Dispatcher passes to its successor.
type handover struct {
	mons  []monCarry
	burst []pending
}

// monCarry is one monitor's state, without its timers.
type monCarry struct {
	st      monState // timers and incident cleared
	holding bool     // a resolve was held
	inc     *incCarry
}

// incCarry is an open incident, its channels known by name.
type incCarry struct {
	monitor.Incident
	last  *monitor.Result
	sent  map[string]time.Time // channel name: last message about it
	downs int
}

// retire stops d's policy for good (no more alerts taken, timers
// stopped, connectivity checks ended, whose messages go to d's channels)
// and returns what its successor needs. ok is false when d was closed
// already: there is nothing to hand over.
func (d *Dispatcher) retire() (h handover, ok bool) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return h, false
	}
	for _, ms := range d.mons {
		c := monCarry{st: *ms, holding: ms.holdTimer != nil}
		c.st.flapTimer, c.st.holdTimer, c.st.inc = nil, nil, nil
		c.st.edges = slices.Clone(ms.edges)
		if in := ms.inc; in != nil {
			ic := &incCarry{Incident: in.snapshot(), last: in.last, downs: in.downs, sent: map[string]time.Time{}}
			for o, t := range in.sent {
				ic.sent[o.name] = t
			}
			c.inc = ic
		}
		h.mons = append(h.mons, c)
	}
	slices.SortFunc(h.mons, func(a, b monCarry) int { return strings.Compare(a.st.name, b.st.name) })
	h.burst, _ = d.stopLocked()
	d.mu.Unlock()
	d.stopChecks()
	d.checks.Wait()
	return h, true
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
	d.mu.Lock()
	defer d.unlock()
	if d.closed {
		return nil
	}
	filter := oldKnew || len(d.monitors) > 0
	now := time.Now()
	for _, c := range h.mons {
		name := c.st.name
		if _, ok := d.monitors[name]; filter && !ok {
			if c.inc != nil {
				in := c.inc.Incident
				in.End = now
				dropped = append(dropped, in)
			}
			continue
		}
		if _, known := d.mons[name]; known {
			continue
		}
		ms := &monState{}
		*ms = c.st
		if m, ok := d.monitors[name]; ok {
			ms.m = m
		}
		d.mons[name] = ms
		if c.inc != nil {
			in := c.inc.Incident
			in.End = time.Time{}
			inc := &incident{Incident: in, last: c.inc.last, downs: c.inc.downs, sent: map[*outlet]time.Time{}}
			for _, o := range d.routes(ms.m) {
				if t, ok := c.inc.sent[o.name]; ok {
					inc.sent[o] = t
				} else {
					inc.sent[o] = now
				}
			}
			ms.inc = inc
			d.scheduleReminder(ms)
		}
		if ms.flapping && len(ms.edges) > 0 {
			// It settles FlapQuiet after its last change, as before.
			ms.flapGen++
			gen := ms.flapGen
			quiet := time.Until(ms.edges[len(ms.edges)-1].Add(d.opts.FlapQuiet))
			ms.flapTimer = time.AfterFunc(max(quiet, 0), func() { d.settle(ms, gen) })
			continue
		}
		ms.flapping = false
		if c.holding && ms.inc != nil {
			// The held resolve goes out when the hold would have ended.
			d.maybeResolve(ms, ms.holdEnd, ms.holdResult)
		}
	}
	return dropped
}

// passOn gives next what d's channels still have to send: the burst
// window's messages and every queue, to the channel of the same name;
// d's channels that next lacks finish their queues with their normal
// retries. When all of d's workers are done, d is cancelled and d.done
// closed. Called once, after retire.
func (d *Dispatcher) passOn(next *Dispatcher, burst []pending) {
	var theirs, mine []pending
	for _, p := range burst {
		var nr, or []*outlet
		for _, o := range p.routes {
			if n, ok := next.byName[o.name]; ok {
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
		d.deliver(mine, "", nil)
	}
	for _, o := range d.outlets {
		if n, ok := next.byName[o.name]; ok {
			o.handTo(n)
		} else {
			o.close()
		}
	}
	go func() {
		d.wg.Wait()
		d.cancel()
		close(d.done)
	}()
}

// adoptBurst puts messages of a retired Dispatcher in d's burst window.
func (d *Dispatcher) adoptBurst(items []pending) {
	if len(items) == 0 {
		return
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		d.deliver(items, "", nil)
		return
	}
	for _, p := range items {
		d.enqueue(p.item, p.routes)
	}
	d.unlock()
}
