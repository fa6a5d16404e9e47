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

// Restorer gives the engine what it needs at start so that a restart is
// not a new incident and sparklines start filled.
type Restorer interface {
	// Restore returns the last n results of a monitor, oldest first, and
	// the time its current status began. ok is false when nothing is known.
	Restore(monitor string, n int) (recent []monitor.Result, since time.Time, ok bool)
	// Uptime returns the share of good checks over the window ending now.
	Uptime(monitor string, window time.Duration, now time.Time) monitor.Uptime
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
