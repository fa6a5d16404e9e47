package monitor

import "time"

// Incident is one outage of a monitor (down, or flapping), from its first
// failure to its recovery. A maintenance window or a pause in the middle
// silences it without ending it (see Breaks), as the alerting has it: the
// incident its people were paged for goes on, under the same ID, until
// the monitor is seen up again.
type Incident struct {
	Monitor  string
	Start    time.Time
	End      time.Time // zero while open
	Codes    []int
	Classes  []string
	Flapping bool
	Acked    bool
	// Breaks are the stretches within the incident when its monitor was
	// in a maintenance window or paused (or upbeat itself stalled), oldest
	// first: nobody was paged and no check counted, and the outage went on
	// after them. They are part of its duration, not of its downtime. The
	// last one of an incident still open may be open too: the monitor is
	// in a window now.
	Breaks []Break
	// Paused: the monitor was paused (or removed from the config) while
	// down and has not been checked since: the incident ends there (End)
	// without a recovery. Resumed, the monitor carries it on.
	Paused bool
	// Affected names the monitors (depends_on) that failed behind this
	// one while it was down: their failures joined this incident instead
	// of opening their own.
	Affected []string
	// Notes are what people wrote about it and why they acknowledged
	// it, oldest first (see Note).
	Notes []Note
}

// Break is a stretch of an incident when its monitor was not judged: in
// a maintenance window (Status maintenance), paused or stalled (paused),
// or not checked yet (pending).
type Break struct {
	Start   time.Time
	End     time.Time // zero while it lasts
	Status  Status
	Stalled bool // paused because upbeat itself stalled (ClassStalled), not by a person
}

// Duration is how long the incident lasted, or has lasted by now: from
// its first failure to its recovery, as its resolve says, windows and
// pauses included.
func (in *Incident) Duration(now time.Time) time.Duration {
	if in.End.IsZero() {
		return now.Sub(in.Start)
	}
	return in.End.Sub(in.Start)
}

// Downtime is how long the monitor was down during the incident within
// [from, to), an open incident lasting to to: its duration less its
// breaks, for a window or a pause counts neither for nor against uptime.
func (in *Incident) Downtime(from, to time.Time) time.Duration {
	end := in.End
	if end.IsZero() || end.After(to) {
		end = to
	}
	d := overlap(in.Start, end, from, to)
	for _, b := range in.Breaks {
		bend := b.End
		if bend.IsZero() || bend.After(end) {
			bend = end
		}
		d -= overlap(b.Start, bend, from, to)
	}
	return max(d, 0)
}

// InWindow reports whether the incident is open and silenced by a
// maintenance window now: its last break is a window that has not ended.
func (in *Incident) InWindow() bool {
	if !in.End.IsZero() || len(in.Breaks) == 0 {
		return false
	}
	b := in.Breaks[len(in.Breaks)-1]
	return b.End.IsZero() && b.Status == StatusMaintenance
}

// overlap is the length of [a0, a1) within [b0, b1).
func overlap(a0, a1, b0, b1 time.Time) time.Duration {
	if a0.Before(b0) {
		a0 = b0
	}
	if a1.After(b1) {
		a1 = b1
	}
	return max(a1.Sub(a0), 0)
}
