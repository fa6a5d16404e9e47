package maint

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// schedule is a recurring start time as cron bit sets: bit n of minute is
// set when minute n matches, and so on. dom and month count from 1, dow from
// 0 (Sunday).
type schedule struct {
	minute, hour, dom, month, dow uint64
	// domStar and dowStar record a "*" in the field: cron matches a day when
	// both day fields match if either is a star, and when either matches
	// otherwise.
	domStar, dowStar bool
}

// cronParser reads the classic five fields and the @daily-style names.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// starBit is robfig/cron's marker for a field written as "*" or "?".
const starBit = 1 << 63

// parseCron parses a five-field cron line ("0 2 * * sun"). loc is the
// zone named inside the line with CRON_TZ=, or nil.
func parseCron(line string) (*schedule, *time.Location, error) {
	s, err := cronParser.Parse(line)
	if err != nil {
		return nil, nil, err
	}
	spec, ok := s.(*cron.SpecSchedule)
	if !ok {
		return nil, nil, fmt.Errorf("%q is an interval, not a time of day", line)
	}
	var loc *time.Location
	if spec.Location != time.Local {
		loc = spec.Location
	}
	return &schedule{
		minute:  spec.Minute &^ starBit,
		hour:    spec.Hour &^ starBit,
		dom:     spec.Dom &^ starBit,
		month:   spec.Month &^ starBit,
		dow:     spec.Dow &^ starBit,
		domStar: spec.Dom&starBit != 0,
		dowStar: spec.Dow&starBit != 0,
	}, loc, nil
}

// weekdayNames maps the accepted spellings of weekdays to time.Weekday.
var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

// weekly builds the schedule of "these weekdays at HH:MM"; no weekdays
// means every day.
func weekly(days []string, at string) (*schedule, error) {
	h, m, err := parseClock(at)
	if err != nil {
		return nil, err
	}
	s := &schedule{minute: 1 << uint(m), hour: 1 << uint(h), dom: 0xfffffffe, month: 0x1ffe, domStar: true}
	if len(days) == 0 {
		s.dow, s.dowStar = 0x7f, true
		return s, nil
	}
	for _, d := range days {
		wd, ok := weekdayNames[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrBadWeekday, d)
		}
		s.dow |= 1 << uint(wd)
	}
	return s, nil
}

// parseClock reads "HH:MM" (24-hour).
func parseClock(at string) (h, m int, err error) {
	hs, ms, ok := strings.Cut(strings.TrimSpace(at), ":")
	if ok {
		h, err = strconv.Atoi(hs)
		if err == nil {
			m, err = strconv.Atoi(ms)
		}
	}
	if !ok || err != nil || len(ms) != 2 || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, fmt.Errorf("%w: %q", ErrBadTime, at)
	}
	return h, m, nil
}

// dayMatches reports whether the civil date d (in UTC, as a calendar day)
// is one the schedule runs on.
func (s *schedule) dayMatches(d time.Time) bool {
	if s.month&(1<<uint(d.Month())) == 0 {
		return false
	}
	domOK := s.dom&(1<<uint(d.Day())) != 0
	dowOK := s.dow&(1<<uint(d.Weekday())) != 0
	if s.domStar || s.dowStar {
		return domOK && dowOK
	}
	return domOK || dowOK
}

// latestStart returns the latest start of the schedule in loc that is not
// after t and not before t-dur-1day, if there is one.
//
// A start time is a wall-clock time on a calendar day; it becomes an
// instant by wallStart, so a start inside a spring-forward gap happens at
// the end of the gap and a start in a repeated fall-back hour happens once,
// the first time the clock shows it.
func (s *schedule) latestStart(t time.Time, dur time.Duration, loc *time.Location) (time.Time, bool) {
	lt := t.In(loc)
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC)
	et := t.Add(-dur).In(loc)
	first := time.Date(et.Year(), et.Month(), et.Day()-1, 0, 0, 0, 0, time.UTC)
	// Most of the time no clock change is near: then a wall time maps to an
	// instant by one fixed offset, and no start later than t's own wall
	// clock can be at or before t. Near a change, a fall-back repeats at
	// most an hour or two, so look a few hours further.
	_, offLo := t.Add(-dur - 48*time.Hour).In(loc).Zone()
	_, offHi := t.Add(24 * time.Hour).In(loc).Zone()
	fixed := offLo == offHi && dur <= 7*24*time.Hour
	top := min(23, lt.Hour()+3)
	if fixed {
		top = lt.Hour()
	}
	for ; !day.Before(first); day, top = day.AddDate(0, 0, -1), 23 {
		if !s.dayMatches(day) {
			continue
		}
		for h := top; h >= 0; h-- {
			if s.hour&(1<<uint(h)) == 0 {
				continue
			}
			for m := 59; m >= 0; m-- {
				if s.minute&(1<<uint(m)) == 0 {
					continue
				}
				var st time.Time
				if fixed {
					st = time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, time.UTC).Add(-time.Duration(offLo) * time.Second)
				} else {
					st = wallStart(day.Year(), day.Month(), day.Day(), h, m, loc)
				}
				if st.After(t) {
					// Later wall times map to later (or equal) instants, so
					// keep looking at earlier ones.
					continue
				}
				return st, true
			}
		}
	}
	return time.Time{}, false
}

// wallStart returns the first instant at which the clock in loc reads at
// least h:m on the given day. For an ordinary time that is the time itself;
// for a time skipped by a spring-forward change it is the moment of the
// change (02:30 on such a day in New York starts at 03:00 EDT); for a time
// that happens twice at a fall-back change it is the first of the two.
func wallStart(y int, mo time.Month, d, h, m int, loc *time.Location) time.Time {
	want := time.Date(y, mo, d, h, m, 0, 0, time.UTC) // the wall clock, written as UTC
	guess := time.Date(y, mo, d, h, m, 0, 0, loc)
	var best time.Time
	for _, probe := range []time.Time{guess.Add(-24 * time.Hour), guess, guess.Add(24 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		u := want.Add(-time.Duration(off) * time.Second)
		if wallOf(u, loc).Equal(want) && (best.IsZero() || u.Before(best)) {
			best = u
		}
	}
	if !best.IsZero() {
		return best.In(loc)
	}
	// The time does not exist: find the change that skipped it, the first
	// instant after guess-24h whose offset is the later one.
	lo, hi := guess.Add(-24*time.Hour).Unix(), guess.Add(24*time.Hour).Unix()
	_, offHi := time.Unix(hi, 0).In(loc).Zone()
	for lo < hi {
		mid := lo + (hi-lo)/2
		if _, off := time.Unix(mid, 0).In(loc).Zone(); off == offHi {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return time.Unix(lo, 0).In(loc)
}

// wallOf returns the wall clock of u in loc, written as UTC.
func wallOf(u time.Time, loc *time.Location) time.Time {
	l := u.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}
