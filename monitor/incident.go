package monitor

import "time"

// Incident is one stretch of time a monitor was down (or flapping).
type Incident struct {
	Monitor  string    `json:"monitor"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"` // zero while open
	Codes    []int     `json:"codes,omitempty"`
	Classes  []string  `json:"classes,omitempty"`
	Flapping bool      `json:"flapping,omitempty"`
	Acked    bool      `json:"acked,omitempty"`
	// Affected names the monitors (depends_on) that failed behind this
	// one while it was down: their failures joined this incident instead
	// of opening their own.
	Affected []string `json:"affected,omitempty"`
}

// Duration is how long the incident lasted, or has lasted by now.
func (in *Incident) Duration(now time.Time) time.Duration {
	if in.End.IsZero() {
		return now.Sub(in.Start)
	}
	return in.End.Sub(in.Start)
}
