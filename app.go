package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	goruntime "runtime"
	"slices"
	"time"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/engine/alert/maint"
	"github.com/upbeat-monitor/upbeat/engine/check"
	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/peers"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/source/local"
)

// The history is the engine's recorder, restorer and querier, and
// streams long periods to the API.
var (
	_ engine.Recorder      = (*history.DB)(nil)
	_ engine.Restorer      = (*history.DB)(nil)
	_ engine.BulkRestorer  = (*history.DB)(nil)
	_ engine.Origin        = (*history.DB)(nil)
	_ engine.Querier       = (*history.DB)(nil)
	_ engine.CheckCounter  = (*history.DB)(nil)
	_ source.ResultScanner = (*history.DB)(nil)
)

// The alert switch is the engine's notifier, and takes acknowledgements
// and every result too.
var (
	_ engine.Notifier    = (*alert.Switch)(nil)
	_ engine.Acker       = (*alert.Switch)(nil)
	_ engine.Observer    = (*alert.Switch)(nil)
	_ engine.SLOObserver = (*alert.Switch)(nil)
)

// newCheckers returns one checker per kind, shared by every monitor.
func newCheckers(cfg *config.Config) map[monitor.Kind]engine.Checker {
	return check.New(check.Options{})
}

// runtime is an engine with everything around it: maintenance windows,
// alerts and (later) history. main.go's commands build one and run it.
type runtime struct {
	cfg     *config.Config
	eng     *engine.Engine
	windows *maint.Windows
	alerts  *alert.Switch
	store   *history.DB // nil when history is off
	// incidents are the open incidents as the alerting sees them
	// (acknowledged, flapping), for viewers.
	incidents *local.Incidents
	log       *slog.Logger
	opts      runtimeOptions
	closers   []func()
	// undeliverable are the keys of the engine's warnings about alerts
	// that cannot deliver here (warnUndeliverable).
	undeliverable []string
	// undelivered: the channels that gave up on a message (warnUndelivered).
	undelivered undelivered
}

type runtimeOptions struct {
	terminal io.Writer // where terminal alerts go: the dashboard's terminal; nil in the daemon
	getenv   func(string) string
	log      *slog.Logger
	// historyDir is where results are kept; "" means the config's
	// history_dir, else the XDG data dir. noHistory keeps nothing.
	historyDir string
	noHistory  bool
	// tuneAlerts adjusts the alert dispatcher's options (tests shorten its waits).
	tuneAlerts func(*alert.Options)
	// shard, when set, overrides [settings] shard (upbeat daemon --shard),
	// at start and at every reload.
	shard *fleet.Shard
	// checkDelivery warns at start and at every reload of alerts that
	// can never deliver here (warnUndeliverable): the daemon, and the
	// dashboard without a terminal.
	checkDelivery bool
	// now is the clock of the engine and the history; nil: time.Now.
	now func() time.Time
}

func newRuntime(cfg *config.Config, o runtimeOptions) (*runtime, error) {
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	cfg = o.scope(cfg)
	rt := &runtime{cfg: cfg, log: o.log, opts: o, incidents: &local.Incidents{}}
	w, err := maint.New(cfg.Maintenance)
	if err != nil {
		return nil, fmt.Errorf("maintenance: %w", err)
	}
	rt.windows = w
	d := rt.newDispatcher(cfg, o)
	rt.alerts = alert.NewSwitch(d)
	rt.closers = append(rt.closers, func() { rt.alerts.Close() })
	eopts := engine.Options{
		Checkers:    newCheckers(cfg),
		Notifier:    rt.alerts,
		Maintenance: w,
		Logger:      o.log,
		Now:         o.now,
	}
	var storeErr error
	if !o.noHistory {
		st, err := openStore(cfg, o)
		if err != nil {
			if errors.Is(err, history.ErrLocked) {
				rt.Close()
				return nil, err
			}
			storeErr = err // run without history, and say so
		} else {
			rt.store = st
			rt.closers = append(rt.closers, func() { st.Close() })
			eopts.Recorder, eopts.Restorer, eopts.Querier = st, st, st
			eopts.Notes = st
			eopts.Controls = fileControls{path: filepath.Join(historyDir(cfg, o), "controls.json")}
		}
	}
	eng, err := engine.New(&cfg.Config, eopts)
	if err != nil {
		rt.Close()
		return nil, err
	}
	rt.eng = eng
	if storeErr != nil {
		o.log.Error("history is off: results are not kept", "err", storeErr)
		eng.Warn("storage", "history is off: "+engine.Sanitize(storeErr.Error(), 160))
	}
	rt.setChannels(rt.cfg) // before anything is sent: restoreIncidents may send a late resolve
	rt.restoreIncidents()
	if o.checkDelivery {
		rt.warnUndeliverable()
	}
	return rt, nil
}

