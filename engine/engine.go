package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Named errors callers test for.
var (
	ErrNoMonitor  = source.ErrNoMonitor  // no monitor has that name
	ErrNoIncident = source.ErrNoIncident // Ack: the monitor is not down
	ErrNoChecker  = errors.New("no checker for this kind")
)

// Defaults of the engine's own settings.
const (
	DefaultRecent      = 60      // samples kept per monitor for sparklines
	DefaultConcurrency = 256     // checks running at once at most
	DefaultRecordQueue = 1 << 16 // results waiting for the recorder at most
	// DefaultStallThreshold is how late upbeat's own clock may find itself
	// before it counts as stalled (settings.stall_threshold).
	DefaultStallThreshold = 5 * time.Second
)

// Options are the engine's collaborators. Only Checkers is required; the
// engine checks push monitors itself (their beats come through Push).
type Options struct {
	Checkers    map[monitor.Kind]Checker
	Recorder    Recorder    // every result is handed to it; nil: none kept
	Restorer    Restorer    // state at start and the counts behind uptime; nil: start fresh
	Querier     Querier     // the past, for viewers; nil: no history
	Notifier    Notifier    // told of every status change (see Acker, Observer); nil: no alerts
	Maintenance Maintenance // configured windows; ad-hoc windows are the engine's own
	Logger      *slog.Logger
	Now         func() time.Time // default time.Now; must carry a monotonic reading
	Recent      int              // samples kept per monitor (default DefaultRecent)
	// RecordQueue is how many results may wait for the recorder before new
	// ones are dropped (default DefaultRecordQueue).
	RecordQueue int
	// Controls keeps what people decided (pauses, ad-hoc maintenance)
	// across restarts; nil: they last as long as the process.
	Controls ControlStore
	// Notes keeps notes and acknowledgements (AddNote) across restarts;
	// nil: they last as long as the process.
	Notes NoteStore
	// Asleep returns how long the machine has slept since it booted, for
	// the stall watch (tests); nil: the system's own figure where it has
	// one (Linux), else the wall clock's lead over the monotonic one.
	Asleep func() time.Duration
}

// Stats are the engine's own health counters.
type Stats struct {
	Checks        uint64 // checks finished (retries count once)
	Attempts      uint64 // attempts made, retries included
	Skipped       uint64 // due while the previous check was still running
	OnTime        uint64 // checks that started within a second of their due time
	Late          uint64 // checks that started later than that
	RecordErrors  uint64 // results the recorder failed to store
	RecordDropped uint64 // results dropped because the recorder fell behind
	Monitors      int
	Stalls        uint64        // times upbeat itself was found stalled
	Stalled       time.Duration // how long those stalls lasted in all
}

// counters are the Stats the parts count.
type counters struct {
	checks, attempts, skipped, onTime, late, recErr, recDrop atomic.Uint64
}

// Engine runs every monitor on its interval and publishes what it finds.
// Create one with New, then Run it; every other method is safe to call from
// any goroutine, before, during and after Run.
//
// It wires parts that each do one job: the scheduler (when), the runner
// (checks, retries, latency), the push checker (beats), the states (status,
// incidents, recent samples, uptime counts), the record queue (history),
// controls (what people decide), reloads and warnings.
type Engine struct {
	log      *slog.Logger
	now      func() time.Time
	hist     Restorer
	recent   int
	querier  Querier
	notifier Notifier
	observer Observer
	sloObs   SLOObserver
	hub      hub
	stats    counters

	states   *states
	sched    *scheduler
	runner   *runner
	push     *pushChecker
	records  *recordQueue
	controls *controls
	warnings *warnings
	stall    *stallWatch

	reloading sync.Mutex // one Reload at a time
}

// New makes an engine for cfg. It restores each monitor's state from
// opts.Restorer, so that a restart while a monitor is down is not a new
// incident.
func New(cfg *Config, opts Options) (*Engine, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{log: opts.Logger, now: opts.Now, hist: opts.Restorer, recent: orDefault(opts.Recent, DefaultRecent),
		querier: opts.Querier, notifier: opts.Notifier}
	e.observer, _ = opts.Notifier.(Observer)
	e.sloObs, _ = opts.Notifier.(SLOObserver)
	acker, _ := opts.Notifier.(Acker)

	e.push = newPushChecker(e.now)
	checkers := maps.Clone(opts.Checkers)
	if checkers == nil {
		checkers = make(map[monitor.Kind]Checker)
	}
	checkers[monitor.KindPush] = e.push // beats reach it through Push
	if err := knownKinds(cfg, checkers); err != nil {
		return nil, err
	}
	e.states = &states{recent: e.recent, maint: opts.Maintenance, history: opts.Restorer != nil, now: e.now, cfg: cfg,
		byName: make(map[string]*entry)}
	e.warnings = newWarnings(e.now, e.hub.publish)
	e.stall = newStallWatch(e.now, cfg.Settings.StallThreshold, opts.Asleep, e.log, e.Warn)
	e.runner = &runner{checkers: checkers, now: e.now, stats: &e.stats,
		sem: make(chan struct{}, orDefault(cfg.Settings.Concurrency, DefaultConcurrency)), jobs: make(chan job),
		isDown: e.states.isDown, skipped: e.states.skipped, done: e.finish}
	e.sched = newScheduler(e.now, e.runner.pace, e.runner.start)
	e.records = newRecordQueue(opts.Recorder, orDefault(opts.RecordQueue, DefaultRecordQueue), e.log, e.Warn, &e.stats)
	e.controls = &controls{states: e.states, sched: e.sched, store: opts.Controls, acker: acker, now: e.now, log: e.log,
		warn: e.Warn, changed: e.announce, stopped: e.recordStop, notes: opts.Notes, publish: e.hub.publish}
	e.controls.annotator, _ = opts.Notifier.(Annotator)

	e.push.watch(cfg.Monitors)
	bulk, _ := e.hist.(BulkRestorer)
	for _, m := range cfg.Monitors {
		en := e.bareEntry(m)
		if e.hist != nil {
			if bulk == nil {
				e.restore(en, en.state.Since)
			}
			e.seedSLO(en, e.now())
		}
		e.states.byName[m.Name] = en
		e.states.order = append(e.states.order, en)
	}
	if bulk != nil {
		e.restoreAll(bulk, e.states.byName)
	}
	e.controls.load(e.states.byName)
	e.hub.begin(e.states.inForce())
	return e, nil
}

