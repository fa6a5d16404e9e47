package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// The services behind a site get probe_success and probe_duration_seconds
// like HTTP, the certificate's expiry where TLS was used, and gRPC the
// blackbox_exporter's probe_grpc_* series.
func TestMetricsOfServices(t *testing.T) {
	expiry := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	chk := newSwitch()
	chk.set("orders", monitor.Result{Status: monitor.StatusUp, Latency: 20 * time.Millisecond, CertExpiry: expiry, CertDays: 90,
		Answers: []string{"status SERVING"}})
	chk.set("payments", monitor.Result{Status: monitor.StatusDown, Class: "grpc_not_serving", Answers: []string{"status NOT_SERVING"}})
	chk.set("gone", monitor.Result{Status: monitor.StatusDown, Code: 14, Class: "refused"})
	chk.set("db", monitor.Result{Status: monitor.StatusDown, Class: "postgres_auth_failed", Latency: 5 * time.Millisecond})
	chk.set("mail", monitor.Result{Status: monitor.StatusUp, Code: 250, CertExpiry: expiry, Latency: 30 * time.Millisecond})
	checkers := map[monitor.Kind]engine.Checker{}
	for _, k := range []monitor.Kind{monitor.KindGRPC, monitor.KindPostgres, monitor.KindSMTP} {
		checkers[k] = chk
	}
	e := runEngine(t, config("eu-west",
		testMonitor("orders", "grpcs://orders.example:443/shop.Orders"),
		testMonitor("payments", "grpc://orders.example:50051/shop.Payments"),
		testMonitor("gone", "grpc://gone.example:50051"),
		testMonitor("db", "postgres://upbeat@db.example/shop"),
		testMonitor("mail", "smtp://mail.example:25")), chk, engine.Options{Checkers: checkers})
	sock := socketPath(t)
	startServer(t, New(backend(e), Options{Socket: sock, Heartbeat: time.Hour}))
	c := unixClient(t, sock)
	sub := watch(e)
	defer sub.Close()
	names := []string{"orders", "payments", "gone", "db", "mail"}
	for _, n := range names {
		e.CheckNow(n)
	}
	seen := map[string]bool{}
	sub.wait(t, func(ev source.Event) bool {
		if ev.Kind == monitor.EventResult {
			seen[ev.Monitor] = true
		}
		return len(seen) == len(names)
	})
	resp, err := c.Get("http://localhost/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	orders := map[string]string{"monitor": "orders", "kind": "grpc"}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"probe_success", orders, 1},
		{"probe_duration_seconds", orders, 0.02},
		{"probe_grpc_status_code", orders, 0},
		{"probe_grpc_ssl", orders, 1},
		{"probe_grpc_healthcheck_response", with(orders, "serving_status", "SERVING"), 1},
		{"probe_grpc_healthcheck_response", with(orders, "serving_status", "NOT_SERVING"), 0},
		{"probe_ssl_earliest_cert_expiry", orders, float64(expiry.Unix())},
		{"probe_success", map[string]string{"monitor": "payments"}, 0},
		{"probe_grpc_ssl", map[string]string{"monitor": "payments"}, 0},
		{"probe_grpc_healthcheck_response", map[string]string{"monitor": "payments", "serving_status": "NOT_SERVING"}, 1},
		{"probe_grpc_healthcheck_response", map[string]string{"monitor": "payments", "serving_status": "SERVING"}, 0},
		{"probe_grpc_status_code", map[string]string{"monitor": "gone"}, 14},
		{"probe_success", map[string]string{"monitor": "db", "kind": "postgres"}, 0},
		{"probe_duration_seconds", map[string]string{"monitor": "db"}, 0.005},
		{"probe_success", map[string]string{"monitor": "mail", "kind": "smtp"}, 1},
		{"probe_ssl_earliest_cert_expiry", map[string]string{"monitor": "mail"}, float64(expiry.Unix())},
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
	if _, ok := metricValue(t, fams, "probe_grpc_healthcheck_response", map[string]string{"monitor": "gone"}); ok {
		t.Error("a health status for a gRPC server that never answered")
	}
	for _, name := range []string{"probe_http_status_code", "probe_grpc_status_code"} {
		if _, ok := metricValue(t, fams, name, map[string]string{"monitor": "db"}); ok {
			t.Errorf("%s for a postgres monitor", name)
		}
	}
}
