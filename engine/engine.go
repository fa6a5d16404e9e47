package engine

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sort"
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

// DefaultRecent is how many recent samples each monitor keeps for sparklines.
const DefaultRecent = 60

// Options are the engine's collaborators. Only Checkers is required.
type Options struct {
	Checkers    map[monitor.Kind]Checker
	Recorder    Recorder    // every result is handed to it; nil: none kept
	Restorer    Restorer    // state at start and uptime figures; nil: start fresh
	Querier     Querier     // the past, for viewers; nil: no history
	Notifier    Notifier    // told of every status change; nil: no alerts
	Maintenance Maintenance // configured windows; ad-hoc windows are the engine's own
	Logger      *slog.Logger
	Now         func() time.Time // default time.Now; must carry a monotonic reading
	Recent      int              // samples kept per monitor (default DefaultRecent)
	// RecordQueue is how many results may wait for the recorder before the
	// oldest are dropped (default 65536).
	RecordQueue int
	// Controls keeps what people decided (pauses, ad-hoc maintenance)
	// across restarts; nil: they last as long as the process.
	Controls ControlStore
}

// Control is what a person decided about one monitor.
type Control struct {
	Paused     bool      `json:"paused,omitempty"`
	MaintUntil time.Time `json:"maint_until,omitempty"`
}

// ControlStore keeps Controls across restarts.
type ControlStore interface {
	// LoadControls returns the decisions saved last, by monitor name.
	LoadControls() (map[string]Control, error)
	// SaveControls replaces the saved decisions.
	SaveControls(map[string]Control) error
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
}

// Engine runs every monitor on its interval and publishes what it finds.
// Create one with New, then Run it; every other method is safe to call from
// any goroutine, before, during and after Run.
type Engine struct {
	opts Options
	log  *slog.Logger
	now  func() time.Time

	mu       sync.RWMutex
	cfg      *Config
	entries  map[string]*entry
	order    []*entry // configuration order
	warnings map[string]string
	warnSeq  []string // warning keys, oldest first
	// asked are entries whose schedule changed outside the scheduler (check
	// now, resume, maintenance, reload); the scheduler looks at them, and
	// only them, when it wakes.
	asked []*entry

	hub     hub
	wake    chan struct{} // the scheduler has new work (check now, reload, resume)
	records chan *monitor.Result
	sem     chan struct{}
	running sync.WaitGroup

	stats struct {
		checks, attempts, skipped, onTime, late, recErr, recDrop atomic.Uint64
	}
}

// entry is one monitor's live state. Fields under the engine's mu unless noted.
type entry struct {
	m      *monitor.Monitor
	state  monitor.State // Recent is immutable once published: replaced, never modified
	due    time.Time     // scheduler goroutine only
	now    bool          // check as soon as possible
	busy   *atomic.Bool  // a check is running; shared with the entry a reload replaces
	gone   bool          // removed by a reload
	beat   time.Time     // push: last heartbeat
	added  time.Time     // when this engine started watching the monitor
	good   int           // consecutive non-down results
	adhoc  time.Time     // ad-hoc maintenance until
	hidx   int           // index in the scheduler heap, -1 when not in it
	hbuckt [24]struct{ good, total uint32 }
	hhour  int64 // hour number of hbuckt's newest bucket
	// histUptime says which uptime figures came from history; the others
	// are counted in memory until history has something to say.
	histUptime [3]bool
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
	if opts.Recent <= 0 {
		opts.Recent = DefaultRecent
	}
	if opts.RecordQueue <= 0 {
		opts.RecordQueue = 1 << 16
	}
	conc := cfg.Settings.Concurrency
	if conc <= 0 {
		conc = 256
	}
	e := &Engine{
		opts:     opts,
		log:      opts.Logger,
		now:      opts.Now,
		cfg:      cfg,
		entries:  make(map[string]*entry),
		warnings: make(map[string]string),
		wake:     make(chan struct{}, 1),
		records:  make(chan *monitor.Result, opts.RecordQueue),
		sem:      make(chan struct{}, conc),
	}
	for _, m := range cfg.Monitors {
		if _, ok := opts.Checkers[m.Kind]; !ok && m.Kind != monitor.KindPush {
			return nil, fmt.Errorf("monitor %s: %w: %s", m.Name, ErrNoChecker, m.Kind)
		}
		en := e.newEntry(m, cfg.Settings.Location)
		e.entries[m.Name] = en
		e.order = append(e.order, en)
	}
	if opts.Controls != nil {
		saved, err := opts.Controls.LoadControls()
		if err != nil {
			e.log.Warn("pauses and maintenance from the last run are lost", "err", err)
		}
		now := e.now()
		for name, c := range saved {
			en, ok := e.entries[name]
			if !ok {
				continue
			}
			if c.Paused {
				en.state.Paused, en.state.Status, en.state.Since = true, monitor.StatusPaused, now
			}
			if c.MaintUntil.After(now) {
				en.adhoc = c.MaintUntil
			}
		}
	}
	return e, nil
}

