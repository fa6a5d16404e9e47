package store

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// ErrNoSuchIncident: no incident on record has the ID asked for.
var ErrNoSuchIncident = errors.New("no incident with that ID")

// ErrAmbiguousIncident: an ID prefix matches several incidents.
var ErrAmbiguousIncident = errors.New("the ID matches several incidents")

// incidentSlack is how far apart history and the alerting may put an
// incident's start (both take it from the result that opened it).
const incidentSlack = time.Second

// alertSlack is how long after an incident ended its resolve may still
// be delivered (a held resolve, retries); a channel that was failing may
// deliver later still (see lateDeliveries).
const alertSlack = 30 * time.Minute

// ListIncidents returns the incidents of the named monitors (every
// monitor on record when names is empty) that overlap [from, to), newest
// first, each with its notes.
func ListIncidents(h *history.DB, names []string, from, to time.Time) ([]monitor.Incident, error) {
	var out []monitor.Incident
	for _, info := range h.Monitors() {
		if len(names) > 0 && !slices.Contains(names, info.Name) {
			continue
		}
		ins, err := h.Incidents(info.Name, from, to)
		if err != nil {
			return nil, fmt.Errorf("incidents of %s: %w", info.Name, err)
		}
		if len(ins) == 0 {
			continue
		}
		notes, err := h.Notes(info.Name, ins[0].Start.Add(-incidentSlack), to.Add(alertSlack))
		if err != nil {
			return nil, err
		}
		monitor.AttachNotes(ins, peopleNotes(notes), incidentSlack)
		out = append(out, ins...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.After(out[j].Start) })
	return out, nil
}

// peopleNotes returns the notes people wrote (not alert deliveries).
func peopleNotes(ns []monitor.Note) []monitor.Note {
	return slices.DeleteFunc(slices.Clone(ns), func(n monitor.Note) bool { return n.Kind == monitor.NoteAlert })
}

// FindIncident returns the incident whose ID is id, or begins with it (at
// least 4 characters), among every incident on record.
func FindIncident(h *history.DB, id string, now time.Time) (monitor.Incident, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) < 4 {
		return monitor.Incident{}, fmt.Errorf("%w: %q (an ID has 8 characters; give at least 4)", ErrNoSuchIncident, id)
	}
	var found []monitor.Incident
	for _, info := range h.Monitors() {
		ins, err := h.Incidents(info.Name, info.First.Add(-time.Second), now.Add(time.Second))
		if err != nil {
			return monitor.Incident{}, fmt.Errorf("incidents of %s: %w", info.Name, err)
		}
		for _, in := range ins {
			if strings.HasPrefix(in.ID(), id) {
				found = append(found, in)
			}
		}
	}
	switch len(found) {
	case 0:
		return monitor.Incident{}, fmt.Errorf("%w: %s", ErrNoSuchIncident, id)
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i := range found {
		ids[i] = found[i].ID() + " (" + found[i].Monitor + ")"
	}
	return monitor.Incident{}, fmt.Errorf("%w: %s", ErrAmbiguousIncident, strings.Join(ids, ", "))
}

// Postmortem is the story of one incident, from history: what failed and
// how, who was told, who acknowledged and what they wrote, when it ended
// and what it cost.
type Postmortem struct {
	Incident monitor.Incident // with its notes
	Now      time.Time        // when the postmortem was made: the end of an open incident
	// Duration runs from the first failure to the recovery, as the
	// resolve says; Downtime leaves out the incident's breaks (windows,
	// pauses), as upbeat report does, and is what the cost is of.
	Duration    time.Duration
	Downtime    time.Duration
	CostPerHour float64 // 0: no cost
	Cost        float64
	Checks      int // checks that failed during the incident
	Retried     int // of them, those that took more than one attempt
	Timeline    []TimelineEntry
	Seen        []Seen
	Alerts      []monitor.Note // deliveries, oldest first
}

// TimelineEntry is one line of a postmortem's timeline.
type TimelineEntry struct {
	Time time.Time
	Kind string // failed, changed, alert, ack, note, resolved, open
	Text string
	// Phases of the check the entry is about, when it has them.
	Phases *monitor.Phases
}

// Seen is one failure (a code and a class) seen during an incident.
type Seen struct {
	Code        int
	Class       string
	Error       string // the first error text with it
	Checks      int
	First, Last time.Time
	Phases      monitor.Phases // medians over its checks
}

