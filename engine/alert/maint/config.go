package maint

import "time"

// Config is one [[maintenance]] window. A one-off window has
// Start and End; a recurring one has Cron or Weekdays+At, and Duration.
type Config struct {
	Name     string
	Monitors []string
	Tags     []string
	Start    time.Time
	End      time.Time
	Cron     string   // "0 2 * * 0": minute hour day-of-month month day-of-week
	Weekdays []string // "mon", "tue", …; empty with At set means every day
	At       string   // "02:00", local to Timezone
	Duration time.Duration
	Timezone string // IANA name; default UTC
}
