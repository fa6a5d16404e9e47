package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/fleet"
)

// /metrics and /healthz say which shard a daemon is and how many
// monitors it holds; without sharding there is no shard series.
func TestMetricsSayTheShard(t *testing.T) {
	for _, sh := range []fleet.Shard{{I: 2, N: 4}, {}} {
		cfg := config("eu-west", testMonitor("shop", "https://shop.example/"), testMonitor("db", "tcp://db.example:5432"))
		cfg.Settings.Shard = sh
		e := runEngine(t, cfg, newSwitch(), engine.Options{})
		sock := socketPath(t)
		startServer(t, New(backend(e), Options{Socket: sock, Heartbeat: time.Hour}))
		resp, err := unixClient(t, sock).Get("http://localhost/metrics")
		if err != nil {
			t.Fatal(err)
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		v, ok := metricValue(t, fams, "upbeat_shard_info", map[string]string{"shard": "2", "shards": "4"})
		if sh.IsZero() {
			if _, any := fams["upbeat_shard_info"]; any {
				t.Error("upbeat_shard_info without sharding")
			}
		} else if !ok || v != 1 {
			t.Errorf("upbeat_shard_info{shard=2,shards=4} = %v, %v", v, ok)
		}
		if n, _ := metricValue(t, fams, "upbeat_monitors", nil); n != 2 {
			t.Errorf("upbeat_monitors = %v, want 2", n)
		}
		// /healthz and the event stream's hello say it too
		resp, err = unixClient(t, sock).Get("http://localhost/healthz")
		if err != nil {
			t.Fatal(err)
		}
		var h wire.Health
		json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if h.Shard != sh.String() || h.Monitors != 2 {
			t.Errorf("healthz %+v, want shard %q and 2 monitors", h, sh)
		}
	}
}