// BuildPostmortem reads what history knows of an incident.
func BuildPostmortem(h *history.DB, in monitor.Incident, now time.Time, costPerHour float64) (*Postmortem, error) {
	end := in.End
	if end.IsZero() {
		end = now
	}
	pm := &Postmortem{Incident: in, Now: now, Duration: end.Sub(in.Start), Downtime: in.Downtime(in.Start, end),
		CostPerHour: costPerHour}
	pm.Cost = math.Round(pm.Downtime.Hours()*costPerHour*100) / 100
	rs, err := h.Results(in.Monitor, in.Start.Add(-incidentSlack), end.Add(time.Hour))
	if err != nil {
		return nil, fmt.Errorf("results of %s: %w", in.Monitor, err)
	}
	notes, err := h.Notes(in.Monitor, in.Start.Add(-incidentSlack), end.Add(alertSlack))
	if err != nil {
		return nil, err
	}
	if !in.End.IsZero() {
		late, err := lateDeliveries(h, in, notes, now)
		if err != nil {
			return nil, err
		}
		notes = append(notes, late...)
	}
	pm.breaks() // first: a window that ends reads before what failed after it
	pm.failures(rs, end)
	pm.resolve(rs)
	pm.Alerts = foldAttempts(notes)
	for _, n := range pm.Alerts {
		pm.add(TimelineEntry{Time: n.Time, Kind: "alert", Text: alertLine(n)})
	}
	pm.Incident.Notes = in.NotesDuring(peopleNotes(notes), incidentSlack)
	for _, n := range pm.Incident.Notes {
		pm.add(TimelineEntry{Time: n.Time, Kind: n.Kind.String(), Text: noteLine(n)})
	}
	sort.SliceStable(pm.Timeline, func(i, j int) bool { return pm.Timeline[i].Time.Before(pm.Timeline[j].Time) })
	return pm, nil
}

func (pm *Postmortem) add(e TimelineEntry) { pm.Timeline = append(pm.Timeline, e) }

// failures walks the failed checks of the incident: the first one, each
// change of what failed, and what was seen.
func (pm *Postmortem) failures(rs []monitor.Result, end time.Time) {
	type key struct {
		code  int
		class string
	}
	seen := map[key]*Seen{}
	phases := map[key][]monitor.Phases{}
	var order []key
	var prev *key
	for i := range rs {
		r := &rs[i]
		if r.Time.After(end) || r.Status != monitor.StatusDown {
			continue
		}
		pm.Checks++
		if r.Attempts > 1 {
			pm.Retried++
		}
		k := key{r.Code, r.Class}
		s, ok := seen[k]
		if !ok {
			s = &Seen{Code: r.Code, Class: r.Class, Error: r.Error, First: r.Time}
			seen[k] = s
			order = append(order, k)
		}
		s.Checks++
		s.Last = r.Time
		phases[k] = append(phases[k], r.Phases)
		if prev == nil || *prev != k {
			kind, text := "changed", "now failing: "+failureText(r)
			if prev == nil {
				kind, text = "failed", "first failed check: "+failureText(r)
			}
			ph := r.Phases
			pm.add(TimelineEntry{Time: r.Time, Kind: kind, Text: text, Phases: &ph})
			prev = &k
		}
	}
	for _, k := range order {
		s := seen[k]
		s.Phases = medianPhases(phases[k])
		pm.Seen = append(pm.Seen, *s)
	}
}

// breaks adds when each window or pause in the incident began, and when
// it ended with the monitor still down.
func (pm *Postmortem) breaks() {
	in := &pm.Incident
	for i, b := range in.Breaks {
		kind, began, ended := breakWords(b)
		pm.add(TimelineEntry{Time: b.Start, Kind: kind, Text: began + ": no alerts, no checks counted; the incident goes on"})
		next := i+1 < len(in.Breaks) && in.Breaks[i+1].Start.Equal(b.End)
		if !b.End.IsZero() && !b.End.Equal(in.End) && !next {
			pm.add(TimelineEntry{Time: b.End, Kind: kind, Text: ended + ": still down, the same incident"})
		}
	}
}

