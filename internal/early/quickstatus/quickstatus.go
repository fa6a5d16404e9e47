// Package quickstatus answers `upbeat status` in its init, before most of
// upbeat is initialised, when statusline.Quick can answer it; otherwise
// main runs as usual. Only package main imports it, for that effect; see
// statusline for why it runs so early. On Linux for amd64 and arm64,
// atonce answers the usual cases before it, sooner still.
package quickstatus

import (
	"os"

	"early.upbeat.invalid/statusline"
)

func init() {
	if len(os.Args) < 2 || os.Args[1] != "status" {
		return
	}
	if code, done := statusline.Quick(os.Args[2:], os.Stdout); done {
		os.Exit(code)
	}
}
