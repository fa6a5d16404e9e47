package api

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/upbeat-monitor/upbeat/monitor"
	"go.yaml.in/yaml/v3"
)

// ruleFile is the shape of a Prometheus rule file, strict enough that a
// misspelt key fails to decode.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// exportedNames returns the metric names /metrics can serve.
func exportedNames(t *testing.T) map[string]bool {
	t.Helper()
	m := newMetrics(nil)
	ch := make(chan *prometheus.Desc, 256)
	for _, c := range []prometheus.Collector{newCollector(nil), m.alerts, m.viewers, m.sseBytes} {
		c.Describe(ch)
	}
	close(ch)
	fq := regexp.MustCompile(`fqName: "([^"]+)"`)
	out := map[string]bool{}
	for d := range ch {
		if sm := fq.FindStringSubmatch(d.String()); sm != nil {
			out[sm[1]] = true
		}
	}
	return out
}

// The example alerting rules parse, name only metrics upbeat exports,
// and leave out monitors in maintenance or paused from every rule on
// what a check saw (paused only from expiry rules), through a join that
// keeps blackbox_exporter's series out as well. This checks the
// rules' text, not their evaluation: no PromQL engine is linked here.
func TestAlertRulesSkipMaintenanceAndPaused(t *testing.T) {
	b, err := os.ReadFile("../contrib/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&rf); err != nil {
		t.Fatalf("contrib/alerts.yml: %v", err)
	}
	names := exportedNames(t)
	if !names["upbeat_monitor_status"] || !names["probe_success"] {
		t.Fatalf("the collector's names were not read: %v", names)
	}
	maint, paused := monitor.StatusMaintenance.String(), monitor.StatusPaused.String()
	// The join on upbeat_monitor_status also scopes the rule to upbeat's own
	// series (promtool test rules on contrib/alerts_test.yml evaluates it).
	skipBoth := "and on (job, instance, monitor, location)\nupbeat_monitor_status{status!~\"" + maint + "|" + paused + "\"} == 1"
	skipPaused := "and on (job, instance, monitor, location)\nupbeat_monitor_status{status!=\"" + paused + "\"} == 1"
	ident := regexp.MustCompile(`\b(?:probe|upbeat)_[a-z_]+\b`)
	seen := map[string]bool{}
	n := 0
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			n++
			if r.Alert == "" || strings.TrimSpace(r.Expr) == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("group %s: incomplete rule %+v", g.Name, r)
			}
			if seen[r.Alert] {
				t.Errorf("alert %s defined twice", r.Alert)
			}
			seen[r.Alert] = true
			// compare with each line trimmed, so that indentation is free
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(r.Expr), "\n") {
				lines = append(lines, strings.TrimSpace(l))
			}
			expr := strings.Join(lines, "\n")
			var sawCheck, sawExpiry bool
			for _, id := range ident.FindAllString(expr, -1) {
				if !names[id] {
					t.Errorf("%s: %s is not a metric upbeat exports", r.Alert, id)
				}
				switch {
				case id == "probe_ssl_earliest_cert_expiry" || id == "upbeat_domain_expiry_timestamp_seconds":
					sawExpiry = true
				case strings.HasPrefix(id, "probe_"):
					sawCheck = true
				}
			}
			switch {
			case sawCheck && !strings.Contains(expr, skipBoth):
				t.Errorf("%s fires for monitors in maintenance or paused:\n%s", r.Alert, expr)
			case sawExpiry && !strings.Contains(expr, skipPaused) && !strings.Contains(expr, skipBoth):
				t.Errorf("%s fires on the stale value of a paused monitor:\n%s", r.Alert, expr)
			}
		}
	}
	for _, a := range []string{"UpbeatHTTPServerErrors", "UpbeatTargetDown", "UpbeatTargetDownEverywhere"} {
		if !seen[a] {
			t.Errorf("alert %s is missing", a)
		}
	}
	if n < 10 {
		t.Errorf("only %d rules read", n)
	}
}
