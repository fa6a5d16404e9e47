package monitor

import "strings"

// The warnings a viewer raises about its own connection to a daemon. The
// client that raises them and the dashboard that words their end share
// these, so that the end of "lost connection to …" reads "reconnected to
// …", not "no longer: lost connection to …".
const (
	lostPrefix        = "lost connection to "
	unreachablePrefix = "cannot reach "
	retryingSuffix    = ", retrying"
)

// LostConnection is the warning raised when the stream from a daemon that
// was reached before ends.
func LostConnection(addr string) string { return lostPrefix + addr + retryingSuffix }

// Unreachable is the warning raised while a daemon that was never reached
// cannot be, and why.
func Unreachable(addr, why string) string {
	return unreachablePrefix + addr + " (" + why + ")" + retryingSuffix
}

// ConnectionAddr splits a warning that LostConnection or Unreachable
// made around the daemon's address: before + addr + after. ok is false
// for every other warning.
func ConnectionAddr(warning string) (before, addr, after string, ok bool) {
	rest, ok := strings.CutSuffix(warning, retryingSuffix)
	if !ok {
		return "", "", "", false
	}
	if addr, ok := strings.CutPrefix(rest, lostPrefix); ok {
		return lostPrefix, addr, retryingSuffix, true
	}
	if rest, ok := strings.CutPrefix(rest, unreachablePrefix); ok {
		if i := strings.LastIndex(rest, " ("); i > 0 {
			return unreachablePrefix, rest[:i], rest[i:] + retryingSuffix, true
		}
	}
	return "", "", "", false
}

// Reconnected words the end of a warning that LostConnection or
// Unreachable made: "reconnected to ADDR" or "connected to ADDR". ok is
// false for every other warning.
func Reconnected(warning string) (string, bool) {
	before, addr, _, ok := ConnectionAddr(warning)
	switch {
	case !ok:
		return "", false
	case before == lostPrefix:
		return "reconnected to " + addr, true
	}
	return "connected to " + addr, true
}
