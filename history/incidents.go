package history

import (
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
// first. An incident is a stretch of down results, from the transition
// into down (the first one, pending to down, included) to the transition
// out of it; one still open has a zero End.
func (q *incidentQuery) incidents(name string, from, to time.Time) ([]monitor.Incident, error) {
	var out []monitor.Incident
	keep := func(in monitor.Incident) {
		if in.Start.Before(to) && (in.End.IsZero() || in.End.After(from)) {
			out = append(out, in)
		}
	}
	s, err := q.each(name, from, func(t *Transition) {
		if t.From == monitor.StatusDown {
			keep(monitor.Incident{Monitor: name, Start: t.Since, End: t.Time, Codes: t.Codes, Classes: t.Classes,
				IntoWindow: t.To == monitor.StatusMaintenance})
		}
	})
	if err != nil {
		return nil, err
	}
	// By the time each ended, which is the time of the transition that
	// ended it: the order of the transitions.
	sort.SliceStable(out, func(i, j int) bool { return out[i].End.Before(out[j].End) })
	if s.known && s.info.Status == monitor.StatusDown {
		keep(monitor.Incident{Monitor: name, Start: s.info.Since, Codes: s.info.Codes, Classes: s.info.Classes})
	}
	return out, nil
}
