package engine

import (
	"context"
	"hash/fnv"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// scheduler decides when each monitor is checked: every monitor on its own
// period, spread so that thousands never fire in the same millisecond, and
// at once when a person or a reload asks. It knows nothing of what a check
// does (launch) nor of a monitor's status: the parts that pause and remove
// monitors tell it so (stop, resume).
type scheduler struct {
	now    func() time.Time
	pace   func(m *monitor.Monitor) time.Duration // how often m is checked
	launch func(ctx context.Context, en *entry, due time.Time, asked bool)

	mu sync.Mutex
	h  schedHeap
	// asked are entries whose schedule changed outside the scheduler's
	// goroutine; it looks at them, and only them, when it wakes.
	asked []*entry
	wake  chan struct{}
	due   []launch // the scheduler goroutine's: checks to launch, reused
}

// launch is a check to start, when it was due, and whether someone asked
// for it (check now, a reload, a dependency) rather than its schedule.
type launch struct {
	en    *entry
	due   time.Time
	asked bool
}

func newScheduler(now func() time.Time, pace func(*monitor.Monitor) time.Duration,
	start func(context.Context, *entry, time.Time, bool)) *scheduler {
	return &scheduler{now: now, pace: pace, launch: start, wake: make(chan struct{}, 1)}
}

// soon checks en as soon as a slot is free, unless it is stopped.
func (s *scheduler) soon(en *entry) {
	s.mu.Lock()
	if !en.off {
		en.asap = true
		s.asked = append(s.asked, en)
	}
	s.mu.Unlock()
	s.kick()
}

// resume puts a stopped entry back in the schedule, checked at once.
func (s *scheduler) resume(en *entry) {
	s.mu.Lock()
	en.off = false
	s.mu.Unlock()
	s.soon(en)
}

// stop takes en out of the schedule (paused, or removed by a reload).
func (s *scheduler) stop(en *entry) {
	s.mu.Lock()
	en.off = true
	s.mu.Unlock()
}

// kick wakes the scheduler.
func (s *scheduler) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run schedules the entries in list, and those it is told of later, until
// ctx is done.
func (s *scheduler) run(ctx context.Context, list []*entry) {
	start := s.now()
	s.mu.Lock()
	for _, en := range list {
		if !en.off && en.hidx < 0 {
			en.due = start.Add(offset(en.m.Name, s.pace(en.m)))
			heapPush(&s.h, en)
		}
	}
	s.mu.Unlock()

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := s.dispatch(ctx)
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.wake:
		}
	}
}

// dispatch launches every check that is due and returns how long until
// the next one. Checks are launched after the lock is let go.
func (s *scheduler) dispatch(ctx context.Context) time.Duration {
	now := s.now()
	wait := time.Hour
	s.mu.Lock()
	s.collect(now)
	for len(s.h) > 0 {
		en := s.h[0]
		if en.off {
			heapPop(&s.h)
			continue
		}
		if en.due.After(now) {
			wait = en.due.Sub(now)
			break
		}
		due, asked := en.due, en.asap
		en.due = nextDue(due, s.pace(en.m), now)
		en.asap = false
		heapFix(&s.h, en)
		s.due = append(s.due, launch{en, due, asked})
	}
	s.mu.Unlock()
	for _, l := range s.due {
		s.launch(ctx, l.en, l.due, l.asked)
	}
	clear(s.due)
	s.due = s.due[:0]
	return wait
}

// collect puts the entries asked to run at once at the front of the
// schedule, and schedules those not in it yet. It looks only at the
// entries asked about, never at all of them: it runs on every wake-up.
func (s *scheduler) collect(now time.Time) {
	for _, en := range s.asked {
		switch {
		case en.off || !en.asap:
		case en.hidx < 0:
			en.due = now
			heapPush(&s.h, en)
		case en.due.After(now):
			en.due = now
			heapFix(&s.h, en)
		}
	}
	clear(s.asked)
	s.asked = s.asked[:0]
}

// maxSpread bounds how long after start a monitor's first check may come,
// so that an hourly monitor is not "pending" for most of an hour.
const maxSpread = 30 * time.Second

// offset spreads monitors over their interval (at most maxSpread), the
// same way on every start, so that 10,000 monitors never fire in the same
// millisecond.
func offset(name string, interval time.Duration) time.Duration {
	interval = min(interval, maxSpread)
	if interval <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	x := h.Sum64() // FNV's low bits vary little between similar names: mix them (splitmix64's finalizer)
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return time.Duration(x % uint64(interval))
}

// nextDue is the next due time after due that is not already past: a
// scheduler that fell behind (a suspended machine, an overloaded one)
// skips the missed slots instead of firing them in a burst.
func nextDue(due time.Time, interval time.Duration, now time.Time) time.Time {
	if interval <= 0 {
		interval = time.Second
	}
	next := due.Add(interval)
	if next.Before(now) {
		missed := now.Sub(next)/interval + 1
		next = next.Add(missed * interval)
	}
	return next
}
