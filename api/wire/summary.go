package wire

import "github.com/upbeat-monitor/upbeat/monitor"

// Summary is GET /api/v1/summary: how many monitors stand in each status
// and which are down, the few bytes a status line (`upbeat status`) needs.
type Summary struct {
	Location    string   `json:"location,omitempty"`
	Total       int      `json:"total"`
	Down        int      `json:"down"`
	Degraded    int      `json:"degraded"`
	Up          int      `json:"up"`
	Pending     int      `json:"pending"`
	Maintenance int      `json:"maintenance"`
	Paused      int      `json:"paused"`
	Acked       int      `json:"acked"`         // of the down ones, how many are acknowledged
	DownNames   []string `json:"down_monitors"` // in configuration order; never null
	Warnings    int      `json:"warnings"`      // problems with upbeat itself in force
}

// SummaryOf counts states by status.
func SummaryOf(states []monitor.State, location string, warnings int) Summary {
	s := Summary{Location: location, Total: len(states), DownNames: []string{}, Warnings: warnings}
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
