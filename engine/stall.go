package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// stallWatch notices when upbeat itself did not run on time: the process
// was stopped (SIGSTOP, a debugger, a frozen VM) or the machine slept. A
// watchdog looks at the clock every tick (a quarter of the threshold);
// when it finds much more time gone by than a tick, or the machine's boot
// clock (or the wall clock, where the system has no boot clock) gone
// further than the monotonic one by more than the threshold (the
// monotonic clock stands still while the machine sleeps), the time in
// between was a stall. Every result is
// judged against the stalls too, so a check that ends before the
// watchdog wakes is caught all the same.
//
// A failing result whose check overlapped a stall says nothing about its
// target: it is marked (class upbeat_stalled, status paused), so it opens
// no incident and counts neither for nor against uptime. A passive check
// (a push monitor) judges beats that could not arrive while upbeat was
// stopped: its failures are marked while the stall is within its
// interval and grace.
type stallWatch struct {
	now       func() time.Time
	threshold time.Duration
	tick      time.Duration
	// asleep returns how long the machine has slept since it booted, or
	// -1 when the system cannot tell (then the wall clock's lead over the
	// monotonic one is taken instead).
	asleep func() time.Duration
	log    *slog.Logger
	warn   func(key, msg string)

	mu        sync.Mutex
	last      time.Time     // the previous look at the clock
	lastSleep time.Duration // asleep() then
	stalls    []stall       // recent stalls, oldest first
	warnUntil time.Time     // when the warning about the last stall is cleared
	count     uint64
	total     time.Duration
}

// stall is a stretch of wall-clock time in which upbeat did not run.
type stall struct {
	from, to time.Time
}

// Stall bookkeeping.
const (
	keepStalls  = 16               // stalls remembered to judge late results
	stallWarnAt = 10 * time.Minute // how long the warning stays after a stall
	stallWarnID = "stall"
)

func newStallWatch(now func() time.Time, threshold time.Duration, asleep func() time.Duration, log *slog.Logger,
	warn func(key, msg string)) *stallWatch {
	if threshold <= 0 {
		threshold = DefaultStallThreshold
	}
	if asleep == nil {
		asleep = machineAsleep
	}
	return &stallWatch{now: now, threshold: threshold, tick: max(threshold/4, 25*time.Millisecond), asleep: asleep,
		log: log, warn: warn}
}

// run looks at the clock every tick until ctx is done.
func (w *stallWatch) run(ctx context.Context) {
	w.look(w.now())
	t := time.NewTicker(w.tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.look(w.now())
		}
	}
}

// look compares now with the previous look and records a stall between
// them if there was one.
func (w *stallWatch) look(now time.Time) {
	sleep := w.asleep()
	w.mu.Lock()
	var found *stall
	if !w.last.IsZero() {
		mono := now.Sub(w.last)                       // monotonic when both readings carry it
		wall := now.Round(0).Sub(w.last.Round(0))     // the wall clock alone
		lost := mono - w.tick                         // time the process was not running
		if slept := sleep - w.lastSleep; sleep >= 0 { // the machine was asleep (the monotonic clock stood still)
			lost = max(lost, slept)
		} else if wall-mono > w.threshold {
			lost = max(lost, wall-mono)
		}
		if lost > w.threshold {
			found = &stall{from: w.last.Round(0), to: now.Round(0)}
			if len(w.stalls) == keepStalls {
				w.stalls = append(w.stalls[:0], w.stalls[1:]...)
			}
			w.stalls = append(w.stalls, *found)
			w.count++
			w.total += found.to.Sub(found.from)
			w.warnUntil = now.Add(stallWarnAt)
		}
	}
	clear := found == nil && !w.warnUntil.IsZero() && now.After(w.warnUntil)
	if clear {
		w.warnUntil = time.Time{}
	}
	if now.After(w.last) { // looks from several goroutines may cross
		w.last, w.lastSleep = now, sleep
	}
	w.mu.Unlock()

	switch {
	case found != nil:
		msg := StallMessage(found.to.Sub(found.from), found.from, found.to)
		w.log.Warn(msg, "from", found.from.Format(time.RFC3339), "to", found.to.Format(time.RFC3339))
		w.warn(stallWarnID, msg)
	case clear:
		w.warn(stallWarnID, "")
	}
}

// StallMessage is what the log and every viewer say about a stall:
// "upbeat itself was stalled for 9m12s (14:02:05 to 14:11:17); checks
// caught in it are not counted".
func StallMessage(d time.Duration, from, to time.Time) string {
	return fmt.Sprintf("upbeat itself was stalled for %s (%s to %s); checks caught in it are not counted",
		d.Round(time.Second), from.Format(time.TimeOnly), to.Format(time.TimeOnly))
}

// judge marks r when it failed during a stall: its check (started at
// r.Time, ending now) overlapped one, or, for a passive check, a stall
// ended within lookback before it. A failure looks at the clock first; a
// success leaves that to the watch's ticker (a look reads two clocks
// with system calls, and a daemon of 10,000 monitors has a thousand
// results a second, nearly all of them up).
func (w *stallWatch) judge(r *monitor.Result, lookback time.Duration) {
	if r.Status == monitor.StatusUp || r.Status == monitor.StatusPending || r.Status == monitor.StatusMaintenance {
		return
	}
	now := w.now()
	w.look(now)
	from, to := r.Time.Add(-lookback).Round(0), now.Round(0)
	w.mu.Lock()
	var hit *stall
	for i := len(w.stalls) - 1; i >= 0; i-- {
		s := &w.stalls[i]
		if s.from.Before(to) && s.to.After(from) {
			hit = s
			break
		}
	}
	w.mu.Unlock()
	if hit == nil {
		return
	}
	if r.Detail == "" {
		r.Detail = r.Error
	}
	r.Error = fmt.Sprintf("upbeat itself was stalled for %s while this check ran (it said: %s)",
		hit.to.Sub(hit.from).Round(time.Second), Sanitize(r.Error, 120))
	r.Status, r.Class = monitor.StatusPaused, monitor.ClassStalled
}

// stats returns how many stalls there were and how long they lasted.
func (w *stallWatch) stats() (uint64, time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.count, w.total
}
