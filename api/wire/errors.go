package wire

import (
	"errors"

	"github.com/upbeat-monitor/upbeat/source"
)

// Error is the body of every error response. Code tells failures apart
// for programs; Error is for people, and its wording may change.
type Error struct {
	Error string `json:"error"`
	Code  string `json:"code,omitempty"`
}

// Error codes. The first ones stand for the named errors of package
// source, so that a client gets back the error the daemon's source
// returned (see Err).
const (
	CodeNoMonitor    = "no_monitor"   // no monitor has that name (404)
	CodeNoIncident   = "no_incident"  // ack: the monitor has no open incident (409)
	CodeForbidden    = "forbidden"    // the token may watch but not act (403)
	CodeUnauthorized = "unauthorized" // a (valid) token is required (401)
	CodeNoHistory    = "no_history"   // the daemon keeps no history (501)
	CodeBadNote      = "bad_note"     // a note is empty or too long (400)

	CodeHostNotAllowed = "host_not_allowed" // Host is not in the allow-list (403)
	CodeCrossOrigin    = "cross_origin"     // an action from a browser on another origin (403)
	CodeBadRequest     = "bad_request"      // a malformed parameter (400)
	CodeTooLarge       = "too_large"        // the request body is over the limit (413)
	CodeNotFound       = "not_found"        // a push token nobody has (404)
	CodeInternal       = "internal"         // anything else (500)
)

var namedErrors = []struct {
	code string
	err  error
}{
	{CodeNoMonitor, source.ErrNoMonitor},
	{CodeNoIncident, source.ErrNoIncident},
	{CodeForbidden, source.ErrForbidden},
	{CodeUnauthorized, source.ErrUnauthorized},
	{CodeNoHistory, source.ErrNoHistory},
	{CodeBadNote, source.ErrBadNote},
}

// CodeOf returns the code for err: that of the named source error it
// wraps, else "" (the caller picks one).
func CodeOf(err error) string {
	for _, n := range namedErrors {
		if errors.Is(err, n.err) {
			return n.code
		}
	}
	return ""
}

// Err returns the error e stands for: the named source error of its code,
// in the daemon's words, or nil when the code names none (or there is no
// code, as from a daemon older than codes).
func (e *Error) Err() error {
	for _, n := range namedErrors {
		if e.Code == n.code {
			return source.Reason(n.err, clean(e.Error))
		}
	}
	return nil
}
