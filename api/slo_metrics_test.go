package api

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// snapshotBackend answers Snapshot and Stats from fixed values.
type snapshotBackend struct {
	Backend
	states []monitor.State
	stats  engine.Stats
}

func (b snapshotBackend) Snapshot() []monitor.State { return b.states }
func (b snapshotBackend) Stats() engine.Stats       { return b.stats }

// Each objective is exported with its error budget left and its burn
// rate per window; monitors without one have no such series; the stalls
// of upbeat itself are counted.
func TestSLOAndStallMetrics(t *testing.T) {
	slo := monitor.SLO{Objective: 0.999, Window: 30 * 24 * time.Hour, Checks: 10000, Failures: 4,
		Burn: [4]float64{0, 20, 16, 2.5}}
	b := snapshotBackend{
		states: []monitor.State{
			{Monitor: &monitor.Monitor{Name: "shop", Kind: monitor.KindHTTP, Tags: []string{"prod"}}, Location: "eu-west", SLO: slo},
			{Monitor: &monitor.Monitor{Name: "blog", Kind: monitor.KindHTTP}, Location: "eu-west"},
		},
		stats: engine.Stats{Stalls: 2, Stalled: 9*time.Minute + 12*time.Second},
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(newSLOCollector(b))
	list, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	fams := map[string]*dto.MetricFamily{}
	for _, f := range list {
		fams[f.GetName()] = f
	}
	shop := map[string]string{"monitor": "shop", "kind": "http", "location": "eu-west", "tags": ",prod,"}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"upbeat_slo_objective", shop, 0.999},
		{"upbeat_slo_window_seconds", shop, 30 * 24 * 3600},
		{"upbeat_slo_error_budget_remaining", shop, 0.6}, // 4 of 10,000 failed where 10 may
		{"upbeat_slo_burn_rate", with(shop, "window", "5m"), 0},
		{"upbeat_slo_burn_rate", with(shop, "window", "30m"), 20},
		{"upbeat_slo_burn_rate", with(shop, "window", "1h"), 16},
		{"upbeat_slo_burn_rate", with(shop, "window", "6h"), 2.5},
		{"upbeat_stalls_total", nil, 2},
		{"upbeat_stalled_seconds_total", nil, 552},
	} {
		got, ok := metricValue(t, fams, c.name, c.labels)
		if !ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if _, ok := metricValue(t, fams, "upbeat_slo_objective", map[string]string{"monitor": "blog"}); ok {
		t.Error("an objective exported for a monitor without one")
	}
}
