package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// ClassSlow is the class of a result that came later than its monitor's
// max_latency: the check passed, the monitor is degraded.
const ClassSlow = "slow"

// runner runs checks: one at a time per monitor, at most as many at once
// as the concurrency allows, each attempt under the monitor's timeout, a
// failure retried before it counts. It owns the stopwatch and the
// max_latency judgement; a Checker only probes.
type runner struct {
	checkers map[monitor.Kind]Checker
	now      func() time.Time
	stats    *counters
	sem      chan struct{}  // a slot per check running
	running  sync.WaitGroup // workers

	// Checks run on worker goroutines. A worker that has run a check
	// waits for the next one (up to as many waiting as the concurrency)
	// rather than exiting: a new goroutine's stack starts small and is
	// copied as it grows down a check's call chain, which cost 3% of the
	// daemon's CPU at 10,000 monitors; a waiting worker keeps the stack
	// it grew.
	jobs chan job     // to a waiting worker; unbuffered
	idle atomic.Int32 // workers waiting (or about to)

	// isDown says whether en is down already: a confirmed outage needs no
	// retries to confirm it again.
	isDown func(en *entry) bool
	// skipped is told of a check that was due while the last one still ran.
	skipped func(en *entry)
	// done takes a finished check's result.
	done func(en *entry, r *monitor.Result)
}

// pace is how often the scheduler checks m: its interval, unless its
// checker is passive and says otherwise.
func (r *runner) pace(m *monitor.Monitor) time.Duration {
	if p, ok := r.checkers[m.Kind].(Passive); ok {
		return p.Pace(m)
	}
	return m.Interval
}

// displayURL is m's URL as results show it: without whatever its checker
// says is secret, and as monitor.RedactURL shows every URL.
func (r *runner) displayURL(m *monitor.Monitor) string {
	if rd, ok := r.checkers[m.Kind].(Redacter); ok {
		return monitor.RedactURL(rd.Redact(m))
	}
	return monitor.RedactURL(m.URL)
}

// start launches a check of en that was due at due, unless one is already
// running: then a scheduled check is counted as skipped, and one someone
// asked for (asked: check now, a reload, a dependency) runs as soon as the
// running one ends, so that it is never lost.
func (r *runner) start(ctx context.Context, en *entry, due time.Time, asked bool) {
	if !en.busy.CompareAndSwap(false, true) {
		if asked {
			en.again.Store(en)
			if en.busy.CompareAndSwap(false, true) { // it ended meanwhile
				en.again.Store(nil)
			} else {
				return
			}
		} else {
			r.stats.skipped.Add(1)
			r.skipped(en)
			return
		}
	}
	j := job{ctx, en, due}
	select {
	case r.jobs <- j: // a waiting worker takes it
	default:
		r.running.Add(1)
		go r.work(j)
	}
}

// job is a check for a worker to run.
type job struct {
	ctx context.Context
	en  *entry
	due time.Time
}

// work runs j, then the checks it is handed while it waits, until its
// context is done or enough other workers wait.
func (r *runner) work(j job) {
	defer r.running.Done()
	for {
		r.run(j.ctx, j.en, j.due)
		j.en.busy.Store(false)
		if next := j.en.again.Swap(nil); next != nil && j.ctx.Err() == nil {
			r.start(j.ctx, next, r.now(), true)
		}
		if r.idle.Add(1) > int32(cap(r.sem)) {
			r.idle.Add(-1)
			return
		}
		ctx := j.ctx
		j = job{} // a monitor a reload removes is not kept while its worker waits
		select {
		case j = <-r.jobs:
			r.idle.Add(-1)
		case <-ctx.Done():
			r.idle.Add(-1)
			return
		}
	}
}

// run runs one check of en, started by start, within the concurrency limit.
func (r *runner) run(ctx context.Context, en *entry, due time.Time) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-r.sem }()
	if late := r.now().Sub(due); late <= time.Second {
		r.stats.onTime.Add(1)
	} else {
		r.stats.late.Add(1)
	}
	res := r.check(ctx, en, true)
	if res == nil || ctx.Err() != nil {
		return
	}
	r.done(en, res)
}

