package api

import (
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// metrics is the /metrics registry: a collector that reads the engine's
// snapshot at scrape time, plus counters the server keeps itself.
type metrics struct {
	reg      *prometheus.Registry
	alerts   *prometheus.CounterVec
	viewers  prometheus.Gauge
	sseBytes prometheus.Counter
}

func newMetrics(b Backend) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "upbeat_alert_deliveries_total",
			Help: "Alert delivery attempts by channel and result (ok or failed).",
		}, []string{"channel", "result"}),
		viewers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "upbeat_api_event_streams",
			Help: "Event streams (attached dashboards) open now.",
		}),
		sseBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "upbeat_api_event_stream_bytes_total",
			Help: "Bytes sent to event streams (after compression).",
		}),
	}
	m.reg.MustRegister(newCollector(b), newSLOCollector(b), m.alerts, m.viewers, m.sseBytes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) countAlert(a *monitor.AlertEvent) {
	if a == nil {
		return
	}
	res := "ok"
	if !a.OK {
		res = "failed"
	}
	m.alerts.WithLabelValues(a.Channel, res).Inc()
}

// collectShard says which shard the daemon is, when it is one.
func (c *collector) collectShard(gauge func(*prometheus.Desc, float64, ...string), shard string) {
	if sh, err := fleet.ParseShard(shard); err == nil && !sh.IsZero() {
		gauge(c.shard, 1, strconv.Itoa(sh.I), strconv.Itoa(sh.N))
	}
}

// collectHTTP adds blackbox's HTTP details of the last check.
func (c *collector) collectHTTP(gauge func(*prometheus.Desc, float64, ...string), m *monitor.Monitor, r *monitor.Result, lv []string) {
	if r.HTTPVersion != "" {
		if v, err := strconv.ParseFloat(r.HTTPVersion, 64); err == nil {
			gauge(c.httpVersion, v, lv...)
		}
		gauge(c.httpRedirects, float64(r.Redirects), lv...)
		final := r.FinalURL
		if final == "" {
			final = r.URL
		}
		ssl := 0.0
		if strings.HasPrefix(final, "https://") {
			ssl = 1
		}
		gauge(c.httpSSL, ssl, lv...)
	}
	if m.ExpectBody != "" || m.ExpectBodyRegex != "" || len(m.ExpectHeaders) > 0 {
		v := 0.0
		if r.Class == "body_mismatch" || r.Class == "header_mismatch" {
			v = 1
		}
		gauge(c.failedRegex, v, lv...)
	}
}

// slogPrinter lets promhttp log through slog.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	p.log.Warn("metrics: " + strings.TrimSpace(fmt.Sprintln(v...)))
}

// monitorLabels are on every per-monitor series. tags is the monitor's
// tags, sorted, joined by commas and wrapped in commas (",prod,web,"; ""
// when none) so that one tag is matched exactly with
// tags=~".*,prod,.*" — the convention of Prometheus's own service
// discovery labels.
var monitorLabels = []string{"monitor", "kind", "location", "tags"}

func desc(name, help string, extra ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, append(slices.Clone(monitorLabels), extra...), nil)
}

// collector reads the engine's state at scrape time. Names follow the
// blackbox_exporter where the meaning is the same.
type collector struct {
	b Backend

	success, duration, httpCode, httpPhase, certExpiry, bodyLen, domainExpiry, loss *prometheus.Desc
	status, upRatio, lastCheck                                                      *prometheus.Desc
	// Issue 10: blackbox's HTTP details, and the failure class.
	httpVersion, httpRedirects, httpSSL, failedRegex, dnsLookup, failureInfo *prometheus.Desc

	checks, attempts, skipped, late, onTime, storageErr, storageDrop, monitors, warnings *prometheus.Desc
	shard                                                                                *prometheus.Desc

	svc serviceDescs // metrics_services.go
}