// breakWords names a break: its timeline kind, and how its start and end
// read.
func breakWords(b monitor.Break) (kind, began, ended string) {
	switch {
	case b.Status == monitor.StatusMaintenance:
		return "maintenance", "a maintenance window began", "the window ended"
	case b.Stalled:
		return "stalled", "upbeat itself stalled", "upbeat ran again"
	case b.Status == monitor.StatusPaused:
		return "paused", "paused", "resumed"
	}
	return "pending", "not checked", "checked again"
}

// resolve adds the end of the incident: the first good check after it,
// that it is still open, or that it was paused while down.
func (pm *Postmortem) resolve(rs []monitor.Result) {
	in := &pm.Incident
	switch {
	case in.End.IsZero() && in.InWindow():
		pm.add(TimelineEntry{Time: pm.Now, Kind: "open", Text: "still open after " + fmtDuration(pm.Duration) +
			", in a maintenance window: still down when it ends, the incident goes on"})
		return
	case in.End.IsZero():
		pm.add(TimelineEntry{Time: pm.Now, Kind: "open", Text: "still down after " + fmtDuration(pm.Duration)})
		return
	case in.Paused:
		pm.add(TimelineEntry{Time: in.End, Kind: "paused", Text: "paused after " + fmtDuration(pm.Duration) +
			" while down, not checked since: no recovery seen (resumed, the monitor carries this incident on)"})
		return
	}
	text := "resolved after " + fmtDuration(pm.Duration)
	if len(in.Breaks) > 0 {
		text += ", across " + breaksText(in.Breaks)
	}
	for i := range rs {
		r := &rs[i]
		if !r.Time.Before(in.End) && r.Status != monitor.StatusDown {
			text += ": " + r.Status.String()
			if r.Code != 0 {
				text += ", " + strconv.Itoa(r.Code)
			}
			if r.Latency > 0 {
				text += " in " + humanize.Latency(r.Latency)
			}
			break
		}
	}
	pm.add(TimelineEntry{Time: in.End, Kind: "resolved", Text: text})
}

