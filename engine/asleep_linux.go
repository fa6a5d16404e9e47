package engine

import (
	"time"

	"golang.org/x/sys/unix"
)

// machineAsleep is how long the machine has been suspended since it
// booted: CLOCK_BOOTTIME counts the time asleep, CLOCK_MONOTONIC (which
// Go's monotonic clock reads) does not. A wall clock set forward leaves
// both alone, so it is never taken for a stall.
func machineAsleep() time.Duration {
	var boot, mono unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &boot) != nil || unix.ClockGettime(unix.CLOCK_MONOTONIC, &mono) != nil {
		return -1
	}
	return time.Duration(boot.Nano() - mono.Nano())
}
