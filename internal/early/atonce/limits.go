package atonce

import _ "unsafe" // for go:linkname

// Timeout is how long `upbeat status` waits for daemons before it
// prints nothing, in nanoseconds: statusline.Timeout, which a test holds
// equal.
const Timeout = 500e6

// MaxReply bounds what is read of a daemon's reply: twice statusline's
// MaxSummary, which bounds the body, so that the head fits too.
const MaxReply = 2 << 20

// LineVersion is the version of the status line this package prints
// (statusline.LineVersion, which a test holds equal): a daemon that
// writes another is left to the paths after this one.
const LineVersion = 1

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// deadline is when status gives up (nanotime), once this package has
// started on it; 0 before, and where it does not run.
var deadline int64

// Left is how long `upbeat status` has left before it must give up and
// print nothing, in nanoseconds, when this package has started on it
// (false otherwise): what it leaves to the paths after it, which keep to
// the same budget.
func Left() (int64, bool) {
	if deadline == 0 {
		return 0, false
	}
	return deadline - nanotime(), true
}
