// Package engine runs checks on a schedule and publishes what it finds.
//
// The types it shares with every other package (Monitor, Result, Status)
// live in package monitor; the engine owns the Checker interface that each
// check kind implements and the interfaces it needs from the outside (a
// Recorder for results, a Notifier for alerts). It knows nothing of how
// results are stored or shown.
package engine

import (
	"context"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Checker probes one kind of target. Check must return when ctx is done,
// must not retry, and fills in Status, Code, Class, Error and whatever
// kind-specific fields it knows. The caller sets Monitor, Kind, URL, Time,
// Latency (if the checker leaves it zero) and Attempts.
type Checker interface {
	Check(ctx context.Context, m *monitor.Monitor) monitor.Result
}
