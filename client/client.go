// Package client is the dashboard's source when it is attached to one or
// more running daemons instead of an in-process engine (`upbeat attach`).
//
// It keeps a local mirror of each daemon's monitors, fed by the daemon's
// event stream, so the view survives a daemon restart: the stream
// reconnects with backoff (resuming with Last-Event-ID when the daemon
// still has the events, else from a fresh snapshot) while Info shows
// "lost connection to ADDR, retrying". With several daemons, monitors are
// merged by name: the merged status is the worst one, Locations (the
// client is a source.Merged) says what each location sees, and events
// name the location they come from. A whole fleet works the same way:
// daemons of different shards add their monitors, replicas of one
// location count as that one location (the latest result wins), and
// Info().Daemons says which daemons answer.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/daemonaddr"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

var (
	_ source.Merged    = (*Client)(nil)
	_ source.Journaled = (*Client)(nil)
)

// ErrNoDaemon: no daemon could be reached. What a daemon refuses comes
// back as the named errors of package source (source.ErrForbidden,
// source.ErrUnauthorized, source.ErrNoMonitor, …).
var ErrNoDaemon = errors.New("no daemon reachable")

// Options configure a Client.
type Options struct {
	// Token is sent as a bearer token to every daemon that has none in
	// its address (https://TOKEN@host:port).
	Token string
	// TLS configures https addresses (nil: the system's roots).
	TLS *tls.Config
	// Logger receives connection problems; nil: discarded.
	Logger *slog.Logger
	// MinBackoff and MaxBackoff bound the wait between reconnection
	// attempts (defaults 500ms and 15s).
	MinBackoff, MaxBackoff time.Duration
	// Timeout bounds actions and history queries (default 10s).
	Timeout time.Duration
}

// Client mirrors one or more daemons. It implements source.Merged.
type Client struct {
	opts    Options
	log     *slog.Logger
	daemons []*daemon
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu   sync.Mutex
	subs map[*source.Subscription]struct{}
	// journal holds what was passed on, from each daemon's journal as its
	// first snapshot brought it on (see source.Journal).
	journal source.Journal

	merge merger // the merged view of several daemons (merge.go)
}

// Dial connects to every address and returns once each has sent its
// first snapshot or failed its first attempt (or ctx is done). It fails
// only when no daemon could be reached; the others keep retrying in the
// background, shown in Info().Warnings. An address is a unix socket path, host:port,
// unix:///path, or http(s)://[TOKEN@]host:port. Close stops the client.
func Dial(ctx context.Context, addrs []string, opts Options) (*Client, error) {
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w: no address given", ErrNoDaemon)
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 500 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(15*time.Second, opts.MinBackoff)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{opts: opts, log: opts.Logger, subs: map[*source.Subscription]struct{}{}}
	for _, a := range addrs {
		d, err := newDaemon(a, opts)
		if err != nil {
			return nil, err
		}
		c.daemons = append(c.daemons, d)
	}
	bg, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	for _, d := range c.daemons {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.follow(bg, d)
		}()
	}
	var errs []error
	ok := false
	for _, d := range c.daemons {
		select {
		case <-d.first:
		case <-ctx.Done():
			c.Close()
			return nil, ctx.Err()
		}
		d.mu.RLock()
		if d.connected {
			ok = true
		} else {
			errs = append(errs, reachError{d.addr, d.lastErr})
		}
		d.mu.RUnlock()
	}
	if !ok {
		c.Close()
		return nil, fmt.Errorf("%w: %w", ErrNoDaemon, errors.Join(errs...))
	}
	return c, nil
}

// Close stops following the daemons. The mirror stays readable.
func (c *Client) Close() error {
	c.cancel()
	c.wg.Wait()
	for _, d := range c.daemons {
		d.closeIdle()
	}
	return nil
}

// Subscribe starts a stream of the events the daemons send; with several
// daemons, each result, change and alert names its location. The caller
// closes it.
func (c *Client) Subscribe() *source.Subscription {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.subscribeLocked()
}

