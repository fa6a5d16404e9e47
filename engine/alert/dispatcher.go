// Package alert tells people about incidents: once when a monitor goes
// down (after the engine's retries), once when it recovers, again every
// renotify interval while it stays down unless acknowledged, gently when it
// is degraded, never during maintenance, and never as a storm.
//
// The Dispatcher implements engine.Notifier. Notify and Observe only update
// in-memory state and queue messages; every channel has its own queue and
// worker, so a hung SMTP server or webhook delays nothing but its own
// messages. Failed deliveries are retried with exponential backoff, and
// every attempt is reported through Options.OnDelivery with secrets
// redacted.
//
// Storms are avoided three ways. Messages wait BurstWindow (5s) so that
// many monitors going down together make one message per channel. A
// monitor that flaps gets one message for the whole flap and one resolve
// when it settles: the first down pages at once, but the resolve of a
// short or bouncing incident is held for ResolveHold (2 minutes) to see
// whether the monitor stays up; if it goes down again meanwhile, the same
// incident goes on and nothing is sent. Once it changes FlapChanges times
// between down and up within FlapWindow, the incident is marked flapping
// (still without a message) and resolves, with one message saying how
// often it flapped, after FlapQuiet without a change. And when every
// monitor fails at once, the Connectivity check decides whether upbeat's
// own network is to blame, and one message says so.
package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Policy defaults.
const (
	DefaultBurstWindow   = 5 * time.Second
	DefaultFlapChanges   = 4
	DefaultFlapWindow    = 10 * time.Minute
	DefaultFlapQuiet     = 5 * time.Minute
	DefaultResolveHold   = 2 * time.Minute
	DefaultDegradedEvery = time.Hour
	defaultConnTimeout   = 10 * time.Second
)

// Options configure a Dispatcher. Only Alerts is needed for real use.
type Options struct {
	// Alerts are the [[alert]] channels.
	Alerts []*Config
	// Channels, by alert name, are used instead of building the channel
	// from its config (tests, embedders). The config still gives kind,
	// default, on and renotify.
	Channels map[string]Channel
	// ChannelOptions are passed to NewChannel.
	ChannelOptions
	// Monitors are the configured monitors. They route reminders of
	// incidents restored at start, tell how many monitors there are
	// when deciding whether every monitor failed at once, and decide
	// which open incidents a reload keeps (Switch.Replace closes those of
	// monitors not listed).
	Monitors []*monitor.Monitor
	// Maintenance is consulted besides the engine's own word: nothing is
	// sent for a monitor inside a window.
	Maintenance engine.Maintenance

	// RecoverAfter is how many good checks in a row resolve an incident
	// (settings.recover_after; default 1). Counting needs Observe.
	RecoverAfter int
	// FlapChanges changes between down and up within FlapWindow make a
	// monitor flapping (default 4 in 10 minutes); it settles after
	// FlapQuiet without a change (default 5 minutes). Flapping sends no
	// message of its own: the incident's first down was the one message.
	FlapChanges int
	FlapWindow  time.Duration
	FlapQuiet   time.Duration
	// ResolveHold is how long a monitor must stay up before the resolve
	// of a short or bouncing incident is sent (default 2 minutes;
	// negative: always at once). It applies when the incident is younger
	// than FlapWindow, or when the monitor changed between down and up
	// more than once within FlapWindow before it recovered; a longer
	// outage that ends cleanly resolves at once. A failure during the hold
	// continues the same incident with nothing sent. The incident's end is
	// when the monitor came back, not when the hold ran out.
	ResolveHold time.Duration
	// DegradedEvery is the least time between two degraded messages about
	// one monitor (default 1 hour).
	DegradedEvery time.Duration
	// BurstWindow is how long messages wait to be grouped (default 5s;
	// negative: no waiting).
	BurstWindow time.Duration

	// Connectivity checks upbeat's own network when every monitor fails
	// at once (settings.connectivity_check; see HTTPConnectivity). nil: no
	// check; the grouped message still says what to suspect first.
	Connectivity func(ctx context.Context) error
	// ConnectivityTarget names what Connectivity checks, for the message.
	ConnectivityTarget string
	// ConnectivityTimeout bounds the check (default 10s).
	ConnectivityTimeout time.Duration

	// SendTimeout bounds one delivery attempt (default 30s).
	SendTimeout time.Duration
	// MaxAttempts is how often a message is tried (default 6).
	MaxAttempts int
	// Backoff is the wait after the first failed attempt, doubling after
	// each further one up to MaxBackoff (defaults 2s and 5 minutes).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// QueueSize is how many messages may wait per channel before the
	// oldest is dropped (default 100).
	QueueSize int
	// DrainTimeout is how long Close lets queued messages go out before
	// it cancels them (default 5s).
	DrainTimeout time.Duration

	// OnDelivery is told of every delivery attempt (an monitor.EventAlert),
	// from the channels' goroutines, possibly at once. It must not block
	// for long. Its events hold no secrets.
	OnDelivery func(monitor.Event)
	// OnIncident is told when an incident opens, changes (flapping,
	// acknowledged) or resolves (End set). Called without locks held.
	OnIncident func(monitor.Incident)
	// Logger receives delivery failures (redacted); nil: discarded.
	Logger *slog.Logger
	// Location is the zone times are written in (default UTC).
	Location *time.Location
}

