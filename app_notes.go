package main

import (
	"os/user"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The history keeps notes, acknowledgements with their reasons and the
// delivery of each alert, for `upbeat incident show`.
var _ engine.NoteStore = (*history.DB)(nil)

// keepDelivery records an alert's delivery (or its failure) in history as
// a note of each monitor the message was about, for the timeline of
// `upbeat incident show`. A test message (about no monitor) is not kept.
func (rt *runtime) keepDelivery(ev monitor.Event) {
	if rt.store == nil || ev.Alert == nil {
		return
	}
	a := ev.Alert
	names := a.Monitors
	if len(names) == 0 && ev.Monitor != "" {
		names = []string{ev.Monitor}
	}
	text := a.Subject
	if !a.OK && a.Error != "" {
		text += " (" + a.Error + ")"
	}
	text = engine.Sanitize(text, monitor.MaxNoteLen)
	for _, name := range names {
		at := ev.Time
		if at.IsZero() {
			at = time.Now()
		}
		n := monitor.Note{Monitor: name, Time: at.Round(0), Kind: monitor.NoteAlert, Author: a.Channel, Text: text, OK: a.OK}
		if err := rt.store.AddNote(&n); err != nil {
			rt.log.Warn("could not keep an alert's delivery in history", "monitor", name, "err", err)
		}
	}
}

// localUser is who notes typed in this dashboard are from: $UPBEAT_USER,
// else the login name, else $USER.
func localUser(e *env) string {
	if u := e.getenv("UPBEAT_USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return e.getenv("USER")
}
