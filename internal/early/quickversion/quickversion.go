// Package quickversion answers `upbeat --version` (and -version, version)
// in its init, before most of upbeat is initialised: the answer needs
// nothing else. Only package main imports it, for that effect; see
// statusline for why this module's packages run so early. On Linux for
// amd64 and arm64, atonce answers before it, sooner still.
package quickversion

import (
	"os"

	"early.upbeat.invalid/buildinfo"
)

func init() {
	if len(os.Args) < 2 {
		return
	}
	switch os.Args[1] {
	case "-version", "--version", "version":
		// As main's run answers them: whatever follows is ignored.
		os.Stdout.WriteString("upbeat " + buildinfo.String() + "\n")
		os.Exit(0)
	}
}
