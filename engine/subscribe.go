package engine

import (
	"sync"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Subscription receives the engine's events without ever slowing it down:
// events pile up in a bounded buffer and the reader takes them in batches.
// When the reader falls behind, the oldest result events are dropped first
// (the state they describe is always available from Snapshot); status
// changes, alerts and warnings are kept.
type Subscription struct {
	mu      sync.Mutex
	pending []monitor.Event
	ready   chan struct{}
	limit   int
	dropped int
	closed  bool
	done    chan struct{}
	unsub   func()
}

func newSubscription(limit int, unsub func()) *Subscription {
	if limit <= 0 {
		limit = 4096
	}
	return &Subscription{ready: make(chan struct{}, 1), done: make(chan struct{}), limit: limit, unsub: unsub}
}

// Ready is signalled when events are waiting. It never carries more than one
// signal: one wake-up may stand for many events.
func (s *Subscription) Ready() <-chan struct{} { return s.ready }

// Done is closed when the subscription is closed.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Drain takes every waiting event, oldest first, and how many result
// events were dropped since the last Drain.
func (s *Subscription) Drain() (evs []monitor.Event, dropped int) {
	s.mu.Lock()
	evs, s.pending = s.pending, nil
	dropped, s.dropped = s.dropped, 0
	s.mu.Unlock()
	return evs, dropped
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
	s.pending = nil
	s.mu.Unlock()
	if s.unsub != nil {
		s.unsub()
	}
}

// publish adds ev without blocking.
func (s *Subscription) publish(ev monitor.Event) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if len(s.pending) >= s.limit {
		s.dropOldestResult()
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

// hub fans events out to subscriptions.
type hub struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
}

func (h *hub) subscribe(limit int) *Subscription {
	var s *Subscription
	s = newSubscription(limit, func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
	})
	h.mu.Lock()
	if h.subs == nil {
		h.subs = make(map[*Subscription]struct{})
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *hub) publish(ev monitor.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.publish(ev)
	}
}
