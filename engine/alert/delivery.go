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
	due      time.Time  // not before: the backoff after a failed attempt
	// replaces: a queued delivery with the same key is replaced by this
	// one instead of waiting beside it (a resend supersedes the last).
	replaces string
	// routine: a success is logged at debug level and not reported
	// through OnDelivery (resends); a failure is reported as usual.
	routine bool
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
	q       []*delivery
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
				o.q[i] = dl
				o.mu.Unlock()
				return
			}
		}
	}
	var dropped *delivery
	if len(o.q) >= o.c.queueSize {
		dropped = o.q[0]
		o.q[0] = nil
		o.q = o.q[1:]
	}
	o.q = append(o.q, dl)
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	if dropped != nil {
		o.c.reportDrop(o, dropped, errQueueFull)
	}
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

// next waits for the next delivery. ok is false when the outlet is closed
// and empty, the dispatcher is cancelled, or the queue went to the
// successor.
func (o *outlet) next() (dl *delivery, ok bool) {
	for {
		o.mu.Lock()
		cancelled := o.c.ctx.Err() != nil
		switch {
		case cancelled:
			rest := o.q
			o.q = nil
			o.stopped = true
			o.mu.Unlock()
			for _, dl := range rest {
				o.c.reportDrop(o, dl, ErrClosed)
			}
			return nil, false
		case o.held: // the predecessor's messages come first
		case o.succ != nil:
			o.mu.Unlock()
			o.handOver(nil)
			return nil, false
		case len(o.q) > 0:
			dl = o.q[0]
			o.q[0] = nil
			o.q = o.q[1:]
			o.mu.Unlock()
			return dl, true
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
		select {
		case <-o.wake:
		case <-handoff:
		case <-o.c.ctx.Done():
		}
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
		if !o.deliver(dl) {
			o.handOver(dl)
			return
		}
	}
}

// deliver sends one message, retrying with exponential backoff. Every
// attempt is reported. Once the dispatcher closes, a message waiting to
// be retried gets one last attempt and nothing is retried after that. It
// returns false when the message, not yet sent, is to go to the
// successor (a reload): it does so rather than wait out a backoff or
// make another attempt here.
func (o *outlet) deliver(dl *delivery) bool {
	c := o.c
	max := c.maxAttempts
	if dl.done != nil {
		max = 1
	}
	for {
		if !o.waitDue(dl) || o.handingOff() {
			return false
		}
		if c.ctx.Err() != nil {
			c.reportDrop(o, dl, ErrClosed)
			return true
		}
		dl.attempts++
		ctx, cancel := context.WithTimeout(c.ctx, c.sendTimeout)
		err := o.ch.Send(ctx, dl.msg)
		cancel()
		finished := err == nil || IsPermanent(err) || dl.attempts >= max
		c.report(o, dl, dl.attempts, err, err != nil && finished)
		if !finished && o.handingOff() {
			dl.due = c.clock.Now().Add(c.backoff(dl.attempts))
			return false // the successor retries it, even if this one is closing
		}
		if finished || c.ctx.Err() != nil || c.isDraining() {
			if dl.done != nil {
				dl.done <- c.redactErr(err)
			}
			return true
		}
		dl.due = c.clock.Now().Add(c.backoff(dl.attempts))
	}
}

// waitDue waits out dl's backoff, cut short when the courier drains or is
// cancelled. It returns false when a successor takes the queue over
// meanwhile.
func (o *outlet) waitDue(dl *delivery) bool {
	c := o.c
	d := dl.due.Sub(c.clock.Now())
	if d <= 0 || c.isDraining() {
		return true
	}
	due, stop := wait(c.clock, d)
	defer stop()
	select {
	case <-due:
	case <-c.draining:
	case <-o.handoff:
		return false
	case <-c.ctx.Done():
	}
	return true
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
	succ := o.succ
	o.mu.Unlock()
	if dl != nil {
		items = append([]*delivery{dl}, items...)
	}
	succ.receive(items)
}

// receive takes the messages a predecessor handed over: they go before
// anything queued since, keeping their attempts and due times. A full
// queue drops its oldest, as push does.
func (o *outlet) receive(items []*delivery) {
	o.mu.Lock()
	o.held = false
	if o.stopped {
		o.mu.Unlock()
		for _, dl := range items {
			o.c.reportDrop(o, dl, ErrClosed)
		}
		return
	}
	q := append(items, o.q...)
	var dropped []*delivery
	if n := len(q) - o.c.queueSize; n > 0 {
		dropped = slices.Clone(q[:n])
		q = q[n:]
	}
	o.q = q
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	for _, dl := range dropped {
		o.c.reportDrop(o, dl, errQueueFull)
	}
}