// saveControls writes every monitor's pause and ad-hoc window. It is
// called without the lock: it may touch the disk.
func (e *Engine) saveControls() {
	if e.opts.Controls == nil {
		return
	}
	e.mu.RLock()
	now := e.now()
	out := make(map[string]Control)
	for _, en := range e.order {
		c := Control{Paused: en.state.Paused}
		if en.adhoc.After(now) {
			c.MaintUntil = en.adhoc.Round(0) // wall clock only: it must survive a restart
		}
		if c != (Control{}) {
			out[en.m.Name] = c
		}
	}
	e.mu.RUnlock()
	if err := e.opts.Controls.SaveControls(out); err != nil {
		e.log.Warn("could not save pauses and maintenance", "err", err)
		e.Warn("controls", "pauses and maintenance are not saved: "+Sanitize(err.Error(), 120))
		return
	}
	e.Warn("controls", "")
}

// newEntry makes a monitor's entry, restored from history. It reads
// history, so it is called without the engine's lock held.
func (e *Engine) newEntry(m *monitor.Monitor, location string) *entry {
	en := &entry{m: m, hidx: -1, busy: new(atomic.Bool), added: e.now()}
	en.state = monitor.State{Monitor: m, Status: monitor.StatusPending, Since: e.now(), Location: location}
	if e.opts.Restorer != nil {
		e.restore(en)
	}
	return en
}

// restore fills an entry from history: recent samples, the last result,
// the current status and since when.
func (e *Engine) restore(en *entry) {
	recent, since, ok := e.opts.Restorer.Restore(en.m.Name, e.opts.Recent)
	if !ok || len(recent) == 0 {
		return
	}
	samples := make([]monitor.Sample, 0, len(recent))
	for i := range recent {
		samples = append(samples, sampleOf(&recent[i]))
	}
	last := recent[len(recent)-1]
	en.state.Recent = samples
	en.state.Last = last
	en.state.Status = last.Status
	if en.state.Status == monitor.StatusMaintenance || en.state.Status == monitor.StatusPaused {
		en.state.Status = monitor.StatusPending
	}
	en.state.Since = since
	if en.m.Kind == monitor.KindPush {
		for i := len(recent) - 1; i >= 0; i-- { // the newest real beat, not a lateness check
			if isBeat(&recent[i]) {
				en.beat = recent[i].Time
				break
			}
		}
	}
	en.applyUptime(e.historyUptime(en.m.Name, e.now()))
}

func sampleOf(r *monitor.Result) monitor.Sample {
	return monitor.Sample{Time: r.Time, Latency: r.Latency, Status: r.Status, Code: r.Code}
}

// Config returns the configuration in force.
func (e *Engine) Config() *Config {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.cfg
}

// Subscribe starts a stream of events. The caller must Close it.
func (e *Engine) Subscribe() *source.Subscription { return e.hub.subscribe(0) }

// Query answers questions about the past; nil when there is no history.
func (e *Engine) Query() Querier { return e.opts.Querier }

// Snapshot returns the state of every monitor in configuration order.
func (e *Engine) Snapshot() []monitor.State {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]monitor.State, len(e.order))
	for i, en := range e.order {
		out[i] = en.state
	}
	return out
}

// State returns one monitor's state.
func (e *Engine) State(name string) (monitor.State, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	en, ok := e.entries[name]
	if !ok {
		return monitor.State{}, fmt.Errorf("%w: %s", ErrNoMonitor, name)
	}
	return en.state, nil
}

// Stats returns the engine's health counters.
func (e *Engine) Stats() Stats {
	e.mu.RLock()
	n := len(e.order)
	e.mu.RUnlock()
	return Stats{
		Checks:        e.stats.checks.Load(),
		Attempts:      e.stats.attempts.Load(),
		Skipped:       e.stats.skipped.Load(),
		OnTime:        e.stats.onTime.Load(),
		Late:          e.stats.late.Load(),
		RecordErrors:  e.stats.recErr.Load(),
		RecordDropped: e.stats.recDrop.Load(),
		Monitors:      n,
	}
}