// breaksText names an incident's breaks: "a maintenance window", "2
// maintenance windows and a pause".
func breaksText(bs []monitor.Break) string {
	counts := map[string]int{}
	var order []string
	for _, b := range bs {
		kind, _, _ := breakWords(b)
		if counts[kind] == 0 {
			order = append(order, kind)
		}
		counts[kind]++
	}
	one := map[string][2]string{"maintenance": {"a maintenance window", "maintenance windows"},
		"paused": {"a pause", "pauses"}, "stalled": {"a stall of upbeat", "stalls of upbeat"}, "pending": {"a time unchecked", "times unchecked"}}
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = one[k][0]
		if n := counts[k]; n > 1 {
			parts[i] = strconv.Itoa(n) + " " + one[k][1]
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// failureText says what a failed check found: "502 (http_502) after 3
// attempts: bad gateway".
func failureText(r *monitor.Result) string {
	var parts []string
	if r.Code != 0 {
		parts = append(parts, strconv.Itoa(r.Code))
	}
	switch {
	case r.Class != "" && r.Code != 0:
		parts = append(parts, "("+r.Class+")")
	case r.Class != "": // no code to explain: the class alone
		parts = append(parts, r.Class)
	}
	s := strings.Join(parts, " ")
	if s == "" {
		s = "down"
	}
	if r.Attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", r.Attempts)
	}
	if r.Error != "" {
		s += ": " + r.Error
	}
	return s
}

// noteLine is a person's note in words.
func noteLine(n monitor.Note) string {
	who := n.Author
	if who == "" {
		who = "someone"
	}
	if n.Kind == monitor.NoteAck {
		if n.Text == "" {
			return who + " acknowledged"
		}
		return who + " acknowledged: " + n.Text
	}
	return who + " noted: " + n.Text
}

// lateDeliveries returns the deliveries of a resolved incident's messages
// that went out after alertSlack: a channel that fails keeps a message
// until it works again (engine/alert/kept.go), however long that takes.
// They are the alert notes, after notes (the incident's, up to the
// slack), of each channel whose last delivery there failed, up to its
// first success, and before the monitor's next incident began: what
// follows is about that one.
func lateDeliveries(h *history.DB, in monitor.Incident, notes []monitor.Note, now time.Time) ([]monitor.Note, error) {
	failing := map[string]bool{}
	for _, n := range notes {
		if n.Kind == monitor.NoteAlert {
			failing[n.Author] = !n.OK
		}
	}
	if !slices.Contains(slices.Collect(maps.Values(failing)), true) {
		return nil, nil
	}
	from, to := in.End.Add(alertSlack), now
	next, err := h.Incidents(in.Monitor, from, now)
	if err != nil {
		return nil, fmt.Errorf("incidents of %s: %w", in.Monitor, err)
	}
	for _, x := range next {
		if x.Start.After(in.End) {
			to = x.Start
			break
		}
	}
	if !to.After(from) {
		return nil, nil
	}
	later, err := h.Notes(in.Monitor, from, to)
	if err != nil {
		return nil, err
	}
	var out []monitor.Note
	for _, n := range later {
		if n.Kind == monitor.NoteAlert && failing[n.Author] {
			out = append(out, n)
			failing[n.Author] = !n.OK
		}
	}
	return out, nil
}

// foldAttempts returns the alert deliveries among notes, one a message.
// Upbeat now keeps one note a message (its outcome), but a history
// written before kept every failed attempt: a run of failed notes of one
// channel with the same text is one message retried, shown once, at its
// first attempt, with how many attempts failed.
func foldAttempts(notes []monitor.Note) []monitor.Note {
	var out []monitor.Note
	last := map[string]int{} // by channel: the index in out of its latest note
	count := map[int]int{}   // by index in out: the failed attempts folded into it
	for _, n := range notes {
		if n.Kind != monitor.NoteAlert {
			continue
		}
		if i, ok := last[n.Author]; ok && !n.OK && !out[i].OK && out[i].Text == n.Text {
			count[i]++
			continue
		}
		last[n.Author] = len(out)
		count[len(out)] = 1
		out = append(out, n)
	}
	for i, c := range count {
		if c > 1 {
			out[i].Text += fmt.Sprintf(" (%d attempts)", c)
		}
	}
	return out
}

// alertLine is an alert's delivery in words.
func alertLine(n monitor.Note) string {
	if n.OK {
		return "alert " + n.Author + " delivered: " + n.Text
	}
	return "alert " + n.Author + " FAILED: " + n.Text
}

// medianPhases returns the median of each phase.
func medianPhases(ps []monitor.Phases) monitor.Phases {
	med := func(get func(*monitor.Phases) time.Duration) time.Duration {
		v := make([]time.Duration, len(ps))
		for i := range ps {
			v[i] = get(&ps[i])
		}
		slices.Sort(v)
		if len(v) == 0 {
			return 0
		}
		return v[len(v)/2]
	}
	return monitor.Phases{
		DNS:       med(func(p *monitor.Phases) time.Duration { return p.DNS }),
		Connect:   med(func(p *monitor.Phases) time.Duration { return p.Connect }),
		TLS:       med(func(p *monitor.Phases) time.Duration { return p.TLS }),
		FirstByte: med(func(p *monitor.Phases) time.Duration { return p.FirstByte }),
		Transfer:  med(func(p *monitor.Phases) time.Duration { return p.Transfer }),
	}
}

// PhasesText is a check's phases in words, the zero ones left out: "dns
// 3ms · connect 10ms · first byte 1.2s"; "" when it has none.
func PhasesText(p monitor.Phases) string {
	var parts []string
	for _, x := range []struct {
		name string
		d    time.Duration
	}{{"dns", p.DNS}, {"connect", p.Connect}, {"tls", p.TLS}, {"first byte", p.FirstByte}, {"transfer", p.Transfer}} {
		if x.d > 0 {
			parts = append(parts, x.name+" "+humanize.Latency(x.d))
		}
	}
	return strings.Join(parts, " · ")
}

// fmtDuration is a duration to the second, in words a person reads:
// "12m", "1h 4m", "2d 3h".
func fmtDuration(d time.Duration) string {
	d = d.Truncate(time.Second) // as the report and the dashboard count: 72.6s is 1m 12s everywhere
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		m, s := int(d.Minutes()), int(d.Seconds())%60
		if s == 0 {
			return strconv.Itoa(m) + "m"
		}
		return fmt.Sprintf("%dm %ds", m, s)
	case d < 48*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return strconv.Itoa(h) + "h"
		}
		return fmt.Sprintf("%dh %dm", h, m)
	}
	days, h := int(d.Hours())/24, int(d.Hours())%24
	return fmt.Sprintf("%dd %dh", days, h)
}
