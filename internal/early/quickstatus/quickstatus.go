// Package quickstatus answers `upbeat status` in its init, before most of
// upbeat is initialised, when statusline.Quick can answer it; otherwise
// main runs as usual. Only package main imports it, for that effect; see
// statusline for why it runs so early. On Linux for amd64 and arm64,
// atonce answers the usual cases before it, sooner still.
package quickstatus

import (
	"os"
	"time"

	"early.upbeat.invalid/statusline"
)

// GiveUpBy is when the `upbeat status` this process runs must give up
// and print nothing, whichever path answers it: set in this package's
// init, zero for any other command. The full command keeps to it unless
// it is given a --timeout of its own.
var GiveUpBy time.Time

func init() {
	if len(os.Args) < 2 || os.Args[1] != "status" {
		return
	}
	GiveUpBy = statusline.GiveUpBy()
	if code, done := statusline.QuickBy(os.Args[2:], os.Stdout, GiveUpBy); done {
		os.Exit(code)
	}
}