// Warnings returns the problems with upbeat itself now in force, oldest first.
func (e *Engine) Warnings() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]string, 0, len(e.warnSeq))
	for _, k := range e.warnSeq {
		out = append(out, e.warnings[k])
	}
	return out
}

// Warn records a problem with upbeat itself under key (replacing an
// earlier one with the same key) and publishes it; an empty msg clears it.
func (e *Engine) Warn(key, msg string) {
	e.mu.Lock()
	old, had := e.warnings[key]
	switch {
	case msg == "" && !had, msg != "" && had && old == msg:
		e.mu.Unlock()
		return
	case msg == "":
		delete(e.warnings, key)
		for i, k := range e.warnSeq {
			if k == key {
				e.warnSeq = append(e.warnSeq[:i:i], e.warnSeq[i+1:]...)
				break
			}
		}
	default:
		if !had {
			e.warnSeq = append(e.warnSeq, key)
		}
		e.warnings[key] = msg
	}
	e.mu.Unlock()
	now := e.now()
	if had {
		// viewers keep warnings from events: retire the old text first
		e.hub.publish(monitor.Event{Kind: monitor.EventWarning, Time: now, Message: old, Clear: true})
	}
	if msg != "" {
		e.hub.publish(monitor.Event{Kind: monitor.EventWarning, Time: now, Message: msg})
	}
}

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
func (e *Engine) CheckNow(name string) error {
	e.mu.Lock()
	en, ok := e.entries[name]
	if ok {
		en.now = true
		e.asked = append(e.asked, en)
	}
	e.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoMonitor, name)
	}
	e.kick()
	return nil
}

// SetPaused pauses a monitor (no checks, no alerts) or resumes it.
func (e *Engine) SetPaused(name string, paused bool) error {
	e.mu.Lock()
	en, ok := e.entries[name]
	if !ok {
		e.mu.Unlock()
		return fmt.Errorf("%w: %s", ErrNoMonitor, name)
	}
	if en.state.Paused == paused {
		e.mu.Unlock()
		return nil
	}
	en.state.Paused = paused
	to := monitor.StatusPaused
	if !paused {
		to = monitor.StatusPending
		en.now = true
		e.asked = append(e.asked, en)
	}
	ev := e.setStatusLocked(en, to, nil)
	e.mu.Unlock()
	if paused {
		e.recordMarker(en.m, monitor.StatusPaused, "paused")
	}
	e.publishChange(ev)
	e.saveControls()
	e.kick()
	return nil
}

// Ack acknowledges a monitor's open incident: no re-notification until it resolves.
func (e *Engine) Ack(name string) error {
	e.mu.Lock()
	en, ok := e.entries[name]
	down := ok && en.state.Status == monitor.StatusDown
	if down {
		en.state.Acked = true
	}
	e.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoMonitor, name)
	}
	if !down { // nothing to acknowledge, and nothing kept for the next incident
		return fmt.Errorf("%w: %s is not down", ErrNoIncident, name)
	}
	if a, ok := e.opts.Notifier.(interface{ Ack(string) }); ok {
		a.Ack(name)
	}
	return nil
}

// Maintain puts a monitor in maintenance for d from now (0 ends it).
func (e *Engine) Maintain(name string, d time.Duration) error {
	e.mu.Lock()
	en, ok := e.entries[name]
	if ok {
		en.adhoc = e.now().Add(d)
		if d <= 0 {
			en.adhoc = time.Time{}
		}
		en.now = true
		e.asked = append(e.asked, en)
	}
	e.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoMonitor, name)
	}
	e.saveControls()
	e.kick()
	return nil
}

// Push records a heartbeat for the push monitor whose token is token.
// status is StatusUp for an ordinary beat, StatusDown when the caller
// reports a failure (msg says why).
func (e *Engine) Push(token string, status monitor.Status, msg string) (string, error) {
	e.mu.RLock()
	var en *entry
	for _, x := range e.order {
		if x.m.Kind == monitor.KindPush && x.m.Parsed != nil && x.m.Parsed.Host == token {
			en = x
			break
		}
	}
	e.mu.RUnlock()
	if en == nil {
		return "", fmt.Errorf("%w: push token", ErrNoMonitor)
	}
	now := e.now()
	r := &monitor.Result{Monitor: en.m.Name, Kind: monitor.KindPush, URL: redactPush(en.m), Time: now, Status: monitor.StatusUp, Attempts: 1,
		Answers: []string{beatMark}}
	if status == monitor.StatusDown {
		r.Status, r.Class, r.Error = monitor.StatusDown, "push_failed", Sanitize(msg, 200)
		if r.Error == "" {
			r.Error = "the job reported a failure"
		}
	}
	e.mu.Lock()
	en.beat = now
	e.mu.Unlock()
	e.finish(en, r)
	return en.m.Name, nil
}

