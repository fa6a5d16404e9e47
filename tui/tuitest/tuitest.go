// Package tuitest provides a fake source.Source and builders of monitor
// states, for tests of the dashboard and of whatever serves it (over SSH,
// for instance). Nothing in it touches the network or the clock.
package tuitest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Call records one action the dashboard asked of the source.
type Call struct {
	Op     string // "check", "pause", "ack", "maintain", "note"
	Name   string
	Paused bool          // pause: the requested state
	D      time.Duration // maintain: for how long
	Note   monitor.Note  // note, and ack with a reason: what was written
}

// Source is a fake source.Source, and a source.Merged when given
// locations: tests set its states, publish events to its subscribers and
// read the actions it was asked for from Calls. Actions on a monitor it
// does not have fail with source.ErrNoMonitor; an acknowledgement of one
// that is not down fails with source.ErrNoIncident, as the engine's does.
type Source struct {
	mu     sync.Mutex
	states []monitor.State
	locs   map[string][]source.LocationState
	info   source.Info
	query  source.Querier
	subs   []*source.Subscription
	clock  func() time.Time // stamps notes (SetClock)

	// Calls receives every action; it is buffered (1024) and never blocks
	// the caller: once full, further calls are dropped.
	Calls chan Call
}

var _ source.Merged = (*Source)(nil)

// New returns a source holding states.
func New(states ...monitor.State) *Source {
	return &Source{states: slices.Clone(states), Calls: make(chan Call, 1024), info: source.Info{Config: "test.toml"}}
}

// SetLocations sets how each location sees each monitor, as a source
// merging several daemons knows it (nil: one daemon).
func (s *Source) SetLocations(locs map[string][]source.LocationState) {
	s.mu.Lock()
	s.locs = locs
	s.mu.Unlock()
}

// Locations returns what SetLocations set.
func (s *Source) Locations() map[string][]source.LocationState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.locs)
}

// SetStates replaces every state.
func (s *Source) SetStates(states []monitor.State) {
	s.mu.Lock()
	s.states = slices.Clone(states)
	s.mu.Unlock()
}

// Set replaces the state of the monitor of the same name, or adds it.
func (s *Source) Set(st monitor.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.states {
		if s.states[i].Monitor.Name == st.Monitor.Name {
			s.states[i] = st
			return
		}
	}
	s.states = append(s.states, st)
}

// SetInfo sets what Info returns.
func (s *Source) SetInfo(info source.Info) {
	s.mu.Lock()
	s.info = info
	s.mu.Unlock()
}

// SetQuery sets what Query returns (nil: no history).
func (s *Source) SetQuery(q source.Querier) {
	s.mu.Lock()
	s.query = q
	s.mu.Unlock()
}

// Publish sends events to every open subscription.
func (s *Source) Publish(evs ...monitor.Event) { s.PublishAt("", evs...) }

// PublishAt sends events seen from location to every open subscription,
// as a source merging several daemons does.
func (s *Source) PublishAt(location string, evs ...monitor.Event) {
	s.mu.Lock()
	subs := slices.Clone(s.subs)
	s.mu.Unlock()
	for _, sub := range subs {
		for _, ev := range evs {
			sub.Publish(source.Event{Event: ev, Location: location})
		}
	}
}

// Snapshot returns a copy of the states.
func (s *Source) Snapshot() []monitor.State { return s.AppendSnapshot(nil) }

// AppendSnapshot appends a copy of the states to dst.
func (s *Source) AppendSnapshot(dst []monitor.State) []monitor.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(dst, s.states...)
}

// Subscribe returns a subscription that Publish feeds.
func (s *Source) Subscribe() *source.Subscription {
	sub := source.NewSubscription(0, nil)
	s.mu.Lock()
	s.subs = append(s.subs, sub)
	s.mu.Unlock()
	return sub
}

func (s *Source) record(c Call) error {
	s.mu.Lock()
	var err error = fmt.Errorf("%w: %s", source.ErrNoMonitor, c.Name)
	for i := range s.states {
		st := &s.states[i]
		if st.Monitor.Name != c.Name {
			continue
		}
		err = nil
		switch {
		case c.Op == "pause":
			st.Paused = c.Paused
		case (c.Op == "ack" || c.Op == "note") && st.Status != monitor.StatusDown:
			err = fmt.Errorf("%w: %s is not down", source.ErrNoIncident, c.Name)
		case c.Op == "ack":
			st.Acked = true
		}
	}
	s.mu.Unlock()
	select {
	case s.Calls <- c:
	default:
	}
	return err
}

// CheckNow records a check request.
func (s *Source) CheckNow(_ context.Context, name string) error {
	return s.record(Call{Op: "check", Name: name})
}

// SetPaused records a pause or resume and applies it to the state.
func (s *Source) SetPaused(_ context.Context, name string, paused bool) error {
	return s.record(Call{Op: "pause", Name: name, Paused: paused})
}

// Ack records an acknowledgement and applies it to the state.
func (s *Source) Ack(_ context.Context, name string) error {
	return s.record(Call{Op: "ack", Name: name})
}

// SetClock sets the time AddNote stamps notes with (zero time without
// one).
func (s *Source) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.clock = now
	s.mu.Unlock()
}

// AddNote records a note (Op "note"), or an acknowledgement with a
// reason (Op "ack"), and publishes it as the engine does.
func (s *Source) AddNote(_ context.Context, name string, n monitor.Note) error {
	op := "note"
	if n.Kind == monitor.NoteAck {
		op = "ack"
	}
	if err := s.record(Call{Op: op, Name: name, Note: n}); err != nil {
		return err
	}
	n.Monitor = name
	s.mu.Lock()
	if s.clock != nil {
		n.Time = s.clock()
	}
	s.mu.Unlock()
	s.Publish(monitor.Event{Kind: monitor.EventNote, Time: n.Time, Monitor: name, Note: &n})
	return nil
}

// Maintain records a maintenance request.
func (s *Source) Maintain(_ context.Context, name string, d time.Duration) error {
	return s.record(Call{Op: "maintain", Name: name, D: d})
}

// WarRoom records a war room request.
func (s *Source) WarRoom(_ context.Context, name string, d time.Duration) error {
	return s.record(Call{Op: "warroom", Name: name, D: d})
}

// Query returns the querier set with SetQuery.
func (s *Source) Query() source.Querier {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.query
}

// Info returns what SetInfo set.
func (s *Source) Info() source.Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := s.info
	info.Warnings = slices.Clone(info.Warnings)
	return info
}

// History is a fake source.Querier over fixed data.
type History struct {
	ResultsOf   map[string][]monitor.Result
	IncidentsOf map[string][]monitor.Incident
	ByHourOf    map[string][24]int
}

var _ source.Querier = (*History)(nil)

// Results returns the monitor's results in [from, to).
func (h *History) Results(_ context.Context, name string, from, to time.Time) ([]monitor.Result, error) {
	var out []monitor.Result
	for _, r := range h.ResultsOf[name] {
		if !r.Time.Before(from) && r.Time.Before(to) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Incidents returns the monitor's incidents that overlap [from, to).
func (h *History) Incidents(_ context.Context, name string, from, to time.Time) ([]monitor.Incident, error) {
	var out []monitor.Incident
	for _, in := range h.IncidentsOf[name] {
		if in.Start.Before(to) && (in.End.IsZero() || in.End.After(from)) {
			out = append(out, in)
		}
	}
	return out, nil
}

// ErrorsByHour returns the fixed counts of the monitor.
func (h *History) ErrorsByHour(_ context.Context, name string, _, _ time.Time) ([24]int, error) {
	return h.ByHourOf[name], nil
}
