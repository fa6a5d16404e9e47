package api

import (
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/testserver"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// scrapeIssue10 runs an engine whose monitors show every metric issue 10
// added, and returns /metrics as text.
func scrapeIssue10(t *testing.T) []byte {
	t.Helper()
	expiry := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	chk := newSwitch()
	chk.set("shop", monitor.Result{Status: monitor.StatusUp, Code: 200, Latency: 250 * time.Millisecond,
		HTTPVersion: "2", Redirects: 1, FinalURL: "https://shop.example/home", CertExpiry: expiry, CertDays: 90,
		Phases: monitor.Phases{DNS: 10 * time.Millisecond, Connect: 20 * time.Millisecond}})
	chk.set("expired", monitor.Result{Status: monitor.StatusDown, Class: "tls_expired", CertExpiry: expiry.AddDate(-2, 0, 0),
		CertDays: -3, CertUnverified: true, Phases: monitor.Phases{DNS: 5 * time.Millisecond}})
	chk.set("health", monitor.Result{Status: monitor.StatusDown, Code: 200, HTTPVersion: "1.1", Class: "body_mismatch"})
	chk.set("db", monitor.Result{Status: monitor.StatusDown, Class: "connect_timeout"})
	health := testMonitor("health", "http://health.example/")
	health.ExpectBodyRegex = "ok"
	e := runEngine(t, config("eu-west",
		testMonitor("shop", "https://shop.example/", "web"),
		testMonitor("expired", "tls://old.example:443"),
		health,
		testMonitor("db", "tcp://db.example:5432")), chk, engine.Options{})
	sock := socketPath(t)
	startServer(t, New(backend(e), Options{Socket: sock, Heartbeat: time.Hour}))
	c := unixClient(t, sock)
	sub := watch(e)
	defer sub.Close()
	for _, n := range []string{"shop", "expired", "health", "db"} {
		e.CheckNow(n)
	}
	seen := map[string]bool{}
	sub.wait(t, func(ev source.Event) bool {
		if ev.Kind == monitor.EventResult {
			seen[ev.Monitor] = true
		}
		return len(seen) == 4
	})
	resp, err := c.Get("http://localhost/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("metrics: %d", resp.StatusCode)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// Issue 10: blackbox's probe_http_version, probe_http_redirects,
// probe_http_ssl, probe_failed_due_to_regex and probe_dns_lookup_time_seconds;
// the failure class on an info metric; no certificate expiry for a chain
// that failed verification.
func TestMetricsBlackboxFidelity(t *testing.T) {
	body := scrapeIssue10(t)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	shop := map[string]string{"monitor": "shop"}
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"probe_http_version", shop, 2},
		{"probe_http_version", map[string]string{"monitor": "health"}, 1.1},
		{"probe_http_redirects", shop, 1},
		{"probe_http_ssl", shop, 1},
		{"probe_http_ssl", map[string]string{"monitor": "health"}, 0},
		{"probe_failed_due_to_regex", map[string]string{"monitor": "health"}, 1},
		{"probe_dns_lookup_time_seconds", shop, 0.01},
		{"probe_dns_lookup_time_seconds", map[string]string{"monitor": "expired", "kind": "tls"}, 0.005},
		{"probe_ssl_earliest_cert_expiry", shop, float64(time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC).Unix())},
		{"upbeat_probe_failure_info", map[string]string{"monitor": "db", "class": "connect_timeout", "location": "eu-west"}, 1},
		{"upbeat_probe_failure_info", map[string]string{"monitor": "expired", "class": "tls_expired"}, 1},
	} {
		got, ok := metricValue(t, fams, tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	for _, absent := range []struct {
		name   string
		labels map[string]string
	}{
		{"probe_ssl_earliest_cert_expiry", map[string]string{"monitor": "expired"}}, // failed verification, as blackbox
		{"upbeat_probe_failure_info", shop},                                         // it passed
		{"probe_failed_due_to_regex", shop},                                         // no body or header expectation
		{"probe_http_version", map[string]string{"monitor": "db"}},
	} {
		if v, ok := metricValue(t, fams, absent.name, absent.labels); ok {
			t.Errorf("%s%v = %v, want no series", absent.name, absent.labels, v)
		}
	}
}

// promtool checks contrib/ as shipped, lints a real /metrics, and runs the
// rule unit tests of contrib/alerts_test.yml, which show that a
// blackbox_exporter series never fires an upbeat rule.
func TestPromtool(t *testing.T) {
	promtool := testserver.Need(t, "prometheus", "promtool")
	contrib, err := filepath.Abs("../contrib")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("check config", func(t *testing.T) {
		t.Parallel()
		testserver.Run(t, contrib, promtool, "check", "config", "prometheus.yml")
	})
	t.Run("check rules", func(t *testing.T) {
		t.Parallel()
		testserver.Run(t, contrib, promtool, "check", "rules", "alerts.yml")
	})
	t.Run("test rules", func(t *testing.T) {
		t.Parallel()
		out := testserver.Run(t, contrib, promtool, "test", "rules", "alerts_test.yml")
		if !strings.Contains(out, "SUCCESS") {
			t.Errorf("promtool test rules:\n%s", out)
		}
	})
	t.Run("check metrics", func(t *testing.T) {
		body := scrapeIssue10(t)
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(body)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	})
}
