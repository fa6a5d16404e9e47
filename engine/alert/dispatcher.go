package alert

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
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

	// DependencyWait bounds how long the failure of a monitor with
	// depends_on waits, when none of the monitors it depends on is known
	// to be down, for their next checks before it pages on its own
	// (default 2 minutes). It waits as long as the slowest of them takes
	// to be checked with its retries, at least 5s, and ends early once
	// each has a good result after the failure. If one of them goes down
	// meanwhile, the failure joins that incident instead.
	DependencyWait time.Duration
	// ChildGrace is the least time a monitor still down when the incident
	// it joined resolves has to recover before it opens an incident of
	// its own (default 1 minute, or one of its intervals if longer).
	ChildGrace time.Duration

	// Connectivity checks upbeat's own network when every monitor fails
	// at once (settings.connectivity_check; see HTTPConnectivity). nil: no
	// check; the grouped message still says what to suspect first.
	Connectivity func(ctx context.Context) error
	// ConnectivityTarget names what Connectivity checks, for the message.
	ConnectivityTarget string
	// ConnectivityTimeout bounds the check (default 10s).
	ConnectivityTimeout time.Duration

	// Jury, when set, is asked before an incident opens: the other
	// locations' view decides whether it opens here (see Jury). nil: it
	// opens at once.
	Jury Jury

	// SendTimeout bounds one delivery attempt (default 30s).
	SendTimeout time.Duration
	// MaxAttempts is how often a message is tried before it is kept
	// (default 6): it is not dropped, but waits for the channel to work
	// again (kept.go).
	MaxAttempts int
	// Backoff is the wait after the first failed attempt, doubling after
	// each further one up to MaxBackoff (defaults 2s and 5 minutes); the
	// oldest kept message is tried again after it too.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// QueueSize is how many messages may wait per channel, kept ones
	// included, before the oldest is dropped (default 100).
	QueueSize int
	// DrainTimeout is how long Close lets queued messages go out before
	// it cancels them (default 5s).
	DrainTimeout time.Duration

	// OnDelivery is told of every delivery attempt (an monitor.EventAlert),
	// from the channels' goroutines, possibly at once. It must not block
	// for long. Its events hold no secrets. A failed attempt is retried
	// unless its event says GaveUp; a message dropped unsent has
	// Attempts 0. So each message ends with one event that is OK, GaveUp
	// or has Attempts 0, unless it is still waiting for its channel.
	OnDelivery func(monitor.Event)
	// OnIncident is told of every change of an incident's state, so that
	// viewers can show it: when it opens (End zero), when it starts
	// flapping (Flapping set), when it is acknowledged (Acked set), when
	// it resolves (End set), and when a reload closes it because its
	// monitor is no longer configured (End set, nothing sent). Each
	// change is told once, with a copy of the whole incident. An incident
	// taken over after a restart (Restore, or a monitor the engine
	// restored as down) was told before the restart and is not told
	// again until it changes. It is called without the Dispatcher's
	// locks held, from the goroutine of the call or timer that caused the
	// change (so calls may overlap); it may call back into the
	// Dispatcher, and it must not block: it delays that call.
	OnIncident func(monitor.Incident)
	// Logger receives delivery failures (redacted); nil: discarded.
	Logger *slog.Logger
	// Location is the zone times are written in (default UTC).
	Location *time.Location
}

var (
	_ engine.Notifier    = (*Dispatcher)(nil)
	_ engine.SLOObserver = (*Dispatcher)(nil)
)

// Dispatcher turns status changes into incidents and messages. It wires
// four parts, each with one job: the policy (one state machine per
// monitor, see tracker), the burst window (grouping), the courier (one
// queue per channel, with retries) and the composer (the words).
type Dispatcher struct {
	opts   Options
	errs   map[string]error // channels that could not be built
	gate   *serial
	policy *policy
	burst  *burst
	post   *courier
}