var _ engine.Notifier = (*Dispatcher)(nil)

// Dispatcher turns status changes into incidents and messages.
type Dispatcher struct {
	opts     Options
	log      *slog.Logger
	red      *Redactor
	comp     composer
	outlets  []*outlet
	byName   map[string]*outlet
	defaults []*outlet
	monitors map[string]*monitor.Monitor
	errs     map[string]error // channels that could not be built

	ctx        context.Context
	cancel     context.CancelFunc
	checkCtx   context.Context // the connectivity checks'
	stopChecks context.CancelFunc
	draining   chan struct{}
	drainOnce  sync.Once
	done       chan struct{}  // closed once a retired dispatcher's workers are done (see passOn)
	wg         sync.WaitGroup // workers
	checks     sync.WaitGroup // connectivity checks

	mu         sync.Mutex
	closed     bool
	mons       map[string]*monState
	burst      []pending
	burstTimer *time.Timer
	after      []func() // callbacks to run once mu is released
}

// pending is an item waiting in the burst window, with its channels.
type pending struct {
	item   Item
	routes []*outlet
}

// New builds the channels and starts their workers. A channel that cannot
// be built is left out; Err reports it and Test returns it.
func New(opts Options) *Dispatcher {
	opts = withDefaults(opts)
	d := &Dispatcher{
		opts:     opts,
		log:      opts.Logger,
		red:      NewRedactor(opts.Alerts),
		comp:     composer{loc: opts.Location},
		byName:   map[string]*outlet{},
		monitors: map[string]*monitor.Monitor{},
		errs:     map[string]error{},
		draining: make(chan struct{}),
		done:     make(chan struct{}),
		mons:     map[string]*monState{},
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.checkCtx, d.stopChecks = context.WithCancel(d.ctx)
	for _, m := range opts.Monitors {
		d.monitors[m.Name] = m
	}
	copts := opts.ChannelOptions
	copts.Timeout = opts.SendTimeout
	for _, cfg := range opts.Alerts {
		ch, ok := opts.Channels[cfg.Name]
		if !ok {
			var err error
			if ch, err = NewChannel(cfg, copts); err != nil {
				err = d.redactErr(err)
				d.errs[cfg.Name] = err
				d.log.Error("alert channel unusable", "channel", cfg.Name, "error", err.Error())
				continue
			}
		}
		on := cfg.On
		if len(on) == 0 {
			on = DefaultOn()
		}
		o := &outlet{d: d, name: cfg.Name, kind: cfg.Kind, ch: ch, renotify: cfg.Renotify,
			on: map[string]bool{}, wake: make(chan struct{}, 1), handoff: make(chan struct{})}
		for _, e := range on {
			o.on[e] = true
		}
		d.outlets = append(d.outlets, o)
		d.byName[o.name] = o
		if cfg.Default {
			d.defaults = append(d.defaults, o)
		}
	}
	for _, o := range d.outlets {
		d.wg.Add(1)
		go o.run()
	}
	return d
}

// withDefaults fills in every zero option.
func withDefaults(o Options) Options {
	def := func(v *time.Duration, x time.Duration) {
		if *v == 0 {
			*v = x
		}
	}
	if o.RecoverAfter <= 0 {
		o.RecoverAfter = 1
	}
	if o.FlapChanges <= 0 {
		o.FlapChanges = DefaultFlapChanges
	}
	def(&o.FlapWindow, DefaultFlapWindow)
	def(&o.FlapQuiet, DefaultFlapQuiet)
	def(&o.ResolveHold, DefaultResolveHold)
	def(&o.DegradedEvery, DefaultDegradedEvery)
	def(&o.BurstWindow, DefaultBurstWindow)
	def(&o.ConnectivityTimeout, defaultConnTimeout)
	def(&o.SendTimeout, defaultSendTimeout)
	def(&o.Backoff, defaultBackoff)
	def(&o.MaxBackoff, defaultMaxBackoff)
	def(&o.DrainTimeout, defaultDrain)
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = defaultMaxAttempts
	}
	if o.QueueSize <= 0 {
		o.QueueSize = defaultQueueSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return o
}

// Err reports the channels that could not be built, redacted; nil when
// every one works.
func (d *Dispatcher) Err() error {
	names := make([]string, 0, len(d.errs))
	for n := range d.errs {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		errs = append(errs, d.errs[n])
	}
	return errors.Join(errs...)
}

// Test sends a test message through the named channel and waits for the
// outcome of one attempt (upbeat alert test NAME). The error is redacted.
func (d *Dispatcher) Test(ctx context.Context, name string) error {
	o, ok := d.byName[name]
	if !ok {
		if err, bad := d.errs[name]; bad {
			return err
		}
		return fmt.Errorf("%w: %s", ErrUnknownChannel, name)
	}
	done := make(chan error, 1)
	o.push(&delivery{msg: d.comp.test(name, time.Now()), done: done})
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops taking alerts, sends what is queued (one attempt each, a
// message waiting to be retried included, for at most DrainTimeout), then
// cancels whatever is still in flight and waits for every goroutine it
// started. Messages still waiting in the burst window are sent, not lost.
// Closing a Dispatcher that a Switch has replaced ends its background
// work the same way.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	items, first := d.stopLocked()
	d.mu.Unlock()
	if first {
		d.stopChecks()
		d.checks.Wait()
		if len(items) > 0 {
			d.deliver(items, "", nil)
		}
	}
	d.drainOnce.Do(func() {
		close(d.draining)
		for _, o := range d.outlets {
			o.close()
		}
		stop := time.AfterFunc(d.opts.DrainTimeout, d.cancel)
		d.wg.Wait()
		stop.Stop()
		d.cancel()
	})
}

// stopLocked stops taking alerts and every timer, and returns what waited
// in the burst window; first is false when it was stopped already. Called
// with mu held.
func (d *Dispatcher) stopLocked() (burst []pending, first bool) {
	if d.closed {
		return nil, false
	}
	d.closed = true
	if d.burstTimer != nil {
		d.burstTimer.Stop()
		d.burstTimer = nil
	}
	for _, ms := range d.mons {
		ms.stopTimers()
	}
	burst = d.burst
	d.burst = nil
	return burst, true
}

// Incidents returns the open incidents, oldest first.
func (d *Dispatcher) Incidents() []monitor.Incident {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []monitor.Incident
	for _, ms := range d.mons {
		if ms.inc != nil {
			out = append(out, ms.inc.snapshot())
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

// unlock releases mu and then runs the callbacks queued while it was held.
func (d *Dispatcher) unlock() {
	after := d.after
	d.after = nil
	d.mu.Unlock()
	for _, f := range after {
		f()
	}
}

// routes returns the channels a monitor's alerts go to: the ones it names,
// else the default ones.
func (d *Dispatcher) routes(m *monitor.Monitor) []*outlet {
	if m == nil || len(m.Alerts) == 0 {
		return d.defaults
	}
	out := make([]*outlet, 0, len(m.Alerts))
	for _, n := range m.Alerts {
		if o, ok := d.byName[n]; ok {
			out = append(out, o)
		}
	}
	return out
}

// enqueue puts an item in the burst window. Called with mu held.
func (d *Dispatcher) enqueue(it Item, routes []*outlet) {
	if len(routes) == 0 {
		return
	}
	d.burst = append(d.burst, pending{item: it, routes: routes})
	if d.opts.BurstWindow < 0 {
		d.flushLocked()
		return
	}
	if d.burstTimer == nil {
		d.burstTimer = time.AfterFunc(d.opts.BurstWindow, d.flushTimer)
	}
}

// flushTimer ends a burst window.
func (d *Dispatcher) flushTimer() {
	d.mu.Lock()
	defer d.unlock()
	if d.closed {
		return
	}
	d.flushLocked()
}

// flushLocked sends the items of the burst window: one message per
// channel. When every monitor failed at once it first checks upbeat's own
// network, off the lock. Called with mu held.
func (d *Dispatcher) flushLocked() {
	items := d.burst
	d.burst = nil
	if d.burstTimer != nil {
		d.burstTimer.Stop()
		d.burstTimer = nil
	}
	if len(items) == 0 {
		return
	}
	if !d.everyMonitorDown(items) {
		d.deliver(items, "", nil)
		return
	}
	if d.opts.Connectivity == nil {
		d.deliver(items, "Every monitor failed at once: check the network of the machine running upbeat first.", nil)
		return
	}
	d.checks.Add(1)
	go func() {
		defer d.checks.Done()
		ctx, cancel := context.WithTimeout(d.checkCtx, d.opts.ConnectivityTimeout)
		err := d.opts.Connectivity(ctx)
		cancel()
		switch {
		case d.checkCtx.Err() != nil: // closing: no verdict
			d.deliver(items, "", nil)
		case err != nil:
			d.deliver(items, "", err)
		default:
			d.deliver(items, "Every monitor failed at once, but the connectivity check passed: upbeat's own network works.", nil)
		}
	}()
}

// everyMonitorDown reports whether the burst holds at least two new
// incidents and every monitor being checked is now down. Called with mu held.
func (d *Dispatcher) everyMonitorDown(items []pending) bool {
	opened := 0
	for _, p := range items {
		if p.item.Event == EventDown {
			opened++
		}
	}
	if opened < 2 {
		return false
	}
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
	for name := range d.monitors {
		if _, seen := d.mons[name]; !seen {
			count(monitor.StatusPending)
		}
	}
	for _, ms := range d.mons {
		count(ms.status)
	}
	return total >= 2 && down == total
}

// deliver composes one message per channel from items and queues it.
// netErr non-nil means the connectivity check failed: the new incidents
// become one message about upbeat's own network.
func (d *Dispatcher) deliver(items []pending, note string, netErr error) {
	now := time.Now()
	for _, o := range d.outlets {
		var mine []Item
		for _, p := range items {
			if slices.Contains(p.routes, o) && o.accepts(p.item.Event) {
				mine = append(mine, p.item)
			}
		}
		if len(mine) == 0 {
			continue
		}
		if netErr != nil {
			var downs, rest []Item
			for _, it := range mine {
				if it.Event == EventDown {
					downs = append(downs, it)
				} else {
					rest = append(rest, it)
				}
			}
			if len(downs) > 0 {
				o.push(&delivery{msg: d.comp.network(downs, d.redactErr(netErr), d.opts.ConnectivityTarget, now)})
			}
			mine = rest
			if len(mine) == 0 {
				continue
			}
		}
		if len(mine) == 1 && note == "" {
			o.push(&delivery{msg: d.comp.single(mine[0], now), monitor: mine[0].Monitor})
			continue
		}
		o.push(&delivery{msg: d.comp.group(mine, note, now)})
	}
}
