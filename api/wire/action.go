package wire

import "time"

// Action is what `upbeat ack`, `note`, `maintain`, `pause` and `resume`
// print with --json: the API's answer to an action ({"monitor","ok"}),
// with what was asked and, when it was refused, why in the API's error
// codes (no_incident, no_monitor, forbidden, bad_note, …).
type Action struct {
	Monitor string `json:"monitor"`
	OK      bool   `json:"ok"`
	// Action is the command: ack, note, maintain, pause or resume.
	Action string `json:"action"`
	// Incident is the short ID of the incident an acknowledgement or a
	// note went on, when it could be told.
	Incident string `json:"incident,omitempty"`
	// Author and Text: who wrote the note or acknowledged, and the note
	// or the acknowledgement's reason.
	Author string `json:"author,omitempty"`
	Text   string `json:"text,omitempty"`
	// Until is when the maintenance started ends; absent when it was
	// ended.
	Until time.Time `json:"until,omitzero"`
	Error string    `json:"error,omitempty"`
	Code  string    `json:"code,omitempty"`
}
