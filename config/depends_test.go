package config

import (
	"slices"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// depends_on keeps the names as written; slo and slo_window come from the
// monitor, else from [settings], and the window defaults to 30 days.
func TestDependsOnAndSLO(t *testing.T) {
	cfg := mustParse(t, `
[settings]
slo = "99.5%"
stall_threshold = "2s"

[[monitor]]
name = "edge-router"
url = "tcp://192.0.2.1:22"

[[monitor]]
name = "db"
url = "tcp://db.example.com:5432"
depends_on = "edge-router"
slo = 99.9

[[monitor]]
name = "shop"
url = "https://shop.example.com/health"
depends_on = ["db", "edge-router"]
slo = "99.95%"
slo_window = "7d"
`)
	byName := map[string]*monitor.Monitor{}
	for _, m := range cfg.Monitors {
		byName[m.Name] = m
	}
	if got := byName["shop"].DependsOn; !slices.Equal(got, []string{"db", "edge-router"}) {
		t.Errorf("shop depends_on = %v", got)
	}
	if got := byName["db"].DependsOn; !slices.Equal(got, []string{"edge-router"}) {
		t.Errorf("db depends_on = %v", got)
	}
	for _, c := range []struct {
		name   string
		slo    string
		window time.Duration
	}{
		{"edge-router", "99.5%", 30 * 24 * time.Hour},
		{"db", "99.9%", 30 * 24 * time.Hour},
		{"shop", "99.95%", 7 * 24 * time.Hour},
	} {
		m := byName[c.name]
		if got := monitor.FormatObjective(m.SLO); got != c.slo || m.SLOWindow != c.window {
			t.Errorf("%s: slo %s over %s, want %s over %s", c.name, got, m.SLOWindow, c.slo, c.window)
		}
	}
	if cfg.Settings.StallThreshold != 2*time.Second {
		t.Errorf("stall_threshold = %s", cfg.Settings.StallThreshold)
	}
	if d := Default().Settings.StallThreshold; d != 5*time.Second {
		t.Errorf("default stall_threshold = %s", d)
	}
}
