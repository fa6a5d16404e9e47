package main

import (
	"fmt"
	"os/user"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source/local"
)

// The history keeps notes, acknowledgements with their reasons and the
// delivery of each alert, for `upbeat incident show`.
var _ engine.NoteStore = (*history.DB)(nil)

// undelivered holds the channels configured now, for the delivery
// warnings: a channel that a reload removed never delivers again to clear
// its warning, so the reload clears it, and a late report from it is not
// taken up. (The engine's warnings are the record of which are in force;
// clearing one that is not is nothing.)
type undelivered struct {
	mu       sync.Mutex
	channels map[string]bool
}

// warnUndelivered keeps a daemon warning (status's !N, /healthz, the
// dashboard's header) for a channel whose last attempt failed, from the
// first failed attempt until the channel delivers a message again: a page
// that does not arrive must not pass unnoticed in the log alone, for
// the minutes its retries take either. The warning says whether the
// message is retried (it is, until the channel works again: see
// engine/alert/kept.go) or was given up on, and the error. Its text does
// not change with each attempt of one message, so that viewers are not
// told of it again every time.
func (rt *runtime) warnUndelivered(a *monitor.AlertEvent) {
	if a == nil || !a.OK && !a.GaveUp && a.Attempts == 0 {
		return // dropped unsent at shutdown: nothing to warn of
	}
	u := &rt.undelivered
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.channels[a.Channel] {
		return // a test of a channel being set up, or one a reload removed
	}
	key := "delivery:" + a.Channel
	var what, then string
	switch {
	case a.OK:
		rt.eng.Warn(key, "")
		return
	case !a.GaveUp:
		what, then = "failing", "retrying %q, not delivered yet"
	case a.Attempts == 0:
		what, then = "dropped a message", "%q not delivered"
	default:
		what = fmt.Sprintf("gave up after %d attempt%s", a.Attempts, map[bool]string{true: "s"}[a.Attempts > 1])
		then = "%q not delivered"
	}
	// The cause before the message: where a line is cut (the dashboard's
	// header at 80 columns), it is what the on-call needs to see.
	rt.eng.Warn(key, fmt.Sprintf("alert %q %s: %s; "+then, a.Channel, what, engine.Sanitize(a.Error, 160), a.Subject))
}

// setChannels tells the delivery warnings which channels cfg has, and
// clears the warnings of those it no longer has.
func (rt *runtime) setChannels(cfg *config.Config) {
	u := &rt.undelivered
	u.mu.Lock()
	defer u.mu.Unlock()
	next := map[string]bool{}
	for _, a := range cfg.Alerts {
		next[a.Name] = true
	}
	for ch := range u.channels {
		if !next[ch] {
			rt.eng.Warn("delivery:"+ch, "")
		}
	}
	u.channels = next
}

