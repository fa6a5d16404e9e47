// Package testmain holds what every package's TestMain does before and
// after it runs the tests.
//
// The race detector sleeps for a second when a process exits while other
// goroutines still exist (GORACE's atexit_sleep_ms, 1000 by default), so
// that late reports from them are not lost. A Go test binary always has such
// goroutines (the runtime's own), so every package paid a real second per
// run of `go test -race ./...`. The sleep buys nothing here: the testing
// package checks the detector after each test and again after the last one
// ("race detected outside of test execution"), and Exit asks it once more
// for what TestMain ran after the tests.
package testmain

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// sleepOption is the GORACE option that sets the exit sleep.
const sleepOption = "atexit_sleep_ms"

// skipSleep says that Exit may end the process without the race
// detector's exit sleep: SkipRaceExitSleep found it on and no one had set it.
// personSet says that GORACE named the sleep before the tests started.
var skipSleep, personSet bool

// SkipRaceExitSleep, under the race detector, arranges for the process and
// the processes it starts to exit without the exit sleep. The race runtime
// reads GORACE once, at start, so this process cannot turn the sleep off for
// itself: Exit ends it without the runtime's exit step instead. The
// environment gets the option for the child processes that tests start (the
// test binary run again as a daemon or a writer), which exit the usual way.
// Without the race detector, or when GORACE already names the option (a
// person who set it meant it), it does nothing.
//
// It must be the first thing TestMain does, before any test starts a child.
func SkipRaceExitSleep() {
	if !raceEnabled {
		return
	}
	env, changed := sleepOff(os.Environ())
	if !changed {
		personSet = true
		return
	}
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GORACE="); ok && os.Setenv("GORACE", v) == nil {
			skipSleep = true
		}
	}
}

// Exit ends a test process with code, as os.Exit does. When the tests passed,
// the detector has reported no race at all (TestMain may run code after
// m.Run: stopping servers, goleak's search) and SkipRaceExitSleep turned the
// sleep off, it ends the process directly: the race runtime's exit step would
// only sleep. Otherwise it leaves through os.Exit, whose exit step turns a
// reported race into exit status 66; and always under -cover, whose exit
// hooks write the profile.
func Exit(code int) {
	if skipSleep && code == 0 && raceErrors() == 0 && testing.CoverMode() == "" {
		syscall.Exit(0)
	}
	os.Exit(code)
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
	Exit(m.Run())
}
