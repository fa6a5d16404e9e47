package alert

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
)

// Delivery defaults.
const (
	defaultSendTimeout = 30 * time.Second
	defaultMaxAttempts = 6
	defaultBackoff     = 2 * time.Second
	defaultMaxBackoff  = 5 * time.Minute
	defaultQueueSize   = 100
	defaultDrain       = 5 * time.Second
)

// delivery is one message waiting for one channel.
type delivery struct {
	msg     Message
	monitor string     // the monitor it is about, when there is one
	done    chan error // Test: the outcome of its single attempt
}

// outlet is one configured channel with its queue and its worker: a slow
// or hung channel holds up nothing but its own queue.
type outlet struct {
	d    *Dispatcher
	name string
	kind string
	ch   Channel
	on   map[string]bool
	// renotify is the channel's reminder interval; 0: no reminders.
	renotify time.Duration

	mu      sync.Mutex
	q       []*delivery
	closing bool
	wake    chan struct{} // capacity 1: "the queue changed"
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
	}
	return true
}

// push queues a delivery without blocking. When the queue is full the
// oldest message is dropped, and reported as such.
func (o *outlet) push(dl *delivery) {
	o.mu.Lock()
	if o.closing {
		o.mu.Unlock()
		o.d.reportDrop(o, dl, ErrClosed)
		return
	}
	var dropped *delivery
	if len(o.q) >= o.d.opts.QueueSize {
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
		o.d.reportDrop(o, dropped, errQueueFull)
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
// and empty, or the dispatcher is cancelled.
func (o *outlet) next() (dl *delivery, ok bool) {
	for {
		o.mu.Lock()
		if len(o.q) > 0 && o.d.ctx.Err() == nil {
			dl = o.q[0]
			o.q[0] = nil
			o.q = o.q[1:]
			o.mu.Unlock()
			return dl, true
		}
		rest := o.q
		o.q = nil
		closing := o.closing
		o.mu.Unlock()
		if o.d.ctx.Err() != nil {
			for _, dl := range rest {
				o.d.reportDrop(o, dl, ErrClosed)
			}
			return nil, false
		}
		if closing {
			return nil, false
		}
		select {
		case <-o.wake:
		case <-o.d.ctx.Done():
		}
	}
}

// run is the outlet's worker.
func (o *outlet) run() {
	defer o.d.wg.Done()
	for {
		dl, ok := o.next()
		if !ok {
			return
		}
		o.deliver(dl)
	}
}

// deliver sends one message, retrying with exponential backoff. Every
// attempt is reported. While the dispatcher closes, nothing is retried.
func (o *outlet) deliver(dl *delivery) {
	d := o.d
	max := d.opts.MaxAttempts
	if dl.done != nil {
		max = 1
	}
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithTimeout(d.ctx, d.opts.SendTimeout)
		err := o.ch.Send(ctx, dl.msg)
		cancel()
		d.report(o, dl, attempt, err)
		if err == nil || IsPermanent(err) || attempt >= max || d.ctx.Err() != nil || d.isDraining() {
			if dl.done != nil {
				dl.done <- d.redactErr(err)
			}
			return
		}
		t := time.NewTimer(d.backoff(attempt))
		select {
		case <-t.C:
		case <-d.draining:
			t.Stop()
			return
		case <-d.ctx.Done():
			t.Stop()
			return
		}
	}
}

// backoff is the wait after the given failed attempt: Backoff, doubling,
// at most MaxBackoff.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	w := d.opts.Backoff
	for i := 1; i < attempt && w < d.opts.MaxBackoff; i++ {
		w *= 2
	}
	return min(w, d.opts.MaxBackoff)
}

// isDraining reports whether Close has begun.
func (d *Dispatcher) isDraining() bool {
	select {
	case <-d.draining:
		return true
	default:
		return false
	}
}

// report publishes one delivery attempt: to the log and to OnDelivery.
// Nothing in it holds a secret.
func (d *Dispatcher) report(o *outlet, dl *delivery, attempt int, err error) {
	ae := &engine.AlertEvent{
		Channel: o.name, Kind: o.kind, Subject: d.red.Redact(dl.msg.Title),
		OK: err == nil, Error: d.red.Error(err), Attempts: attempt,
	}
	if err != nil {
		d.log.Warn("alert delivery failed", "channel", o.name, "kind", o.kind, "event", dl.msg.Event,
			"attempt", attempt, "error", ae.Error)
	} else {
		d.log.Info("alert delivered", "channel", o.name, "kind", o.kind, "event", dl.msg.Event, "attempt", attempt)
	}
	if d.opts.OnDelivery != nil {
		d.opts.OnDelivery(engine.Event{Kind: engine.EventAlert, Time: time.Now(), Monitor: dl.monitor, Alert: ae})
	}
}

// reportDrop reports a message that will never be attempted.
func (d *Dispatcher) reportDrop(o *outlet, dl *delivery, why error) {
	d.report(o, dl, 0, why)
	if dl.done != nil {
		dl.done <- why
	}
}

// redactedError carries an error's redacted text. It answers errors.Is for
// the original's sentinels without handing the original out.
type redactedError struct {
	msg  string
	orig error
}

func (e *redactedError) Error() string { return e.msg }

// Is reports whether the original error matches target.
func (e *redactedError) Is(target error) bool { return errors.Is(e.orig, target) }

// redactErr returns err with every secret removed from its text.
func (d *Dispatcher) redactErr(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: d.red.Error(err), orig: err}
}
