package history

import (
	"slices"
	"sort"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// incidentQuery answers from the transitions files: a monitor's status
// changes and the incidents they make. It reads the files of the months
// of the period a frame at a time and keeps only what it returns.
type incidentQuery struct {
	st    *state
	files *rollupFiles
}

// each calls fn with a monitor's transitions from the month of from on:
// those written, then those still in memory. The order is the files',
// which is by time within each hour written. It returns the snapshot the
// in-memory ones came from.
func (q *incidentQuery) each(monitor string, from time.Time, fn func(t *Transition)) (snapshot, error) {
	s := q.st.snapshot(monitor, hourOf(from.Unix()), needTrans)
	names, err := q.files.list(famTrans)
	if err != nil {
		return s, err
	}
	first := famFile(famTrans, from.Unix())
	for _, n := range names {
		if n < first {
			continue
		}
		err := q.files.walk(&s.marks, famTrans, n, func(p []byte) {
			d := &buf{b: p[1:]}
			if p[0] != recTransition || string(d.bytes(d.uvarint("monitor"), "monitor")) != monitor {
				return
			}
			if t, err := decodeTransition(p); err == nil {
				fn(t)
			}
		})
		if err != nil {
			return s, err
		}
	}
	for _, t := range s.trans {
		fn(t)
	}
	return s, nil
}

// transitions returns a monitor's status changes in [from, to), oldest
// first.
func (q *incidentQuery) transitions(monitor string, from, to time.Time) ([]Transition, error) {
	out := []Transition{}
	_, err := q.each(monitor, from, func(t *Transition) {
		if !t.Time.Before(from) && t.Time.Before(to) {
			out = append(out, *t)
		}
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// incidents returns a monitor's incidents that overlap [from, to), oldest
// first (see joiner). It reads the transitions from the month of from on,
// and further back while the first of them continues something older:
// an outage, or a window or pause that began in one, must be known from
// its start to get the start, and so the ID, its people were paged with.
func (q *incidentQuery) incidents(name string, from, to time.Time) ([]monitor.Incident, error) {
	read := monthOf(from)
	for {
		trans, s, err := q.sorted(name, read)
		if err != nil {
			return nil, err
		}
		if since, ok := continued(trans, s); ok && since.Before(read) {
			read = monthOf(since)
			continue
		}
		j := joiner{name: name}
		for i := range trans {
			j.add(&trans[i])
		}
		j.finish(s)
		var out []monitor.Incident
		for _, in := range j.out {
			if in.Start.Before(to) && (in.End.IsZero() || in.End.After(from)) {
				out = append(out, in)
			}
		}
		return out, nil
	}
}

// sorted returns a monitor's transitions from the month of from on,
// oldest first, and the snapshot of the monitor they end with.
func (q *incidentQuery) sorted(name string, from time.Time) ([]Transition, snapshot, error) {
	var out []Transition
	s, err := q.each(name, from, func(t *Transition) { out = append(out, *t) })
	if err != nil {
		return nil, s, err
	}
	// The files keep them by time within each hour written.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, s, nil
}

// continued returns when the status the first of trans changes from
// began, when that status may be part of an incident (down, or a break
// in one): what came before it decides where the incident starts. With no
// transitions, the same of the monitor's status now.
func continued(trans []Transition, s snapshot) (time.Time, bool) {
	if len(trans) > 0 {
		t := &trans[0]
		return t.Since, t.From == monitor.StatusDown || breaks(t.From)
	}
	if !s.known {
		return time.Time{}, false
	}
	return s.info.Since, s.info.Status == monitor.StatusDown || breaks(s.info.Status)
}

// monthOf returns the start of t's month (UTC): the transitions are kept
// in one file a month.
func monthOf(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// breaks reports whether a monitor in status s is not judged: in a
// maintenance window, paused (or stalled), or not checked yet. Such a
// status in the middle of an outage silences it without ending it: the
// alerting keeps the incident open across it, and so does history.
func breaks(s monitor.Status) bool {
	return s == monitor.StatusMaintenance || s == monitor.StatusPaused || s == monitor.StatusPending
}

// joiner makes incidents of a monitor's transitions, fed oldest first.
// An incident begins when the monitor goes down and ends when it is seen
// up (or degraded) again. A maintenance window, a pause or a stall in the
// middle is a break in it, not its end: down, then in a window, then down
// again when the window ended is one incident, as the alerting has it
// (one page, one resolve, one ID); down, then in a window, then up is one
// that ended when the window did. Only a recovery ends an incident; the
// one exception is a monitor paused (or removed) while down and never
// checked since, whose incident ends at the pause (Paused).
type joiner struct {
	name string
	cur  *monitor.Incident // the incident the monitor is in, down or in a break
	out  []monitor.Incident
}

func (j *joiner) add(t *Transition) {
	switch {
	case t.From == monitor.StatusDown:
		j.endStretch(t)
	case j.inBreak():
		j.endBreak(t)
	}
}

// endStretch: a stretch of downtime ends, in a recovery or a break.
func (j *joiner) endStretch(t *Transition) {
	if j.cur == nil {
		j.cur = &monitor.Incident{Monitor: j.name, Start: t.Since}
	}
	addSeen(j.cur, t.Codes, t.Classes)
	if breaks(t.To) {
		j.cur.Breaks = append(j.cur.Breaks, breakAt(t))
		return
	}
	j.cur.End = t.Time
	j.emit()
}

// endBreak: a break in an incident ends, down again (the incident goes
// on), in another break (a pause in a window), or up (it ended then).
func (j *joiner) endBreak(t *Transition) {
	j.cur.Breaks[len(j.cur.Breaks)-1].End = t.Time
	switch {
	case t.To == monitor.StatusDown:
	case breaks(t.To):
		j.cur.Breaks = append(j.cur.Breaks, breakAt(t))
	default:
		j.cur.End = t.Time
		j.emit()
	}
}

// finish adds the incident the monitor is in now, if any: open, down or
// in a window; or, paused since, ended at the pause.
func (j *joiner) finish(s snapshot) {
	if j.cur == nil {
		if s.known && s.info.Status == monitor.StatusDown {
			j.cur = &monitor.Incident{Monitor: j.name, Start: s.info.Since}
		} else {
			return
		}
	}
	if j.inBreak() {
		if last := j.cur.Breaks[len(j.cur.Breaks)-1]; last.Status == monitor.StatusPaused {
			// Paused is a monitor nobody watches any more (or one removed):
			// the incident ends here, or it would run on in every report.
			j.cur.Breaks = slices.Clip(j.cur.Breaks[:len(j.cur.Breaks)-1])
			if len(j.cur.Breaks) == 0 {
				j.cur.Breaks = nil
			}
			j.cur.End, j.cur.Paused = last.Start, true
		}
	} else if s.known && s.info.Status == monitor.StatusDown {
		addSeen(j.cur, s.info.Codes, s.info.Classes)
	}
	j.emit()
}

func (j *joiner) inBreak() bool {
	return j.cur != nil && len(j.cur.Breaks) > 0 && j.cur.Breaks[len(j.cur.Breaks)-1].End.IsZero()
}

func (j *joiner) emit() {
	j.out = append(j.out, *j.cur)
	j.cur = nil
}

func breakAt(t *Transition) monitor.Break {
	return monitor.Break{Start: t.Time, Status: t.To, Stalled: t.Class == monitor.ClassStalled}
}

// addSeen adds to an incident the codes and classes it lacks, up to
// maxIncidentKinds of each.
func addSeen(in *monitor.Incident, codes []int, classes []string) {
	for _, c := range codes {
		if !slices.Contains(in.Codes, c) && len(in.Codes) < maxIncidentKinds {
			in.Codes = append(in.Codes, c)
		}
	}
	for _, c := range classes {
		if !slices.Contains(in.Classes, c) && len(in.Classes) < maxIncidentKinds {
			in.Classes = append(in.Classes, c)
		}
	}
}
