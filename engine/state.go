package engine

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

// MonitorState is what the engine publishes about one monitor: a copy,
// safe to keep and read after the call that returned it.
type MonitorState struct {
	Monitor  *Monitor // the configuration; never modified once published
	Status   Status
	Since    time.Time // when Status last changed
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
	// Locations holds one entry per location when a viewer merges several
	// daemons (attach with more than one address); empty otherwise.
	Locations []LocationState
}

// LocationState is a monitor's state as seen from one location.
type LocationState struct {
	Location string        `json:"location"`
	Status   Status        `json:"status"`
	Code     int           `json:"code"`
	Class    string        `json:"class,omitempty"`
	Latency  time.Duration `json:"latency_ns"`
	Since    time.Time     `json:"since"`
}

// EventKind says what an Event carries.
type EventKind uint8

// Event kinds.
const (
	EventResult  EventKind = iota + 1 // a check finished: Result is set
	EventChange                       // a monitor changed status: Result, From and To are set
	EventAlert                        // an alert was delivered or failed: Alert is set
	EventWarning                      // something about upbeat itself is wrong (or fine again): Message is set
	EventReload                       // the configuration was reloaded: Message says what changed
)

func (k EventKind) String() string {
	switch k {
	case EventResult:
		return "result"
	case EventChange:
		return "change"
	case EventAlert:
		return "alert"
	case EventWarning:
		return "warning"
	case EventReload:
		return "reload"
	}
	return "unknown"
}

// AlertEvent reports one delivery attempt of an alert.
type AlertEvent struct {
	Channel  string `json:"channel"` // the [[alert]] name
	Kind     string `json:"kind"`    // webhook, email, …
	Subject  string `json:"subject"`
	OK       bool   `json:"ok"`
	Error    string `json:"error,omitempty"` // redacted: never holds a secret
	Attempts int    `json:"attempts"`
	// Monitors names every monitor the message is about: one, or several
	// for a grouped message (a burst, "everything is down"), where
	// Event.Monitor is empty. Empty for a test message.
	Monitors []string `json:"monitors,omitempty"`
}

// Event is one thing that happened, as published to subscribers.
type Event struct {
	Kind    EventKind   `json:"kind"`
	Time    time.Time   `json:"time"`
	Monitor string      `json:"monitor,omitempty"`
	Result  *Result     `json:"result,omitempty"`
	From    Status      `json:"from"`
	To      Status      `json:"to"`
	Alert   *AlertEvent `json:"alert,omitempty"`
	Message string      `json:"message,omitempty"`
	Clear   bool        `json:"clear,omitempty"` // EventWarning: the problem named by Message is over
	// Location names where a result, change or alert was seen when a
	// viewer merges several daemons (attach with more than one address);
	// empty otherwise.
	Location string `json:"location,omitempty"`
}

// Recorder receives every result. The engine calls Record from one
// goroutine, in order; an error is reported as a warning and never stops
// checking.
type Recorder interface {
	// Record stores one result.
	Record(r *Result) error
}

// Restorer gives the engine what it needs at start so that a restart is
// not a new incident and sparklines start filled.
type Restorer interface {
	// Restore returns the last n results of a monitor, oldest first, and
	// the time its current status began. ok is false when nothing is known.
	Restore(monitor string, n int) (recent []Result, since time.Time, ok bool)
	// Uptime returns the share of good checks over the window ending now.
	Uptime(monitor string, window time.Duration, now time.Time) Uptime
}

// Notifier is told of every status change. It must not block: delivery
// happens off the check path.
type Notifier interface {
	// Notify is called once per status change, after retries.
	Notify(ev Event, st *MonitorState)
}

// Incident is one stretch of time a monitor was down (or flapping).
type Incident struct {
	Monitor  string    `json:"monitor"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"` // zero while open
	Codes    []int     `json:"codes,omitempty"`
	Classes  []string  `json:"classes,omitempty"`
	Flapping bool      `json:"flapping,omitempty"`
	Acked    bool      `json:"acked,omitempty"`
}

// Duration is how long the incident lasted, or has lasted by now.
func (in *Incident) Duration(now time.Time) time.Duration {
	if in.End.IsZero() {
		return now.Sub(in.Start)
	}
	return in.End.Sub(in.Start)
}

// Querier answers questions about the past; the history store implements
// it. Viewers use it for detail views and reports.
type Querier interface {
	// Results returns a monitor's results in [from, to), oldest first.
	Results(monitor string, from, to time.Time) ([]Result, error)
	// Incidents returns a monitor's incidents that overlap [from, to), oldest first.
	Incidents(monitor string, from, to time.Time) ([]Incident, error)
	// ErrorsByHour counts a monitor's failed checks by hour of day (UTC) in [from, to).
	ErrorsByHour(monitor string, from, to time.Time) ([24]int, error)
}
