package engine

import (
	"time"

	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Config is what the engine needs of a loaded, validated configuration:
// the settings and the monitors. Package config builds it (as part of the
// whole file, alerts, maintenance windows and API included) with every
// default applied, every duration parsed, every ${VAR} expanded.
type Config struct {
	Path string // the file it came from; "" for a built-in config
	// Stamp names the text of that file as read (a hash of it); "" for
	// a built-in config. `upbeat status` compares it.
	Stamp    string
	Settings Settings
	Monitors []*monitor.Monitor
}

// Settings are the [settings] keys.
type Settings struct {
	HistoryDir      string        // history_dir; default: the XDG data dir
	HistoryAccess   string        // history_access: who may read the history files, "owner" (default) or "group"
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
	// Shard is the part of the monitors this daemon checks (shard = "i/n");
	// zero: all of them. The engine is given only its own monitors; Shard
	// says which part they are, for metrics and viewers.
	Shard fleet.Shard
	// SLO and SLOWindow are the objective of monitors that set none (slo,
	// slo_window; 0: none, 30 days).
	SLO       float64
	SLOWindow time.Duration
	// StallThreshold is how late upbeat's own clock may find itself before
	// it counts as stalled (stall_threshold, default 5s; 0: DefaultStallThreshold).
	StallThreshold time.Duration
	// WarRoomInterval and WarRoomDuration are how often a war room checks
	// its monitor and for how long by default (war_room_interval,
	// war_room_duration; 0: DefaultWarRoomInterval, DefaultWarRoomDuration).
	WarRoomInterval time.Duration
	WarRoomDuration time.Duration
}
