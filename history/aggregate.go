package history

import (
	"slices"
	"sort"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// MonitorInfo is what history knows about a monitor as a whole.
type MonitorInfo struct {
	Name   string
	First  time.Time      // its first result still on record
	Last   time.Time      // its latest result
	Status monitor.Status // the status of its latest result
	Since  time.Time      // when Status began
	// Codes and Classes seen since the monitor went down, while it is down.
	Codes   []int
	Classes []string
}

// bucket is an hour whose rollups are not yet written.
type bucket struct {
	start   int64 // unix seconds, a multiple of 3600
	rollups map[string]*openRollup
	trans   []*Transition            // in the order they came
	transOf map[string][]*Transition // the same, by monitor
}

// addTrans keeps a status change.
func (b *bucket) addTrans(t *Transition) {
	b.trans = append(b.trans, t)
	if b.transOf == nil {
		b.transOf = map[string][]*Transition{}
	}
	b.transOf[t.Monitor] = append(b.transOf[t.Monitor], t)
}

// aggregator keeps monitor states and the open hourly buckets. It is fed
// every result in order (at append time, and on replay after open).
type aggregator struct {
	mons    map[string]*MonitorInfo
	buckets map[int64]*bucket
	// flushed: hours before it are written to rollup files (unix s).
	flushed int64
}

func newAggregator() *aggregator {
	return &aggregator{mons: map[string]*MonitorInfo{}, buckets: map[int64]*bucket{}}
}

func hourOf(unix int64) int64 { return unix - mod(unix, 3600) }
func dayOf(unix int64) int64  { return unix - mod(unix, 86400) }

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// add feeds one result and reports whether the monitor's status changed.
func (a *aggregator) add(r *monitor.Result) bool {
	name := clipString(r.Monitor)
	st := a.mons[name]
	if st == nil {
		st = &MonitorInfo{Name: name, First: r.Time, Last: r.Time, Since: r.Time}
		a.mons[name] = st
	}
	if r.Time.Before(st.First) {
		st.First = r.Time
	}
	if r.Time.After(st.Last) {
		st.Last = r.Time
	}
	h := hourOf(r.Time.Unix())
	if a.flushed == 0 {
		a.flushed = h
	}
	if h < a.flushed {
		h = a.flushed // late for its hour: counted in the first open one
	}
	b := a.buckets[h]
	if b == nil {
		b = &bucket{start: h, rollups: map[string]*openRollup{}}
		a.buckets[h] = b
	}
	ru := b.rollups[name]
	if ru == nil {
		ru = &openRollup{}
		b.rollups[name] = ru
	}
	ru.add(r, h)
	changed := false
	if r.Status != st.Status {
		t := &Transition{Monitor: name, Time: r.Time, From: st.Status, To: r.Status, Since: st.Since,
			Code: r.Code, Class: clipTo(r.Class, maxClass)}
		if st.Status == monitor.StatusDown {
			t.Codes, t.Classes = st.Codes, st.Classes
		}
		b.addTrans(t)
		st.Status, st.Since, st.Codes, st.Classes = r.Status, r.Time, nil, nil
		changed = true
	}
	if r.Status == monitor.StatusDown {
		if r.Code != 0 && !slices.Contains(st.Codes, r.Code) && len(st.Codes) < maxIncidentKinds {
			st.Codes = append(st.Codes, r.Code)
		}
		if c := clipTo(r.Class, maxClass); c != "" && !slices.Contains(st.Classes, c) && len(st.Classes) < maxIncidentKinds {
			st.Classes = append(st.Classes, c)
		}
	}
	return changed
}

// due returns the open buckets that start before target, oldest first.
func (a *aggregator) due(target int64) []*bucket {
	var out []*bucket
	for s, b := range a.buckets {
		if s < target {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// sortedRollups returns a bucket's rollups by monitor name.
func (b *bucket) sortedRollups() []*Rollup {
	out := make([]*Rollup, 0, len(b.rollups))
	for name, r := range b.rollups {
		out = append(out, r.toRollup(name, b.start))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Monitor < out[j].Monitor })
	return out
}

// excluded reports whether a result in this status counts neither for nor
// against uptime: a planned window, a monitor nobody checks, or one not
// judged yet (a push monitor waiting for its first beat is not 100% up).
func excluded(s monitor.Status) bool {
	return s == monitor.StatusMaintenance || s == monitor.StatusPaused || s == monitor.StatusPending
}
