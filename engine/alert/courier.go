package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
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

// courier owns the channels: it routes a monitor's messages, composes one
// message per channel from a group of items, and runs one queue and
// worker per channel (see outlet) with retries, backoff and reports.
type courier struct {
	clock      clock
	comp       composer
	red        *Redactor
	log        *slog.Logger
	onDelivery func(monitor.Event)

	sendTimeout  time.Duration
	maxAttempts  int
	backoffBase  time.Duration
	maxBackoff   time.Duration
	queueSize    int
	drainTimeout time.Duration

	outlets  []*outlet
	byName   map[string]*outlet
	defaults []*outlet

	ctx       context.Context // cancelled: every attempt ends, nothing more is tried
	cancel    context.CancelFunc
	draining  chan struct{} // closed when Close begins
	drainOnce sync.Once
	wg        sync.WaitGroup // workers
	done      chan struct{}  // closed once a retired courier's workers are done (see passOn)
}

// newCourier returns a courier without channels; add them, then start.
func newCourier(opts Options, c clock) *courier {
	p := &courier{
		clock: c, comp: composer{loc: opts.Location}, red: NewRedactor(opts.Alerts), log: opts.Logger,
		onDelivery: opts.OnDelivery, sendTimeout: opts.SendTimeout, maxAttempts: opts.MaxAttempts,
		backoffBase: opts.Backoff, maxBackoff: opts.MaxBackoff, queueSize: opts.QueueSize,
		drainTimeout: opts.DrainTimeout,
		byName:       map[string]*outlet{}, draining: make(chan struct{}), done: make(chan struct{}),
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p
}

// add makes ch the channel configured by cfg.
func (p *courier) add(cfg *Config, ch Channel) {
	on := cfg.On
	if len(on) == 0 {
		on = DefaultOn()
	}
	o := &outlet{c: p, name: cfg.Name, kind: cfg.Kind, ch: ch, renotify: cfg.Renotify,
		on: map[string]bool{}, wake: make(chan struct{}, 1), handoff: make(chan struct{})}
	for _, e := range on {
		o.on[e] = true
	}
	if r, ok := ch.(Resender); ok {
		o.resend = r.ResendEvery()
		delete(o.on, "degraded") // not an incident: nothing such a channel tracks
	}
	p.outlets = append(p.outlets, o)
	p.byName[o.name] = o
	if cfg.Default {
		p.defaults = append(p.defaults, o)
	}
}

// start starts one worker per channel.
func (p *courier) start() {
	for _, o := range p.outlets {
		p.wg.Add(1)
		go o.run()
	}
}

// routes returns the channels a monitor's alerts go to: the ones it names,
// else the default ones.
func (p *courier) routes(m *monitor.Monitor) []*outlet {
	if m == nil || len(m.Alerts) == 0 {
		return p.defaults
	}
	out := make([]*outlet, 0, len(m.Alerts))
	for _, n := range m.Alerts {
		if o, ok := p.byName[n]; ok {
			out = append(out, o)
		}
	}
	return out
}

// verdict is what the burst window concluded about a group of items.
type verdict struct {
	note   string // an extra paragraph for the grouped message, or ""
	netErr error  // the connectivity check failed: new incidents become one message about upbeat's own network
	target string // what the connectivity check asked, for that message
}

// deliver composes one message per channel from items and queues it.
// A resolve then tells every channel of its monitor that the incident
// ended: a page about it that the channel could not deliver is moot
// (see kept.go).
func (p *courier) deliver(items []pending, v verdict) {
	now := p.clock.Now()
	for _, o := range p.outlets {
		var mine []Item
		for _, it := range items {
			if slices.Contains(it.routes, o) && o.accepts(it.item.Event) {
				mine = append(mine, it.item)
			}
		}
		if len(mine) > 0 && v.netErr != nil {
			var downs []Item
			downs, mine = splitDowns(mine)
			if len(downs) > 0 {
				o.push(p.network(downs, nil, p.redactErr(v.netErr), v.target, now))
			}
		}
		switch {
		case len(mine) == 0:
		case len(mine) == 1 && v.note == "":
			o.push(&delivery{msg: p.comp.single(mine[0], now), monitor: mine[0].Monitor})
		default:
			dl := &delivery{msg: p.comp.group(mine, v.note, now)}
			dl.part = func(items []Item) *delivery { return p.groupPart(items, v.note, now) }
			o.push(dl)
		}
	}
	for _, it := range items {
		if it.item.Event == EventUp && it.item.Incident != nil {
			for _, o := range it.routes {
				o.resolved(it.item.Monitor, it.item.Incident.Start)
			}
		}
	}
}

// The parts of a message that is split (see outlet.split) read as the
// message would have read had it been about those items alone, composed
// at the same time.

// groupPart is the delivery of the part of a grouped message about
// items: a group again, or the single message about one item, with the
// group's note (if any) before its text.
func (p *courier) groupPart(items []Item, note string, now time.Time) *delivery {
	dl := &delivery{msg: p.comp.group(items, note, now)}
	if len(items) == 1 {
		dl = &delivery{msg: p.comp.single(items[0], now), monitor: items[0].Monitor}
		if note != "" {
			dl.msg.Text = note + "\n\n" + dl.msg.Text
		}
	}
	dl.part = func(items []Item) *delivery { return p.groupPart(items, note, now) }
	return dl
}

// network is the delivery of the message that upbeat's own network looks
// down, about downs; elsewhere names the monitors that failed with them
// but are told of in another part of it.
func (p *courier) network(downs []Item, elsewhere []string, checkErr error, target string, now time.Time) *delivery {
	dl := &delivery{msg: p.comp.network(downs, elsewhere, checkErr, target, now)}
	dl.part = func(items []Item) *delivery {
		others := slices.Clone(elsewhere)
		for _, it := range downs {
			if !slices.ContainsFunc(items, func(x Item) bool { return x.Monitor == it.Monitor }) {
				others = append(others, it.Monitor)
			}
		}
		return p.network(items, others, checkErr, target, now)
	}
	return dl
}

// splitDowns separates the items that open an incident from the rest.
func splitDowns(items []Item) (downs, rest []Item) {
	for _, it := range items {
		if it.Event == EventDown {
			downs = append(downs, it)
		} else {
			rest = append(rest, it)
		}
	}
	return downs, rest
}

// test sends a test message through the named channel and waits for the
// outcome of its one attempt.
func (p *courier) test(ctx context.Context, o *outlet) error {
	done := make(chan error, 1)
	o.push(&delivery{msg: p.comp.test(o.name, p.clock.Now()), done: done})
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close stops the queues, lets them send what they hold (one attempt
// each) for at most the drain timeout, then cancels what is left and
// waits for the workers. Only the first call does anything.
func (p *courier) close() {
	p.drainOnce.Do(func() {
		close(p.draining)
		for _, o := range p.outlets {
			o.close()
		}
		stop := p.clock.AfterFunc(p.drainTimeout, p.cancel)
		p.wg.Wait()
		stop()
		p.cancel()
	})
}

// passOn hands every queue to the channel of the same name in next; a
// channel next lacks finishes its queue with its normal retries. When
// every worker is done, p is cancelled and p.done closed.
func (p *courier) passOn(next *courier) {
	for _, o := range p.outlets {
		if n, ok := next.byName[o.name]; ok {
			o.handTo(n)
		} else {
			o.close()
		}
	}
	go func() {
		p.wg.Wait()
		p.cancel()
		close(p.done)
	}()
}

// backoff is the wait after the given failed attempt: Backoff, doubling,
// at most MaxBackoff.
func (p *courier) backoff(attempt int) time.Duration {
	w := p.backoffBase
	for i := 1; i < attempt && w < p.maxBackoff; i++ {
		w *= 2
	}
	return min(w, p.maxBackoff)
}

// isDraining reports whether Close has begun.
func (p *courier) isDraining() bool {
	select {
	case <-p.draining:
		return true
	default:
		return false
	}
}

// report publishes one delivery attempt: to the log and to OnDelivery.
// gaveUp marks a failed attempt after which the message is not tried
// again. Nothing in it holds a secret.
func (p *courier) report(o *outlet, dl *delivery, attempt int, err error, gaveUp bool) {
	ae := &monitor.AlertEvent{
		Channel: o.name, Kind: o.kind, Subject: p.red.Redact(dl.msg.Title),
		OK: err == nil, Error: p.red.Error(err), Attempts: attempt, GaveUp: gaveUp, Monitors: dl.msg.monitors(),
	}
	switch {
	case gaveUp: // the same message, louder: nothing more will be tried
		p.log.Error("alert delivery failed", "channel", o.name, "kind", o.kind, "event", dl.msg.Event,
			"attempt", attempt, "error", ae.Error, "gave_up", true)
	case err != nil:
		p.log.Warn("alert delivery failed", "channel", o.name, "kind", o.kind, "event", dl.msg.Event,
			"attempt", attempt, "error", ae.Error)
	case dl.routine:
		p.log.Debug("alert delivered", "channel", o.name, "kind", o.kind, "event", dl.msg.Event, "attempt", attempt)
		return
	default:
		p.log.Info("alert delivered", "channel", o.name, "kind", o.kind, "event", dl.msg.Event, "attempt", attempt)
	}
	if p.onDelivery != nil {
		p.onDelivery(monitor.Event{Kind: monitor.EventAlert, Time: p.clock.Now(), Monitor: dl.monitor, Alert: ae})
	}
}

// reportDrop reports a message that will never be attempted (again):
// given up on (a full queue), unless the dispatcher is closing
// (ErrClosed), when the process is ending and nothing is to be warned
// of. A message tried before says how that went.
func (p *courier) reportDrop(o *outlet, dl *delivery, why error) {
	err := why
	if dl.lastErr != nil {
		err = fmt.Errorf("%w (%d %s failed before: %w)", why, dl.attempts, plural(dl.attempts, "attempt"), dl.lastErr)
	}
	p.report(o, dl, 0, err, !errors.Is(why, ErrClosed))
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
func (p *courier) redactErr(err error) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: p.red.Error(err), orig: err}
}