// orDefault is v, or def when v is not positive.
func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// knownKinds checks that every monitor of cfg has a checker.
func knownKinds(cfg *Config, checkers map[monitor.Kind]Checker) error {
	for _, m := range cfg.Monitors {
		if _, ok := checkers[m.Kind]; !ok {
			return fmt.Errorf("monitor %s: %w: %s", m.Name, ErrNoChecker, m.Kind)
		}
	}
	return nil
}

// Run schedules checks until ctx is done, then waits for the checks in
// flight to end, stores their results and returns ctx's error.
func (e *Engine) Run(ctx context.Context) error {
	recDone := make(chan struct{})
	go func() {
		defer close(recDone)
		if e.records.rec != nil {
			e.records.run()
		}
	}()
	stopCtx, stop := context.WithCancel(ctx)
	stallDone := make(chan struct{})
	go func() { e.stall.run(stopCtx); close(stallDone) }()

	for _, en := range e.states.staleInWindow(e.now()) {
		e.sched.soon(en) // before the schedule starts: at once, ahead of the spread
	}
	e.sched.run(ctx, e.states.list())

	e.endWarRooms("ended: upbeat stopped") // said while viewers are still attached
	stop()
	<-stallDone
	e.runner.wait()
	e.records.close()
	<-recDone
	return ctx.Err()
}

// finish publishes a result: it updates the monitor's state, records it,
// and tells the notifier of it and of the status change it made.
func (e *Engine) finish(en *entry, r *monitor.Result) {
	e.stats.checks.Add(1)
	e.stall.judge(r, e.lookback(en.m))
	o, ok := e.states.apply(en, r)
	if !ok {
		return
	}
	e.records.add(r)
	e.hub.publish(monitor.Event{Kind: monitor.EventResult, Time: r.Time, Monitor: r.Monitor, Result: r, From: o.from, To: o.to})
	if e.observer != nil && !r.Stalled() { // a stall says nothing about the target
		e.observer.Observe(r)
	}
	if e.sloObs != nil && o.slo.Set() {
		e.sloObs.ObserveSLO(r.Monitor, o.slo, r.Time)
	}
	if o.change != nil {
		e.hub.publish(*o.change)
		if e.notifier != nil {
			st := o.state // on the heap only when the status changed
			e.notifier.Notify(*o.change, &st)
		}
		e.recheck(en, o.from, o.to, r)
	}
}

// lookback is how far before a result of m a stall still spoils it: a
// passive check judges beats that could not arrive during one.
func (e *Engine) lookback(m *monitor.Monitor) time.Duration {
	if _, ok := e.runner.checkers[m.Kind].(Passive); ok {
		return m.Interval + m.Grace
	}
	return 0
}

// announce publishes a status change that no result caused (a pause).
func (e *Engine) announce(ev *monitor.Event) {
	e.hub.publish(*ev)
	if e.notifier == nil {
		return
	}
	if st, err := e.states.state(ev.Monitor); err == nil {
		e.notifier.Notify(*ev, &st)
	}
}

// recordStop stores a result that is no check: it tells history that a
// monitor stopped being watched (paused, removed), so that an incident open
// at that moment ends there instead of running on forever in reports.
func (e *Engine) recordStop(en *entry, why string) {
	e.records.add(&monitor.Result{Monitor: en.m.Name, Kind: en.m.Kind, URL: en.url, Time: e.now(),
		Status: monitor.StatusPaused, Error: why})
}

// Config returns the configuration in force.
func (e *Engine) Config() *Config { return e.states.config() }

// Subscribe starts a stream of events. The caller must Close it.
func (e *Engine) Subscribe() *source.Subscription { return e.hub.subscribe(0) }

