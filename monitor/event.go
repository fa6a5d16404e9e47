package monitor

import "time"

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