func redactPush(m *monitor.Monitor) string { return "push://…" }

// beatMark tells a push monitor's beats from its lateness checks in
// history, so a restart knows when the last real beat came.
const beatMark = "beat received"

func isBeat(r *monitor.Result) bool {
	for _, a := range r.Answers {
		if a == beatMark {
			return true
		}
	}
	return false
}

// displayURL is a monitor's URL as results show it: without a password,
// and a push monitor's token hidden.
func displayURL(m *monitor.Monitor) string {
	if m.Kind == monitor.KindPush {
		return redactPush(m)
	}
	if m.Parsed != nil {
		return m.Parsed.Redacted()
	}
	return m.URL
}

// kick wakes the scheduler.
func (e *Engine) kick() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// maxSpread bounds how long after start a monitor's first check may come,
// so that an hourly monitor is not "pending" for most of an hour.
const maxSpread = 30 * time.Second

// offset spreads monitors over their interval (at most maxSpread), the
// same way on every start, so that 10,000 monitors never fire in the same
// millisecond.
func offset(name string, interval time.Duration) time.Duration {
	interval = min(interval, maxSpread)
	if interval <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	x := h.Sum64() // FNV's low bits vary little between similar names: mix them (splitmix64's finalizer)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return time.Duration(x % uint64(interval))
}

// Run schedules checks until ctx is done, then waits for the checks in
// flight to end and returns ctx's error.
func (e *Engine) Run(ctx context.Context) error {
	recDone := make(chan struct{})
	go e.recordLoop(recDone)
	upCtx, upStop := context.WithCancel(ctx)
	upDone := make(chan struct{})
	go func() { e.uptimeLoop(upCtx); close(upDone) }()
	defer func() {
		upStop()
		<-upDone
		e.running.Wait()
		close(e.records)
		<-recDone
	}()

	var h schedHeap
	start := e.now()
	e.mu.Lock()
	for _, en := range e.order {
		en.due = start.Add(offset(en.m.Name, schedInterval(en.m)))
		heapPush(&h, en)
	}
	e.mu.Unlock()

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		now := e.now()
		e.mu.Lock()
		e.collectNow(&h, now)
		var wait time.Duration = time.Hour
		for len(h) > 0 {
			en := h[0]
			if en.gone {
				heapPop(&h)
				continue
			}
			if en.due.After(now) {
				wait = en.due.Sub(now)
				break
			}
			heapPop(&h)
			due := en.due
			en.due = nextDue(due, schedInterval(en.m), now)
			en.now = false
			if !en.state.Paused {
				heapPush(&h, en)
				e.launchLocked(ctx, en, due)
			}
		}
		e.mu.Unlock()

		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
		case <-e.wake:
		}
	}
}

// collectNow puts monitors asked to run at once (check now, resume,
// reload) at the front of the schedule, and schedules new ones. It looks
// only at the entries asked about, never at all of them: it runs on every
// wake-up.
func (e *Engine) collectNow(h *schedHeap, now time.Time) {
	for _, en := range e.asked {
		if en.state.Paused || en.gone {
			continue
		}
		if en.hidx < 0 {
			en.due = now.Add(offset(en.m.Name, schedInterval(en.m)))
			if en.now {
				en.due = now
			}
			heapPush(h, en)
			continue
		}
		if en.now && en.due.After(now) {
			en.due = now
			heapFix(h, en)
		}
	}
	clear(e.asked)
	e.asked = e.asked[:0]
}

// schedInterval is how often a monitor is looked at. A push monitor's
// "check" only compares its last beat with the clock, so it is looked at
// often (a tenth of its interval, between 1 s and 30 s): a missed beat is
// noticed within seconds of its deadline, not up to an interval later.
func schedInterval(m *monitor.Monitor) time.Duration {
	if m.Kind != monitor.KindPush {
		return m.Interval
	}
	return min(max(m.Interval/10, time.Second), 30*time.Second)
}

// nextDue is the next due time after due that is not already past: a
// scheduler that fell behind (a suspended machine, an overloaded one)
// skips the missed slots instead of firing them in a burst.
func nextDue(due time.Time, interval time.Duration, now time.Time) time.Time {
	if interval <= 0 {
		interval = time.Second
	}
	next := due.Add(interval)
	if next.Before(now) {
		missed := now.Sub(next)/interval + 1
		next = next.Add(missed * interval)
	}
	return next
}

