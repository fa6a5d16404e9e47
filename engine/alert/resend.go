package alert

import (
	"slices"
	"strings"
	"time"
)

// resendLoop is the timer of one channel that wants every open incident
// again every so often (a Resender).
type resendLoop struct {
	o     *outlet
	timer alarm
	due   time.Time // when the next resend goes
}

// startResends arms a resend loop for every channel that wants one.
// due holds, by channel name, when a retired Dispatcher's next resend
// was due (a reload): the loop keeps that schedule instead of starting
// over, so that frequent reloads cannot starve it. Called with the lock
// held.
func (p *policy) startResends(due map[string]time.Time) {
	now := p.clock.Now()
	for _, r := range p.resends {
		r.timer.cancel()
	}
	p.resends = p.resends[:0]
	for _, o := range p.post.outlets {
		if o.resend <= 0 {
			continue
		}
		r := &resendLoop{o: o, due: due[o.name]}
		if r.due.IsZero() || r.due.After(now.Add(o.resend)) {
			r.due = now.Add(o.resend)
		}
		p.resends = append(p.resends, r)
		p.arm(&r.timer, r.due.Sub(now), func() { p.resend(r) })
	}
}

// resend queues every open incident routed to r's channel, replacing a
// resend still waiting in its queue, and re-arms. Called with the lock
// held.
func (p *policy) resend(r *resendLoop) {
	now := p.clock.Now()
	r.due = now.Add(r.o.resend)
	if items := p.openItems(r.o, now); len(items) > 0 {
		r.o.push(p.post.resend(items, now))
	}
	p.arm(&r.timer, r.due.Sub(now), func() { p.resend(r) })
}

// openItems describes every open incident whose monitor routes to o, by
// monitor name.
func (p *policy) openItems(o *outlet, now time.Time) []Item {
	var items []Item
	for _, e := range p.mons {
		if e.inc != nil && slices.Contains(p.post.routes(e.m), o) {
			items = append(items, p.related(e.name, e.incidentItem(EventResend, now)))
		}
	}
	slices.SortFunc(items, func(a, b Item) int { return strings.Compare(a.Monitor, b.Monitor) })
	return items
}

// resendsDue returns when each resend loop runs next, by channel name.
func (p *policy) resendsDue() map[string]time.Time {
	out := map[string]time.Time{}
	for _, r := range p.resends {
		out[r.o.name] = r.due
	}
	return out
}

// resend is the delivery of a resend of items. It replaces a resend
// still waiting in the queue; a part of it (see outlet.split) is a
// resend of fewer incidents.
func (p *courier) resend(items []Item, now time.Time) *delivery {
	dl := &delivery{msg: p.comp.resend(items, now), replaces: EventResend, routine: true}
	dl.part = func(items []Item) *delivery { return p.resend(items, now) }
	return dl
}