// SubscribeJournal implements source.Journaled: the journal holds what
// each daemon's held when the client first had its snapshot, and every
// event passed on since.
func (c *Client) SubscribeJournal() ([]source.Event, *source.Subscription) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.journal.Events(), c.subscribeLocked()
}

func (c *Client) subscribeLocked() *source.Subscription {
	var s *source.Subscription
	s = source.NewSubscription(0, func() {
		c.mu.Lock()
		delete(c.subs, s)
		c.mu.Unlock()
	})
	c.subs[s] = struct{}{}
	return s
}

// publish passes ev on to every subscription; location is where it was
// seen ("" with one daemon, or for what is about no location).
func (c *Client) publish(ev monitor.Event, location string) {
	c.passOn(source.Event{Event: ev, Location: location})
}

// passOn passes evs on to every subscription, and keeps them in the
// journal.
func (c *Client) passOn(evs ...source.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ev := range evs {
		c.journal.Add(ev)
		for s := range c.subs {
			s.Publish(ev)
		}
	}
}

// daemon is one followed daemon and its mirror.
type daemon struct {
	addr   string // as given, for messages
	base   string // URL prefix for requests
	token  string
	hc     *http.Client // requests, with a timeout
	stream *http.Client // the event stream, without one
	tr     *http.Transport
	first  chan struct{} // closed after the first attempt
	once   sync.Once

	mu        sync.RWMutex
	hello     wire.Hello
	connected bool
	ever      bool // connected at least once
	lastErr   error
	downMsg   string // the warning shown while down
	lastID    string
	order     []string
	states    map[string]*monitor.State      // never changed in place: an event replaces the pointer
	flat      []monitor.State                // the same states by value, in order: Snapshot copies it in one go
	at        map[string]int                 // index in order and flat
	cfgs      map[string]*wire.MonitorConfig // to keep *monitor.Monitor stable across snapshots
	warnings  []string
	reload    *monitor.Event // a reload event held until its snapshot is applied
	journaled bool           // its journal was passed on (with its first snapshot)
	seen      time.Time      // the newest event passed on from it
	seenRun   string         // the epoch of the run of the daemon that sent it
}

// see notes an event of time t passed on from d, from the run it is
// connected to now. d.mu is held.
func (d *daemon) see(t time.Time) {
	if !t.Before(d.seen) {
		d.seen, d.seenRun = t, d.hello.Epoch
	}
}

// passedOn says whether the client passed on ev, from the journal of the
// run of d it is connected to now, already: it is not newer than the newest
// event seen from d. Times come in milliseconds, so an event of that very
// millisecond is a repeat only from the run it was seen from: a restarted
// daemon's journal repeats only the problems it restored (see
// source.InForce, a change from a status to itself), and what else it
// holds it saw itself, after the client lost its predecessor. d.mu is
// held.
func (d *daemon) passedOn(ev *source.Event) bool {
	if !ev.Time.Equal(d.seen) || d.hello.Epoch == d.seenRun {
		return !ev.Time.After(d.seen)
	}
	return ev.Kind == monitor.EventChange && ev.From == ev.To
}

func newDaemon(addr string, opts Options) (*daemon, error) {
	addr = daemonaddr.Normalize(addr) // host:port is a TCP address, not a socket path
	d := &daemon{addr: addr, token: opts.Token, first: make(chan struct{}),
		states: map[string]*monitor.State{}, cfgs: map[string]*wire.MonitorConfig{}}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = opts.TLS
	tr.Proxy = nil
	switch {
	case strings.HasPrefix(addr, "http://"), strings.HasPrefix(addr, "https://"):
		u, err := url.Parse(addr)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("address %q: want http(s)://host:port", addr)
		}
		if u.User != nil {
			d.token = u.User.Username()
			if p, ok := u.User.Password(); ok {
				d.token = p
			}
			u.User = nil
			d.addr = u.String()
		}
		d.base = strings.TrimSuffix(u.Scheme+"://"+u.Host+u.Path, "/")
	default:
		path := strings.TrimPrefix(addr, "unix://")
		if path == "" {
			return nil, fmt.Errorf("address %q: empty socket path", addr)
		}
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var dl net.Dialer
			return dl.DialContext(ctx, "unix", path)
		}
		d.addr = path
		d.base = "http://localhost"
	}
	d.tr = tr
	d.hc = &http.Client{Transport: tr, Timeout: opts.Timeout}
	d.stream = &http.Client{Transport: tr}
	return d, nil
}

