package engine

import (
	"log/slog"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Control is what a person decided about one monitor.
type Control struct {
	Paused     bool      `json:"paused,omitempty"`
	MaintUntil time.Time `json:"maint_until,omitempty"`
}

// ControlStore keeps Controls across restarts.
type ControlStore interface {
	// LoadControls returns the decisions saved last, by monitor name.
	LoadControls() (map[string]Control, error)
	// SaveControls replaces the saved decisions.
	SaveControls(map[string]Control) error
}

// controls carries out what people decide about monitors (check now,
// pause, acknowledge, maintenance for a while) and keeps the lasting
// decisions across restarts.
type controls struct {
	states *states
	sched  *scheduler
	store  ControlStore // nil: decisions last as long as the process
	acker  Acker        // nil: the notifier takes no acknowledgements
	// notes keeps notes and acknowledgements (nil: they last as long as
	// the process); annotator is told of them (nil: messages do not
	// carry them); publish hands them to viewers.
	notes     NoteStore
	annotator Annotator
	publish   func(ev monitor.Event)
	now       func() time.Time
	log       *slog.Logger
	warn      func(key, msg string)
	// changed announces a status change a person caused.
	changed func(ev *monitor.Event)
	// stopped records that a monitor is no longer watched.
	stopped func(en *entry, why string)
}

// load applies the decisions saved by the last run to the entries, which
// are not shared yet.
func (c *controls) load(entries map[string]*entry) {
	if c.store == nil {
		return
	}
	saved, err := c.store.LoadControls()
	if err != nil {
		c.log.Warn("pauses and maintenance from the last run are lost", "err", err)
	}
	now := c.now()
	for name, ctl := range saved {
		en, ok := entries[name]
		if !ok {
			continue
		}
		if ctl.Paused {
			since := now
			if en.state.Last.StoppedByPause() { // history has the pause: paused since then, not since this start
				since = en.state.Last.Time
			}
			en.state.Paused, en.state.Status, en.state.Since = true, monitor.StatusPaused, since
			en.off = true
		}
		if ctl.MaintUntil.After(now) {
			en.adhoc = ctl.MaintUntil
		}
	}
}

// save writes every monitor's pause and ad-hoc window. It is called
// without locks held: it may touch the disk.
func (c *controls) save() {
	if c.store == nil {
		return
	}
	now := c.now()
	out := make(map[string]Control)
	c.states.each(func(en *entry) {
		ctl := Control{Paused: en.state.Paused}
		if en.adhoc.After(now) {
			ctl.MaintUntil = en.adhoc.Round(0) // wall clock only: it must survive a restart
		}
		if ctl != (Control{}) {
			out[en.m.Name] = ctl
		}
	})
	if err := c.store.SaveControls(out); err != nil {
		c.log.Warn("could not save pauses and maintenance", "err", err)
		c.warn("controls", "pauses and maintenance are not saved: "+Sanitize(err.Error(), 120))
		return
	}
	c.warn("controls", "")
}

// checkNow checks a monitor as soon as a slot is free.
func (c *controls) checkNow(name string) error {
	return c.states.with(name, c.sched.soon)
}

// setPaused pauses a monitor (no checks, no alerts) or resumes it.
func (c *controls) setPaused(name string, paused bool) error {
	var ev *monitor.Event
	var en *entry
	err := c.states.with(name, func(x *entry) {
		if x.state.Paused == paused {
			return
		}
		en = x
		en.state.Paused = paused
		if paused {
			c.sched.stop(en)
			ev = setStatusLocked(en, monitor.StatusPaused, c.now(), nil)
		} else {
			c.sched.resume(en)
			ev = setStatusLocked(en, monitor.StatusPending, c.now(), nil)
		}
	})
	if err != nil || en == nil {
		return err
	}
	if paused {
		c.stopped(en, monitor.StoppedPaused)
	}
	c.changed(ev)
	c.save()
	return nil
}

// ack acknowledges a monitor's open incident without a reason: no
// reminders until it resolves. A monitor that is not down has nothing to
// acknowledge, and nothing is kept for its next incident.
func (c *controls) ack(name string) error {
	_, err := c.addNote(name, monitor.Note{Kind: monitor.NoteAck})
	return err
}

// maintain puts a monitor in maintenance for d from now (0 ends it) and
// checks it at once, so that its status says so.
func (c *controls) maintain(name string, d time.Duration) error {
	err := c.states.with(name, func(en *entry) {
		en.adhoc = time.Time{}
		if d > 0 {
			en.adhoc = c.now().Add(d)
		}
		c.sched.soon(en)
	})
	if err != nil {
		return err
	}
	c.save()
	return nil
}
