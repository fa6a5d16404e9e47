package alert

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

var _ engine.Notifier = (*Switch)(nil)

// Switch is the Notifier to give the engine when alerts can be reloaded:
// it forwards to the current Dispatcher, and Replace swaps in one built
// from a new configuration without losing open incidents or messages.
type Switch struct {
	// mu is held for writing by Replace and Close, so that no change or
	// result falls between the old Dispatcher and the new one.
	mu      sync.RWMutex
	cur     atomic.Pointer[Dispatcher]
	retired []*Dispatcher // replaced, maybe still sending (see Replace)
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
func (s *Switch) Notify(ev monitor.Event, st *monitor.State) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.cur.Load().Notify(ev, st)
}

// Observe forwards a result (see Dispatcher.Observe).
func (s *Switch) Observe(r *monitor.Result) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.cur.Load().Observe(r)
}

// ObserveSLO forwards an objective's figures (see Dispatcher.ObserveSLO).
func (s *Switch) ObserveSLO(name string, slo monitor.SLO, at time.Time) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.cur.Load().ObserveSLO(name, slo, at)
}

// Ack forwards an acknowledgement (see Dispatcher.Ack).
func (s *Switch) Ack(monitor string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.cur.Load().Ack(monitor)
}

// Replace makes next current, built from a reloaded configuration, and
// hands it everything the current one holds; nothing is sent because of
// the reload itself.
//
// The open incidents go over with their monitors' recovery state (held
// resolve, flapping), their latest failing result and, per channel name,
// when they were last sent, so reminders keep their reason and schedule.
// Incidents of monitors that next's configuration no longer has are
// closed without a message and reported to the old Dispatcher's
// OnIncident with End set.
//
// No message is lost: those waiting in the burst window, queued, or
// waiting to be retried go to next's channel of the same name, with their
// attempts and retry schedule; a channel next lacks finishes its queue in
// the background with its normal retries. Replace does not wait for any
// delivery. The replaced Dispatcher must not be closed by the caller;
// Close ends it.
func (s *Switch) Replace(next *Dispatcher) {
	s.mu.Lock()
	old := s.cur.Load()
	if next == old {
		s.mu.Unlock()
		return
	}
	s.cur.Store(next)
	h, ok := old.retire()
	if !ok {
		s.mu.Unlock()
		return // closed already: nothing to carry
	}
	dropped := next.takeOver(h, len(old.policy.monitors) > 0)
	// A page kept for a monitor no longer configured (its attempts ran
	// out) would go out once the channel works, with no resolve ever
	// after: it is moot. Told before the queues pass on, so that the
	// next channel does not try it first.
	for _, in := range dropped {
		for _, o := range old.post.outlets {
			o.resolved(in.Monitor, in.Start)
		}
	}
	old.passOn(next, h.burst)
	s.retired = slices.DeleteFunc(s.retired, func(d *Dispatcher) bool {
		select {
		case <-d.post.done:
			return true
		default:
			return false
		}
	})
	s.retired = append(s.retired, old)
	s.mu.Unlock()
	for _, in := range dropped {
		old.opts.Logger.Info("incident closed: monitor no longer configured", "monitor", in.Monitor)
		if old.opts.OnIncident != nil {
			old.opts.OnIncident(in)
		}
	}
}

// Close closes the current Dispatcher and ends the work of replaced ones
// still sending: what they have queued gets one attempt each, within
// their DrainTimeout. It waits for all of it.
func (s *Switch) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	var wg sync.WaitGroup
	for _, d := range append(slices.Clone(s.retired), s.cur.Load()) {
		wg.Go(d.Close)
	}
	wg.Wait()
	for _, d := range s.retired {
		<-d.post.done
	}
	s.retired = nil
}