// keepDelivery records the outcome of an alert's message in history as a
// note of each monitor the message was about, for the timeline of
// `upbeat incident show`: one note a message, delivered (on which
// attempt) or given up on (after how many, and why). A failed attempt
// that is retried is not kept: six notes for one message read as six
// alerts. A message dropped unsent (Attempts 0) is kept. A test message
// (about no monitor) is not kept.
func (rt *runtime) keepDelivery(ev monitor.Event) {
	if rt.store == nil || ev.Alert == nil || !finalOutcome(ev.Alert) {
		return
	}
	a := ev.Alert
	names := a.Monitors
	if len(names) == 0 && ev.Monitor != "" {
		names = []string{ev.Monitor}
	}
	text := engine.Sanitize(a.Subject+deliveryOutcome(a), monitor.MaxNoteLen)
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

// finalOutcome reports whether a delivery event is a message's last word:
// delivered, given up on, or dropped without an attempt.
func finalOutcome(a *monitor.AlertEvent) bool { return a.OK || a.GaveUp || a.Attempts == 0 }

// deliveryOutcome is what a delivery note adds to the subject: " (on
// attempt 3)", " (after 6 attempts: HTTP 501)", " (queue full: message
// dropped)", or nothing for a message delivered at once.
func deliveryOutcome(a *monitor.AlertEvent) string {
	var out string
	switch {
	case a.OK && a.Attempts > 1:
		out = "on attempt " + strconv.Itoa(a.Attempts)
	case !a.OK && a.Attempts > 1:
		out = "after " + strconv.Itoa(a.Attempts) + " attempts"
	}
	if !a.OK && a.Error != "" {
		if out != "" {
			out += ": "
		}
		out += a.Error
	}
	if out == "" {
		return ""
	}
	return " (" + out + ")"
}

// resolveLate sends the resolve of a monitor's incident that ended just
// before this start when the history shows that its people were told it
// was down and never told it was up: upbeat died (kill -9, a crash, a
// power cut) while the resolve was held (ResolveHold), waited for a
// flapping monitor to settle (FlapQuiet), or was about to go out.
// A graceful stop sends these itself (alert.Dispatcher.Close), and
// the delivery of each is kept as a note, so a resolve is never sent twice.
//
// History knows outages, not incidents: a flapping monitor leaves one
// outage per time it went down, and its people were told at the first.
// Outages less than IncidentGap apart are joined into the one incident the
// policy made of them.
//
// Deliveries are told apart by time: one at or after the incident's end is
// taken for its resolve; one between its start and its end told its
// people it was down. A channel that failed every attempt told nobody.
//
// last is the monitor's latest result as the engine restored it: the
// resolve is about it (nil: none known).
func (rt *runtime) resolveLate(name string, last *monitor.Result, now time.Time) {
	d := rt.alerts.Current()
	// First only the last few minutes, as for every monitor at each start:
	// the whole retention is read only for one that has an outage ending
	// there, to join the outages before it.
	recent, err := rt.store.Incidents(name, now.Add(-d.LateResolveWindow()), now)
	if err != nil || len(recent) == 0 || recent[len(recent)-1].End.IsZero() {
		return
	}
	incs, err := rt.store.Incidents(name, now.Add(-rt.retention()), now)
	if err != nil || len(incs) == 0 {
		return
	}
	in := joinOutages(incs, d.IncidentGap()) // history joined those a window split, however long
	if in.End.IsZero() || now.Sub(in.End) > d.LateResolveWindow() {
		return
	}
	notes, err := rt.store.Notes(name, in.Start, now.Add(time.Hour))
	if err != nil {
		rt.log.Warn("could not read the history's notes: a resolve may be missing", "monitor", name, "err", err)
		return
	}
	told, resolved := false, false
	for _, n := range notes {
		if n.Kind != monitor.NoteAlert || !n.OK {
			continue
		}
		if n.Time.Before(in.End) {
			told = true
		} else {
			resolved = true
		}
	}
	if !told || resolved {
		return
	}
	one := []monitor.Incident{in}
	local.AttachNotes(one, notes) // the resolve carries the incident's notes
	d.ResolveLate(name, one[0], last)
}

// joinOutages returns the last of a monitor's outages (oldest first) joined
// with those before it that ended less than gap before the next began:
// from the first one's start to the last one's end, with every code and
// class seen.
func joinOutages(incs []monitor.Incident, gap time.Duration) monitor.Incident {
	in := incs[len(incs)-1]
	in.Codes, in.Classes = slices.Clone(in.Codes), slices.Clone(in.Classes)
	for i := len(incs) - 2; i >= 0; i-- {
		prev := incs[i]
		if prev.End.IsZero() || in.Start.Sub(prev.End) >= gap {
			break
		}
		in.Start = prev.Start
		addSeen(&in, prev.Codes, prev.Classes)
	}
	return in
}

// addSeen adds to an incident's codes and classes those it lacks.
func addSeen(in *monitor.Incident, codes []int, classes []string) {
	for _, c := range codes {
		if !slices.Contains(in.Codes, c) {
			in.Codes = append(in.Codes, c)
		}
	}
	for _, c := range classes {
		if !slices.Contains(in.Classes, c) {
			in.Classes = append(in.Classes, c)
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