// openStore opens the history for writing. Storage faults after this
// point are reported through the engine as a warning in the header.
func openStore(cfg *config.Config, o runtimeOptions) (*history.DB, error) {
	return history.Open(historyDir(cfg, o), history.Options{
		Retention:       cfg.Settings.Retention,
		RollupRetention: cfg.Settings.RollupRetention,
		GroupReadable:   cfg.Settings.HistoryAccess == config.HistoryGroup,
		Logger:          o.log,
		Now:             o.now,
	})
}

// restoreIncidents tells the alert dispatcher of incidents that were open
// when upbeat last stopped, so a restart sends no second alert and the
// resolve still goes out later.
func (rt *runtime) restoreIncidents() {
	if rt.store == nil {
		return
	}
	now := time.Now()
	for _, st := range rt.eng.Snapshot() {
		name := st.Monitor.Name
		switch {
		case st.Status == monitor.StatusUp || st.Status == monitor.StatusDegraded:
			var last *monitor.Result
			if !st.Last.Time.IsZero() {
				last = &st.Last
			}
			rt.resolveLate(name, last, now)
		case st.Status == monitor.StatusDown:
			if in, ok := rt.openIncident(name, now); ok {
				rt.takeOver(name, in, now, monitor.StatusDown)
			}
		case st.Status == monitor.StatusPending && st.Last.Status == monitor.StatusMaintenance:
			// The engine restores a monitor that was in a window as
			// pending: its next check says whether it still is.
			if in, ok := rt.silencedIncident(name, now); ok {
				rt.takeOver(name, in, now, monitor.StatusMaintenance)
			}
		case st.Status == monitor.StatusPaused, st.Status == monitor.StatusPending && st.Last.StoppedByPause():
			// A pause outlives a restart (fileControls). Resumed and
			// stopped before its first check, that check carries on the
			// incident it was paused in, as it would have without the
			// restart.
			if in, ok := rt.pausedIncident(name, now); ok {
				rt.takeOver(name, in, now, monitor.StatusPaused)
			}
		}
	}
}

// openIncident returns the incident of a monitor restored down: the last
// one history has, open. History joins the stretches of downtime a
// window split, as the alerting does, so it starts when the monitor
// first went down, keeps the ID its people were paged with, and has the
// notes and acknowledgement of every stretch.
func (rt *runtime) openIncident(name string, now time.Time) (monitor.Incident, bool) {
	in, ok := rt.lastIncident(name, now)
	return in, ok && in.End.IsZero() && !in.InWindow()
}

// silencedIncident returns the incident of a monitor that went into a
// maintenance window while down and was still in it when upbeat stopped:
// history has it open, in the window (monitor.Incident.InWindow).
// Without a restart the alerting keeps such an incident open across the
// window; taken over, it goes on as it would have, one incident from
// when the monitor first went down.
func (rt *runtime) silencedIncident(name string, now time.Time) (monitor.Incident, bool) {
	in, ok := rt.lastIncident(name, now)
	return in, ok && in.InWindow()
}

// pausedIncident returns the incident of a monitor paused while down and
// paused still: history ends it at the pause (monitor.Incident.Paused),
// for nobody watches the monitor, but the alerting keeps it open across
// a pause, and resumed still down, the monitor carries it on. Taken
// over, it goes on as it would have without the restart.
func (rt *runtime) pausedIncident(name string, now time.Time) (monitor.Incident, bool) {
	in, ok := rt.lastIncident(name, now)
	return in, ok && in.Paused
}

// lastIncident returns a monitor's last incident in the history.
func (rt *runtime) lastIncident(name string, now time.Time) (monitor.Incident, bool) {
	incs, err := rt.store.Incidents(name, now.Add(-rt.retention()), now)
	if err != nil || len(incs) == 0 {
		return monitor.Incident{}, false
	}
	return incs[len(incs)-1], true
}

