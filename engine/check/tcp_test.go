package check

import (
	"net"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestTCP(t *testing.T) {
	dnsAddr := dnsServer(t)
	open := rawServer(t, func(c net.Conn) { c.Close() })
	_, port, _ := net.SplitHostPort(open)
	checker := New(Options{Resolver: testResolver(dnsAddr)})[monitor.KindTCP]
	for _, tt := range []struct {
		name, url string
		status    monitor.Status
		class     string
	}{
		{"open", "tcp://" + open, monitor.StatusUp, ""},
		{"by name", "tcp://ok.test:" + port, monitor.StatusUp, ""},
		{"refused", "tcp://" + closedPort(t), monitor.StatusDown, ClassRefused},
		{"nxdomain", "tcp://nx.test:" + port, monitor.StatusDown, ClassDNSNXDomain},
		{"no port", "tcp://127.0.0.1", monitor.StatusDown, ClassConfig},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, checker, testMonitor(tt.url), 2*time.Second)
			if r.Status != tt.status || r.Class != tt.class {
				t.Fatalf("got %v/%q (%q), want %v/%q", r.Status, r.Class, r.Error, tt.status, tt.class)
			}
			if tt.status == monitor.StatusUp && (r.Latency <= 0 || r.Phases.Connect <= 0) {
				t.Errorf("latency %v phases %+v", r.Latency, r.Phases)
			}
			if tt.name == "by name" && r.Phases.DNS <= 0 {
				t.Errorf("DNS phase not measured: %+v", r.Phases)
			}
		})
	}
}
