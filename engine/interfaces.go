package engine

import (
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Recorder receives every result. The engine calls Record from one
// goroutine, in order; an error is reported as a warning and never stops
// checking.
type Recorder interface {
	// Record stores one result.
	Record(r *monitor.Result) error
}

// Restorer gives the engine what it needs when it takes up a monitor, so
// that a restart is not a new incident, sparklines start filled and the
// uptime figures count what came before. The engine asks once per monitor
// and keeps counting itself.
type Restorer interface {
	// Restore returns the last n results of a monitor, oldest first, and
	// the time its current status began. ok is false when nothing is known.
	Restore(monitor string, n int) (recent []monitor.Result, since time.Time, ok bool)
	// Tally returns a monitor's counted checks per period (time.Hour, or
	// 24*time.Hour for UTC days) for the n periods that end with the one
	// holding now, oldest first.
	Tally(monitor string, period time.Duration, n int, now time.Time) []monitor.Tally
}

// Origin is a Restorer that knows when a monitor's first result on record
// is, so that the uptime of a monitor younger than a window counts the
// day it began whole.
type Origin interface {
	First(monitor string) (first time.Time, ok bool)
}

// BulkRestorer is a Restorer that hands the recent results of every
// monitor in one pass, so that the engine restores thousands of monitors
// without a copy of all their recent results in memory at once.
type BulkRestorer interface {
	Restorer
	// RestoreAll calls fn with the last n results of every monitor on
	// record, each monitor's oldest first. fn must copy what it keeps.
	RestoreAll(n int, fn func(r *monitor.Result)) error
	// Since returns when a monitor's current status (that of its last
	// result) began; ok is false when nothing is known.
	Since(monitor string) (since time.Time, ok bool)
}

// Notifier is told of every status change. It must not block: delivery
// happens off the check path.
type Notifier interface {
	// Notify is called once per status change, after retries.
	Notify(ev monitor.Event, st *monitor.State)
}

// Querier answers questions about the past; the history store implements
// it. Viewers use it for detail views and reports.
type Querier interface {
	// Results returns a monitor's results in [from, to), oldest first.
	Results(monitor string, from, to time.Time) ([]monitor.Result, error)
	// Incidents returns a monitor's incidents that overlap [from, to), oldest first.
	Incidents(monitor string, from, to time.Time) ([]monitor.Incident, error)
	// ErrorsByHour counts a monitor's failed checks by hour of day (UTC) in [from, to).
	ErrorsByHour(monitor string, from, to time.Time) ([24]int, error)
}

// Acker is a Notifier that wants to know when a person acknowledges a
// monitor's open incident (Engine.Ack), so that it sends no reminders.
type Acker interface {
	// Ack acknowledges the named monitor's open incident. It must not block.
	Ack(monitor string)
}

// Observer is a Notifier that wants every result, not only status changes:
// to count recoveries, to tell a flapping monitor from a down one.
type Observer interface {
	// Observe is called for every result, before the status change it
	// causes (if any) is notified. It must not block.
	Observe(r *monitor.Result)
}

// Passive is a Checker that probes nothing: it judges against the clock
// what reached the engine by other means (a push monitor's beats). The
// engine measures no latency for it, runs it every Pace instead of every
// interval, and hands it a monitor's recent results when the monitor is
// restored from history, so that a restart loses nothing it knew.
type Passive interface {
	Checker
	// Pace is how often the scheduler runs the check of m.
	Pace(m *monitor.Monitor) time.Duration
	// Resume takes up what m's recent results (oldest first) say.
	Resume(m *monitor.Monitor, recent []monitor.Result)
}

// Redacter is a Checker whose monitors' URLs hold a secret other than a
// password (a push token). Results show Redact's text instead.
type Redacter interface {
	// Redact returns m's URL as results may show it.
	Redact(m *monitor.Monitor) string
}

// CheckCounter is a Restorer that can count a monitor's past checks, so
// that the figures of an objective (slo) survive a restart without the
// engine ever querying history for them again.
type CheckCounter interface {
	// CountChecks calls fn for each step (time.Minute or time.Hour) of
	// [from, to) with checks in it, oldest first: when the step starts,
	// the checks that count (not in maintenance, paused or caught in a
	// stall) and how many of them failed.
	CountChecks(monitor string, from, to time.Time, step time.Duration, fn func(start time.Time, checks, failures uint64)) error
}

// SLOObserver is a Notifier that wants a monitor's objective figures
// after each of its results that counted toward them: burn-rate alerts.
type SLOObserver interface {
	// ObserveSLO is called after the result of monitor at `at` updated
	// slo. It must not block.
	ObserveSLO(monitor string, slo monitor.SLO, at time.Time)
}
