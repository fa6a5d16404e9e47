package history

import (
	"slices"
	"sort"
	"sync"
)

// state is what the writer changes and queries read: the aggregator
// (monitor states, open hourly rollups) and how far each rollup family is
// written. The writer holds mu while it appends and maintains, so a
// query's snapshot is consistent. A read-only DB's state does not change
// after Open.
type state struct {
	mu    sync.Mutex
	agg   *aggregator
	marks [numFamilies]fileMark // newest rollup file of each family and its size
}

// snapshot is what a query needs from the in-memory state.
type snapshot struct {
	flushed  int64
	marks    [numFamilies]fileMark
	open     []*Rollup     // the monitor's open hourly rollups, by start (needOpen)
	openSums []periodSum   // their counts (needSums)
	trans    []*Transition // the monitor's transitions not yet written (needTrans)
	info     MonitorInfo
	known    bool
}

// What a snapshot copies besides the monitor's info and the file marks.
const (
	needOpen  = 1 << iota // whole open rollups
	needSums              // the counts of the open rollups
	needTrans             // transitions not yet written
)

// snapshot copies what a query of monitor from (unix s) on needs. It
// looks at the monitor's own entries only: its cost does not grow with
// the number of monitors nor with the changes of the others.
func (st *state) snapshot(monitor string, from int64, need int) snapshot {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := snapshot{flushed: st.agg.flushed, marks: st.marks}
	if need != 0 {
		for start, b := range st.agg.buckets {
			if start+3600 <= from {
				continue
			}
			if r := b.rollups[monitor]; r != nil {
				if need&needOpen != 0 {
					s.open = append(s.open, r.toRollup(monitor, start))
				}
				if need&needSums != 0 {
					s.openSums = append(s.openSums, periodSum{start, uint64(r.checks), uint64(r.failures), uint64(r.excluded)})
				}
			}
			if need&needTrans != 0 {
				for _, t := range b.transOf[monitor] {
					c := *t
					s.trans = append(s.trans, &c)
				}
			}
		}
	}
	sort.Slice(s.open, func(i, j int) bool { return s.open[i].Start.Before(s.open[j].Start) })
	if m := st.agg.mons[monitor]; m != nil {
		s.info, s.known = *m, true
		s.info.Codes = slices.Clone(m.Codes)
		s.info.Classes = slices.Clone(m.Classes)
	}
	return s
}

// monitors returns what is known of every monitor on record, by name.
func (st *state) monitors() []MonitorInfo {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]MonitorInfo, 0, len(st.agg.mons))
	for _, m := range st.agg.mons {
		c := *m
		c.Codes, c.Classes = slices.Clone(m.Codes), slices.Clone(m.Classes)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// names returns the names of the monitors on record, in no order.
func (st *state) names() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	names := make([]string, 0, len(st.agg.mons))
	for name := range st.agg.mons {
		names = append(names, name)
	}
	return names
}
