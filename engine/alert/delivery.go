package alert

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// delivery is one message waiting for one channel.
type delivery struct {
	msg      Message
	monitor  string     // the monitor it is about, when there is one
	done     chan error // Test: the outcome of its single attempt
	attempts int        // attempts made so far, by this outlet or its predecessors
	seq      uint64     // the order it was queued in (see requeue)
	due      time.Time  // not before: the backoff after a failed attempt
	// replaces: a queued delivery with the same key is replaced by this
	// one instead of waiting beside it (a resend supersedes the last).
	replaces string
	// routine: a success is logged at debug level and not reported
	// through OnDelivery (resends); a failure is reported as usual.
	routine bool
	// part composes the message about some of msg's items, as msg was
	// composed, so that a message about several monitors can be split
	// (see outlet.split); nil: it goes whole or not at all.
	part func(items []Item) *delivery
	// kept: the message used up its attempts (MaxAttempts) and waits for
	// the channel to work again (see kept.go); lastErr is its last
	// attempt's error.
	kept    bool
	lastErr error
}

// outlet is one configured channel with its queue and its worker: a slow
// or hung channel holds up nothing but its own queue.
type outlet struct {
	c    *courier
	name string
	kind string
	ch   Channel
	on   map[string]bool
	// renotify is the channel's reminder interval; 0: no reminders.
	renotify time.Duration
	// resend: the channel wants every open incident again this often
	// (Resender); 0: it does not.
	resend time.Duration

	mu      sync.Mutex
	q       []*delivery // in the order queued, a message being retried included
	seq     uint64      // the last delivery's seq
	closing bool
	wake    chan struct{} // capacity 1: "the queue changed"

	// After a reload (see passOn): succ is the channel of the same name in
	// the next Dispatcher, which takes over this one's queue once the
	// attempt in flight ends; handoff is closed when succ is set. held
	// keeps this outlet from sending until its predecessor has handed
	// over. stopped: the worker is gone and takes nothing more.
	succ    *outlet
	handoff chan struct{}
	held    bool
	stopped bool

	// failing: the channel's last attempt failed. ended holds, by
	// monitor, when the incident whose resolve was queued last began:
	// a kept message about it alone is moot (see kept.go).
	failing bool
	ended   map[string]time.Time
	// lost holds, by monitor, the page a full queue dropped whose resolve
	// has not come yet: the resolve tells of it (see dropFull).
	lost map[string]lostPage
}

// lostPage is a page a full queue dropped: the incident it opened, and
// what its resolve is to say of it.
type lostPage struct {
	start time.Time
	miss  *missedPage
}

// accepts reports whether the channel wants messages about event.
func (o *outlet) accepts(event string) bool {
	switch event {
	case EventDown, EventReminder, EventFlapping, EventNetwork:
		return o.on["down"]
	case EventUp:
		return o.on["up"]
	case EventDegraded, EventNormal:
		return o.on["degraded"]
	case EventBurn, EventBurnOver:
		return o.on["burn"]
	}
	return true
}

// push queues a delivery without blocking. When the queue is full the
// oldest message is dropped, and reported as such.
func (o *outlet) push(dl *delivery) {
	o.mu.Lock()
	if s := o.succ; s != nil {
		o.mu.Unlock()
		s.push(dl)
		return
	}
	if o.closing || o.stopped {
		o.mu.Unlock()
		o.c.reportDrop(o, dl, ErrClosed)
		return
	}
	if dl.replaces != "" {
		for i, q := range o.q {
			if q.replaces == dl.replaces {
				dl.seq = q.seq
				o.q[i] = dl
				o.mu.Unlock()
				return
			}
		}
	}
	o.seq++
	dl.seq = o.seq
	o.tellLost(dl)
	dropped := dl
	if len(o.q) < o.c.queueSize {
		dropped = nil
		o.q = append(o.q, dl)
	} else if i := o.victim(dl); i >= 0 {
		dropped = o.q[i]
		o.q = append(slices.Delete(o.q, i, i+1), dl)
	}
	if dropped != nil {
		o.dropFull(dropped)
	}
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	if dropped != nil {
		o.c.reportDrop(o, dropped, errQueueFull)
	}
}

