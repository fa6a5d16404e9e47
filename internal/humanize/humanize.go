// Package humanize formats measurements the same way everywhere upbeat
// shows them: the dashboard, the command line and exported history.
package humanize

import (
	"fmt"
	"time"
)

// Latency shows a latency honestly and compactly: 0.4 ms is "0.4ms"
// (never "no data" and never rounded to zero), 340 ms is "340ms", 1.25 s is
// "1.25s". A negative duration, which no measurement has, is "—".
func Latency(d time.Duration) string {
	switch {
	case d < 0:
		return "—"
	case d < 100*time.Microsecond:
		return "<0.1ms"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", d/time.Millisecond)
	case d < 10*time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d < 100*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}
