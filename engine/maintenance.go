package engine

import (
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Maintenance tells whether a monitor is inside a maintenance window.
type Maintenance interface {
	// Active returns the name of the window in force for m at t, if any.
	Active(m *monitor.Monitor, t time.Time) (name string, ok bool)
}