func newCollector(b Backend) *collector {
	g := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	return &collector{
		b:             b,
		success:       desc("probe_success", "Whether the last check succeeded (1) or failed (0); degraded counts as success."),
		duration:      desc("probe_duration_seconds", "How long the last check took, in seconds."),
		httpCode:      desc("probe_http_status_code", "HTTP status code of the last check (0 when none was received)."),
		httpPhase:     desc("probe_http_duration_seconds", "Duration of each phase of the last HTTP check, in seconds.", "phase"),
		certExpiry:    desc("probe_ssl_earliest_cert_expiry", "Expiry of the earliest certificate in the chain, unix seconds."),
		bodyLen:       desc("probe_http_uncompressed_body_length", "Bytes of body read by the last HTTP check."),
		domainExpiry:  desc("upbeat_domain_expiry_timestamp_seconds", "Domain registration expiry, unix seconds."),
		loss:          desc("upbeat_probe_packet_loss_ratio", "Share of ping packets lost by the last check."),
		status:        desc("upbeat_monitor_status", "The monitor's status: 1 for the status it is in, 0 for the others.", "status"),
		upRatio:       desc("upbeat_monitor_up_ratio", "Share of checks that were not down over the window.", "window"),
		lastCheck:     desc("upbeat_monitor_last_check_timestamp_seconds", "When the last check started, unix seconds."),
		httpVersion:   desc("probe_http_version", "HTTP version of the last answer (1.1 or 2)."),
		httpRedirects: desc("probe_http_redirects", "Redirects the last HTTP check followed."),
		httpSSL:       desc("probe_http_ssl", "Whether the last HTTP answer came over TLS (1) or not (0)."),
		failedRegex:   desc("probe_failed_due_to_regex", "Whether the last HTTP check failed because the body or a header did not match (1) or not (0)."),
		dnsLookup:     desc("probe_dns_lookup_time_seconds", "How long resolving the target's name took in the last check, in seconds."),
		failureInfo:   desc("upbeat_probe_failure_info", "1 with the failure class of the last check (explained by `upbeat explain CLASS`); absent when it passed.", "class"),
		checks:        g("upbeat_checks_total", "Checks finished (retries count once)."),
		attempts:      g("upbeat_check_attempts_total", "Check attempts, retries included."),
		skipped:       g("upbeat_checks_skipped_total", "Checks skipped because the previous one was still running."),
		late:          g("upbeat_checks_late_total", "Checks that started more than a second after their due time."),
		onTime:        g("upbeat_checks_on_time_total", "Checks that started within a second of their due time."),
		storageErr:    g("upbeat_storage_errors_total", "Results the history failed to store."),
		storageDrop:   g("upbeat_storage_dropped_total", "Results dropped because the history fell behind."),
		monitors:      g("upbeat_monitors", "Monitors configured."),
		warnings:      g("upbeat_warnings", "Problems with upbeat itself in force (storage, config reload, …)."),
		shard: prometheus.NewDesc("upbeat_shard_info",
			"1 with the shard this daemon is (shard = \"i/n\": shard i of shards n); absent without sharding. upbeat_monitors is how many monitors it holds.",
			[]string{"shard", "shards"}, nil),
		svc: newServiceDescs(), // metrics_services.go
	}
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.success, c.duration, c.httpCode, c.httpPhase, c.certExpiry, c.bodyLen,
		c.domainExpiry, c.loss, c.status, c.upRatio, c.lastCheck, c.checks, c.attempts, c.skipped, c.late, c.onTime,
		c.storageErr, c.storageDrop, c.monitors, c.warnings, c.shard,
		c.httpVersion, c.httpRedirects, c.httpSSL, c.failedRegex, c.dnsLookup, c.failureInfo} {
		ch <- d
	}
	c.svc.describe(ch)
}

// TagsLabel is the value of the tags label for a monitor's tags.
func TagsLabel(tags []string) string { return monitor.TagsLabel(tags) }

