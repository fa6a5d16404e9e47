package monitor

import "time"

// Incident is one stretch of time a monitor was down (or flapping).
type Incident struct {
	Monitor  string
	Start    time.Time
	End      time.Time // zero while open
	Codes    []int
	Classes  []string
	Flapping bool
	Acked    bool
	// IntoWindow: a maintenance window, not a recovery, ended this
	// stretch. The outage itself went on, silenced: the alerting and the
	// restore take the stretches a window split for one incident.
	IntoWindow bool
	// Affected names the monitors (depends_on) that failed behind this
	// one while it was down: their failures joined this incident instead
	// of opening their own.
	Affected []string
	// Notes are what people wrote about it and why they acknowledged
	// it, oldest first (see Note).
	Notes []Note
}

// Duration is how long the incident lasted, or has lasted by now.
func (in *Incident) Duration(now time.Time) time.Duration {
	if in.End.IsZero() {
		return now.Sub(in.Start)
	}
	return in.End.Sub(in.Start)
}
