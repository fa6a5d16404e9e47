package engine

import (
	"sync"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// hub fans events out to subscriptions (source.Subscription: bounded,
// never blocking the engine, dropping old results first for a slow reader).
type hub struct {
	mu   sync.Mutex
	subs map[*source.Subscription]struct{}
}

func (h *hub) subscribe(limit int) *source.Subscription {
	var s *source.Subscription
	s = source.NewSubscription(limit, func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
	})
	h.mu.Lock()
	if h.subs == nil {
		h.subs = make(map[*source.Subscription]struct{})
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *hub) publish(ev monitor.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.Publish(source.Event{Event: ev})
	}
}
