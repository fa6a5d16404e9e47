// Package maint decides whether a monitor is inside a maintenance window.
//
// Windows come from [[maintenance]] in the config — one-off (start, end),
// or recurring (weekdays at a time, or a cron line) with a duration, in a
// time zone — or are started ad hoc from the dashboard or the API. A window
// applies to the monitors it names, to those with one of its tags, or to
// every monitor when it names neither.
//
// Recurring windows are DST-safe: a start time is a wall-clock time in the
// window's zone. A start that a spring-forward change skips (02:30 on the
// night the clocks jump from 02:00 to 03:00) happens at the change itself;
// a start that a fall-back change repeats happens once, the first time the
// clock shows it. The duration is elapsed time, so a two-hour window that
// spans a change still lasts two hours.
package maint

import (
	"errors"
	"fmt"
	"sync"
	"time"

	// Time zones work on machines without a zoneinfo database.
	_ "time/tzdata"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// AdhocName is the window name Active reports for an ad-hoc window.
const AdhocName = "ad-hoc"

// Errors returned by New for a window that cannot work.
var (
	ErrNoSchedule  = errors.New("needs start and end, or a cron line or at time with a duration")
	ErrTwoKinds    = errors.New("has both a one-off start/end and a recurring schedule")
	ErrEndBefore   = errors.New("ends before it starts")
	ErrNoDuration  = errors.New("a recurring window needs a positive duration")
	ErrCronAndAt   = errors.New("has both cron and weekdays/at")
	ErrBadWeekday  = errors.New("unknown weekday")
	ErrBadTime     = errors.New("at must be HH:MM")
	ErrBadTimezone = errors.New("unknown time zone")
)

var _ engine.Maintenance = (*Windows)(nil)

// Windows is the set of maintenance windows in force. It is safe for
// concurrent use.
type Windows struct {
	mu    sync.RWMutex
	wins  []*window
	adhoc map[string]time.Time // monitor name ("" for all) → end
}

// window is one configured window, compiled.
type window struct {
	name     string
	monitors map[string]bool
	tags     map[string]bool
	// one-off
	start, end time.Time
	// recurring
	sched *schedule
	dur   time.Duration
	loc   *time.Location
}

// New compiles the configured windows. An error names the window and what
// is wrong with it.
func New(cfgs []*Config) (*Windows, error) {
	w := &Windows{adhoc: map[string]time.Time{}}
	if err := w.Update(cfgs); err != nil {
		return nil, err
	}
	return w, nil
}

// Update replaces the configured windows (on a config reload) and keeps
// the ad-hoc ones. On error nothing changes.
func (w *Windows) Update(cfgs []*Config) error {
	wins := make([]*window, 0, len(cfgs))
	for i, c := range cfgs {
		win, err := compile(c)
		if err != nil {
			name := c.Name
			if name == "" {
				name = fmt.Sprintf("#%d", i+1)
			}
			return fmt.Errorf("maintenance %s: %w", name, err)
		}
		wins = append(wins, win)
	}
	w.mu.Lock()
	w.wins = wins
	w.mu.Unlock()
	return nil
}

// compile checks one window and turns it into its matcher.
func compile(c *Config) (*window, error) {
	win := &window{name: c.Name, start: c.Start, end: c.End, dur: c.Duration, loc: time.UTC,
		monitors: set(c.Monitors), tags: set(c.Tags)}
	if c.Timezone != "" {
		loc, err := time.LoadLocation(c.Timezone)
		if err != nil {
			return nil, fmt.Errorf("%w %q", ErrBadTimezone, c.Timezone)
		}
		win.loc = loc
	}
	oneOff := !c.Start.IsZero() || !c.End.IsZero()
	recurring := c.Cron != "" || c.At != "" || len(c.Weekdays) > 0
	var err error
	switch {
	case oneOff && recurring:
		err = ErrTwoKinds
	case oneOff && (c.Start.IsZero() || c.End.IsZero()):
		err = ErrNoSchedule
	case oneOff && !c.End.After(c.Start):
		err = ErrEndBefore
	case oneOff:
	case !recurring:
		err = ErrNoSchedule
	default:
		err = win.compileRecurring(c)
	}
	if err != nil {
		return nil, err
	}
	return win, nil
}

// set returns the names as a set; nil when there are none.
func set(names []string) map[string]bool {
	if len(names) == 0 {
		return nil
	}
	s := make(map[string]bool, len(names))
	for _, n := range names {
		s[n] = true
	}
	return s
}

// compileRecurring sets the schedule of a recurring window: a cron line,
// or weekdays at a time.
func (win *window) compileRecurring(c *Config) error {
	if c.Duration <= 0 {
		return ErrNoDuration
	}
	if c.Cron == "" {
		if c.At == "" {
			return fmt.Errorf("weekdays: %w", ErrBadTime)
		}
		s, err := weekly(c.Weekdays, c.At)
		if err != nil {
			return err
		}
		win.sched = s
		return nil
	}
	if c.At != "" || len(c.Weekdays) > 0 {
		return ErrCronAndAt
	}
	s, loc, err := parseCron(c.Cron)
	if err != nil {
		return fmt.Errorf("cron: %w", err)
	}
	if loc != nil {
		if c.Timezone != "" && loc.String() != win.loc.String() {
			return fmt.Errorf("cron names zone %s but timezone is %s", loc, win.loc)
		}
		win.loc = loc
	}
	win.sched = s
	return nil
}

// Active returns the name of a window in force for m at t: a configured
// window first, then an ad-hoc one (named AdhocName).
func (w *Windows) Active(m *monitor.Monitor, t time.Time) (name string, ok bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, win := range w.wins {
		if win.applies(m) && win.active(t) {
			return win.name, true
		}
	}
	if until, ok := w.adhoc[m.Name]; ok && t.Before(until) {
		return AdhocName, true
	}
	if until, ok := w.adhoc[""]; ok && t.Before(until) {
		return AdhocName, true
	}
	return "", false
}

// Add starts (or extends, or shortens) an ad-hoc window for one monitor
// that lasts until the given time. An empty monitor name covers every
// monitor. There is at most one ad-hoc window per monitor, so the set
// stays as small as the list of monitors.
func (w *Windows) Add(name string, until time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.adhoc[name] = until
}

// Cancel ends the ad-hoc window of a monitor ("" for the one covering
// every monitor). It reports whether there was one.
func (w *Windows) Cancel(name string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.adhoc[name]
	delete(w.adhoc, name)
	return ok
}

// Adhoc returns the ad-hoc windows still open at t: monitor name ("" for
// all monitors) → end.
func (w *Windows) Adhoc(t time.Time) map[string]time.Time {
	w.mu.RLock()
	defer w.mu.RUnlock()
	out := make(map[string]time.Time, len(w.adhoc))
	for k, u := range w.adhoc {
		if t.Before(u) {
			out[k] = u
		}
	}
	return out
}

// applies reports whether the window selects m.
func (win *window) applies(m *monitor.Monitor) bool {
	if win.monitors == nil && win.tags == nil {
		return true
	}
	if win.monitors[m.Name] {
		return true
	}
	for _, t := range m.Tags {
		if win.tags[t] {
			return true
		}
	}
	return false
}

// active reports whether the window is open at t.
func (win *window) active(t time.Time) bool {
	if win.sched == nil {
		return !t.Before(win.start) && t.Before(win.end)
	}
	st, ok := win.sched.latestStart(t, win.dur, win.loc)
	return ok && t.Before(st.Add(win.dur))
}