func (d *daemon) closeIdle() { d.tr.CloseIdleConnections() }

func (d *daemon) firstDone() { d.once.Do(func() { close(d.first) }) }

// label is the daemon's location, or its address when it has none.
func (d *daemon) label() string {
	if d.hello.Location != "" {
		return d.hello.Location
	}
	return d.addr
}

// follow keeps the event stream of d open until ctx is done.
func (c *Client) follow(ctx context.Context, d *daemon) {
	backoff := c.opts.MinBackoff
	for {
		start := time.Now()
		err := c.streamOnce(ctx, d)
		if ctx.Err() != nil {
			d.firstDone()
			return
		}
		c.setDown(d, err)
		d.firstDone()
		if time.Since(start) > 4*c.opts.MaxBackoff {
			backoff = c.opts.MinBackoff // it had been up a good while: retry quickly
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, c.opts.MaxBackoff)
	}
}

// setDown records that d's stream ended and shows it as a warning.
func (c *Client) setDown(d *daemon, err error) {
	d.mu.Lock()
	wasUp := d.connected
	d.connected, d.lastErr = false, err
	old := d.downMsg
	if d.ever {
		d.downMsg = monitor.LostConnection(d.addr)
	} else {
		d.downMsg = monitor.Unreachable(d.addr, engine.Sanitize(shortErr(err), 120))
	}
	msg := d.downMsg
	d.mu.Unlock()
	c.log.Warn("daemon stream ended", "addr", d.addr, "err", err)
	if old != "" && old != msg { // one warning per daemon: the new one replaces the old
		c.publish(monitor.Event{Kind: monitor.EventWarning, Time: time.Now(), Message: old, Clear: true}, "")
	}
	if wasUp || old != msg {
		c.publish(monitor.Event{Kind: monitor.EventWarning, Time: time.Now(), Message: msg}, "")
	}
}

func shortErr(err error) string {
	if err == nil {
		return "stream ended"
	}
	return daemonaddr.Why(err)
}

// reachError is why the daemon at addr could not be reached, in plain
// words; it wraps the cause (source.ErrUnauthorized and the like).
type reachError struct {
	addr string
	err  error
}

func (e reachError) Error() string { return e.addr + ": " + shortErr(e.err) }
func (e reachError) Unwrap() error { return e.err }

// statusError turns a daemon's error answer into an error: the named
// source error its code stands for, in the daemon's words. A daemon older
// than error codes is understood by its status.
func statusError(resp *http.Response) error {
	var e wire.Error
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	json.Unmarshal(body, &e)
	if err := e.Err(); err != nil {
		return err
	}
	msg := engine.Sanitize(e.Error, 200)
	if e.Code == "" {
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			return source.ErrUnauthorized
		case http.StatusForbidden:
			return source.Reason(source.ErrForbidden, msg)
		case http.StatusNotFound:
			return source.ErrNoMonitor
		case http.StatusNotImplemented:
			return source.ErrNoHistory
		}
	}
	if msg == "" {
		msg = resp.Status
	}
	return fmt.Errorf("daemon: %s", msg)
}

func (d *daemon) newRequest(ctx context.Context, method, path string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, nil)
	if err != nil {
		return nil, err
	}
	if d.token != "" {
		req.Header.Set("Authorization", "Bearer "+d.token)
	}
	return req, nil
}

