// Package testmain holds what every package's TestMain does before it runs
// the tests.
//
// The race detector sleeps for a second when a process exits while other
// goroutines still exist (GORACE's atexit_sleep_ms, 1000 by default), so
// that late reports from them are not lost. A Go test binary always has such
// goroutines (the runtime's own), so every package paid a real second per
// run of `go test -race ./...`. The sleep buys nothing here: the testing
// package checks the detector after each test and again after the last one
// ("race detected outside of test execution"), before the process exits.
package testmain

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// sleepOption is the GORACE option that sets the exit sleep.
const sleepOption = "atexit_sleep_ms"

// SkipRaceExitSleep, under the race detector, replaces the process by the same
// test binary with GORACE's exit sleep set to zero, and so returns only in a
// process that has it. Without the race detector, or when GORACE already
// names the option (a person who set it meant it), it returns at once. If the
// binary cannot be run again it returns too: the tests run, one second
// slower.
//
// It must be the first thing TestMain does. syscall.Exec keeps the process ID,
// the arguments, the open files and the signals that `go test` sends.
func SkipRaceExitSleep() {
	if !raceEnabled {
		return
	}
	env, changed := sleepOff(os.Environ())
	if !changed {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	_ = syscall.Exec(exe, os.Args, env)
}

// sleepOff returns environ with GORACE's exit sleep set to zero, and whether
// that changed anything. It keeps the other GORACE options and leaves a
// GORACE that already names the sleep alone. The race runtime reads the first
// GORACE in the environment, so there is only ever one.
func sleepOff(environ []string) ([]string, bool) {
	out := make([]string, 0, len(environ)+1)
	gorace := ""
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "GORACE="); ok {
			if gorace == "" {
				gorace = v
			}
			continue
		}
		out = append(out, kv)
	}
	if strings.Contains(gorace, sleepOption+"=") {
		return environ, false
	}
	return append(out, "GORACE="+strings.TrimSpace(gorace+" "+sleepOption+"=0")), true
}

// Run is the whole TestMain of a package that needs nothing else: it skips
// the exit sleep, runs the tests and exits with their status.
func Run(m *testing.M) {
	SkipRaceExitSleep()
	os.Exit(m.Run())
}
