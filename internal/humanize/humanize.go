// Package humanize formats measurements the same way everywhere upbeat
// shows them: the dashboard, the command line and exported history.
package humanize

import (
	"fmt"
	"strings"
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

// RetryAfter writes a Retry-After delay as a person would: "90s", "20m",
// "2h30m".
func RetryAfter(d time.Duration) string {
	switch {
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < 2*time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	d = d.Round(time.Minute)
	h, mi := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if mi == 0 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, mi)
}

// Count is n and the noun that goes with it: "1 check", "0 checks",
// "2 checks". Every count upbeat writes for a person goes through it, so
// that none reads "1 monitors".
func Count(n int, one, many string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Setting shows a configured duration (an interval, a timeout, a
// Retry-After, a maintenance) as a person would write it: to the
// millisecond below 10 s ("667ms", "2.5s"), to a tenth of a second below
// a minute ("13.3s"), to the second above ("1m30s"), with no trailing
// zero units ("5m", "1h", never "5m0s"). The dashboard and `upbeat
// maintain` write durations so.
func Setting(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Millisecond:
		return d.String()
	case d < 10*time.Second:
		d = d.Round(time.Millisecond)
	case d < time.Minute:
		d = d.Round(100 * time.Millisecond)
	default:
		d = d.Round(time.Second)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
