package alert

import (
	"sync"
	"time"
)

// clock is where the dispatcher reads the time and sets its timers: the
// policy's (reminders, resolve holds, flap settling), the burst window's
// and the delivery queues' backoff. Tests run the real one inside a
// testing/synctest bubble, where time is fake.
type clock interface {
	Now() time.Time
	// AfterFunc runs f in its own goroutine after d; stop cancels it and
	// reports whether it did so before f started.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// realClock is the clock of the time package.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// serial is the lock the policy and the burst window decide under, with
// the clock their alarms run on. Callbacks queued with later while it is
// held (OnIncident) run once it is released, so that they may call back
// into the Dispatcher.
type serial struct {
	clock  clock
	mu     sync.Mutex
	closed bool // no more decisions: Close or a reload retired the Dispatcher
	after  []func()
}

// enter takes the lock; it returns false, without the lock, once closed.
func (s *serial) enter() bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	return true
}

// lock takes the lock whether closed or not.
func (s *serial) lock() { s.mu.Lock() }

// unlock releases the lock and then runs the callbacks queued meanwhile.
func (s *serial) unlock() {
	after := s.after
	s.after = nil
	s.mu.Unlock()
	for _, f := range after {
		f()
	}
}

// later queues f to run once the lock is released. Called with it held.
func (s *serial) later(f func()) { s.after = append(s.after, f) }

// alarm is one timer of the policy or the burst window. It fires with
// the serial lock held, and not at all if it was re-armed or stopped in
// the meantime or the lock was closed: the one place where a stale timer
// is told from the current one.
type alarm struct {
	stop func() bool
	gen  uint64 // which arming is current
}

// arm (re)starts a: fire runs after d (at once when d <= 0). Called with
// the lock held.
func (s *serial) arm(a *alarm, d time.Duration, fire func()) {
	a.cancel()
	a.gen++
	gen := a.gen
	a.stop = s.clock.AfterFunc(max(d, 0), func() {
		s.mu.Lock()
		defer s.unlock()
		if s.closed || a.gen != gen || a.stop == nil {
			return
		}
		a.stop = nil
		fire()
	})
}

// cancel stops a; a firing already waiting for the lock is ignored.
// Called with the lock held.
func (a *alarm) cancel() {
	if a.stop != nil {
		a.stop()
		a.stop = nil
	}
}

// armed reports whether a is set. Called with the lock held.
func (a *alarm) armed() bool { return a.stop != nil }

// wait returns a channel closed after d on c, and a function that stops
// it early.
func wait(c clock, d time.Duration) (<-chan struct{}, func() bool) {
	ch := make(chan struct{})
	stop := c.AfterFunc(d, func() { close(ch) })
	return ch, stop
}
