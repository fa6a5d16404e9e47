package monitor

import "time"

// Sample is one point of a monitor's recent history, enough to draw a
// sparkline and a status timeline.
type Sample struct {
	Time    time.Time
	Latency time.Duration
	Status  Status
	Code    int
}

// Uptime is the share of checks that were not down over a window, from
// the monitor's first result (never from before it existed).
type Uptime struct {
	Ratio float64 // 0..1
	Valid bool    // false when there is no result in the window
}

// Tally counts the checks of a period that count toward uptime
// (maintenance and paused ones do not), and those of them that were not
// down.
type Tally struct {
	Good, Total uint32
}

// State is what the engine publishes about one monitor: a copy,
// safe to keep and read after the call that returned it.
type State struct {
	Monitor  *Monitor // the configuration; never modified once published
	Status   Status
	Since    time.Time // when Status last changed; down, when its incident began, across a window or a pause in it
	Last     Result    // the most recent result; zero before the first check
	Recent   []Sample  // the most recent results, oldest first
	Uptime24 Uptime
	Uptime7d Uptime
	Uptime30 Uptime
	Paused   bool
	Acked    bool   // the open incident was acknowledged
	InMaint  string // name of the maintenance window in force, if any
	Checks   uint64 // checks run since start
	Skipped  uint64 // checks skipped because the previous one was still running
	Location string // where the engine that checked it runs
	SLO      SLO    // the objective and how the monitor stands against it; zero without one
	// WarRoom is the war room on this monitor (checked every few seconds
	// for a while, on a person's request); zero when there is none.
	WarRoom WarRoom
}

// WarRoom is a stretch of time in which a monitor is checked far more
// often than its interval, because someone is watching it closely (the
// `w` key, POST /api/v1/monitors/{name}/warroom).
type WarRoom struct {
	Start    time.Time     // when it began
	Until    time.Time     // when it ends by itself
	Every    time.Duration // how often the monitor is checked meanwhile
	Checks   int           // checks finished since Start
	Failures int           // of which down
}

// Active reports whether w is a war room in force at now.
func (w *WarRoom) Active(now time.Time) bool { return !w.Until.IsZero() && now.Before(w.Until) }
