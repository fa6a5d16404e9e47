package api

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// sloCollector exports what issue 12 adds: each objective's figures and
// the stalls of upbeat itself. It reads the engine's state at scrape time.
type sloCollector struct {
	b Backend

	objective, window, budget, burn *prometheus.Desc
	stalls, stalled                 *prometheus.Desc
}

func newSLOCollector(b Backend) *sloCollector {
	g := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &sloCollector{
		b:         b,
		objective: desc("upbeat_slo_objective", "The monitor's objective: the share of checks that must not be down (0.999 for 99.9%)."),
		window:    desc("upbeat_slo_window_seconds", "The rolling window the objective is measured over, in seconds."),
		budget: desc("upbeat_slo_error_budget_remaining",
			"Share of the error budget not spent over the window: 1 untouched, 0 spent, negative overspent."),
		burn: desc("upbeat_slo_burn_rate",
			"How fast the error budget burns over the window named: the failed share divided by the share the objective allows (1 spends it exactly over the objective's window).", "window"),
		stalls:  g("upbeat_stalls_total", "Times upbeat itself was found stalled (process stopped, machine asleep, far behind)."),
		stalled: g("upbeat_stalled_seconds_total", "How long upbeat itself was stalled, in all, in seconds."),
	}
}

// Describe implements prometheus.Collector.
func (c *sloCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.objective, c.window, c.budget, c.burn, c.stalls, c.stalled} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *sloCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, lv...)
	}
	snap := c.b.Snapshot()
	for i := range snap {
		st := &snap[i]
		if !st.SLO.Set() {
			continue
		}
		m := st.Monitor
		lv := []string{m.Name, string(m.Kind), st.Location, TagsLabel(m.Tags)}
		gauge(c.objective, st.SLO.Objective, lv...)
		gauge(c.window, st.SLO.Window.Seconds(), lv...)
		gauge(c.budget, st.SLO.BudgetLeft(), lv...)
		for j, w := range monitor.BurnWindows {
			gauge(c.burn, st.SLO.Burn[j], append(slices.Clone(lv), monitor.BurnWindowName(w))...)
		}
	}
	s := c.b.Stats()
	ch <- prometheus.MustNewConstMetric(c.stalls, prometheus.CounterValue, float64(s.Stalls))
	ch <- prometheus.MustNewConstMetric(c.stalled, prometheus.CounterValue, s.Stalled.Seconds())
}
