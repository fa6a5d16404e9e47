package config

import (
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/upbeat-monitor/upbeat/engine/alert/maint"
)

// weekdays are the day names a recurring window accepts, as stored.
var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// weekdayNames are the long names of weekdays, also accepted.
var weekdayNames = map[string]string{
	"monday": "mon", "tuesday": "tue", "wednesday": "wed", "thursday": "thu",
	"friday": "fri", "saturday": "sat", "sunday": "sun",
}

// localLayouts are the ways a start or end may be written without a UTC
// offset; such a time is in the window's timezone.
var localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"}

// maintenance checks one [[maintenance]] window: one-off (start, end) or
// recurring (cron, or at with weekdays; and a duration), for the monitors
// and tags it names (none: every monitor).
func (l *loader) maintenance(t *table, monitors, tags []string) *maint.Config {
	w := &maint.Config{Timezone: DefaultTimezone}
	w.Name = name(t, "maintenance window")
	windowTargets(t, w, monitors, tags)
	loc := windowZone(t, w)
	start, hasStart := windowTime(t, "start", loc)
	end, hasEnd := windowTime(t, "end", loc)
	w.Start, w.End = start, end
	windowRecurrence(t, w)

	oneOff := t.has("start") || t.has("end")
	recurring := t.has("cron") || t.has("at") || t.has("weekdays") || t.has("duration")
	switch {
	case oneOff && recurring:
		t.errorf("start", "a window is one-off (start and end) or recurring (cron or at, and duration), not both")
	case oneOff:
		checkOneOff(t, start, end, hasStart && hasEnd)
	case recurring:
		checkRecurring(t)
	default:
		t.errorf("", "has no time; set start and end, or cron or at with a duration")
	}
	t.checkUnknown()
	return w
}

// windowTargets reads the monitors and tags a window is for; each must
// exist.
func windowTargets(t *table, w *maint.Config, monitors, tags []string) {
	if names, ok := t.list("monitors"); ok {
		names = nfc(names)
		for _, n := range names {
			if !slices.Contains(monitors, n) {
				t.errorf("monitors", "%s", unknownName("monitor", n, monitors))
			}
		}
		w.Monitors = names
	}
	if list, ok := t.list("tags"); ok {
		list = nfc(list)
		for _, tag := range list {
			if !slices.Contains(tags, tag) {
				t.errorf("tags", "no monitor has the tag %q", tag)
			}
		}
		w.Tags = list
	}
}

// windowZone reads a window's timezone and returns it (UTC when unset).
func windowZone(t *table, w *maint.Config) *time.Location {
	v, ok := t.str("timezone")
	if !ok {
		return time.UTC
	}
	z, err := time.LoadLocation(v)
	if err != nil || v == "" || v == "Local" {
		t.errorf("timezone", "unknown time zone %q; use an IANA name such as Europe/Berlin or UTC", v)
		return time.UTC
	}
	w.Timezone = v
	return z
}

// windowRecurrence reads the keys of a recurring window: cron, weekdays,
// at and duration.
func windowRecurrence(t *table, w *maint.Config) {
	if v, ok := t.str("cron"); ok {
		checkCron(t, v)
		w.Cron = v
	}
	if days, ok := t.list("weekdays"); ok {
		for _, d := range days {
			if wd, ok := weekday(d); ok {
				w.Weekdays = append(w.Weekdays, wd)
			} else if s, near := closest(d, weekdays); near {
				t.errorf("weekdays", "unknown weekday %q; did you mean %s?", d, s)
			} else {
				t.errorf("weekdays", "unknown weekday %q; use %s", d, oneOf(weekdays))
			}
		}
	}
	if v, ok := t.str("at"); ok {
		if _, err := time.Parse("15:04", v); err != nil {
			t.errorf("at", "%q is not a time of day; write hours and minutes, e.g. \"02:30\"", v)
		}
		w.At = v
	}
	if d, ok := t.positive("duration"); ok {
		w.Duration = d
	}
}

// checkOneOff checks that a one-off window has a start and an end, in
// that order (both, when read without error: both).
func checkOneOff(t *table, start, end time.Time, both bool) {
	switch {
	case !t.has("start"):
		t.errorf("start", "is missing; a one-off window needs start and end")
	case !t.has("end"):
		t.errorf("end", "is missing; a one-off window needs start and end")
	case both && !end.After(start):
		t.errorf("end", "%s is not after start %s", end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
}

// checkRecurring checks that a recurring window has one schedule (cron,
// or at with weekdays) and a duration.
func checkRecurring(t *table) {
	switch {
	case t.has("cron") && (t.has("at") || t.has("weekdays")):
		t.errorf("cron", "set cron, or at with weekdays, not both")
	case !t.has("cron") && !t.has("at"):
		t.errorf("at", "is missing; a recurring window needs cron, or at (with weekdays, or every day)")
	}
	if !t.has("duration") {
		t.errorf("duration", "is missing; a recurring window needs to know how long it lasts")
	}
}

// windowTime reads start or end: a TOML date-time or an RFC 3339 string;
// without a UTC offset it is a time in loc.
func windowTime(t *table, key string, loc *time.Location) (time.Time, bool) {
	v, ok := t.get(key)
	if !ok {
		return time.Time{}, false
	}
	switch v := v.(type) {
	case time.Time:
		if strings.HasSuffix(v.Location().String(), "-local") {
			if v.Location().String() != "datetime-local" {
				t.errorf(key, "needs a date and a time, e.g. 2026-11-24T02:00:00Z")
				return time.Time{}, false
			}
			return time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), loc), true
		}
		return v, true
	case string:
		s, ok := t.expand(key, v)
		if !ok {
			return time.Time{}, false
		}
		if tm, err := time.Parse(time.RFC3339, s); err == nil {
			return tm, true
		}
		for _, layout := range localLayouts {
			if tm, err := time.ParseInLocation(layout, s, loc); err == nil {
				return tm, true
			}
		}
		t.errorf(key, "%q is not a date and time; write e.g. \"2026-11-24T02:00:00Z\"", s)
	default:
		t.errorf(key, "must be a date and time such as 2026-11-24T02:00:00Z, not %s", typeName(v))
	}
	return time.Time{}, false
}

// checkCron checks a five-field cron line (minute hour day-of-month month
// day-of-week) or a descriptor such as @daily, but not @every: a window
// starts at a time of day. The time zone comes from the timezone key, not
// from the line.
func checkCron(t *table, spec string) {
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		t.errorf("cron", "set the time zone with timezone, not in the cron line")
		return
	}
	s, err := cron.ParseStandard(spec)
	if err != nil {
		t.errorf("cron", "%q is not a cron schedule (minute hour day-of-month month day-of-week): %v", spec, err)
		return
	}
	if _, ok := s.(*cron.SpecSchedule); !ok {
		t.errorf("cron", "%q repeats at an interval, not at a time of day; write e.g. \"0 2 * * *\" or @daily", spec)
	}
}

// weekday reads a day name, short or long, in any case.
func weekday(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if slices.Contains(weekdays, s) {
		return s, true
	}
	d, ok := weekdayNames[s]
	return d, ok
}