// wait returns once every check started has ended.
func (r *runner) wait() { r.running.Wait() }

// check runs a check, retrying a failure up to the monitor's retries
// unless the monitor is already down (onlyIfNew). It returns nil when ctx
// ends while it waits to retry.
func (r *runner) check(ctx context.Context, en *entry, onlyIfNew bool) *monitor.Result {
	m := en.m
	var res monitor.Result
	for attempt := 1; ; attempt++ {
		res = r.attempt(ctx, en)
		res.Attempts = attempt
		if res.Status != monitor.StatusDown || attempt > m.Retries || ctx.Err() != nil {
			break
		}
		if onlyIfNew && r.isDown(en) {
			break
		}
		t := time.NewTimer(m.RetryInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
	return &res
}

// attempt runs one attempt under the monitor's timeout.
func (r *runner) attempt(ctx context.Context, en *entry) monitor.Result {
	m := en.m
	chk := r.checkers[m.Kind]
	r.stats.attempts.Add(1)
	start := r.now()
	cctx, cancel := context.WithTimeout(ctx, m.Timeout)
	res := chk.Check(cctx, m)
	cancel()
	res.Monitor, res.Kind, res.Time, res.URL = m.Name, m.Kind, start, en.url
	res.FinalURL = monitor.RedactURL(res.FinalURL)
	if _, passive := chk.(Passive); res.Latency == 0 && !passive {
		res.Latency = r.now().Sub(start)
	}
	judgeLatency(&res, m.MaxLatency)
	return res
}

// judgeLatency degrades a passing result that took longer than max (0: no
// limit). A down result stays down; a result degraded already keeps its
// class and says it was slow too.
func judgeLatency(r *monitor.Result, max time.Duration) {
	if max <= 0 || r.Latency <= max {
		return
	}
	msg := fmt.Sprintf("took %s, more than max_latency %s", r.Latency.Round(time.Millisecond), max)
	switch r.Status {
	case monitor.StatusUp:
		r.Status, r.Class, r.Error = monitor.StatusDegraded, ClassSlow, msg
	case monitor.StatusDegraded:
		r.Error = Sanitize(r.Error+"; "+msg, maxError)
	}
}

// maxError is the most runes of an error message the engine keeps.
const maxError = 300

// checkAll runs every entry once, in parallel within the concurrency
// limit, each with its full retries, and returns the results in list's
// order. inWindow says whether an entry is inside a maintenance window.
func (r *runner) checkAll(ctx context.Context, list []*entry, inWindow func(*entry, time.Time) bool) []monitor.Result {
	ctx = withOneShot(ctx)
	out := make([]monitor.Result, len(list))
	var wg sync.WaitGroup
	for i, en := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case r.sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = interrupted(en, ctx.Err().Error())
				return
			}
			defer func() { <-r.sem }()
			res := r.check(ctx, en, false)
			if res == nil {
				out[i] = interrupted(en, "interrupted")
				return
			}
			if inWindow(en, res.Time) {
				res.Status = monitor.StatusMaintenance // a planned window is not an outage
			}
			out[i] = *res
		}()
	}
	wg.Wait()
	return out
}

// interrupted is the result of a check that never ran to its end.
func interrupted(en *entry, why string) monitor.Result {
	return monitor.Result{Monitor: en.m.Name, Kind: en.m.Kind, URL: en.url, Status: monitor.StatusDown, Class: "timeout", Error: why}
}

// oneShotKey marks the context of a one-shot run (CheckAll): no beat can
// reach a passive checker while it runs.
type oneShotKey struct{}

func withOneShot(ctx context.Context) context.Context {
	return context.WithValue(ctx, oneShotKey{}, true)
}

// oneShot reports whether ctx is that of a one-shot run.
func oneShot(ctx context.Context) bool { v, _ := ctx.Value(oneShotKey{}).(bool); return v }