// victim picks the message that a full queue drops to take dl: of those
// least worth a page (dropRank), the oldest, dl counted as the newest;
// -1 is dl itself. A page that a failing channel keeps (kept.go) is the
// oldest message of a queue that fills up behind it: dropping the oldest
// message, as the queue did, let reminders and notices of slowness push
// out the only page of an outage. Called with o.mu held.
//
// First of all it drops a page whose resolve is queued too, or is dl
// (overPage): that incident is over, and its resolve tells of both
// (dropFull).
func (o *outlet) victim(dl *delivery) int {
	if i := o.overPage(dl); i >= 0 {
		return i
	}
	at, rank := -1, dropRank(dl)
	for i, q := range o.q {
		if r := dropRank(q); r < rank || r == rank && at == -1 {
			at, rank = i, r
		}
	}
	return at
}

// dropRank orders messages by what a full queue drops first: a resend
// (the next one says it all again), a reminder (of a page that went),
// a notice of slowness, budget or a test, and last a page of an outage.
// A message about several monitors (a group) is worth its most urgent
// item: a group of notices of slowness is no page.
func dropRank(dl *delivery) int {
	if dl.routine {
		return 0
	}
	if len(dl.msg.Items) == 0 {
		return eventRank(dl.msg.Event) // a test
	}
	rank := 0
	for _, it := range dl.msg.Items {
		r := eventRank(it.Event)
		if it.missed != nil {
			r = 2 // a resolve whose page never went out: nobody waits for it
		}
		rank = max(rank, r)
	}
	return rank
}

// overPage returns the index of the oldest queued message that is only
// pages of incidents whose resolves are queued too, or are dl; -1 when
// there is none. A message that also tells of anything else is not one.
func (o *outlet) overPage(dl *delivery) int {
	type incident struct {
		monitor string
		start   int64 // unix ns
	}
	var over map[incident]bool
	note := func(up *delivery) {
		if up.routine {
			return
		}
		for _, it := range up.msg.Items {
			if it.Event == EventUp && it.Incident != nil {
				if over == nil {
					over = make(map[incident]bool)
				}
				over[incident{it.Monitor, it.Incident.Start.UnixNano()}] = true
			}
		}
	}
	note(dl)
	for _, up := range o.q {
		note(up)
	}
	if over == nil {
		return -1
	}
	for i, q := range o.q {
		if len(q.msg.Items) > 0 && !slices.ContainsFunc(q.msg.Items, func(it Item) bool {
			return !opens(it) || !over[incident{it.Monitor, it.Incident.Start.UnixNano()}]
		}) {
			return i
		}
	}
	return -1
}

// opens reports whether an item is the page that opened an incident.
func opens(it Item) bool {
	return (it.Event == EventDown || it.Event == EventFlapping) && it.Incident != nil
}

// dropFull follows a message a full queue dropped: when it held the page
// of an incident, the resolve of that incident says the page never got
// through, now if it is queued, else when it comes (tellLost). Called
// with o.mu held.
func (o *outlet) dropFull(dl *delivery) {
	for _, page := range dl.msg.Items {
		if !opens(page) {
			continue
		}
		miss := &missedPage{at: dl.msg.Time, attempts: dl.attempts, dropped: true}
		if !o.tellQueuedResolve(page, miss) {
			o.keepLost(page.Monitor, lostPage{start: page.Incident.Start, miss: miss})
		}
	}
}

// keepLost remembers monitor's page a full queue dropped. Called with
// o.mu held.
func (o *outlet) keepLost(monitor string, lp lostPage) {
	if o.lost == nil {
		o.lost = make(map[string]lostPage)
	}
	o.lost[monitor] = lp
}

// forgetEnded forgets the lost pages of incidents that ended with no
// resolve told of them (the channel takes none, or it was told before
// the page was handed over). Called with o.mu held.
func (o *outlet) forgetEnded() {
	for m, lp := range o.lost {
		if start, ok := o.ended[m]; ok && start.Equal(lp.start) {
			delete(o.lost, m)
		}
	}
}