// New builds the channels and starts their workers. A channel that cannot
// be built is left out; Err reports it and Test returns it.
func New(opts Options) *Dispatcher {
	opts = withDefaults(opts)
	gate := &serial{clock: realClock{}}
	post := newCourier(opts, gate.clock)
	d := &Dispatcher{opts: opts, errs: map[string]error{}, gate: gate, post: post}
	d.policy = &policy{
		serial: gate,
		rules: rules{
			recoverAfter: opts.RecoverAfter, flapChanges: opts.FlapChanges, flapWindow: opts.FlapWindow,
			flapQuiet: opts.FlapQuiet, resolveHold: opts.ResolveHold, degradedEvery: opts.DegradedEvery,
			maint: opts.Maintenance, ask: opts.Jury != nil, dependencyWait: opts.DependencyWait, childGrace: opts.ChildGrace,
		},
		deps:       newDeps(opts.Monitors),
		monitors:   map[string]*monitor.Monitor{},
		mons:       map[string]*entry{},
		post:       post,
		onIncident: opts.OnIncident,
	}
	for _, m := range opts.Monitors {
		d.policy.monitors[m.Name] = m
	}
	d.burst = &burst{
		serial: gate, window: opts.BurstWindow, post: post, everyDown: d.policy.everyMonitorDown, refresh: d.policy.refresh,
		connect: opts.Connectivity, connTarget: opts.ConnectivityTarget, connTimeout: opts.ConnectivityTimeout,
	}
	d.burst.checkCtx, d.burst.stopCheck = context.WithCancel(post.ctx)
	d.policy.burst = d.burst
	d.policy.asks.jury = opts.Jury
	d.policy.asks.ctx, d.policy.asks.stop = context.WithCancel(post.ctx)

	copts := opts.ChannelOptions
	copts.Timeout = opts.SendTimeout
	for _, cfg := range opts.Alerts {
		ch, ok := opts.Channels[cfg.Name]
		if !ok {
			var err error
			if ch, err = NewChannel(cfg, copts); err != nil {
				err = post.redactErr(err)
				d.errs[cfg.Name] = err
				opts.Logger.Error("alert channel unusable", "channel", cfg.Name, "error", err.Error())
				continue
			}
		}
		post.add(cfg, ch)
	}
	post.start()
	gate.lock()
	d.policy.startResends(nil)
	gate.unlock()
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
	def(&o.DependencyWait, DefaultDependencyWait)
	def(&o.ChildGrace, DefaultChildGrace)
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
	o, ok := d.post.byName[name]
	if !ok {
		if err, bad := d.errs[name]; bad {
			return err
		}
		return fmt.Errorf("%w: %s", ErrUnknownChannel, name)
	}
	return d.post.test(ctx, o)
}

// Notify implements engine.Notifier. It handles EventChange (and passes
// EventResult to Observe); it never blocks on delivery.
func (d *Dispatcher) Notify(ev monitor.Event, st *monitor.State) {
	switch ev.Kind {
	case monitor.EventResult:
		if ev.Result != nil {
			d.Observe(ev.Result)
		}
		return
	case monitor.EventChange:
	default:
		return
	}
	if !d.gate.enter() {
		return
	}
	defer d.gate.unlock()
	d.policy.change(ev, st)
}

// Observe takes every check result (the engine calls it before Notify for
// the same result). It counts good checks for recover_after, collects the
// codes and classes of an open incident, and notices a monitor that was
// already down when upbeat started.
func (d *Dispatcher) Observe(r *monitor.Result) {
	if !d.gate.enter() {
		return
	}
	defer d.gate.unlock()
	d.policy.step(d.policy.entry(r.Monitor), event{kind: inResult, result: r})
}

// Ack acknowledges a monitor's open incident: no reminders until it
// resolves; the resolve is still sent. It does nothing when no incident
// is open.
func (d *Dispatcher) Ack(name string) {
	d.gate.lock()
	defer d.gate.unlock()
	if e, ok := d.policy.mons[name]; ok {
		d.policy.step(e, event{kind: inAck})
	}
}

// Restore takes over an incident that was open before a restart (from
// history): nothing is sent for it now, reminders continue from now, and
// its resolve is sent when the monitor recovers. Call it before checks
// start. An incident already known for the monitor is kept.
func (d *Dispatcher) Restore(name string, open monitor.Incident) {
	d.restore(name, open, monitor.StatusDown)
}

// RestoreInWindow takes over, as Restore does, an incident whose monitor
// went into a maintenance window while down and was still in it when
// upbeat stopped. The window silenced the incident, it did not end it:
// it stays silent until the engine says the monitor left the window;
// still down then, it goes on with nothing sent (no second page), and
// back up, it resolves.
func (d *Dispatcher) RestoreInWindow(name string, open monitor.Incident) {
	d.restore(name, open, monitor.StatusMaintenance)
}

// RestorePaused takes over, as Restore does, an incident whose monitor
// was paused while down and is paused still (a pause outlives a
// restart). The pause silenced the incident, it did not end it, as
// without a restart: quiet while paused; resumed and still down, it goes
// on with nothing sent (no second page), and back up, it resolves.
func (d *Dispatcher) RestorePaused(name string, open monitor.Incident) {
	d.restore(name, open, monitor.StatusPaused)
}

