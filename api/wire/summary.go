package wire

import (
	"slices"

	"early.upbeat.invalid/statusline"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Summary is GET /api/v1/summary: how many monitors stand in each status
// and which are down, the few bytes a status line (`upbeat status`) needs.
// It is defined with the status line, which reads it before the rest of
// upbeat is initialised.
type Summary = statusline.Summary

// SummaryOf counts states by status; warnings are the problems with
// upbeat itself in force.
func SummaryOf(states []monitor.State, location string, warnings []string) Summary {
	s := Summary{Location: location, Total: len(states), DownNames: []string{}, Warnings: len(warnings)}
	if len(warnings) > 0 {
		s.WarningMessages = slices.Clone(warnings)
	}
	for i := range states {
		st := &states[i]
		switch st.Status {
		case monitor.StatusDown:
			s.Down++
			s.DownNames = append(s.DownNames, st.Monitor.Name)
			if st.Acked {
				s.Acked++
			}
		case monitor.StatusDegraded:
			s.Degraded++
		case monitor.StatusUp:
			s.Up++
		case monitor.StatusPending:
			s.Pending++
		case monitor.StatusMaintenance:
			s.Maintenance++
		case monitor.StatusPaused:
			s.Paused++
		}
	}
	return s
}