// launchLocked starts a check of en unless one is already running, in
// which case this one is counted as skipped.
func (e *Engine) launchLocked(ctx context.Context, en *entry, due time.Time) {
	if !en.busy.CompareAndSwap(false, true) {
		e.stats.skipped.Add(1)
		en.state.Skipped++
		return
	}
	e.running.Add(1)
	go func() {
		defer e.running.Done()
		defer en.busy.Store(false)
		select {
		case e.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		defer func() { <-e.sem }()
		if late := e.now().Sub(due); late <= time.Second {
			e.stats.onTime.Add(1)
		} else {
			e.stats.late.Add(1)
		}
		r := e.checkWithRetries(ctx, en, true)
		if r == nil || ctx.Err() != nil {
			return
		}
		e.finish(en, r)
	}()
}

// checkWithRetries runs a check, retrying a failure up to the monitor's
// retries unless the monitor is already down (onlyIfNew) — a confirmed
// outage needs no re-confirmation.
func (e *Engine) checkWithRetries(ctx context.Context, en *entry, onlyIfNew bool) *monitor.Result {
	m := en.m
	var r monitor.Result
	for attempt := 1; ; attempt++ {
		r = e.attempt(ctx, en)
		r.Attempts = attempt
		if r.Status != monitor.StatusDown || attempt > m.Retries || ctx.Err() != nil {
			break
		}
		if onlyIfNew {
			e.mu.RLock()
			already := en.state.Status == monitor.StatusDown
			e.mu.RUnlock()
			if already {
				break
			}
		}
		t := time.NewTimer(m.RetryInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
	return &r
}

// attempt runs one attempt under the monitor's timeout.
func (e *Engine) attempt(ctx context.Context, en *entry) monitor.Result {
	m := en.m
	e.stats.attempts.Add(1)
	start := e.now()
	var r monitor.Result
	if m.Kind == monitor.KindPush {
		r = e.checkPush(en, start)
	} else {
		cctx, cancel := context.WithTimeout(ctx, m.Timeout)
		r = e.opts.Checkers[m.Kind].Check(cctx, m)
		cancel()
	}
	r.Monitor, r.Kind, r.Time = m.Name, m.Kind, start
	r.URL = displayURL(m) // never the password in a URL, never a push token
	if r.Latency == 0 && m.Kind != monitor.KindPush {
		r.Latency = e.now().Sub(start)
	}
	if r.Status == monitor.StatusUp && m.MaxLatency > 0 && r.Latency > m.MaxLatency {
		r.Status, r.Class = monitor.StatusDegraded, "slow"
		r.Error = fmt.Sprintf("took %s, more than max_latency %s", r.Latency.Round(time.Millisecond), m.MaxLatency)
	}
	return r
}

// checkPush turns a push monitor down when its last beat is older than
// its interval plus grace.
func (e *Engine) checkPush(en *entry, now time.Time) monitor.Result {
	e.mu.RLock()
	beat, added, last := en.beat, en.added, en.state.Last
	e.mu.RUnlock()
	iv, limit := en.m.Interval, en.m.Interval+en.m.Grace
	if beat.IsZero() {
		// never beat: down once a whole limit has passed since watching began
		if waited := now.Sub(added); waited < limit {
			return monitor.Result{Status: monitor.StatusPending, Error: "waiting for the first beat"}
		}
		return monitor.Result{Status: monitor.StatusDown, Class: "push_down",
			Error: fmt.Sprintf("no beat since upbeat began watching %s ago; expected every %s", now.Sub(added).Round(time.Second), iv)}
	}
	late := now.Sub(beat)
	switch {
	case late > limit:
		return monitor.Result{Status: monitor.StatusDown, Class: "push_down",
			Error: fmt.Sprintf("last beat %s ago, expected every %s", late.Round(time.Second), iv)}
	case last.Class == "push_failed" && !last.Time.Before(beat):
		return last // the job said it failed, and has not beaten since
	case late > iv:
		return monitor.Result{Status: monitor.StatusDegraded, Class: "push_late",
			Error: fmt.Sprintf("last beat %s ago, expected every %s; down after %s", late.Round(time.Second), iv, limit)}
	}
	return monitor.Result{Status: monitor.StatusUp}
}

// finish publishes a result: it updates the monitor's state, records it,
// and tells the notifier of a status change.
func (e *Engine) finish(en *entry, r *monitor.Result) {
	e.stats.checks.Add(1)
	e.mu.Lock()
	if en.gone || en.state.Paused {
		e.mu.Unlock()
		return
	}
	if r.Time.Before(en.state.Last.Time) {
		// older than what is already known (a push beat overtook a
		// scheduled lateness check): it would only say something stale
		e.mu.Unlock()
		return
	}
	from := en.state.Status
	to := r.Status
	if to == monitor.StatusPending { // a push monitor still waiting: keep pending
		to = from
	}
	if name, in := e.inMaintenanceLocked(en, r.Time); in {
		// A monitor inside a window shows as maintenance whatever its
		// check says (the code and latency are kept), and is recorded so:
		// history counts neither downtime nor uptime nor an incident for
		// a planned window.
		en.state.InMaint = name
		to = monitor.StatusMaintenance
		r.Status = monitor.StatusMaintenance
	} else {
		en.state.InMaint = ""
	}
	en.state.Last = *r
	en.state.Checks++
	e.pushSample(en, r)
	e.countHour(en, r)
	if to == monitor.StatusDown {
		en.good = 0
	} else {
		en.good++
	}
	var ev *monitor.Event
	if to != from {
		ev = e.setStatusLocked(en, to, r)
	}
	st := en.state
	e.mu.Unlock()

	e.enqueueRecord(r)
	e.hub.publish(monitor.Event{Kind: monitor.EventResult, Time: r.Time, Monitor: r.Monitor, Result: r, From: from, To: to})
	if n, ok := e.opts.Notifier.(interface{ Observe(*monitor.Result) }); ok {
		n.Observe(r)
	}
	if ev != nil {
		e.hub.publish(*ev)
		if e.opts.Notifier != nil {
			e.opts.Notifier.Notify(*ev, &st)
		}
	}
}

// setStatusLocked changes en's status and returns the change event.
func (e *Engine) setStatusLocked(en *entry, to monitor.Status, r *monitor.Result) *monitor.Event {
	from := en.state.Status
	now := e.now()
	if r != nil {
		now = r.Time
	}
	en.state.Status = to
	en.state.Since = now
	if to != monitor.StatusMaintenance { // a window in the middle of an incident keeps its acknowledgement
		en.state.Acked = false
	}
	ev := &monitor.Event{Kind: monitor.EventChange, Time: now, Monitor: en.m.Name, Result: r, From: from, To: to}
	return ev
}

func (e *Engine) publishChange(ev *monitor.Event) {
	if ev == nil {
		return
	}
	e.hub.publish(*ev)
	if e.opts.Notifier != nil {
		st, err := e.State(ev.Monitor)
		if err == nil {
			e.opts.Notifier.Notify(*ev, &st)
		}
	}
}

func (e *Engine) inMaintenanceLocked(en *entry, t time.Time) (string, bool) {
	if !en.adhoc.IsZero() && t.Before(en.adhoc) {
		return "ad hoc", true
	}
	if e.opts.Maintenance != nil {
		return e.opts.Maintenance.Active(en.m, t)
	}
	return "", false
}

// pushSample appends r to en's recent samples, replacing the slice so that
// snapshots already handed out never change.
func (e *Engine) pushSample(en *entry, r *monitor.Result) {
	old := en.state.Recent
	n := len(old) + 1
	drop := 0
	if n > e.opts.Recent {
		drop = n - e.opts.Recent
		n = e.opts.Recent
	}
	s := make([]monitor.Sample, 0, n)
	s = append(s, old[drop:]...)
	s = append(s, sampleOf(r))
	en.state.Recent = s
}

// countHour keeps 24 hourly buckets of good and total checks, so that the
// 24h uptime is known without history.
func (e *Engine) countHour(en *entry, r *monitor.Result) {
	hour := r.Time.Unix() / 3600
	if en.hhour == 0 {
		en.hhour = hour
	}
	for en.hhour < hour {
		en.hhour++
		en.hbuckt[en.hhour%24] = struct{ good, total uint32 }{}
	}
	b := &en.hbuckt[hour%24]
	if r.Status == monitor.StatusMaintenance {
		return // a planned window counts neither for nor against uptime
	}
	if hour > en.hhour-24 {
		b.total++
		if r.Status != monitor.StatusDown {
			b.good++
		}
	}
	// Without history, or before history has anything on a new monitor,
	// the hourly buckets are the whole truth about the last 24 hours (and
	// about any longer window of a monitor younger than that).
	var good, total uint32
	for _, x := range en.hbuckt {
		good += x.good
		total += x.total
	}
	if total == 0 {
		return
	}
	mem := monitor.Uptime{Ratio: float64(good) / float64(total), Valid: true}
	for i, u := range en.uptimes() {
		if e.opts.Restorer == nil && i > 0 {
			break // a longer window than the buckets cover, with nothing to say about it
		}
		if !en.histUptime[i] {
			*u = mem
		}
	}
}

// uptimes are the 24h, 7d and 30d figures, in that order.
func (en *entry) uptimes() [3]*monitor.Uptime {
	return [3]*monitor.Uptime{&en.state.Uptime24, &en.state.Uptime7d, &en.state.Uptime30}
}

var uptimeWindows = [3]time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour}

// uptimeLoop refreshes the uptime figures from history on its own
// goroutine (history may be slow, a failing disk, and must never hold up
// the scheduler), as often as the number of monitors allows: every 5 s
// for a few hundred, at most every minute, so a monitor that just went
// down does not show 100% for long.
func (e *Engine) uptimeLoop(ctx context.Context) {
	if e.opts.Restorer == nil {
		return
	}
	for {
		e.mu.RLock()
		list := append([]*entry(nil), e.order...)
		e.mu.RUnlock()
		t := time.NewTimer(uptimePeriod(len(list)))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		now := e.now()
		for _, en := range list {
			if ctx.Err() != nil {
				return
			}
			got := e.historyUptime(en.m.Name, now) // without the engine's lock
			e.mu.Lock()
			en.applyUptime(got)
			e.mu.Unlock()
		}
	}
}

// uptimePeriod spends about 2 ms of history reads per monitor per round.
func uptimePeriod(monitors int) time.Duration {
	return min(max(time.Duration(monitors)*2*time.Millisecond, 5*time.Second), time.Minute)
}

// historyUptime asks history for the 24h, 7d and 30d figures.
func (e *Engine) historyUptime(name string, now time.Time) [3]monitor.Uptime {
	var got [3]monitor.Uptime
	for i := range got {
		got[i] = e.opts.Restorer.Uptime(name, uptimeWindows[i], now)
	}
	return got
}

// applyUptime keeps the figures history knows; the others stay counted in
// memory. Called with mu held, or before the entry is shared.
func (en *entry) applyUptime(got [3]monitor.Uptime) {
	for i, u := range en.uptimes() {
		en.histUptime[i] = got[i].Valid
		if got[i].Valid {
			*u = got[i]
		}
	}
}

// recordMarker stores a result that is no check: it tells history that a
// monitor stopped being watched (paused, removed), so that an incident open
// at that moment ends there instead of running on forever in reports.
func (e *Engine) recordMarker(m *monitor.Monitor, status monitor.Status, why string) {
	e.enqueueRecord(&monitor.Result{Monitor: m.Name, Kind: m.Kind, URL: displayURL(m), Time: e.now(), Status: status, Error: why})
}

// enqueueRecord hands r to the record loop without ever blocking a check.
func (e *Engine) enqueueRecord(r *monitor.Result) {
	if e.opts.Recorder == nil {
		return
	}
	defer func() { recover() }() // the queue is closed after Run returns: drop late results
	select {
	case e.records <- r:
	default:
		e.stats.recDrop.Add(1)
		e.Warn("record-queue", "history is falling behind: some results were not stored")
	}
}

// recordLoop stores results in order, one at a time, and turns storage
// errors into a warning that clears once writing works again.
func (e *Engine) recordLoop(done chan<- struct{}) {
	defer close(done)
	failing := false
	for r := range e.records {
		if e.opts.Recorder == nil {
			continue
		}
		err := e.opts.Recorder.Record(r)
		switch {
		case err != nil:
			e.stats.recErr.Add(1)
			if !failing {
				e.log.Warn("history write failed", "err", err)
			}
			failing = true
			e.Warn("storage", "history: "+Sanitize(err.Error(), 160)+" (checks and alerts go on)")
		case failing:
			failing = false
			e.Warn("storage", "")
		}
	}
}

// CheckAll runs every monitor once, in parallel within the concurrency
// limit, each with its full retries, and returns the results in
// configuration order. It does not need Run.
func (e *Engine) CheckAll(ctx context.Context) []monitor.Result {
	e.mu.RLock()
	list := append([]*entry(nil), e.order...)
	e.mu.RUnlock()
	out := make([]monitor.Result, len(list))
	var wg sync.WaitGroup
	for i, en := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case e.sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = monitor.Result{Monitor: en.m.Name, Kind: en.m.Kind, URL: en.m.URL, Status: monitor.StatusDown, Class: "timeout", Error: ctx.Err().Error()}
				return
			}
			defer func() { <-e.sem }()
			if en.m.Kind == monitor.KindPush { // beats go to a running daemon; a one-shot check has none
				out[i] = monitor.Result{Monitor: en.m.Name, Kind: monitor.KindPush, URL: displayURL(en.m), Status: monitor.StatusPending,
					Error: "push monitors get their beats through a running daemon (upbeat daemon)"}
				return
			}
			if r := e.checkWithRetries(ctx, en, false); r != nil {
				e.mu.RLock()
				if _, in := e.inMaintenanceLocked(en, r.Time); in {
					r.Status = monitor.StatusMaintenance // a planned window is not an outage
				}
				e.mu.RUnlock()
				out[i] = *r
			} else {
				out[i] = monitor.Result{Monitor: en.m.Name, Kind: en.m.Kind, URL: en.m.URL, Status: monitor.StatusDown, Class: "timeout", Error: "interrupted"}
			}
		}()
	}
	wg.Wait()
	return out
}