var statuses = []monitor.Status{monitor.StatusPending, monitor.StatusUp, monitor.StatusDegraded,
	monitor.StatusDown, monitor.StatusMaintenance, monitor.StatusPaused}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, lv...)
	}
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	snap := c.b.Snapshot()
	for i := range snap {
		st := &snap[i]
		m := st.Monitor
		lv := []string{m.Name, string(m.Kind), st.Location, TagsLabel(m.Tags)}
		with := func(extra string) []string { return append(slices.Clone(lv), extra) }
		for _, s := range statuses {
			v := 0.0
			if st.Status == s {
				v = 1
			}
			gauge(c.status, v, with(s.String())...)
		}
		for _, w := range []struct {
			name string
			u    monitor.Uptime
		}{{"24h", st.Uptime24}, {"7d", st.Uptime7d}, {"30d", st.Uptime30}} {
			if w.u.Valid {
				gauge(c.upRatio, w.u.Ratio, with(w.name)...)
			}
		}
		r := &st.Last
		if r.Time.IsZero() || r.Status == monitor.StatusPending {
			continue // never checked (or a push monitor waiting for its first beat): no probe_* series rather than false values
		}
		ok := 0.0
		if r.Status != monitor.StatusDown {
			ok = 1
		}
		gauge(c.success, ok, lv...)
		gauge(c.duration, r.Latency.Seconds(), lv...)
		gauge(c.lastCheck, float64(r.Time.UnixNano())/1e9, lv...)
		if r.Class != "" {
			gauge(c.failureInfo, 1, with(r.Class)...)
		}
		switch m.Kind {
		case monitor.KindHTTP, monitor.KindTCP, monitor.KindTLS:
			if r.Phases.DNS > 0 {
				gauge(c.dnsLookup, r.Phases.DNS.Seconds(), lv...)
			}
		}
		switch m.Kind {
		case monitor.KindHTTP:
			c.collectHTTP(gauge, m, r, lv)
			gauge(c.httpCode, float64(r.Code), lv...)
			p := r.Phases
			gauge(c.httpPhase, p.DNS.Seconds(), with("resolve")...)
			gauge(c.httpPhase, p.Connect.Seconds(), with("connect")...)
			gauge(c.httpPhase, p.TLS.Seconds(), with("tls")...)
			gauge(c.httpPhase, p.FirstByte.Seconds(), with("processing")...)
			gauge(c.httpPhase, p.Transfer.Seconds(), with("transfer")...)
			gauge(c.bodyLen, float64(r.BodySize), lv...)
			if !r.CertExpiry.IsZero() && !r.CertUnverified {
				gauge(c.certExpiry, float64(r.CertExpiry.Unix()), lv...)
			}
		case monitor.KindTLS:
			// As blackbox: only for a handshake that succeeded, so an
			// expired or untrusted chain fires the down rule alone.
			if !r.CertExpiry.IsZero() && !r.CertUnverified {
				gauge(c.certExpiry, float64(r.CertExpiry.Unix()), lv...)
			}
		case monitor.KindDomain:
			if !r.CertExpiry.IsZero() {
				gauge(c.domainExpiry, float64(r.CertExpiry.Unix()), lv...)
			}
		case monitor.KindICMP:
			gauge(c.loss, r.Loss, lv...)
		default:
			if isService(m.Kind) {
				c.collectService(gauge, m, r, lv)
			}
		}
	}
	s := c.b.Stats()
	counter(c.checks, s.Checks)
	counter(c.attempts, s.Attempts)
	counter(c.skipped, s.Skipped)
	counter(c.late, s.Late)
	counter(c.onTime, s.OnTime)
	counter(c.storageErr, s.RecordErrors)
	counter(c.storageDrop, s.RecordDropped)
	gauge(c.monitors, float64(s.Monitors))
	info := c.b.Info()
	c.collectShard(gauge, info.Shard)
	gauge(c.warnings, float64(len(info.Warnings)))
}
