package api

import (
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// metricValue finds the sample of family name whose labels include want.
func metricValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

func TestMetricsScrape(t *testing.T) {
	expiry := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	chk := newSwitch()
	chk.set("shop", monitor.Result{Status: monitor.StatusUp, Code: 200, Latency: 250 * time.Millisecond, BodySize: 1234,
		CertExpiry: expiry, CertDays: 90,
		Phases: monitor.Phases{DNS: 10 * time.Millisecond, Connect: 20 * time.Millisecond, TLS: 30 * time.Millisecond,
			FirstByte: 150 * time.Millisecond, Transfer: 40 * time.Millisecond}})
	chk.set("db", monitor.Result{Status: monitor.StatusDown, Class: "refused", Error: "connection refused"})
	chk.set("cert", monitor.Result{Status: monitor.StatusDegraded, CertExpiry: expiry, CertDays: 9})
	e := runEngine(t, config("eu-west",
		testMonitor("shop", "https://shop.example/", "web", "prod"),
		testMonitor("db", "tcp://db.example:5432"),
		testMonitor("cert", "tls://shop.example:443"),
		testMonitor("beat", "push://tok")), chk, engine.Options{})
	sock := socketPath(t)
	startServer(t, New(backend(e), Options{Socket: sock, Heartbeat: time.Hour}))
	c := unixClient(t, sock)

	sub := watch(e)
	defer sub.Close()
	for _, n := range []string{"shop", "db", "cert", "beat"} {
		e.CheckNow(n)
	}
	seen := map[string]bool{}
	sub.wait(t, func(ev source.Event) bool {
		if ev.Kind == monitor.EventResult {
			seen[ev.Monitor] = true
		}
		return len(seen) == 4
	})
	// alert deliveries are counted from the event stream: wait until a viewer sees them
	sse := openSSE(t, c, "http://localhost/api/v1/events", "")
	sse.nextNamed(t, "snapshot")
	e.PublishAlert(monitor.Event{Monitor: "db", Alert: &monitor.AlertEvent{Channel: "oncall", OK: true}})
	e.PublishAlert(monitor.Event{Monitor: "db", Alert: &monitor.AlertEvent{Channel: "oncall", OK: false, Error: "timeout"}})
	e.PublishAlert(monitor.Event{Monitor: "db", Alert: &monitor.AlertEvent{Channel: "oncall", OK: true}})
	for range 3 {
		sse.nextNamed(t, "alert")
	}

	resp, err := c.Get("http://localhost/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}

	// a push monitor waiting for its first beat has been looked at, but
	// has no probe to report: no probe_success rather than a false 1
	if v, ok := metricValue(t, fams, "probe_success", map[string]string{"monitor": "beat"}); ok {
		t.Errorf("probe_success for a push monitor that never beat = %v, want no series", v)
	}
	shop := map[string]string{"monitor": "shop", "kind": "http", "location": "eu-west", "tags": ",prod,web,"}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"probe_success", shop, 1},
		{"probe_success", map[string]string{"monitor": "db", "kind": "tcp", "tags": ""}, 0},
		{"probe_success", map[string]string{"monitor": "cert"}, 1}, // degraded still answers
		{"probe_duration_seconds", shop, 0.25},
		{"probe_http_status_code", shop, 200},
		{"probe_http_duration_seconds", with(shop, "phase", "resolve"), 0.01},
		{"probe_http_duration_seconds", with(shop, "phase", "connect"), 0.02},
		{"probe_http_duration_seconds", with(shop, "phase", "tls"), 0.03},
		{"probe_http_duration_seconds", with(shop, "phase", "processing"), 0.15},
		{"probe_http_duration_seconds", with(shop, "phase", "transfer"), 0.04},
		{"probe_http_uncompressed_body_length", shop, 1234},
		{"probe_ssl_earliest_cert_expiry", shop, float64(expiry.Unix())},
		{"probe_ssl_earliest_cert_expiry", map[string]string{"monitor": "cert", "kind": "tls"}, float64(expiry.Unix())},
		{"upbeat_monitor_status", with(shop, "status", "up"), 1},
		{"upbeat_monitor_status", with(shop, "status", "down"), 0},
		{"upbeat_monitor_status", map[string]string{"monitor": "db", "status": "down"}, 1},
		{"upbeat_monitor_status", map[string]string{"monitor": "beat", "status": "pending"}, 1},
		{"upbeat_monitor_up_ratio", with(shop, "window", "24h"), 1},
		{"upbeat_monitor_up_ratio", map[string]string{"monitor": "db", "window": "24h"}, 0},
		{"upbeat_checks_total", nil, 4},
		{"upbeat_checks_skipped_total", nil, 0},
		{"upbeat_checks_late_total", nil, 0},
		{"upbeat_storage_errors_total", nil, 0},
		{"upbeat_monitors", nil, 4},
		{"upbeat_alert_deliveries_total", map[string]string{"channel": "oncall", "result": "ok"}, 2},
		{"upbeat_alert_deliveries_total", map[string]string{"channel": "oncall", "result": "failed"}, 1},
		{"upbeat_api_event_streams", nil, 1},
	} {
		got, ok := metricValue(t, fams, tc.name, tc.labels)
		if !ok {
			t.Errorf("%s%v: missing", tc.name, tc.labels)
			continue
		}
		if got != tc.want {
			t.Errorf("%s%v = %v, want %v", tc.name, tc.labels, got, tc.want)
		}
	}
	// a push monitor that never beat has no probe series (not a false 0)
	if _, ok := metricValue(t, fams, "probe_success", map[string]string{"monitor": "beat"}); ok {
		t.Error("probe_success for a monitor never checked")
	}
	if _, ok := metricValue(t, fams, "probe_http_status_code", map[string]string{"monitor": "db"}); ok {
		t.Error("probe_http_status_code for a tcp monitor")
	}
	if f := fams["probe_success"]; f.GetType() != dto.MetricType_GAUGE || f.GetHelp() == "" {
		t.Errorf("probe_success type %v help %q", f.GetType(), f.GetHelp())
	}
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}
}

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for a, b := range m {
		out[a] = b
	}
	return out
}

func TestTagsLabel(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"b", "a", "b"}, ",a,b,"}, {[]string{"prod"}, ",prod,"}} {
		if got := TagsLabel(tc.in); got != tc.want {
			t.Errorf("TagsLabel(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
