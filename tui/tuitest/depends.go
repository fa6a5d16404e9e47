package tuitest

import (
	"fmt"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// BehindRouter returns an edge router down for eight minutes (refused)
// and the twelve monitors behind it (depends_on), down with it: what the
// dashboard folds under the router. Append it to Fixture.
func BehindRouter(now time.Time) []monitor.State {
	const n = 120
	iv := 30 * time.Second
	router := Monitor("edge-router", "tcp://203.0.113.1:22", "net")
	down := func(i int, s *monitor.Sample) {
		if i >= n-16 {
			s.Status, s.Code = monitor.StatusDown, 0
		}
	}
	s := State(router, monitor.StatusDown, now.Add(-8*time.Minute), Samples("edge-router", now, n, iv, 2*time.Millisecond, time.Millisecond, monitor.StatusUp, 0, down),
		monitor.Result{Status: monitor.StatusDown, Class: "refused", Error: "connection refused", Attempts: 3, Remote: "203.0.113.1:22"})
	s.Uptime24, s.Uptime7d, s.Uptime30 = up(0.994), up(0.9991), up(0.9998)
	out := []monitor.State{s}
	for i := range 12 {
		name := fmt.Sprintf("branch-%02d", i+1)
		m := Monitor(name, fmt.Sprintf("https://%s.example.test/health", name), "branch")
		m.DependsOn = []string{"edge-router"}
		s := State(m, monitor.StatusDown, now.Add(-time.Duration(7*60+i*10)*time.Second), Samples(name, now, n, iv, 60*time.Millisecond, 10*time.Millisecond, monitor.StatusUp, 200, down),
			monitor.Result{Status: monitor.StatusDown, Class: "connect_timeout", Error: "no connection within 10s", Attempts: 3})
		s.Uptime24, s.Uptime7d, s.Uptime30 = up(0.994), up(0.9991), up(0.9998)
		out = append(out, s)
	}
	return out
}

// WithSLO gives the named monitor of states an objective of 99.9% over 30
// days, a third of its error budget spent, and burning fast right now:
// what the detail view's objective section shows.
func WithSLO(states []monitor.State, name string) {
	for i := range states {
		if states[i].Monitor.Name == name {
			states[i].SLO = monitor.SLO{Objective: 0.999, Window: 30 * 24 * time.Hour, Checks: 86400, Failures: 29,
				Burn: [4]float64{200, 36.7, 18.3, 3.1}}
		}
	}
}
