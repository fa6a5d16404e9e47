package config

import (
	"slices"

	"github.com/upbeat-monitor/upbeat/engine"
)

// Values of history_access: who may read the history files besides the
// user the daemon runs as.
const (
	HistoryOwner = "owner" // files 0600, directories 0700 (the default)
	HistoryGroup = "group" // files 0640, directories 0750: the directory's group may read
)

var historyAccess = []string{HistoryOwner, HistoryGroup}

// settings checks [settings]: where history goes, how long it is kept,
// and the defaults every monitor inherits.
func (l *loader) settings(t *table) engine.Settings {
	s := defaultSettings()
	if p, ok := t.filePath("history_dir"); ok {
		s.HistoryDir = p
	}
	if v, ok := t.str("history_access"); ok {
		if !slices.Contains(historyAccess, v) {
			t.errorf("history_access", "unknown value %q; use %s", v, oneOf(historyAccess))
		} else {
			s.HistoryAccess = v
		}
	}
	if v, ok := t.str("location"); ok {
		s.Location = v
	}
	if d, ok := t.positive("retention"); ok {
		s.Retention = d
	}
	if d, ok := t.positive("rollup_retention"); ok {
		s.RollupRetention = d
	}
	if n, ok := t.atLeast("concurrency", 1); ok {
		s.Concurrency = n
	}
	d, intervalOK := t.positive("interval")
	if intervalOK {
		s.Interval = d
	}
	if d, ok := t.positive("timeout"); ok {
		if d > s.Interval && (intervalOK || !t.has("interval")) {
			what := "interval"
			if !t.has("interval") {
				what = "default interval"
			}
			t.errorf("timeout", "%s is longer than the %s %s", formatDuration(d), what, formatDuration(s.Interval))
		}
		s.Timeout = d
	} else {
		s.Timeout = min(s.Timeout, s.Interval)
	}
	if n, ok := t.atLeast("retries", 0); ok {
		s.Retries = n
	}
	if d, ok := t.nonNegative("retry_interval"); ok {
		s.RetryInterval = d
	}
	if n, ok := t.atLeast("cert_warn_days", 0); ok {
		s.CertWarnDays = n
	}
	if n, ok := t.size("max_body"); ok {
		s.MaxBody = n
	}
	if v, ok := t.str("connectivity_check"); ok {
		if _, err := checkURL(v, "http", "https", "tcp"); err != nil {
			t.errorf("connectivity_check", "%v", err)
		} else {
			s.ConnectivityURL = v
		}
	}
	if n, ok := t.atLeast("recover_after", 1); ok {
		s.RecoverAfter = n
	}
	settingsIssue12(t, &s)
	settingsWarRoom(t, &s)
	t.checkUnknown()
	return s
}