// takeOver hands the alerting an incident open before this start, with
// its notes and its acknowledgement; status is its monitor's when upbeat
// stopped: down, in a maintenance window (silencedIncident) or paused
// (pausedIncident).
func (rt *runtime) takeOver(name string, in monitor.Incident, now time.Time, status monitor.Status) {
	// The alerting keeps no breaks of its own, and its incident goes on
	// across a pause: after a restart its messages say what they would
	// have said without one.
	in.Breaks, in.Paused, in.End = nil, false, time.Time{}
	if notes, err := rt.store.Notes(name, in.Start.Add(-time.Second), now.Add(time.Hour)); err == nil {
		one := []monitor.Incident{in}
		local.AttachNotes(one, notes) // the resolve still carries them
		in = one[0]
	}
	rt.eng.RestoreIncident(name, in.Start) // it takes notes, whatever its status now
	// An acknowledgement outlives the process: no reminders after the
	// restart, and every view still says it.
	if slices.ContainsFunc(in.Notes, func(n monitor.Note) bool { return n.Kind == monitor.NoteAck }) {
		in.Acked = true
		rt.eng.RestoreAcked(name)
	}
	switch d := rt.alerts.Current(); status {
	case monitor.StatusMaintenance:
		d.RestoreInWindow(name, in)
	case monitor.StatusPaused:
		d.RestorePaused(name, in)
	default:
		d.Restore(name, in)
	}
}

// retention is how far back the history goes.
func (rt *runtime) retention() time.Duration {
	if r := rt.cfg.Settings.Retention; r > 0 {
		return r
	}
	return history.DefaultRetention
}

func (rt *runtime) newDispatcher(cfg *config.Config, o runtimeOptions) *alert.Dispatcher {
	opts := alert.Options{
		Alerts:       cfg.Alerts,
		Monitors:     cfg.Monitors,
		Maintenance:  rt.windows,
		RecoverAfter: cfg.Settings.RecoverAfter,
		ChannelOptions: alert.ChannelOptions{Terminal: o.terminal, Env: o.getenv, Origin: alert.Origin{
			Location: cfg.Settings.Location, URL: cfg.API.BaseURL(os.Hostname),
		}},
		OnDelivery: func(ev monitor.Event) {
			if rt.eng != nil {
				rt.warnUndelivered(ev.Alert) // first: a viewer told of the event finds the warning
				rt.eng.PublishAlert(ev)
			}
			rt.keepDelivery(ev)
		},
		OnIncident: rt.incidents.Update, // acknowledged, flapping: for the viewers' incidents
		Logger:     o.log,
		Location:   time.Local,
	}
	if len(cfg.Peers.URLs) > 0 {
		opts.Jury = peers.New(cfg.Settings.Location, cfg.Peers, nil)
	}
	if u := cfg.Settings.ConnectivityURL; u != "" {
		opts.Connectivity = alert.HTTPConnectivity(nil, u)
		opts.ConnectivityTarget = u
	}
	if o.tuneAlerts != nil {
		o.tuneAlerts(&opts)
	}
	d := alert.New(opts)
	if err := d.Err(); err != nil {
		o.log.Warn("alert channel not available", "err", err)
	}
	return d
}

// warnUndeliverable warns, in the log and as a warning of the engine
// (shown in /healthz and the dashboards' header), of every terminal or
// desktop alert that cannot deliver where this runtime runs: a terminal
// alert without a terminal (a daemon, output to a pipe), a desktop alert
// without a session bus. Such alerts pass 'upbeat validate' but every
// delivery would fail.
func (rt *runtime) warnUndeliverable() {
	keys := map[string]bool{}
	for _, a := range rt.cfg.Alerts {
		var why string
		switch {
		case a.Kind == alert.KindTerminal && rt.opts.terminal == nil:
			why = "a terminal alert needs the dashboard ('upbeat') running in the foreground in a terminal, and this upbeat has none"
		case a.Kind == alert.KindDesktop && !sessionBus(rt.opts.getenv):
			why = "a desktop alert needs a desktop session (a D-Bus session bus), and there is none here"
		default:
			continue
		}
		msg := fmt.Sprintf("alert %q can never deliver: %s; use a webhook or email alert instead", a.Name, why)
		rt.log.Warn(msg, "alert", a.Name, "kind", a.Kind)
		key := "alert " + a.Name
		rt.eng.Warn(key, msg)
		keys[key] = true
	}
	for _, key := range rt.undeliverable { // alerts a reload fixed or removed
		if !keys[key] {
			rt.eng.Warn(key, "")
		}
	}
	rt.undeliverable = slices.Collect(maps.Keys(keys))
}

