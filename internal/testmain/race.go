//go:build race

package testmain

import "runtime"

const raceEnabled = true

// raceErrors is how many data races the detector has reported so far.
func raceErrors() int { return runtime.RaceErrors() }
