package config

import (
	"testing"
	"time"
)

// The bounds are inclusive: a value at the edge is taken as written (one
// step beyond each is in testdata/invalid-*-too-*.toml).
func TestBoundsAcceptTheirEdges(t *testing.T) {
	cfg := mustParse(t, `
[settings]
interval = "1s"
timeout = "10ms"
retries = 10
retry_interval = "100ms"
max_body = "64MiB"
concurrency = 4096
cert_warn_days = 365
recover_after = 100

[[monitor]]
name = "edge"
url = "https://edge.example.com/"
max_redirects = 30

[[alert]]
name = "often"
kind = "desktop"
renotify = "1m"

[[alert]]
name = "never"
kind = "desktop"
renotify = "0s"
`)
	s, m := cfg.Settings, cfg.Monitors[0]
	if s.Interval != MinInterval || s.Timeout != MinTimeout || s.Retries != MaxRetries || s.RetryInterval != MinRetryInterval ||
		s.MaxBody != MaxMaxBody || s.Concurrency != MaxConcurrency || s.CertWarnDays != MaxCertWarnDays || s.RecoverAfter != MaxRecoverAfter {
		t.Errorf("settings %+v", s)
	}
	if m.Interval != time.Second || m.Retries != MaxRetries || m.MaxBody != MaxMaxBody || m.MaxRedirects != MaxMaxRedirects {
		t.Errorf("monitor %+v", m)
	}
	if cfg.Alerts[0].Renotify != MinRenotify || cfg.Alerts[1].Renotify != 0 {
		t.Errorf("renotify %v, %v", cfg.Alerts[0].Renotify, cfg.Alerts[1].Renotify)
	}
}
