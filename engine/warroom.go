package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Defaults of a war room ([settings] war_room_interval and war_room_duration).
const (
	DefaultWarRoomInterval = 5 * time.Second
	DefaultWarRoomDuration = 15 * time.Minute
)

// ErrPaused: a paused monitor is not checked, so it cannot have a war room.
var ErrPaused = source.ErrPaused

// WarRoom checks the named monitor every war_room_interval for d from now
// (0: for war_room_duration), starting at once; a negative d ends the war
// room in force, and a new one replaces it. Its results are recorded as every other; the start
// and the end are published as EventWarRoom, and the monitor's state
// carries the war room's figures meanwhile.
func (e *Engine) WarRoom(name string, d time.Duration) error {
	if d < 0 {
		if _, ok := e.states.get(name); !ok {
			return fmt.Errorf("%w: %s", ErrNoMonitor, name)
		}
		return e.endWarRoom(name, time.Time{}, "ended by request")
	}
	set := e.states.config().Settings
	if d == 0 {
		d = set.WarRoomDuration
	}
	if d <= 0 {
		d = DefaultWarRoomDuration
	}
	every := set.WarRoomInterval
	if every <= 0 {
		every = DefaultWarRoomInterval
	}
	now := e.now()
	var ev *monitor.Event
	err := e.states.with(name, func(en *entry) {
		if en.state.Paused {
			return
		}
		every := every
		if iv := en.m.Interval; iv > 0 && iv < every {
			every = iv // a war room never checks less often than the monitor does anyway
		}
		if en.warEnd != nil {
			en.warEnd.Stop()
		}
		wr := monitor.WarRoom{Start: now, Until: now.Add(d), Every: every}
		en.state.WarRoom = wr
		en.warEnd = time.AfterFunc(d, func() { e.endWarRoom(name, wr.Start, "over") })
		e.sched.warRoom(en, every, wr.Until)
		ev = &monitor.Event{Kind: monitor.EventWarRoom, Time: now, Monitor: name,
			Message: fmt.Sprintf("war room on %s: checked every %s for %s", name, fmtDur(every), fmtDur(d))}
	})
	if err != nil {
		return err
	}
	if ev == nil {
		return fmt.Errorf("%w: %s (resume it first)", ErrPaused, name)
	}
	e.log.Info("war room started", "monitor", name, "every", every, "for", d)
	e.hub.publish(*ev)
	return nil
}

// endWarRoom ends the named monitor's war room, if it is the one that
// began at start (any one for a zero start), and publishes what it saw.
func (e *Engine) endWarRoom(name string, start time.Time, why string) error {
	var ev *monitor.Event
	err := e.states.with(name, func(en *entry) {
		wr := en.state.WarRoom
		if wr.Until.IsZero() || (!start.IsZero() && !wr.Start.Equal(start)) {
			return
		}
		if en.warEnd != nil {
			en.warEnd.Stop()
			en.warEnd = nil
		}
		en.state.WarRoom = monitor.WarRoom{}
		e.sched.warRoom(en, 0, time.Time{})
		now := e.now()
		ev = &monitor.Event{Kind: monitor.EventWarRoom, Time: now, Monitor: name, Clear: true,
			Message: fmt.Sprintf("war room on %s %s after %s: %s, %d failed",
				name, why, fmtDur(now.Sub(wr.Start)), humanize.Count(wr.Checks, "check", "checks"), wr.Failures)}
	})
	if err != nil || ev == nil {
		return err
	}
	e.log.Info("war room ended", "monitor", name, "why", why)
	e.hub.publish(*ev)
	return nil
}

// countWarRoom counts r toward en's war room, if one is in force. Called
// with the states' lock held.
func countWarRoom(en *entry, r *monitor.Result) {
	wr := &en.state.WarRoom
	if !wr.Active(r.Time) || r.Time.Before(wr.Start) || r.Stalled() {
		return
	}
	wr.Checks++
	if r.Failed() {
		wr.Failures++
	}
}

// fmtDur writes a duration as people read it: "5s", "15m", "1h30m".
func fmtDur(d time.Duration) string {
	d = d.Round(time.Second)
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// endWarRooms ends every war room in force, saying why: a war room is not
// kept across a restart, so the engine says so as it stops.
func (e *Engine) endWarRooms(why string) {
	var names []string
	e.states.each(func(en *entry) {
		if !en.state.WarRoom.Until.IsZero() {
			names = append(names, en.m.Name)
		}
	})
	for _, name := range names {
		e.endWarRoom(name, time.Time{}, why)
	}
}