// SubscribeJournal starts a stream of events, and returns with it the
// journal of what came before: the problems in force when the engine
// started (restored from history), then the events a viewer's log tells
// of (see source.Journal). The caller must Close the stream.
func (e *Engine) SubscribeJournal() ([]source.Event, *source.Subscription) {
	return e.hub.subscribeJournal(0)
}

// Query answers questions about the past; nil when there is no history.
func (e *Engine) Query() Querier { return e.querier }

// Snapshot returns the state of every monitor in configuration order.
func (e *Engine) Snapshot() []monitor.State { return e.states.appendSnapshot(nil) }

// AppendSnapshot appends what Snapshot returns to dst (see
// source.Source).
func (e *Engine) AppendSnapshot(dst []monitor.State) []monitor.State {
	return e.states.appendSnapshot(dst)
}

// State returns one monitor's state.
func (e *Engine) State(name string) (monitor.State, error) { return e.states.state(name) }

// Stats returns the engine's health counters.
func (e *Engine) Stats() Stats {
	stalls, stalled := e.stall.stats()
	return Stats{
		Checks:        e.stats.checks.Load(),
		Attempts:      e.stats.attempts.Load(),
		Skipped:       e.stats.skipped.Load(),
		OnTime:        e.stats.onTime.Load(),
		Late:          e.stats.late.Load(),
		RecordErrors:  e.stats.recErr.Load(),
		RecordDropped: e.stats.recDrop.Load(),
		Monitors:      e.states.count(),
		Stalls:        stalls,
		Stalled:       stalled,
	}
}

// Warnings returns the problems with upbeat itself now in force, oldest first.
func (e *Engine) Warnings() []string { return e.warnings.list() }

// Warn records a problem with upbeat itself under key (replacing an
// earlier one with the same key) and publishes it; an empty msg clears it.
func (e *Engine) Warn(key, msg string) { e.warnings.set(key, msg) }

// PublishAlert publishes an alert delivery report (the alert dispatcher
// calls it for every attempt).
func (e *Engine) PublishAlert(ev monitor.Event) {
	if ev.Time.IsZero() {
		ev.Time = e.now()
	}
	ev.Kind = monitor.EventAlert
	e.hub.publish(ev)
}

// CheckNow runs a monitor's check as soon as a slot is free.
func (e *Engine) CheckNow(name string) error { return e.controls.checkNow(name) }

// SetPaused pauses a monitor (no checks, no alerts) or resumes it.
func (e *Engine) SetPaused(name string, paused bool) error {
	if err := e.controls.setPaused(name, paused); err != nil || !paused {
		return err
	}
	return e.endWarRoom(name, time.Time{}, "ended: paused")
}

// Ack acknowledges a monitor's open incident: no re-notification until it
// resolves. A monitor that is not down has nothing to acknowledge.
func (e *Engine) Ack(name string) error { return e.controls.ack(name) }

// Maintain puts a monitor in maintenance for d from now (0 ends it).
func (e *Engine) Maintain(name string, d time.Duration) error { return e.controls.maintain(name, d) }

// Push records a heartbeat for the push monitor whose token is token and
// returns the monitor's name. status is StatusUp for an ordinary beat,
// StatusDown when the caller reports a failure (msg says why).
func (e *Engine) Push(token string, status monitor.Status, msg string) (string, error) {
	r, err := e.push.beat(token, status, msg)
	if err != nil {
		return "", err
	}
	if en, ok := e.states.get(r.Monitor); ok { // else added by a reload under way: its first check sees the beat
		e.finish(en, r)
	}
	return r.Monitor, nil
}

// CheckAll runs every monitor once, in parallel within the concurrency
// limit, each with its full retries, and returns the results in
// configuration order. It does not need Run.
func (e *Engine) CheckAll(ctx context.Context) []monitor.Result {
	return e.runner.checkAll(ctx, e.states.list(), e.states.inWindow)
}

// Reload applies a new configuration as a diff: monitors whose settings
// are unchanged keep their state; changed ones keep their history and
// status but are checked again at once; new ones start pending; removed
// ones stop. It returns a line per change, with also: changes made
// around the engine (alert channels, maintenance windows) that the reload
// event reports with its own.
func (e *Engine) Reload(cfg *Config, also ...string) ([]string, error) {
	if err := knownKinds(cfg, e.runner.checkers); err != nil {
		return nil, err
	}
	e.reloading.Lock()
	defer e.reloading.Unlock()
	e.push.watch(cfg.Monitors) // first: a new push monitor's last beat is restored from history below
	rl := &reload{cfg: cfg, fresh: make(map[string]*entry), changes: append([]string(nil), also...),
		bare: e.bareEntry}
	for _, m := range e.states.newMonitors(cfg) {
		rl.fresh[m.Name] = e.newEntry(m)
	}
	rl.apply(e.states, e.sched)
	for _, en := range rl.removed {
		e.recordStop(en, monitor.StoppedRemoved)
	}
	e.hub.publish(monitor.Event{Kind: monitor.EventReload, Time: e.now(), Message: rl.message()})
	e.sched.kick()
	return rl.changes, nil
}