// streamOnce follows one connection of d's event stream until it ends.
func (c *Client) streamOnce(ctx context.Context, d *daemon) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := d.newRequest(ctx, "GET", "/api/v1/events")
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	d.mu.RLock()
	if d.lastID != "" {
		req.Header.Set("Last-Event-ID", d.lastID)
	}
	d.mu.RUnlock()
	resp, err := d.stream.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusError(resp)
	}
	// a silent connection (a peer gone without a word) is dropped after
	// three missed heartbeats
	idle := 45 * time.Second
	watchdog := time.AfterFunc(idle, cancel)
	defer watchdog.Stop()
	rd := newSSEReader(resp.Body, func() { watchdog.Reset(idle) })
	for {
		ev, err := rd.Next()
		if err != nil {
			if ctx.Err() != nil && err != nil {
				return fmt.Errorf("event stream: no heartbeat: %w", err)
			}
			return err
		}
		switch ev.Event {
		case "hello":
			var h wire.Hello
			if err := json.Unmarshal(ev.Data, &h); err != nil {
				return fmt.Errorf("hello: %w", err)
			}
			if hb := h.Heartbeat(); hb > 0 {
				idle = 3*hb + 5*time.Second
				watchdog.Reset(idle)
			}
			c.onHello(d, h)
		case "snapshot":
			var s wire.Snapshot
			if err := json.Unmarshal(ev.Data, &s); err != nil {
				return fmt.Errorf("snapshot: %w", err)
			}
			c.onSnapshot(d, &s, ev.ID)
		default:
			var we wire.Event
			if err := json.Unmarshal(ev.Data, &we); err != nil {
				c.log.Warn("bad event", "addr", d.addr, "event", ev.Event, "err", err)
				continue
			}
			c.onEvent(d, &we, ev.ID)
		}
	}
}

func cleanAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = engine.Sanitize(s, 300)
	}
	return out
}

func (c *Client) onHello(d *daemon, h wire.Hello) {
	h.Location, h.Config = engine.Sanitize(h.Location, 60), engine.Sanitize(h.Config, 300)
	h.Warnings = cleanAll(h.Warnings)
	d.mu.Lock()
	// The warnings of the connection before that this one does not report
	// are over (a restarted daemon knows nothing of its predecessor's):
	// viewers keep warnings from events, so each gets its clear.
	var retired []string
	for _, w := range d.warnings {
		if !slices.Contains(h.Warnings, w) {
			if len(c.daemons) > 1 { // as they were published
				w = d.label() + ": " + w
			}
			retired = append(retired, w)
		}
	}
	d.hello = h
	d.warnings = h.Warnings
	wasDown := d.downMsg
	d.downMsg = ""
	d.connected, d.ever, d.lastErr = true, true, nil
	if !h.Resumed {
		d.lastID = ""
	}
	resumed := h.Resumed
	d.mu.Unlock()
	c.merge.invalidate() // its location may have changed
	if resumed {
		d.firstDone()
	}
	now := time.Now()
	for _, w := range retired {
		c.publish(monitor.Event{Kind: monitor.EventWarning, Time: now, Message: w, Clear: true}, "")
	}
	if wasDown != "" {
		c.publish(monitor.Event{Kind: monitor.EventWarning, Time: now, Message: wasDown, Clear: true}, "")
	}
}

// onSnapshot replaces d's mirror. Monitors whose configuration did not
// change keep their *monitor.Monitor, so viewers can compare pointers.
func (c *Client) onSnapshot(d *daemon, s *wire.Snapshot, id string) {
	d.mu.Lock()
	order := make([]string, 0, len(s.Monitors))
	states := make(map[string]*monitor.State, len(s.Monitors))
	cfgs := make(map[string]*wire.MonitorConfig, len(s.Monitors))
	for i := range s.Monitors {
		wm := &s.Monitors[i]
		mon := wm.MonitorOf()
		if old, ok := d.states[mon.Name]; ok && sameConfig(d.cfgs[mon.Name], wm.Config) && old.Monitor.URL == mon.URL &&
			old.Monitor.Kind == mon.Kind && slices.Equal(old.Monitor.Tags, mon.Tags) {
			mon = old.Monitor
		}
		if _, dup := states[mon.Name]; dup {
			continue
		}
		st := wm.ToState(mon)
		if st.Location == "" {
			st.Location = engine.Sanitize(s.Location, 60)
		}
		order = append(order, mon.Name)
		states[mon.Name] = &st
		cfgs[mon.Name] = wm.Config
	}
	flat := make([]monitor.State, len(order))
	at := make(map[string]int, len(order))
	for i, n := range order {
		flat[i], at[n] = *states[n], i
	}
	d.order, d.states, d.cfgs, d.flat, d.at = order, states, cfgs, flat, at
	if id != "" {
		d.lastID = id
	}
	reload := d.reload
	d.reload = nil
	past := c.journalOf(d, s, flat)
	if d.journaled {
		// A daemon that restarted, or that the client fell too far
		// behind: what it kept since the newest event seen from it is
		// what the client missed; the rest it passed on already.
		past = slices.DeleteFunc(past, func(ev source.Event) bool { return d.passedOn(&ev) })
	}
	d.journaled = true
	for _, ev := range past {
		d.see(ev.Time)
	}
	d.mu.Unlock()
	c.merge.invalidate()
	c.passOn(past...)
	d.firstDone()
	if reload != nil {
		c.publish(*reload, "")
	}
}

