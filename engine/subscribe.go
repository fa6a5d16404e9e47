package engine

import (
	"time"

	"sync"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// hub fans events out to subscriptions (source.Subscription: bounded,
// never blocking the engine, dropping old results first for a slow reader)
// and keeps the journal a viewer that subscribes later starts from.
type hub struct {
	mu      sync.Mutex
	subs    map[*source.Subscription]struct{}
	journal source.Journal
}

// begin starts the journal with the problems in force (restored from
// history) before anything is published.
func (h *hub) begin(problems []source.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ev := range problems {
		h.journal.Add(ev)
	}
}

// redate moves the journal's first record of a monitor down when the
// engine began to t (source.Journal.Redate).
func (h *hub) redate(name string, t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.journal.Redate(name, t)
}

// subscribeJournal subscribes and returns the journal up to that moment.
func (h *hub) subscribeJournal(limit int) ([]source.Event, *source.Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.journal.Events(), h.subscribeLocked(limit)
}

func (h *hub) subscribe(limit int) *source.Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subscribeLocked(limit)
}

func (h *hub) subscribeLocked(limit int) *source.Subscription {
	var s *source.Subscription
	s = source.NewSubscription(limit, func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
	})
	if h.subs == nil {
		h.subs = make(map[*source.Subscription]struct{})
	}
	h.subs[s] = struct{}{}
	return s
}

func (h *hub) publish(ev monitor.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.journal.Add(source.Event{Event: ev})
	for s := range h.subs {
		s.Publish(source.Event{Event: ev})
	}
}
