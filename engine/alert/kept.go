package alert

import (
	"fmt"
	"slices"
	"time"
)

// A message that used up its attempts (MaxAttempts) on a failing channel
// is not dropped: nothing would ever tell its people again, and with no
// renotify the page that opened an incident would be the only one. As
// Alertmanager does with a notification, upbeat keeps trying:
//
//   - the message is kept in the channel's queue (bounded by QueueSize,
//     as every message is), where it still holds back the later messages
//     about its monitors, so that a resolve never goes before its DOWN;
//   - the oldest kept message is tried again when its backoff (which
//     keeps doubling, up to MaxBackoff) has passed: a probe of the
//     channel. The others wait for the channel to work again;
//   - as soon as any message gets through, every kept one is tried again
//     at once, in the order queued (one attempt each: a failure keeps it
//     again).
//
// A kept message about incidents that have all ended (a DOWN, or the
// reminders of an incident, whose resolve was queued since) is moot: it
// is not sent late, to wake someone for what is over. The resolve, when
// the channel takes resolves, says instead that the page never got
// through ("tells of both", see missedPage), and the kept message's
// outcome is reported as given up.

// missedPage is what a resolve says of the page about its incident that
// never got through the channel: when that page was composed, how many
// attempts failed, and the last error (redacted).
type missedPage struct {
	at       time.Time
	attempts int
	err      string
	dropped  bool // a full queue dropped it (see outlet.dropFull)
}

// park keeps a message that used up its attempts, with err its last
// attempt's, and reports that attempt: kept (it will be tried again), or
// given up on when it is moot or the outlet stops (a reload removed the
// channel: it finishes its queue and ends).
func (o *outlet) park(dl *delivery, err error) {
	c := o.c
	o.mu.Lock()
	switch {
	case o.stopped:
		o.mu.Unlock()
		c.report(o, dl, dl.attempts, err, false)
		c.reportDrop(o, dl, ErrClosed)
		return
	case o.closing && o.succ == nil:
		o.mu.Unlock()
		c.report(o, dl, dl.attempts, err, true)
		return
	case o.moot(dl):
		told := o.tellMissed(dl)
		o.mu.Unlock()
		c.report(o, dl, dl.attempts, mootError(err, told), true)
		return
	}
	dl.kept = true
	dl.due = c.clock.Now().Add(c.backoff(dl.attempts))
	o.insert(dl)
	o.mu.Unlock()
	c.report(o, dl, dl.attempts, err, false)
}

// release makes every kept message due now: the channel works again.
func (o *outlet) release() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, dl := range o.q {
		if dl.kept {
			dl.kept, dl.due = false, time.Time{}
		}
	}
}

// resolved tells the outlet that the incident of monitor that began at
// start has ended and its resolve is queued (on every channel the monitor
// routes to, whether it takes resolves or not): the kept messages it
// makes moot are dropped, and reported as given up.
func (o *outlet) resolved(monitor string, start time.Time) {
	o.mu.Lock()
	if s := o.succ; s != nil {
		o.mu.Unlock()
		s.resolved(monitor, start)
		return
	}
	o.setEnded(monitor, start)
	o.forgetEnded()
	moot := o.dropMoot()
	o.mu.Unlock()
	o.reportMoot(moot)
}

// mootDelivery is a kept message dropped as moot, and whether a resolve
// tells of it.
type mootDelivery struct {
	dl   *delivery
	told bool
}

// dropMoot takes the moot kept messages out of the queue, telling the
// resolves of their incidents. Called with o.mu held.
func (o *outlet) dropMoot() []mootDelivery {
	var moot []mootDelivery
	for i := 0; i < len(o.q); i++ {
		if dl := o.q[i]; dl.kept && o.moot(dl) {
			o.q = slices.Delete(o.q, i, i+1)
			i--
			moot = append(moot, mootDelivery{dl, o.tellMissed(dl)})
		}
	}
	return moot
}

// reportMoot reports the outcome of moot messages: given up on.
func (o *outlet) reportMoot(moot []mootDelivery) {
	for _, m := range moot {
		o.c.report(o, m.dl, m.dl.attempts, mootError(m.dl.lastErr, m.told), true)
	}
}

// setEnded records the end of monitor's incident that began at start.
// Called with o.mu held.
func (o *outlet) setEnded(monitor string, start time.Time) {
	if o.ended == nil {
		o.ended = map[string]time.Time{}
	}
	o.ended[monitor] = start
}

// moot reports whether every item of dl is about an incident that has
// ended (its DOWN, its flapping, a reminder): nothing in it is still
// worth a page. Called with o.mu held.
func (o *outlet) moot(dl *delivery) bool {
	if dl.routine || len(dl.msg.Items) == 0 {
		return false
	}
	for _, it := range dl.msg.Items {
		start, ok := o.ended[it.Monitor]
		if !paging(it.Event) || it.Incident == nil || !ok || !start.Equal(it.Incident.Start) {
			return false
		}
	}
	return true
}

// paging reports whether an item's event tells of an incident open.
func paging(event string) bool {
	return event == EventDown || event == EventFlapping || event == EventReminder
}

// tellMissed makes the queued resolves of the incidents whose page dl
// was (a DOWN or a flapping, not a reminder: its people had the page)
// say that the page never got through, and reports whether any does.
// Called with o.mu held.
func (o *outlet) tellMissed(dl *delivery) bool {
	miss := &missedPage{at: dl.msg.Time, attempts: dl.attempts, err: o.c.red.Error(dl.lastErr)}
	told := false
	for _, page := range dl.msg.Items {
		if page.Event != EventReminder && o.tellQueuedResolve(page, miss) {
			told = true
		}
	}
	return told
}

// tellQueuedResolve makes the queued resolve of page's incident, if any,
// say that the page never got through (miss), and reports whether one
// does. Called with o.mu held.
func (o *outlet) tellQueuedResolve(page Item, miss *missedPage) bool {
	for _, up := range o.q {
		if i := resolveOf(up, page); i >= 0 {
			items := slices.Clone(up.msg.Items)
			items[i].missed = miss
			o.c.recompose(up, items)
			return true
		}
	}
	return false
}

// resolveOf returns the index of the item of dl that resolves page's
// incident, or -1.
func resolveOf(dl *delivery, page Item) int {
	if dl.routine {
		return -1
	}
	return slices.IndexFunc(dl.msg.Items, func(it Item) bool { return resolves(it, page.Monitor, page.Incident.Start) })
}

// resolves reports whether it is the resolve of monitor's incident that
// began at start.
func resolves(it Item, monitor string, start time.Time) bool {
	return it.Event == EventUp && it.Monitor == monitor && it.Incident != nil && it.Incident.Start.Equal(start)
}

// recompose writes dl's message again from items, as it was composed
// (the same ID and time).
func (p *courier) recompose(dl *delivery, items []Item) {
	var m Message
	if dl.part != nil {
		m = dl.part(items).msg
	} else {
		m = p.comp.single(items[0], dl.msg.Time)
	}
	dl.msg.Title, dl.msg.Text, dl.msg.Items = m.Title, m.Text, m.Items
}

// mootError is the outcome of a kept message that is not sent because
// its incidents ended: its last error, and why it goes no further.
func mootError(last error, told bool) error {
	why := "not sent: its incident ended before the channel worked again"
	if told {
		why += ", and the resolve tells of it"
	}
	if last == nil {
		return fmt.Errorf("%s", why)
	}
	return fmt.Errorf("%w; %s", last, why)
}
