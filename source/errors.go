package source

import "errors"

// Named errors a Source returns, whether it runs the engine in this
// process or asks a daemon (the daemon sends them as codes; see package
// api/wire). Test for them with errors.Is.
var (
	// ErrNoMonitor: no monitor has that name.
	ErrNoMonitor = errors.New("no such monitor")
	// ErrNoIncident: an acknowledgement or a note found no open
	// incident (the monitor is up, or degraded but not down).
	ErrNoIncident = errors.New("no open incident")
	// ErrForbidden: the viewer may watch but not act (a read-only token
	// or SSH key).
	ErrForbidden = errors.New("not allowed: this viewer may watch but not act")
	// ErrUnauthorized: the daemon wants a (valid) token.
	ErrUnauthorized = errors.New("the daemon refused the token (or needs one)")
	// ErrNoHistory: the source keeps no history.
	ErrNoHistory = errors.New("no history is kept")
	// ErrBadNote: a note is empty, or longer than monitor.MaxNoteLen.
	ErrBadNote = errors.New("bad note")
)

// Reason returns an error that reads msg and that errors.Is reports as
// err: a named error told in the words of whoever refused.
func Reason(err error, msg string) error {
	if msg == "" {
		return err
	}
	return &reasonError{err: err, msg: msg}
}

type reasonError struct {
	err error
	msg string
}

func (e *reasonError) Error() string { return e.msg }
func (e *reasonError) Unwrap() error { return e.err }