// restore takes over open; status is the monitor's when upbeat stopped:
// down, in a window or paused.
func (d *Dispatcher) restore(name string, open monitor.Incident, status monitor.Status) {
	if !d.gate.enter() {
		return
	}
	defer d.gate.unlock()
	d.policy.step(d.policy.entry(name), event{kind: inRestore, restore: open, to: status})
}

// Incidents returns the open incidents, oldest first.
func (d *Dispatcher) Incidents() []monitor.Incident {
	d.gate.lock()
	defer d.gate.unlock()
	return d.policy.incidents()
}

// Close stops taking alerts, sends what is queued (one attempt each, a
// message waiting to be retried or kept included, for at most
// DrainTimeout; a failure then is reported as given up), then cancels
// whatever is still in flight (reported as dropped) and waits for every
// goroutine it started. Messages still waiting in the burst window are sent, not lost,
// and so is every held resolve (the monitor came back and is still up):
// a resolve waiting out ResolveHold goes out at once rather than die with
// the process, which would leave the incident open wherever it was sent.
// Closing a Dispatcher that a Switch has replaced ends its background
// work the same way.
func (d *Dispatcher) Close() {
	items, first := d.stop()
	if first {
		d.policy.stopAsks()
		d.burst.stopChecks()
		if len(items) > 0 {
			d.post.deliver(items, verdict{})
		}
	}
	d.post.close()
}

// stop stops taking alerts and every timer, and returns what waited in
// the burst window; first is false when it was stopped already.
func (d *Dispatcher) stop() (burst []pending, first bool) {
	d.gate.lock()
	defer d.gate.unlock()
	if d.gate.closed {
		return nil, false
	}
	d.policy.sendHeld()
	d.gate.closed = true
	d.policy.stopAlarms()
	return d.burst.take(), true
}

// lateResolveGrace is how long past the longest wait for a resolve
// (ResolveHold or FlapQuiet, and the burst window) an incident's end may be
// for ResolveLate to still send its resolve.
const lateResolveGrace = time.Minute

// ResolveLate sends the resolve of an incident that ended before upbeat
// last stopped (in.End set) and whose resolve never went out: the
// process died (kill -9, a crash) while the resolve was held, waited for
// a flapping monitor to settle, or waited in the burst window. The caller
// tells from the history's record of deliveries that the incident's
// people were told it was down and were not told it was up. It does
// nothing, and returns false, when the incident ended longer ago than
// LateResolveWindow, or when the monitor has an incident open or is not up (the
// engine's restored status, as Notify told it; up when not told). Call
// it before checks start.
//
// last is the monitor's latest result upbeat knows of (the engine's
// restored one, checked before the stop; nil when none is known): the
// resolve is about it, as a resolve is about the check that resolved
// its incident.
func (d *Dispatcher) ResolveLate(name string, in monitor.Incident, last *monitor.Result) bool {
	if in.End.IsZero() {
		return false
	}
	if !d.gate.enter() {
		return false
	}
	defer d.gate.unlock()
	now := d.gate.clock.Now()
	if now.Sub(in.End) > d.LateResolveWindow() {
		return false
	}
	e := d.policy.entry(name)
	if !e.lateResolvable() {
		return false
	}
	if last != nil && (last.Monitor != name || last.Time.IsZero()) {
		last = nil
	}
	d.policy.step(e, event{kind: inLate, now: now, restore: in, result: last})
	d.opts.Logger.Info("resolve sent after a restart: upbeat stopped before it went out", "monitor", name)
	return true
}

// LateResolveWindow is how far back ResolveLate reaches: the longest a
// resolve waits (ResolveHold, or FlapQuiet for a flapping incident) and
// the burst window (when positive), plus a minute.
func (d *Dispatcher) LateResolveWindow() time.Duration {
	return max(d.opts.ResolveHold, d.opts.FlapQuiet, 0) + max(d.opts.BurstWindow, 0) + lateResolveGrace
}

// IncidentGap is the longest a monitor may stay up between two of its
// outages for the policy to count them as one incident: a resolve held
// (ResolveHold) or a flapping incident waiting to settle (FlapQuiet).
// History, which knows outages, not incidents, uses it to join them.
func (d *Dispatcher) IncidentGap() time.Duration {
	return max(d.opts.ResolveHold, d.opts.FlapQuiet, 0)
}
