// Package tuitest provides a fake tui.Source and builders of monitor
// states, for tests of the dashboard and of whatever serves it (over SSH,
// for instance). Nothing in it touches the network or the clock.
package tuitest

import (
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/tui"
)

// Call records one action the dashboard asked of the source.
type Call struct {
	Op     string // "check", "pause", "ack", "maintain"
	Name   string
	Paused bool          // pause: the requested state
	D      time.Duration // maintain: for how long
}

// ErrUnknown is returned for actions on a monitor the source does not have.
var ErrUnknown = errors.New("no such monitor")

// Source is a fake tui.Source: tests set its states, publish events to
// its subscribers and read the actions it was asked for from Calls.
type Source struct {
	mu     sync.Mutex
	states []monitor.State
	info   tui.SourceInfo
	query  engine.Querier
	subs   []*engine.Subscription

	// Calls receives every action; it is buffered (1024) and never blocks
	// the caller: once full, further calls are dropped.
	Calls chan Call
}

var _ tui.Source = (*Source)(nil)

// New returns a source holding states.
func New(states ...monitor.State) *Source {
	return &Source{states: slices.Clone(states), Calls: make(chan Call, 1024), info: tui.SourceInfo{Config: "test.toml"}}
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
func (s *Source) SetInfo(info tui.SourceInfo) {
	s.mu.Lock()
	s.info = info
	s.mu.Unlock()
}

// SetQuery sets what Query returns (nil: no history).
func (s *Source) SetQuery(q engine.Querier) {
	s.mu.Lock()
	s.query = q
	s.mu.Unlock()
}

// Publish sends events to every open subscription.
func (s *Source) Publish(evs ...monitor.Event) {
	s.mu.Lock()
	subs := slices.Clone(s.subs)
	s.mu.Unlock()
	for _, sub := range subs {
		for _, ev := range evs {
			sub.Publish(ev)
		}
	}
}

// Snapshot returns a copy of the states.
func (s *Source) Snapshot() []monitor.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.states)
}

// Subscribe returns a subscription that Publish feeds.
func (s *Source) Subscribe() *engine.Subscription {
	sub := engine.NewSubscription(0)
	s.mu.Lock()
	s.subs = append(s.subs, sub)
	s.mu.Unlock()
	return sub
}

func (s *Source) record(c Call) error {
	s.mu.Lock()
	found := false
	for i := range s.states {
		if s.states[i].Monitor.Name == c.Name {
			found = true
			if c.Op == "pause" {
				s.states[i].Paused = c.Paused
			}
			if c.Op == "ack" {
				s.states[i].Acked = true
			}
		}
	}
	s.mu.Unlock()
	select {
	case s.Calls <- c:
	default:
	}
	if !found {
		return ErrUnknown
	}
	return nil
}

// CheckNow records a check request.
func (s *Source) CheckNow(name string) error { return s.record(Call{Op: "check", Name: name}) }

// SetPaused records a pause or resume and applies it to the state.
func (s *Source) SetPaused(name string, paused bool) error {
	return s.record(Call{Op: "pause", Name: name, Paused: paused})
}

// Ack records an acknowledgement and applies it to the state.
func (s *Source) Ack(name string) error { return s.record(Call{Op: "ack", Name: name}) }

// Maintain records a maintenance request.
func (s *Source) Maintain(name string, d time.Duration) error {
	return s.record(Call{Op: "maintain", Name: name, D: d})
}

// Query returns the querier set with SetQuery.
func (s *Source) Query() engine.Querier {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.query
}

// Info returns what SetInfo set.
func (s *Source) Info() tui.SourceInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := s.info
	info.Warnings = slices.Clone(info.Warnings)
	return info
}

// History is a fake engine.Querier over fixed data.
type History struct {
	ResultsOf   map[string][]monitor.Result
	IncidentsOf map[string][]monitor.Incident
	ByHourOf    map[string][24]int
}

var _ engine.Querier = (*History)(nil)

// Results returns the monitor's results in [from, to).
func (h *History) Results(name string, from, to time.Time) ([]monitor.Result, error) {
	var out []monitor.Result
	for _, r := range h.ResultsOf[name] {
		if !r.Time.Before(from) && r.Time.Before(to) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Incidents returns the monitor's incidents that overlap [from, to).
func (h *History) Incidents(name string, from, to time.Time) ([]monitor.Incident, error) {
	var out []monitor.Incident
	for _, in := range h.IncidentsOf[name] {
		if in.Start.Before(to) && (in.End.IsZero() || in.End.After(from)) {
			out = append(out, in)
		}
	}
	return out, nil
}

// ErrorsByHour returns the fixed counts of the monitor.
func (h *History) ErrorsByHour(name string, _, _ time.Time) ([24]int, error) {
	return h.ByHourOf[name], nil
}