// Reload applies a new configuration as a diff: monitors whose settings
// are unchanged keep their state; changed ones keep their history and
// status but are checked again at once; new ones start pending; removed
// ones stop. It returns a line per change.
func (e *Engine) Reload(cfg *Config) ([]string, error) {
	for _, m := range cfg.Monitors {
		if _, ok := e.opts.Checkers[m.Kind]; !ok && m.Kind != monitor.KindPush {
			return nil, fmt.Errorf("monitor %s: %w: %s", m.Name, ErrNoChecker, m.Kind)
		}
	}
	// New monitors are restored from history before the lock is taken:
	// history may be slow, and checks must not wait for it.
	e.mu.RLock()
	fresh := make(map[string]*entry)
	for _, m := range cfg.Monitors {
		if _, ok := e.entries[m.Name]; !ok {
			fresh[m.Name] = nil
		}
	}
	e.mu.RUnlock()
	for _, m := range cfg.Monitors {
		if _, ok := fresh[m.Name]; ok {
			fresh[m.Name] = e.newEntry(m, cfg.Settings.Location)
		}
	}

	var changes []string
	e.mu.Lock()
	next := make(map[string]*entry, len(cfg.Monitors))
	order := make([]*entry, 0, len(cfg.Monitors))
	for _, m := range cfg.Monitors {
		old, ok := e.entries[m.Name]
		switch {
		case !ok:
			en := fresh[m.Name]
			if en == nil { // added by a reload racing this one
				en = &entry{m: m, hidx: -1, busy: new(atomic.Bool), added: e.now(),
					state: monitor.State{Monitor: m, Status: monitor.StatusPending, Since: e.now()}}
			}
			en.now = true
			e.asked = append(e.asked, en)
			next[m.Name], order = en, append(order, en)
			changes = append(changes, "added "+m.Name)
		case sameMonitor(old.m, m):
			next[m.Name], order = old, append(order, old)
		default:
			// busy is shared: a check of the old settings still in flight
			// keeps the new entry from starting a second one
			en := &entry{m: m, hidx: -1, now: true, busy: old.busy, beat: old.beat, added: old.added, good: old.good, adhoc: old.adhoc,
				hbuckt: old.hbuckt, hhour: old.hhour, histUptime: old.histUptime}
			en.state = old.state
			en.state.Monitor = m
			old.gone = true
			e.asked = append(e.asked, en)
			next[m.Name], order = en, append(order, en)
			changes = append(changes, "changed "+m.Name)
		}
	}
	var removed []*monitor.Monitor
	for _, en := range e.order {
		if _, ok := next[en.m.Name]; !ok {
			en.gone = true
			changes = append(changes, "removed "+en.m.Name)
			removed = append(removed, en.m)
		}
	}
	for _, en := range order {
		en.state.Location = cfg.Settings.Location
	}
	e.entries, e.order = next, order
	e.cfg = cfg
	e.mu.Unlock()
	for _, m := range removed {
		e.recordMarker(m, monitor.StatusPaused, "removed from the config")
	}
	sort.Strings(changes)
	msg := "config reloaded: no change"
	if len(changes) > 0 {
		msg = fmt.Sprintf("config reloaded: %d change(s): %s", len(changes), joinMax(changes, 6))
	}
	e.hub.publish(monitor.Event{Kind: monitor.EventReload, Time: e.now(), Message: msg})
	e.kick()
	return changes, nil
}

func joinMax(s []string, max int) string {
	out := ""
	for i, x := range s {
		if i == max {
			return out + fmt.Sprintf(", and %d more", len(s)-max)
		}
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
