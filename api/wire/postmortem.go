package wire

import (
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Postmortem is the output of `upbeat incident show ID --json`: one
// incident's timeline from history. Durations are in milliseconds.
type Postmortem struct {
	Incident    *Incident       `json:"incident"`    // with its id and notes
	DurationMS  float64         `json:"duration_ms"` // from the first failure to the recovery (or now)
	DowntimeMS  float64         `json:"downtime_ms"` // the duration less the incident's breaks (windows, pauses): what the cost is of
	CostPerHour float64         `json:"cost_per_hour,omitempty"`
	Cost        float64         `json:"cost,omitempty"`
	Checks      int             `json:"failed_checks"`  // checks that failed during it
	Retried     int             `json:"retried_checks"` // of them, those that took more than one attempt
	Timeline    []TimelineEntry `json:"timeline"`
	Seen        []Seen          `json:"seen"`   // each code and class seen, with its phases
	Alerts      []Note          `json:"alerts"` // each alert's delivery (kind "alert")
}

// TimelineEntry is one line of a postmortem's timeline. Kind is one of
// failed, changed, alert, ack, note, resolved, open, and for a break in
// the incident maintenance, paused, stalled or pending.
type TimelineEntry struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Text   string    `json:"text"`
	Phases *Phases   `json:"phases_ms,omitempty"` // of the check it is about
}

// Seen is one failure (code and class) seen during an incident, with the
// median of each phase over its checks.
type Seen struct {
	Code   int       `json:"code,omitempty"`
	Class  string    `json:"class,omitempty"`
	Error  string    `json:"error,omitempty"`
	Checks int       `json:"checks"`
	First  time.Time `json:"first"`
	Last   time.Time `json:"last"`
	Phases *Phases   `json:"phases_ms,omitempty"`
}

// PhasesOf converts a check's phases; nil when it has none.
func PhasesOf(p monitor.Phases) *Phases {
	if p == (monitor.Phases{}) {
		return nil
	}
	return &Phases{DNS: Milliseconds(p.DNS), Connect: Milliseconds(p.Connect), TLS: Milliseconds(p.TLS),
		FirstByte: Milliseconds(p.FirstByte), Transfer: Milliseconds(p.Transfer)}
}
