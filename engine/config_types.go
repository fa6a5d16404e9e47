package engine

import (
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Config is a loaded, validated configuration. LoadConfig builds it; every
// default is applied, every duration parsed, every ${VAR} expanded.
type Config struct {
	Path        string // the file it came from; "" for a built-in config
	Settings    Settings
	Monitors    []*monitor.Monitor
	Alerts      []*AlertConfig
	Maintenance []*MaintenanceConfig
	API         APIConfig
}

// Settings are the [settings] keys.
type Settings struct {
	HistoryDir      string        // history_dir; default: the XDG data dir
	Location        string        // location; label for multi-location views and metrics
	Retention       time.Duration // retention; raw results are kept this long (default 30 days)
	RollupRetention time.Duration // rollup_retention; hourly and daily rollups (default 400 days)
	Concurrency     int           // concurrency; checks running at once at most (default 256)
	// Defaults for monitors that do not set their own.
	Interval      time.Duration // interval (default 60s)
	Timeout       time.Duration // timeout (default 10s)
	Retries       int           // retries (default 1)
	RetryInterval time.Duration // retry_interval (default 5s)
	CertWarnDays  int           // cert_warn_days (default 14)
	MaxBody       int64         // max_body (bytes, default 1 MiB)
	// ConnectivityURL is checked when every monitor fails at once, to tell
	// "the world is down" from "our network is down" (connectivity_check).
	ConnectivityURL string
	RecoverAfter    int // recover_after: good checks before an incident resolves (default 1)
}

// AlertConfig is one [[alert]] channel.
type AlertConfig struct {
	Name     string
	Kind     string   // desktop, terminal, webhook, telegram, email, url
	Default  bool     // used by monitors that name no alerts
	On       []string // which changes: "down", "up", "degraded" (default all three)
	Renotify time.Duration
	// webhook and url
	URL     string
	Secret  string            // webhook HMAC key
	Headers map[string]string // webhook extra headers
	// telegram
	Token   string // bot token
	ChatID  string
	BaseURL string // API base, default https://api.telegram.org
	// email
	SMTPHost string
	SMTPPort int
	Username string
	Password string
	From     string
	To       []string
	StartTLS string // "mandatory" (default), "opportunistic", "none"
}

// MaintenanceConfig is one [[maintenance]] window. A one-off window has
// Start and End; a recurring one has Cron or Weekdays+At, and Duration.
type MaintenanceConfig struct {
	Name     string
	Monitors []string
	Tags     []string
	Start    time.Time
	End      time.Time
	Cron     string   // "0 2 * * 0": minute hour day-of-month month day-of-week
	Weekdays []string // "mon", "tue", …; empty with At set means every day
	At       string   // "02:00", local to Timezone
	Duration time.Duration
	Timezone string // IANA name; default UTC
}

// APIConfig is the [api] table.
type APIConfig struct {
	Listen        string   // TCP address besides the unix socket
	Socket        string   // unix socket path; default under XDG_RUNTIME_DIR
	Token         string   // bearer token for actions and reads
	ReadOnlyToken string   // read_only_token: may watch, may not act
	AllowedHosts  []string // allowed_hosts: Host header allow-list
}
