package api

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The series of the services behind a site (grpc, ws, postgres, mysql,
// redis, smtp), besides probe_success and probe_duration_seconds: the
// certificate's expiry where TLS was used, and for gRPC the
// blackbox_exporter's probe_grpc_* names.

// grpcServingStatuses are the health protocol's statuses, each a value of
// probe_grpc_healthcheck_response's serving_status label.
var grpcServingStatuses = []string{"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"}

type serviceDescs struct {
	grpcStatus, grpcSSL, grpcHealth *prometheus.Desc
}

func newServiceDescs() serviceDescs {
	return serviceDescs{
		grpcStatus: desc("probe_grpc_status_code", "gRPC status code of the last health call (0 is OK)."),
		grpcSSL:    desc("probe_grpc_ssl", "Whether the last gRPC check used TLS (1) or not (0)."),
		grpcHealth: desc("probe_grpc_healthcheck_response", "The health status the last gRPC check got: 1 for that status, 0 for the others.", "serving_status"),
	}
}

func (s serviceDescs) describe(ch chan<- *prometheus.Desc) {
	ch <- s.grpcStatus
	ch <- s.grpcSSL
	ch <- s.grpcHealth
}

// isService reports whether k is one of the services behind a site.
func isService(k monitor.Kind) bool {
	switch k {
	case monitor.KindGRPC, monitor.KindWS, monitor.KindPostgres, monitor.KindMySQL, monitor.KindRedis, monitor.KindSMTP:
		return true
	}
	return false
}

// collectService writes the series of one service monitor's last result.
func (c *collector) collectService(gauge func(d *prometheus.Desc, v float64, lv ...string), m *monitor.Monitor, r *monitor.Result, lv []string) {
	if r.Phases.DNS > 0 {
		gauge(c.dnsLookup, r.Phases.DNS.Seconds(), lv...)
	}
	// As for https: only for a chain that was verified (or not asked to
	// be), so an expired or untrusted one fires the down rule alone.
	if !r.CertExpiry.IsZero() && !r.CertUnverified {
		gauge(c.certExpiry, float64(r.CertExpiry.Unix()), lv...)
	}
	if m.Kind != monitor.KindGRPC {
		return
	}
	gauge(c.svc.grpcStatus, float64(r.Code), lv...)
	ssl := 0.0
	if m.Parsed != nil && m.Parsed.Scheme == "grpcs" || strings.HasPrefix(m.URL, "grpcs:") {
		ssl = 1
	}
	gauge(c.svc.grpcSSL, ssl, lv...)
	seen := ""
	for _, a := range r.Answers {
		if s, ok := strings.CutPrefix(a, "status "); ok {
			seen = s
		}
	}
	if seen == "" {
		return // no answer from the health service: no status to report
	}
	for _, s := range grpcServingStatuses {
		v := 0.0
		if s == seen {
			v = 1
		}
		gauge(c.svc.grpcHealth, v, append(lv[:len(lv):len(lv)], s)...)
	}
}