// journalOf is d's journal as a snapshot s brings it, each event as
// onEvent passes it on (with d's location when there are several
// daemons). A daemon older than journals sends none: its journal then
// begins with the problems in force now, its monitors' states.
func (c *Client) journalOf(d *daemon, s *wire.Snapshot, states []monitor.State) []source.Event {
	past := wire.ToJournal(s.Log)
	if s.Log == nil {
		for i := range states {
			if ev, ok := source.InForce(&states[i]); ok {
				past = append(past, ev)
			}
		}
	}
	for i := range past {
		past[i].Event, past[i].Location = c.labelled(d, past[i].Event)
	}
	return past
}

// labelled is ev as it is passed on, and where it was seen: with several
// daemons, a result, change or alert names the daemon's location and a
// warning starts with it, as Info shows warnings. d.mu is held.
func (c *Client) labelled(d *daemon, ev monitor.Event) (monitor.Event, string) {
	if len(c.daemons) < 2 {
		return ev, ""
	}
	var location string
	switch ev.Kind {
	case monitor.EventResult, monitor.EventChange, monitor.EventAlert:
		location = d.label() // so that the log can say where it was seen
	case monitor.EventWarning:
		if ev.Message != "" {
			ev.Message = d.label() + ": " + ev.Message
		}
	}
	return ev, location
}

