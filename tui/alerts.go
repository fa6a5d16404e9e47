package tui

import (
	"slices"
	"strconv"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// What the detail view keeps and shows of the alerts sent.
const (
	alertCap    = 10 // deliveries kept per monitor
	maxErrLines = 3  // lines of a failed delivery's error, at most
)

// sentAlert is one alert delivery, as the detail view lists it.
type sentAlert struct {
	time     time.Time
	location string // where it was sent from, when several daemons are merged
	alert    monitor.AlertEvent
}

// retryOf reports whether a is a later attempt at the delivery that p
// reported as failed: the same message through the same channel.
func (a *sentAlert) retryOf(p *sentAlert) bool {
	return !p.alert.OK && p.alert.Attempts > 0 && a.alert.Attempts > p.alert.Attempts &&
		a.location == p.location && a.alert.Channel == p.alert.Channel &&
		a.alert.Kind == p.alert.Kind && a.alert.Subject == p.alert.Subject
}

// alertLog keeps the latest alert deliveries about each monitor, oldest
// first, since the dashboard started. The engine reports every attempt;
// a retry replaces the failed attempt before it, so that a delivery takes
// one line however often it was tried.
type alertLog map[string][]sentAlert

// add records an alert event under every monitor it is about (a grouped
// message is about several) and returns their names.
func (l alertLog) add(ev *source.Event) []string {
	if ev.Kind != monitor.EventAlert || ev.Alert == nil {
		return nil
	}
	var names []string
	if ev.Monitor != "" {
		names = append(names, ev.Monitor)
	}
	for _, n := range ev.Alert.Monitors {
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	sa := sentAlert{time: ev.Time, location: ev.Location, alert: *ev.Alert}
	sa.alert.Monitors = nil // the key says which monitor; the list may be long
	for _, n := range names {
		list := l[n]
		for i := len(list) - 1; i >= 0; i-- {
			if sa.retryOf(&list[i]) {
				list = slices.Delete(list, i, i+1)
				break
			}
		}
		// by time, after any of the same time; events nearly always come in order
		i := len(list)
		for i > 0 && list[i-1].time.After(sa.time) {
			i--
		}
		list = slices.Insert(list, i, sa)
		if len(list) > alertCap {
			list = slices.Delete(list, 0, len(list)-alertCap)
		}
		l[n] = list
	}
	return names
}

// AddEvents records the alert deliveries among evs for the monitors they
// are about: the view of each lists its latest ones.
func (d *Detail) AddEvents(evs []source.Event) {
	for i := range evs {
		if evs[i].Kind != monitor.EventAlert {
			continue
		}
		if d.sent == nil {
			d.sent = alertLog{}
		}
		names := d.sent.add(&evs[i])
		if d.st.Monitor != nil && slices.Contains(names, d.st.Monitor.Name) {
			d.drawn.clear()
		}
	}
}

// alerts lists the alerts sent about the monitor, newest first: when,
// through which channel, what, and whether it arrived. A failure gets a
// line or more with the number of attempts and the (redacted) error.
func (d *Detail) alerts(w int) []string {
	s := d.sty
	list := d.sent[d.st.Monitor.Name]
	if len(list) == 0 {
		return []string{s.Dim.Render("no alert sent for this monitor since the dashboard started")}
	}
	loc := d.now.Location()
	y, m, day := d.now.Date()
	stamp := func(t time.Time) string {
		t = t.In(loc)
		if ty, tm, td := t.Date(); ty == y && tm == m && td == day {
			return t.Format("15:04:05")
		}
		return t.Format("Jan 02 15:04")
	}
	tw := 0
	for i := range list {
		tw = max(tw, width(stamp(list[i].time)))
	}
	indent := spaces(tw + 3) // under the channel
	out := make([]string, 0, 2*len(list))
	for i := len(list) - 1; i >= 0; i-- {
		sa := &list[i]
		a := &sa.alert
		what := ""
		if sa.location != "" {
			what = clean(sa.location) + ": "
		}
		what += clean(a.Channel)
		if a.Kind != "" {
			what += " (" + clean(a.Kind) + ")"
		}
		head := s.Dim.Render(fit(stamp(sa.time), tw)) + " "
		subject := clean(a.Subject)
		if a.OK {
			line := head + s.Good.Render("✓") + " " + what + "  " + s.Good.Render("sent")
			if a.Attempts > 1 {
				line += s.Dim.Render(" (attempt " + strconv.Itoa(a.Attempts) + ")")
			}
			if subject != "" {
				line += " · " + subject
			}
			out = append(out, trunc(line, w))
			continue
		}
		line := head + s.Bad.Render("✕") + " " + what
		if subject != "" {
			line += "  " + subject
		}
		out = append(out, trunc(line, w))
		why := "not sent"
		switch {
		case a.Attempts == 1:
			why = "failed after 1 attempt"
		case a.Attempts > 1:
			why = "failed after " + strconv.Itoa(a.Attempts) + " attempts"
		}
		if e := clean(a.Error); e != "" {
			why += ": " + e
		}
		parts := wrap(why, w-len(indent))
		if len(parts) > maxErrLines {
			parts = parts[:maxErrLines]
			parts[maxErrLines-1] = trunc(parts[maxErrLines-1]+" …", w-len(indent))
		}
		for _, p := range parts {
			out = append(out, indent+s.Bad.Render(p))
		}
	}
	return out
}
