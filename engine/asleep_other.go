//go:build !linux

package engine

import "time"

// machineAsleep cannot tell here: the stall watch compares the wall clock's
// progress with the monotonic clock's instead (a wall clock set forward by
// more than the threshold then looks like a stall too).
func machineAsleep() time.Duration { return -1 }
