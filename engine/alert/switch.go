package alert

import (
	"sync/atomic"

	"github.com/upbeat-monitor/upbeat/engine"
)

var _ engine.Notifier = (*Switch)(nil)

// Switch is the Notifier to give the engine when alerts can be reloaded:
// it forwards to the current Dispatcher, and Replace swaps in one built
// from a new configuration without losing open incidents.
type Switch struct {
	cur atomic.Pointer[Dispatcher]
}

// NewSwitch returns a Switch forwarding to d.
func NewSwitch(d *Dispatcher) *Switch {
	s := &Switch{}
	s.cur.Store(d)
	return s
}

// Current returns the Dispatcher in use.
func (s *Switch) Current() *Dispatcher { return s.cur.Load() }

// Notify implements engine.Notifier.
func (s *Switch) Notify(ev engine.Event, st *engine.MonitorState) { s.cur.Load().Notify(ev, st) }

// Observe forwards a result (see Dispatcher.Observe).
func (s *Switch) Observe(r *engine.Result) { s.cur.Load().Observe(r) }

// Ack forwards an acknowledgement (see Dispatcher.Ack).
func (s *Switch) Ack(monitor string) { s.cur.Load().Ack(monitor) }

// Replace hands the open incidents of the current Dispatcher to next
// (nothing is sent for them; their resolves will be), with what it knew
// of their monitors' recovery (a held resolve, flapping), makes next
// current, and closes the old one, which sends whatever it still had
// queued.
func (s *Switch) Replace(next *Dispatcher) {
	old := s.cur.Load()
	for _, in := range old.Incidents() {
		next.Restore(in.Monitor, in)
		if c, ok := old.carryOf(in.Monitor); ok {
			next.adopt(in.Monitor, c)
		}
	}
	s.cur.Store(next)
	old.Close()
}
