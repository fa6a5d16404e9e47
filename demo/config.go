package demo

import (
	"fmt"
	"net/url"
	"time"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Where the demo config differs from upbeat's defaults, at Speed 1: short
// intervals so the demo is lively, a timeout above every delay inside the
// origin so the monitors see the proxies' own 504 and 524. Everything else
// is the default a config file gets.
const (
	demoTimeout       = 2 * time.Second
	demoRetryInterval = 1 * time.Second
)

// monitorSpec is the part of a demo monitor that differs between scenarios.
type monitorSpec struct {
	scenario   Scenario
	url        string
	interval   time.Duration
	tags       []string
	expectJSON []string
	maxLatency time.Duration
	caFile     string
}

// Config returns a complete engine configuration watching every scenario,
// one monitor each, named like the scenario. Every field a config loader
// would fill is filled, with intervals and timeouts divided by Speed.
// Settings.Location is "demo"; HistoryDir is left empty for the caller.
// Each call returns a new Config the caller may change.
func (o *Origin) Config() *config.Config {
	specs := []monitorSpec{
		{scenario: Shop, url: "http://" + o.appAddr + pathShop, interval: 3 * sec, tags: []string{"prod", "web"}, maxLatency: 800 * ms},
		{scenario: Checkout, url: "http://" + o.appAddr + pathCheckout, interval: 2 * sec, tags: []string{"prod", "api"}},
		{scenario: Payments, url: "http://" + o.paymentsAddr + pathPayments, interval: 3 * sec, tags: []string{"prod", "api", "payments"}},
		{scenario: Billing, url: "http://" + o.appAddr + pathBilling, interval: 4 * sec, tags: []string{"prod", "web"}},
		{scenario: Search, url: "http://" + o.searchAddr + pathSearch + "?q=status", interval: 3 * sec, tags: []string{"prod", "api"}, maxLatency: 800 * ms},
		{scenario: StatusAPI, url: "http://" + o.appAddr + pathStatus, interval: 3 * sec, tags: []string{"prod", "api"}, expectJSON: []string{`.status == "UP"`}},
		{scenario: CDNEdge, url: "http://" + o.edgeAddr + pathEdge, interval: 3 * sec, tags: []string{"edge", "web"}},
		{scenario: LegacyPort, url: "tcp://" + o.legacy.Addr(), interval: 4 * sec, tags: []string{"legacy"}},
		{scenario: AuthTLS, url: "tls://" + o.tlsAddr, interval: 5 * sec, tags: []string{"prod", "tls"}, caFile: o.caFile},
		{scenario: Reports, url: "http://" + o.appAddr + pathReports, interval: 4 * sec, tags: []string{"internal"}, maxLatency: 800 * ms},
	}
	set := config.Default().Settings
	set.HistoryDir, set.Location = "", "demo"
	set.Interval, set.Timeout, set.RetryInterval = o.scale(3*sec), o.scale(demoTimeout), o.scale(demoRetryInterval)
	cfg := &config.Config{Config: engine.Config{Settings: set}}
	for _, s := range specs {
		cfg.Monitors = append(cfg.Monitors, o.monitor(s))
	}
	return cfg
}

// monitor builds one fully defaulted monitor.
func (o *Origin) monitor(s monitorSpec) *monitor.Monitor {
	u, err := url.Parse(s.url)
	if err != nil {
		// The URLs are built from listener addresses above; a failure is a bug.
		panic(fmt.Sprintf("demo: parse monitor url %q: %v", s.url, err))
	}
	kind, ok := monitor.KindOf(u.Scheme)
	if !ok {
		panic(fmt.Sprintf("demo: no kind for scheme %q", u.Scheme))
	}
	m := &monitor.Monitor{
		Name:          string(s.scenario),
		URL:           s.url,
		Kind:          kind,
		Interval:      o.scale(s.interval),
		Timeout:       o.scale(demoTimeout),
		Retries:       config.DefaultRetries,
		RetryInterval: o.scale(demoRetryInterval),
		ExpectJSON:    append([]string(nil), s.expectJSON...),
		MaxLatency:    o.scale(s.maxLatency),
		CertWarnDays:  config.DefaultCertWarnDays,
		Tags:          append([]string(nil), s.tags...),
		CAFile:        s.caFile,
		MaxBody:       settings.DefaultMaxBody,
		MaxRedirects:  config.DefaultMaxRedirects,
		Parsed:        u,
	}
	if kind == monitor.KindHTTP {
		m.Method = config.DefaultMethod
	}
	if len(m.ExpectJSON) == 0 {
		m.ExpectJSON = nil
	}
	return m
}
