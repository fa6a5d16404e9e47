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
	EventNote                         // a person wrote a note on an incident or acknowledged it: Note is set
	EventWarRoom                      // a war room began or ended on Monitor: Message says which, Clear that it ended
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
	case EventWarRoom:
		return "war_room"
	case EventNote:
		return "note"
	}
	return "unknown"
}

// AlertEvent reports one delivery attempt of an alert.
type AlertEvent struct {
	Channel  string // the [[alert]] name
	Kind     string // webhook, email, …
	Subject  string
	OK       bool
	Error    string // redacted: never holds a secret
	Attempts int
	// GaveUp says that this failed attempt was the last: the message is
	// not tried again (MaxAttempts reached, or a permanent error).
	GaveUp bool
	// Monitors names every monitor the message is about: one, or several
	// for a grouped message (a burst, "everything is down"), where
	// Event.Monitor is empty. Empty for a test message.
	Monitors []string
}

// Event is one thing that happened, as published to subscribers.
type Event struct {
	Kind    EventKind
	Time    time.Time
	Monitor string
	Result  *Result
	From    Status
	To      Status
	Alert   *AlertEvent
	Note    *Note // EventNote
	Message string
	Clear   bool // EventWarning: the problem named by Message is over; EventWarRoom: the war room ended
}
