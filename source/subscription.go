package source

import (
	"sync"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Event is one thing that happened, as a Source delivers it.
type Event struct {
	monitor.Event
	// Location names where a result, change or alert was seen when the
	// source is Merged; empty otherwise.
	Location string
	// Repeats is set on a result a Journal keeps for several: the same
	// failure that many times in a row, the first at Time, Result the
	// newest. 0 on a live event: it is one result.
	Repeats int
}

// DefaultLimit is how many events a Subscription holds for a slow reader
// unless told otherwise.
const DefaultLimit = 4096

// Subscription receives a source's events without ever slowing the
// source down: events pile up in a bounded buffer and the reader takes
// them in batches. When the reader falls behind, the oldest result events
// are dropped first (the state they describe is always in Snapshot);
// status changes, alerts and warnings are kept.
//
// Its owner (the engine's event hub, a client of daemons) feeds it with
// Publish; the reader waits on Ready and takes events with Drain.
type Subscription struct {
	mu      sync.Mutex
	pending []Event
	spare   []Event // a drained slice given back (Recycle), for pending to refill
	ready   chan struct{}
	limit   int
	dropped int
	closed  bool
	done    chan struct{}
	onClose func()
}

// NewSubscription returns a subscription that holds at most limit events
// (0: DefaultLimit). onClose, if not nil, is called once when the reader
// closes it, so that its owner can stop publishing to it.
func NewSubscription(limit int, onClose func()) *Subscription {
	if limit <= 0 {
		limit = DefaultLimit
	}
	return &Subscription{ready: make(chan struct{}, 1), done: make(chan struct{}), limit: limit, onClose: onClose}
}

// Ready is signalled when events are waiting. It never carries more than
// one signal: one wake-up may stand for many events.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Done is closed when the subscription is closed.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Drain takes every waiting event, oldest first, and how many result
// events were dropped since the last Drain.
func (s *Subscription) Drain() (evs []Event, dropped int) {
	s.mu.Lock()
	evs, s.pending = s.pending, nil
	dropped, s.dropped = s.dropped, 0
	s.mu.Unlock()
	return evs, dropped
}

// Recycle gives back a slice Drain returned, once the reader is done with
// it and keeps nothing of it: the next events fill it instead of a new
// one grown from nothing. A reader that drains at every event (a status
// page's follower, of every result) otherwise makes garbage of each.
func (s *Subscription) Recycle(evs []Event) {
	clear(evs)
	s.mu.Lock()
	if !s.closed && cap(evs) > 0 && cap(evs) <= s.limit {
		s.spare = evs[:0]
	}
	s.mu.Unlock()
}

// Close ends the subscription. It is safe to call more than once.
func (s *Subscription) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.pending, s.spare = nil, nil
	s.mu.Unlock()
	if s.onClose != nil {
		s.onClose()
	}
}

// Publish adds ev without blocking; when the reader has fallen behind,
// the oldest result event is dropped to make room. It does nothing once
// the subscription is closed.
func (s *Subscription) Publish(ev Event) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if len(s.pending) >= s.limit {
		s.dropOldestResult()
	}
	if s.pending == nil {
		s.pending, s.spare = s.spare, nil
	}
	s.pending = append(s.pending, ev)
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

func (s *Subscription) dropOldestResult() {
	for i, e := range s.pending {
		if e.Kind == monitor.EventResult {
			copy(s.pending[i:], s.pending[i+1:])
			s.pending = s.pending[:len(s.pending)-1]
			s.dropped++
			return
		}
	}
	// nothing but important events: drop the oldest one anyway rather than grow without bound
	s.pending = s.pending[1:]
	s.dropped++
}
