// Package history keeps check results on local disk: an append-only log of
// numbered segment files with CRC-framed, compactly encoded records, hourly
// and daily rollups, and the queries the dashboard and the report commands
// need (recent results, uptime, incidents, errors by hour of day).
//
// It knows nothing of how results are produced or shown: it has its own
// Record type, and package store adapts it to the engine's interfaces.
// FORMAT.md describes the files.
package history

import "time"

// Status is a monitor's state as stored. The values are the engine's
// (pending, up, degraded, down, maintenance, paused), kept in three bits.
type Status uint8

// Statuses. They mirror monitor.Status value for value.
const (
	StatusPending Status = iota
	StatusUp
	StatusDegraded
	StatusDown
	StatusMaintenance
	StatusPaused
)

var statusNames = [...]string{"pending", "up", "degraded", "down", "maintenance", "paused"}

// String returns the status's name, as the engine spells it.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// excluded reports whether a result in this status counts neither for nor
// against uptime (a planned window, or a monitor nobody checks).
func (s Status) excluded() bool { return s == StatusMaintenance || s == StatusPaused }

// Phases are the parts of an HTTP check's latency.
type Phases struct {
	DNS       time.Duration
	Connect   time.Duration
	TLS       time.Duration
	FirstByte time.Duration
	Transfer  time.Duration
}

// Record is one stored check result. Times are kept to the millisecond,
// durations to the microsecond; everything else round-trips exactly.
type Record struct {
	Monitor    string
	Kind       string
	URL        string
	Time       time.Time // when the (last) attempt started
	Status     Status
	Code       int
	Latency    time.Duration
	Phases     Phases
	Class      string
	Error      string
	Attempts   int
	RetryAfter time.Duration
	FinalURL   string
	BodySize   int64
	CertExpiry time.Time
	CertIssuer string
	CertDays   int
	Registrar  string
	Answers    []string
	Loss       float64
	// HTTPVersion ("1.1", "2"), redirects followed, an expiry read from an
	// unverified chain, and the library's text behind Error.
	HTTPVersion    string
	Redirects      int
	CertUnverified bool
	Detail         string
}

// Failed reports whether the record counts against uptime.
func (r *Record) Failed() bool { return r.Status == StatusDown }