// sessionBus reports whether desktop notifications have a D-Bus session
// bus to go through (Linux and the BSDs; elsewhere the system's own
// notification service is assumed).
func sessionBus(getenv func(string) string) bool {
	switch goruntime.GOOS {
	case "darwin", "windows", "ios", "android":
		return true
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	if dir := getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(dir) {
		if fi, err := os.Stat(filepath.Join(dir, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return true
		}
	}
	return false
}

// Close stops the alert dispatcher and closes what the runtime opened, in
// reverse order.
func (rt *runtime) Close() {
	for i := len(rt.closers) - 1; i >= 0; i-- {
		rt.closers[i]()
	}
	rt.closers = nil
}

// reload applies a new configuration: maintenance windows (ad-hoc ones
// kept), alert channels (open incidents carried over) and monitors (state
// of unchanged ones kept). The changes it returns (and the engine's reload
// event reports) name every monitor, alert and maintenance window that was
// added, changed or removed, by name only: an alert's URL holds secrets.
func (rt *runtime) reload(next *config.Config) ([]string, error) {
	next = rt.opts.scope(next)
	if err := rt.windows.Update(next.Maintenance); err != nil {
		return nil, fmt.Errorf("maintenance: %w", err)
	}
	also := append(
		diffByName("alert", rt.cfg.Alerts, next.Alerts, func(a *alert.Config) string { return a.Name }, sameAlert),
		diffByName("maintenance", rt.cfg.Maintenance, next.Maintenance, func(w *maint.Config) string { return w.Name }, sameWindow)...)
	changes, err := rt.eng.Reload(&next.Config, also...)
	if err != nil {
		return nil, err
	}
	rt.alerts.Replace(rt.newDispatcher(next, rt.opts))
	rt.cfg = next
	rt.setChannels(next)
	if rt.opts.checkDelivery {
		rt.warnUndeliverable()
	}
	return changes, nil
}

// scope returns cfg as this daemon runs it: with the --shard override,
// and only the monitors of its shard (every one without sharding). The
// engine, the alerts and the history see nothing else.
func (o runtimeOptions) scope(cfg *config.Config) *config.Config {
	sh := cfg.Settings.Shard
	if o.shard != nil {
		sh = *o.shard
	}
	if sh == cfg.Settings.Shard && sh.N <= 1 {
		return cfg
	}
	c := *cfg
	c.Settings.Shard = sh
	c.Monitors = shardMonitors(cfg.Monitors, sh)
	return &c
}

// shardMonitors returns the monitors shard sh checks.
func shardMonitors(all []*monitor.Monitor, sh fleet.Shard) []*monitor.Monitor {
	if sh.N <= 1 {
		return all
	}
	out := make([]*monitor.Monitor, 0, len(all)/sh.N+1)
	for _, m := range all {
		if sh.Owns(m.Name) {
			out = append(out, m)
		}
	}
	return out
}

// historyDir is where results are kept: the runtime's override, else the
// config's history_dir, else the XDG data dir.
func historyDir(cfg *config.Config, o runtimeOptions) string {
	switch {
	case o.historyDir != "":
		return o.historyDir
	case cfg.Settings.HistoryDir != "":
		return cfg.Settings.HistoryDir
	}
	return config.DefaultHistoryDir()
}

// diffByName lists what differs between two lists of named things, as the
// engine lists monitors: "added alert pager", "changed maintenance deploy",
// "removed alert old".
func diffByName[T any](what string, old, next []T, name func(T) string, same func(a, b T) bool) []string {
	before := make(map[string]T, len(old))
	for _, x := range old {
		before[name(x)] = x
	}
	var out []string
	for _, x := range next {
		prev, ok := before[name(x)]
		switch {
		case !ok:
			out = append(out, "added "+what+" "+name(x))
		case !same(prev, x):
			out = append(out, "changed "+what+" "+name(x))
		}
		delete(before, name(x))
	}
	for _, x := range old {
		if _, gone := before[name(x)]; gone {
			out = append(out, "removed "+what+" "+name(x))
		}
	}
	return out
}

// sameAlert reports whether a reload left an alert channel as it was,
// secrets and all.
func sameAlert(a, b *alert.Config) bool { return reflect.DeepEqual(a, b) }

// sameWindow reports whether a reload left a maintenance window as it
// was; times are compared as instants.
func sameWindow(a, b *maint.Config) bool {
	x, y := *a, *b
	if !x.Start.Equal(y.Start) || !x.End.Equal(y.End) {
		return false
	}
	x.Start, x.End, y.Start, y.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}