func sameConfig(a, b *wire.MonitorConfig) bool {
	if a == nil || b == nil {
		return a == b
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// onEvent applies one event to d's mirror and passes it on.
func (c *Client) onEvent(d *daemon, we *wire.Event, id string) {
	ev, ok := we.ToDomain()
	if !ok {
		return
	}
	d.mu.Lock()
	if id != "" {
		d.lastID = id
	}
	switch ev.Kind {
	case monitor.EventResult, monitor.EventChange, monitor.EventWarRoom, monitor.EventNote:
		if st, ok := d.states[ev.Monitor]; ok {
			next := *st
			if we.State != nil {
				we.State.ApplyTo(&next)
			} else if ev.Kind == monitor.EventChange {
				next.Status, next.Since = ev.To, ev.Time
			}
			if ev.Kind == monitor.EventResult && ev.Result != nil {
				next.Last = *ev.Result
				next.Recent = appendSample(next.Recent, ev.Result)
			}
			d.states[ev.Monitor] = &next
			d.flat[d.at[ev.Monitor]] = next
		}
	case monitor.EventWarning:
		d.warnings = cleanAll(we.Warnings)
	}
	d.see(ev.Time)
	ev, location := c.labelled(d, ev)
	if ev.Kind == monitor.EventReload {
		d.reload = &ev // passed on once the snapshot that follows it is applied
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	if ev.Kind == monitor.EventResult || ev.Kind == monitor.EventChange || ev.Kind == monitor.EventWarRoom || ev.Kind == monitor.EventNote {
		c.merge.touch(ev.Monitor)
	}
	c.publish(ev, location)
}

// appendSample returns a new slice with r's sample at the end (the old
// one may be held by a viewer), unless the mirror has it already.
func appendSample(old []monitor.Sample, r *monitor.Result) []monitor.Sample {
	if n := len(old); n > 0 && !r.Time.After(old[n-1].Time) {
		return old
	}
	keep := old
	if len(keep) >= engine.DefaultRecent {
		keep = keep[len(keep)-engine.DefaultRecent+1:]
	}
	out := make([]monitor.Sample, 0, len(keep)+1)
	out = append(out, keep...)
	return append(out, monitor.Sample{Time: r.Time, Latency: r.Latency, Status: r.Status, Code: r.Code})
}

// Snapshot returns every monitor: with one daemon, its monitors in its
// order; with several, merged by name, each with the worst status any
// location sees (see Locations for each location's).
func (c *Client) Snapshot() []monitor.State { return c.AppendSnapshot(nil) }

// AppendSnapshot appends what Snapshot returns to dst (see
// source.Source).
func (c *Client) AppendSnapshot(dst []monitor.State) []monitor.State {
	if len(c.daemons) == 1 {
		d := c.daemons[0]
		d.mu.RLock()
		defer d.mu.RUnlock()
		return append(dst, d.flat...)
	}
	c.merge.mu.Lock()
	defer c.merge.mu.Unlock()
	return append(dst, c.currentLocked().rows...)
}

// Locations returns how each daemon (location) sees each monitor, by
// name, in the order of the addresses; nil with one daemon.
func (c *Client) Locations() map[string][]source.LocationState {
	if len(c.daemons) == 1 {
		return nil
	}
	c.merge.mu.Lock()
	defer c.merge.mu.Unlock()
	return c.currentLocked().locs
}

// seenFrom is a monitor's state in one daemon's mirror.
type seenFrom struct {
	label string
	st    *monitor.State
}

// seen gathers every location's view of each monitor, by name, and the
// names in the order they first appear. Daemons of one location (the
// replicas of a fleet) are merged: the location sees what the one with
// the latest result saw. Daemons of other shards simply add monitors.
func (c *Client) seen() (order []string, byName map[string][]seenFrom) {
	byName = map[string][]seenFrom{}
	for _, d := range c.daemons {
		d.mu.RLock()
		label := d.label()
		for _, n := range d.order {
			all, ok := byName[n]
			if !ok {
				order = append(order, n)
			}
			byName[n] = addSeen(all, label, d.states[n])
		}
		d.mu.RUnlock()
	}
	return order, byName
}

// Info describes the daemons for the dashboard's header; Warnings holds
// each daemon's own warnings (prefixed with its location when there are
// several) and the connections being retried.
func (c *Client) Info() source.Info {
	var info source.Info
	var locs, down []string
	multi := len(c.daemons) > 1
	for _, d := range c.daemons {
		d.mu.RLock()
		if d.ever && !slices.Contains(locs, d.label()) {
			locs = append(locs, d.label())
		}
		if multi {
			dm := source.Daemon{Addr: d.addr, Location: d.hello.Location, Shard: d.hello.Shard,
				Monitors: len(d.order), Reachable: d.connected}
			if !d.connected {
				dm.Error = "not connected yet"
				if d.lastErr != nil {
					dm.Error = d.lastErr.Error()
				}
			}
			info.Daemons = append(info.Daemons, dm)
		}
		for _, w := range d.warnings {
			if multi {
				w = d.label() + ": " + w
			}
			info.Warnings = append(info.Warnings, w)
		}
		if d.downMsg != "" {
			down = append(down, d.downMsg)
		}
		if !multi {
			info.Config, info.Daemon = d.hello.Config, d.addr
			info.Location = d.hello.Location
			info.Shard = d.hello.Shard
		}
		d.mu.RUnlock()
	}
	info.Warnings = append(info.Warnings, down...)
	if multi {
		info.Location = strings.Join(locs, ", ") // the daemons are in info.Daemons
	}
	return info
}

// owners returns the daemons whose mirror has the monitor.
func (c *Client) owners(name string) []*daemon {
	var out []*daemon
	for _, d := range c.daemons {
		d.mu.RLock()
		_, ok := d.states[name]
		d.mu.RUnlock()
		if ok {
			out = append(out, d)
		}
	}
	return out
}

// act posts an action to every daemon that has the monitor. An
// acknowledgement that found an incident on some daemons succeeds, though
// the others had none.
func (c *Client) act(ctx context.Context, name, action string, q url.Values) error {
	return c.actWith(ctx, name, action, q, nil)
}

// actWith is act with a JSON body (nil: none).
func (c *Client) actWith(ctx context.Context, name, action string, q url.Values, body []byte) error {
	ds := c.owners(name)
	if len(ds) == 0 {
		return fmt.Errorf("%w: %s", source.ErrNoMonitor, name)
	}
	path := "/api/v1/monitors/" + url.PathEscape(name) + "/" + action
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var errs []error
	done := 0
	for _, d := range ds {
		err := d.post(ctx, path, body)
		if err == nil {
			done++
			continue
		}
		if len(ds) > 1 {
			err = fmt.Errorf("%s: %w", d.label(), err)
		}
		errs = append(errs, err)
	}
	if done > 0 {
		errs = slices.DeleteFunc(errs, func(err error) bool { return errors.Is(err, source.ErrNoIncident) })
	}
	return errors.Join(errs...)
}

func (d *daemon) post(ctx context.Context, path string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, d.hc.Timeout)
	defer cancel()
	req, err := d.newRequest(ctx, "POST", path)
	if err != nil {
		return err
	}
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return reachError{d.addr, err} // not Go's `Post "http://localhost/…": …`
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusError(resp)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	return nil
}

// CheckNow asks every daemon that has the monitor to check it at once.
func (c *Client) CheckNow(ctx context.Context, name string) error {
	return c.act(ctx, name, "check", nil)
}

// SetPaused pauses or resumes the monitor on every daemon that has it.
func (c *Client) SetPaused(ctx context.Context, name string, paused bool) error {
	if paused {
		return c.act(ctx, name, "pause", nil)
	}
	return c.act(ctx, name, "resume", nil)
}

// Ack acknowledges the monitor's open incident on every daemon that has it.
func (c *Client) Ack(ctx context.Context, name string) error { return c.act(ctx, name, "ack", nil) }

// AddNote adds a note to the monitor's open incident, or acknowledges it
// with a reason (Kind monitor.NoteAck), on every daemon that has it.
func (c *Client) AddNote(ctx context.Context, name string, n monitor.Note) error {
	body, err := json.Marshal(wire.NoteRequest{Text: n.Text, Author: n.Author})
	if err != nil {
		return err
	}
	if n.Kind == monitor.NoteAck {
		return c.actWith(ctx, name, "ack", nil, body)
	}
	return c.actWith(ctx, name, "notes", nil, body)
}

// Maintain puts the monitor in maintenance for d on every daemon that has it.
func (c *Client) Maintain(ctx context.Context, name string, d time.Duration) error {
	return c.act(ctx, name, "maintenance", url.Values{"for": {d.String()}})
}

// WarRoom starts (or, with a negative d, ends) a war room on the monitor
// on every daemon that has it; 0 leaves the duration to each daemon.
func (c *Client) WarRoom(ctx context.Context, name string, d time.Duration) error {
	var q url.Values
	switch {
	case d < 0:
		q = url.Values{"for": {"0"}}
	case d > 0:
		q = url.Values{"for": {d.String()}}
	}
	return c.act(ctx, name, "warroom", q)
}

// LocalDaemon reports whether an upbeat daemon answers on the unix socket
// at socketPath, so that plain `upbeat` attaches instead of starting a
// second engine. It waits a second at most.
func LocalDaemon(socketPath string) bool {
	if fi, err := os.Stat(socketPath); err != nil || fi.Mode()&os.ModeSocket == 0 {
		return false
	}
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "unix", socketPath)
	}}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Second}
	resp, err := hc.Get("http://localhost/healthz")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var h wire.Health
	if resp.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&h) != nil {
		return false
	}
	return h.Service == wire.ServiceName && h.Status == "ok"
}
