package history

import (
	"sort"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// openRollup is a monitor's rollup of an hour that is not written yet.
// Every monitor holds one (two around the hour), so it is a Rollup in
// the fewest bytes: 32-bit counts, a histogram of 8-byte buckets, and its
// failures by hour of day kept apart only for results late for their
// hour. It becomes a Rollup (toRollup) when the hour is written, saved in
// a checkpoint or read.
type openRollup struct {
	checks, failures, degraded, excluded uint32
	latSum                               time.Duration
	codes                                []codeCount32
	classes                              []ClassCount // only on failures and degraded results; rare
	hist                                 []hbucket32
	late                                 []hourCount // failures whose hour of day is not the bucket's
}

type codeCount32 struct {
	code             int32
	checks, failures uint32
}

type hbucket32 struct {
	idx uint16
	n   uint32
}

type hourCount struct {
	hour uint8
	n    uint32
}

// add counts one result of the hour starting at start (unix s).
func (o *openRollup) add(r *monitor.Result, start int64) {
	o.checks++
	failed := r.Status == monitor.StatusDown
	switch {
	case failed:
		o.failures++
		if h := r.Time.UTC().Hour(); int64(h) != start%86400/3600 {
			o.addLate(uint8(h))
		}
	case r.Status == monitor.StatusDegraded:
		o.degraded++
	case excluded(r.Status):
		o.excluded++
	}
	f := uint32(0)
	if failed {
		f = 1
	}
	if r.Code != 0 {
		o.addCode(int32(r.Code), 1, f)
	}
	if r.Class != "" {
		ru := Rollup{Classes: o.classes}
		ru.addClass(ClassCount{clipTo(r.Class, maxClass), 1, uint64(f)})
		o.classes = ru.Classes
	}
	o.latSum += r.Latency
	o.addHist(bucketOf(usec(r.Latency)), 1)
}

func (o *openRollup) addLate(h uint8) {
	for i := range o.late {
		if o.late[i].hour == h {
			o.late[i].n++
			return
		}
	}
	o.late = append(o.late, hourCount{h, 1})
}

func (o *openRollup) addCode(code int32, checks, failures uint32) {
	i := sort.Search(len(o.codes), func(i int) bool { return o.codes[i].code >= code })
	if i < len(o.codes) && o.codes[i].code == code {
		o.codes[i].checks += checks
		o.codes[i].failures += failures
		return
	}
	o.codes = append(o.codes, codeCount32{})
	copy(o.codes[i+1:], o.codes[i:])
	o.codes[i] = codeCount32{code, checks, failures}
}

func (o *openRollup) addHist(idx uint16, n uint32) {
	i := sort.Search(len(o.hist), func(i int) bool { return o.hist[i].idx >= idx })
	if i < len(o.hist) && o.hist[i].idx == idx {
		o.hist[i].n += n
		return
	}
	o.hist = append(o.hist, hbucket32{})
	copy(o.hist[i+1:], o.hist[i:])
	o.hist[i] = hbucket32{idx, n}
}

// toRollup returns the Rollup of monitor name for the hour starting at
// start (unix s).
func (o *openRollup) toRollup(name string, start int64) *Rollup {
	r := &Rollup{Monitor: name, Start: time.Unix(start, 0).UTC(), Period: time.Hour,
		Checks: uint64(o.checks), Failures: uint64(o.failures), Degraded: uint64(o.degraded), Excluded: uint64(o.excluded),
		LatencySum: o.latSum, Classes: append([]ClassCount(nil), o.classes...)}
	if len(o.codes) > 0 {
		r.Codes = make([]CodeCount, len(o.codes))
		for i, c := range o.codes {
			r.Codes[i] = CodeCount{int(c.code), uint64(c.checks), uint64(c.failures)}
		}
	}
	if len(o.hist) > 0 {
		r.Latency.b = make([]hbucket, len(o.hist))
		for i, b := range o.hist {
			r.Latency.b[i] = hbucket{b.idx, uint64(b.n)}
		}
	}
	onTime := uint64(o.failures)
	for _, l := range o.late {
		r.FailuresByHour[l.hour] += uint64(l.n)
		onTime -= uint64(l.n)
	}
	r.FailuresByHour[start%86400/3600] += onTime
	return r
}

// openOf makes the open rollup of a Rollup of the hour starting at start
// (a checkpoint's).
func openOf(r *Rollup, start int64) *openRollup {
	o := &openRollup{checks: uint32(r.Checks), failures: uint32(r.Failures), degraded: uint32(r.Degraded),
		excluded: uint32(r.Excluded), latSum: r.LatencySum, classes: r.Classes}
	for _, c := range r.Codes {
		o.codes = append(o.codes, codeCount32{int32(c.Code), uint32(c.Checks), uint32(c.Failures)})
	}
	for _, b := range r.Latency.b {
		o.hist = append(o.hist, hbucket32{b.idx, uint32(b.n)})
	}
	own := start % 86400 / 3600
	for h, n := range r.FailuresByHour {
		if n != 0 && int64(h) != own {
			o.late = append(o.late, hourCount{uint8(h), uint32(n)})
		}
	}
	return o
}