// tellLost makes dl's resolves of incidents whose page a full queue
// dropped say so. Called with o.mu held.
func (o *outlet) tellLost(dl *delivery) {
	if len(o.lost) == 0 || dl.routine {
		return
	}
	var items []Item
	for i, it := range dl.msg.Items {
		lp, ok := o.lost[it.Monitor]
		if !ok || !resolves(it, it.Monitor, lp.start) {
			continue
		}
		if items == nil {
			items = slices.Clone(dl.msg.Items)
		}
		items[i].missed = lp.miss
		delete(o.lost, it.Monitor)
	}
	if items != nil {
		o.c.recompose(dl, items)
	}
}

// eventRank is dropRank's order for one event; a resolve ranks with what
// it resolves.
func eventRank(event string) int {
	switch event {
	case EventReminder:
		return 1
	case EventDegraded, EventNormal, EventBurn, EventBurnOver, EventTest:
		return 2
	}
	return 3 // a page of an outage: DOWN, its resolve, flapping, a suspect network
}

// errQueueFull is reported for a message dropped from a full queue.
var errQueueFull = errors.New("queue full: message dropped")

// close stops the queue from taking more; the worker sends what is queued
// (one attempt each) and exits.
func (o *outlet) close() {
	o.mu.Lock()
	o.closing = true
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// next waits for the next delivery to attempt: the oldest one that is
// due and that no older queued message holds back (see pick). A
// message waiting out its backoff stays in the queue, so that the
// messages behind it are not held up by it; once Close begins, nothing
// waits out a backoff. ok is false when the outlet is closed and empty,
// the dispatcher is cancelled, or the queue went to the successor.
func (o *outlet) next() (dl *delivery, ok bool) {
	c := o.c
	for {
		o.mu.Lock()
		cancelled := c.ctx.Err() != nil
		var soonest time.Time // when the first message held by its backoff is due
		switch {
		case cancelled:
			rest := o.q
			o.q = nil
			o.stopped = true
			o.mu.Unlock()
			for _, dl := range rest {
				c.reportDrop(o, dl, ErrClosed)
			}
			return nil, false
		case o.held: // the predecessor's messages come first
		case o.succ != nil:
			o.mu.Unlock()
			o.handOver(nil)
			return nil, false
		case len(o.q) > 0:
			var i int
			i, soonest = o.pick(c.clock.Now(), c.isDraining())
			if i >= 0 {
				dl = o.q[i]
				o.q = slices.Delete(o.q, i, i+1)
				o.mu.Unlock()
				return dl, true
			}
		case o.closing:
			o.stopped = true
			o.mu.Unlock()
			return nil, false
		}
		handoff := o.handoff
		if o.succ != nil {
			handoff = nil // closed already
		}
		o.mu.Unlock()
		var due <-chan struct{}
		stop := func() bool { return false }
		draining := c.draining
		if !soonest.IsZero() {
			due, stop = wait(c.clock, soonest.Sub(c.clock.Now()))
		} else {
			draining = nil // nothing waits out a backoff
		}
		select {
		case <-o.wake:
		case <-handoff:
		case <-due:
		case <-draining:
		case <-c.ctx.Done():
		}
		stop()
	}
}

// pick returns the index of the queued message to attempt next, or -1
// and when the first message waiting out its backoff is due. A message
// is taken when it is due (or the courier drains) and no older queued
// message is about one of its monitors: a resolve never overtakes the
// DOWN it resolves, while a message about other monitors goes ahead of
// one that is being retried. A message about several monitors, only
// some of which an older message holds back, is split first: the part
// about the others is taken. Of the kept messages (see kept.go), only
// the oldest is tried when due, as a probe of the channel; the others
// wait for the channel to work again, unless the outlet is closing or
// draining. Called with o.mu held.
func (o *outlet) pick(now time.Time, draining bool) (int, time.Time) {
	var soonest time.Time
	probe := true                   // no kept message seen yet
	ahead := map[string]bool{}      // the monitors the messages before the i-th are about
	for i := 0; i < len(o.q); i++ { // a split lengthens o.q
		held := heldBack(o.q[i], ahead)
		if len(held) == 0 || o.split(i, held) {
			dl := o.q[i]
			switch {
			case dl.kept && !probe && !draining && !o.closing: // waits for the channel to work
			case draining || !dl.due.After(now):
				return i, time.Time{}
			case soonest.IsZero() || dl.due.Before(soonest):
				soonest = dl.due
			}
		}
		probe = probe && !o.q[i].kept
		for _, m := range o.q[i].msg.about() {
			ahead[m] = true
		}
	}
	return -1, soonest
}

// heldBack returns the monitors dl is about that a message ahead of it
// in the queue is about too.
func heldBack(dl *delivery, ahead map[string]bool) []string {
	var held []string
	for _, m := range dl.msg.about() {
		if ahead[m] {
			held = append(held, m)
		}
	}
	return held
}

// split divides the i-th queued message, which older messages hold back
// for the monitors in held, in two, and reports whether it did: the part
// about the other monitors takes its place, to go now, and the part
// about held waits right behind it, in the same place among the other
// messages, for the older ones. So a monitor with nothing pending is not
// kept waiting while another monitor's message is retried, and each
// monitor's messages still go in order. Only a message not yet tried is
// split (a retry is the same message, with the same id); one about held
// alone is not. Called with o.mu held.
func (o *outlet) split(i int, held []string) bool {
	dl := o.q[i]
	if dl.part == nil || dl.attempts > 0 || len(held) == len(dl.msg.about()) {
		return false
	}
	var free, rest []Item
	for _, it := range dl.msg.Items {
		if slices.Contains(held, it.Monitor) {
			rest = append(rest, it)
		} else {
			free = append(free, it)
		}
	}
	now, later := dl.part(free), dl.part(rest)
	for _, p := range []*delivery{now, later} {
		p.seq, p.due, p.routine = dl.seq, dl.due, dl.routine
	}
	later.replaces = dl.replaces // a later resend replaces what still waits
	o.q[i] = later
	o.q = slices.Insert(o.q, i, now)
	return true
}

// requeue puts back a message to be retried at its due time, where it
// was in the queue: before every message queued after it (and before
// the held part of a message it was split from, which is about other
// monitors). A message queued meanwhile about one of its monitors
// therefore still waits for it. When the outlet stopped meanwhile, the
// message is reported dropped.
func (o *outlet) requeue(dl *delivery) {
	o.mu.Lock()
	if o.stopped {
		o.mu.Unlock()
		o.c.reportDrop(o, dl, ErrClosed)
		return
	}
	o.insert(dl)
	o.mu.Unlock()
}

// insert puts dl back in its place in the queue (see requeue). Called
// with o.mu held.
func (o *outlet) insert(dl *delivery) {
	i := 0
	for i < len(o.q) && o.q[i].seq < dl.seq {
		i++
	}
	o.q = slices.Insert(o.q, i, dl)
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// run is the outlet's worker.
func (o *outlet) run() {
	defer o.c.wg.Done()
	for {
		dl, ok := o.next()
		if !ok {
			return
		}
		o.attempt(dl)
	}
}

// attempt makes one attempt at a message and reports it. A message that
// failed and may be tried again goes back into the queue with its
// backoff, not waited out here: the messages behind it go meanwhile;
// one that used up its attempts is kept (see park). Once the dispatcher
// closes, a message waiting to be retried gets one last attempt and
// nothing is retried after that: a failure then is final (gave up);
// when a successor takes the queue over (a reload), it retries the
// message, even if this outlet is closing.
func (o *outlet) attempt(dl *delivery) {
	c := o.c
	if c.ctx.Err() != nil {
		c.reportDrop(o, dl, ErrClosed)
		return
	}
	dl.attempts++
	ctx, cancel := context.WithTimeout(c.ctx, c.sendTimeout)
	err := o.ch.Send(ctx, dl.msg)
	cancel()
	if err == nil {
		o.delivered(dl)
		return
	}
	dl.lastErr = err
	o.setFailing(true)
	retry := dl.done == nil && !IsPermanent(err) && (o.handingOff() || c.ctx.Err() == nil && !c.isDraining())
	switch {
	case !retry:
		c.report(o, dl, dl.attempts, err, true)
		if dl.done != nil {
			dl.done <- c.redactErr(err)
		}
	case dl.attempts < c.maxAttempts:
		c.report(o, dl, dl.attempts, err, false)
		dl.due = c.clock.Now().Add(c.backoff(dl.attempts))
		o.requeue(dl)
	default:
		o.park(dl, err)
	}
}

// delivered reports a message that got through. The channel works: the
// messages kept for that moment go next. A routine message is reported
// like any other when the attempt before it failed, so that the warning
// of a failing channel ends with it.
func (o *outlet) delivered(dl *delivery) {
	if o.setFailing(false) {
		dl.routine = false
	}
	o.c.report(o, dl, dl.attempts, nil, false)
	o.release()
	if dl.done != nil {
		dl.done <- nil
	}
}

// setFailing records whether the channel's last attempt failed and
// reports whether the one before it had.
func (o *outlet) setFailing(failing bool) (was bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	was, o.failing = o.failing, failing
	return was
}

// handingOff reports whether a successor takes over this outlet's queue.
func (o *outlet) handingOff() bool {
	select {
	case <-o.handoff:
		return true
	default:
		return false
	}
}

// handTo makes n, the channel of the same name in the next Dispatcher,
// the successor of o: o's worker passes on its queue, and a message
// waiting to be retried, once its attempt in flight (if any) has ended.
// n sends nothing until then, so that messages keep their order.
func (o *outlet) handTo(n *outlet) {
	o.mu.Lock()
	if o.stopped || o.succ != nil {
		o.mu.Unlock()
		return
	}
	o.succ = n
	n.mu.Lock()
	n.held = true
	n.mu.Unlock()
	o.mu.Unlock()
	close(o.handoff)
}

// handOver gives the successor what o still has to send, dl (the
// message in hand, if any) first, and stops o.
func (o *outlet) handOver(dl *delivery) {
	o.mu.Lock()
	items := o.q
	o.q = nil
	o.stopped = true
	succ, failing, ended, lost := o.succ, o.failing, o.ended, o.lost
	o.mu.Unlock()
	if dl != nil {
		items = append([]*delivery{dl}, items...)
	}
	succ.receive(items, failing, ended, lost)
}

// receive takes the messages a predecessor handed over: they go before
// anything queued since, keeping their attempts, due times and whether
// they are kept. A full queue drops its oldest, as push does. failing
// ended and lost are the predecessor's (see outlet); what this outlet
// learnt since goes first.
func (o *outlet) receive(items []*delivery, failing bool, ended map[string]time.Time, lost map[string]lostPage) {
	o.mu.Lock()
	o.held = false
	o.failing = o.failing || failing
	for m, start := range ended {
		if _, ok := o.ended[m]; !ok {
			o.setEnded(m, start)
		}
	}
	for m, lp := range lost {
		if _, ok := o.lost[m]; !ok {
			o.keepLost(m, lp)
		}
	}
	for _, dl := range o.q { // a resolve pushed here before the lost page came
		o.tellLost(dl)
	}
	o.forgetEnded()
	if o.stopped {
		o.mu.Unlock()
		for _, dl := range items {
			o.c.reportDrop(o, dl, ErrClosed)
		}
		return
	}
	q := append(items, o.q...)
	for _, dl := range q { // the handed-over ones first
		o.seq++
		dl.seq = o.seq
	}
	o.q = q
	var dropped []*delivery
	for len(o.q) > o.c.queueSize { // as push drops, the newest taking the place
		last := o.q[len(o.q)-1]
		o.q = o.q[:len(o.q)-1]
		out := last
		if i := o.victim(last); i >= 0 {
			out = o.q[i]
			o.q = append(slices.Delete(o.q, i, i+1), last)
		}
		o.dropFull(out)
		dropped = append(dropped, out)
	}
	moot := o.dropMoot() // an incident may have ended here before the queue came
	// A reload is how a broken channel is most often mended: the oldest
	// kept message is tried on the new one at once, not at the end of the
	// old one's backoff; its success releases the others.
	for _, dl := range o.q {
		if dl.kept {
			dl.due = time.Time{}
			break
		}
	}
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	for _, dl := range dropped {
		o.c.reportDrop(o, dl, errQueueFull)
	}
	o.reportMoot(moot)
}
