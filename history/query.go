package history

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"
)

// index returns a sealed segment's index: cached, read from its .idx file
// when that matches the segment's size, or built by decoding it.
func (l *Log) index(s int) (*segIndex, error) {
	l.qmu.Lock()
	x := l.idx[s]
	l.qmu.Unlock()
	if x != nil {
		return x, nil
	}
	path := filepath.Join(l.raw, segName(s))
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if data, err := os.ReadFile(path + idxSuffix); err == nil {
		if x, err := decodeIndex(data); err == nil && x.seg == s && x.size == fi.Size() {
			l.qmu.Lock()
			l.idx[s] = x
			l.qmu.Unlock()
			return x, nil
		}
	}
	data, err := readLimited(path, l.opts.readLimit())
	if err != nil {
		return nil, err
	}
	x, good, serr := buildIndex(data, s)
	if serr != nil {
		l.noteCorruption(&CorruptionError{File: path, Segment: s, Offset: good, Err: serr})
	}
	x.size = fi.Size()
	if !l.opts.ReadOnly {
		if err := writeFileAtomic(l.opts.OpenFile, path+idxSuffix, x.encode(), false); err != nil {
			l.opts.Logger.Warn("history: cannot write segment index", "segment", segName(s), "err", err)
		}
	}
	l.qmu.Lock()
	l.idx[s] = x
	l.qmu.Unlock()
	return x, nil
}

// segView lists the segments, with the one that may still grow (the
// writer's active one, or for a reader the newest), or -1.
func (l *Log) segView() (segs []int, open int, err error) {
	segs, err = listSegments(l.raw)
	if err != nil {
		return nil, -1, err
	}
	open = -1
	if l.opts.ReadOnly {
		if len(segs) > 0 {
			open = segs[len(segs)-1]
		}
		return segs, open, nil
	}
	l.mu.Lock()
	if a := l.act; a != nil {
		open = a.seg
		if !slices.Contains(segs, a.seg) {
			segs = append(segs, a.seg)
		}
	}
	l.mu.Unlock()
	return segs, open, nil
}

// segData returns a segment's bytes; for the writer's active segment, what
// is written plus what waits in memory.
func (l *Log) segData(s int) ([]byte, error) {
	path := filepath.Join(l.raw, segName(s))
	committed := int64(-1)
	var pend []byte
	l.mu.Lock()
	if a := l.act; a != nil && a.seg == s {
		committed = a.committed
		pend = append([]byte(nil), a.pending...)
	}
	l.mu.Unlock()
	if committed < 0 {
		return readLimited(path, l.opts.readLimit())
	}
	var data []byte
	if committed > 0 {
		var err error
		if data, err = readLimited(path, committed); err != nil {
			return nil, err
		}
	}
	return append(data, pend...), nil
}

// scan decodes one segment for the wanted monitors, reporting damage in
// sealed segments.
func (l *Log) scan(s int, sealed bool, want func(string) bool, fn func(r *Record)) error {
	data, err := l.segData(s)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // deleted by retention meanwhile
	}
	if err != nil {
		return err
	}
	good, serr := scanSegment(data, s, want, func(r *Record, _ int64) { fn(r) })
	if serr != nil && sealed {
		l.noteCorruption(&CorruptionError{File: filepath.Join(l.raw, segName(s)), Segment: s, Offset: good, Err: serr})
	}
	return nil
}

// ring keeps the last len(buf) records pushed.
type ring struct {
	buf  []Record
	next int
	full bool
}

func (r *ring) push(rec *Record) {
	r.buf[r.next] = *rec
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

func (r *ring) slice() []Record {
	if !r.full {
		return r.buf[:r.next]
	}
	return append(r.buf[r.next:len(r.buf):len(r.buf)], r.buf[:r.next]...)
}

// Tail returns the last n results of every monitor on record, oldest
// first. It reads segments from the newest back, skipping those whose
// index shows nothing still needed, so it costs about the size of the
// newest segments.
func (l *Log) Tail(n int) (map[string][]Record, error) {
	l.mu.Lock()
	names := make([]string, 0, len(l.agg.mons))
	for name := range l.agg.mons {
		names = append(names, name)
	}
	l.mu.Unlock()
	return l.tail(names, n)
}

// Last returns a monitor's last n results, oldest first.
func (l *Log) Last(monitor string, n int) ([]Record, error) {
	m, err := l.tail([]string{monitor}, n)
	return m[monitor], err
}

func (l *Log) tail(names []string, n int) (map[string][]Record, error) {
	out := map[string][]Record{}
	if n <= 0 || len(names) == 0 {
		return out, nil
	}
	need := make(map[string]int, len(names))
	for _, name := range names {
		need[name] = n
	}
	chunks := map[string][][]Record{}
	segs, open, err := l.segView()
	if err != nil {
		return nil, err
	}
	for i := len(segs) - 1; i >= 0 && len(need) > 0; i-- {
		s := segs[i]
		wanted := need
		if s != open {
			x, err := l.index(s)
			if err != nil {
				continue
			}
			wanted = map[string]int{}
			for m, k := range need {
				if x.lookup(m) != nil {
					wanted[m] = k
				}
			}
			if len(wanted) == 0 {
				continue
			}
		}
		rings := map[string]*ring{}
		err := l.scan(s, s != open, func(name string) bool { _, ok := wanted[name]; return ok }, func(r *Record) {
			rg := rings[r.Monitor]
			if rg == nil {
				rg = &ring{buf: make([]Record, wanted[r.Monitor])}
				rings[r.Monitor] = rg
			}
			rg.push(r)
		})
		if err != nil {
			return nil, err
		}
		for m, rg := range rings {
			recs := rg.slice()
			chunks[m] = append(chunks[m], recs)
			if need[m] -= len(recs); need[m] <= 0 {
				delete(need, m)
			}
		}
	}
	for m, cs := range chunks {
		var all []Record
		for j := len(cs) - 1; j >= 0; j-- {
			all = append(all, cs[j]...)
		}
		sort.SliceStable(all, func(a, b int) bool { return all[a].Time.Before(all[b].Time) })
		if len(all) > n {
			all = all[len(all)-n:]
		}
		out[m] = all
	}
	return out, nil
}

// Results returns a monitor's raw results in [from, to), oldest first.
func (l *Log) Results(monitor string, from, to time.Time) ([]Record, error) {
	segs, open, err := l.segView()
	if err != nil {
		return nil, err
	}
	fms, tms := from.UnixMilli(), to.UnixMilli()
	var out []Record
	for _, s := range segs {
		if s != open {
			x, err := l.index(s)
			if err != nil {
				continue
			}
			mi := x.lookup(monitor)
			if mi == nil || mi.max < fms || mi.min >= tms {
				continue
			}
		}
		err := l.scan(s, s != open, func(name string) bool { return name == monitor }, func(r *Record) {
			if ms := r.Time.UnixMilli(); ms >= fms && ms < tms {
				out = append(out, *r)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Time.Before(out[b].Time) })
	return out, nil
}

// snapshot is what a rollup query needs from the in-memory state.
type snapshot struct {
	flushed  int64
	marks    [numFamilies]fileMark
	open     []*Rollup     // the monitor's open hourly rollups, by start (full snapshots)
	openSums []periodSum   // their counts (light snapshots)
	trans    []*Transition // the monitor's transitions not yet written
	info     MonitorInfo
	known    bool
}

// snap copies the state a query of monitor from (unix s) on needs: whole
// open rollups when full, else only their counts.
func (l *Log) snap(monitor string, from int64, full bool) snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := snapshot{flushed: l.agg.flushed, marks: l.marks}
	for start, b := range l.agg.buckets {
		if start+3600 <= from {
			continue
		}
		if r := b.rollups[monitor]; r != nil {
			if full {
				s.open = append(s.open, r.clone())
			} else {
				s.openSums = append(s.openSums, periodSum{start, r.Checks, r.Failures, r.Excluded})
			}
		}
		for _, t := range b.trans {
			if t.Monitor == monitor {
				c := *t
				s.trans = append(s.trans, &c)
			}
		}
	}
	sort.Slice(s.open, func(i, j int) bool { return s.open[i].Start.Before(s.open[j].Start) })
	if m := l.agg.mons[monitor]; m != nil {
		s.info, s.known = *m, true
		s.info.Codes = slices.Clone(m.Codes)
		s.info.Classes = slices.Clone(m.Classes)
	}
	return s
}

// span is a stretch of flushed hours read from one rollup file.
type span struct {
	fam      int
	file     string
	from, to int64 // rollups starting in [from, to), unix seconds
}

// spans splits the flushed hours from h0 up to h1 into whole finished days
// (read from daily files) and the hours around them (from hourly files).
func spans(h0, h1, flushed int64) []span {
	h1 = min(h1, flushed)
	var out []span
	for t := h0; t < h1; {
		d := dayOf(t)
		e := d + 86400
		if t == d && e <= h1 {
			f := famFile(famDay, d)
			if n := len(out); n > 0 && out[n-1].file == f && out[n-1].to == t {
				out[n-1].to = e
			} else {
				out = append(out, span{famDay, f, t, e})
			}
			t = e
			continue
		}
		e = min(e, h1)
		out = append(out, span{famHour, famFile(famHour, d), t, e})
		t = e
	}
	return out
}

// sumTable is the uptime part of every rollup in a file, by monitor.
type sumTable map[string]*[]periodSum

type sumKey struct {
	name  string
	limit int64
}

// sumCache keeps the sumTables of recently read rollup files.
type sumCache struct {
	max  int
	keys []sumKey
	m    map[sumKey]sumTable
}

func newSumCache(n int) *sumCache { return &sumCache{max: n, m: map[sumKey]sumTable{}} }

func (c *sumCache) get(k sumKey) (sumTable, bool) {
	t, ok := c.m[k]
	return t, ok
}

func (c *sumCache) put(k sumKey, t sumTable) {
	if _, ok := c.m[k]; ok {
		return
	}
	if len(c.keys) >= c.max {
		delete(c.m, c.keys[0])
		c.keys = c.keys[1:]
	}
	c.keys = append(c.keys, k)
	c.m[k] = t
}

func (l *Log) sums(marks *[numFamilies]fileMark, fam int, name string) (sumTable, error) {
	limit, ok := rollupLimit(marks, fam, name)
	if !ok {
		return nil, nil
	}
	key := sumKey{name, limit}
	l.qmu.Lock()
	t, ok := l.sumc.get(key)
	l.qmu.Unlock()
	if ok {
		return t, nil
	}
	data, err := l.readRollupFile(marks, fam, name)
	if err != nil {
		return nil, err
	}
	t = sumTable{}
	l.walkRollups(name, data, func(p []byte) {
		if p[0] != recRollup {
			return
		}
		d := &buf{b: p}
		mon, s, _ := decodeRollupHead(d)
		if d.err != nil {
			return
		}
		lst := t[string(mon)]
		if lst == nil {
			lst = new([]periodSum)
			t[string(mon)] = lst
		}
		*lst = append(*lst, s)
	})
	l.qmu.Lock()
	l.sumc.put(key, t)
	l.qmu.Unlock()
	return t, nil
}

// Uptime returns the share of a monitor's results in the window ending at
// now that were not down (maintenance and paused results count neither
// way). It counts only results that exist, so a monitor younger than the
// window is judged from its first result. The window starts on an hour
// boundary: the hour it begins in counts whole. ok is false when no result
// counts. Whole days come from daily rollups, so 90 days cost no more
// than a day.
func (l *Log) Uptime(monitor string, window time.Duration, now time.Time) (ratio float64, ok bool, err error) {
	h0 := hourOf(now.Add(-window).Unix())
	to := now.Unix()
	s := l.snap(monitor, h0, false)
	var c, f, x uint64
	for _, sp := range spans(h0, to+1, s.flushed) {
		t, err := l.sums(&s.marks, sp.fam, sp.file)
		if err != nil {
			return 0, false, err
		}
		if lst := t[monitor]; lst != nil {
			for _, p := range *lst {
				if p.start >= sp.from && p.start < sp.to {
					c, f, x = c+p.checks, f+p.failures, x+p.excluded
				}
			}
		}
	}
	for _, p := range s.openSums {
		if p.start >= h0 && p.start <= to {
			c, f, x = c+p.checks, f+p.failures, x+p.excluded
		}
	}
	ratio, ok = uptimeOf(c, f, x)
	return ratio, ok, nil
}

// readRollups calls fn with every rollup of monitor in the span.
func (l *Log) readRollups(marks *[numFamilies]fileMark, sp span, monitor string, fn func(r *Rollup)) error {
	data, err := l.readRollupFile(marks, sp.fam, sp.file)
	if err != nil {
		return err
	}
	l.walkRollups(sp.file, data, func(p []byte) {
		if p[0] != recRollup {
			return
		}
		d := &buf{b: p}
		mon, s, _ := decodeRollupHead(d)
		if d.err != nil || string(mon) != monitor || s.start < sp.from || s.start >= sp.to {
			return
		}
		if r, err := decodeRollup(p); err == nil {
			fn(r)
		}
	})
	return nil
}

// Sum merges a monitor's rollups over [from, to) into one, at hour
// granularity (the hour from falls in counts whole). Its FailuresByHour
// answers "when do errors happen".
func (l *Log) Sum(monitor string, from, to time.Time) (*Rollup, error) {
	h0 := hourOf(from.Unix())
	end := to.Unix()
	s := l.snap(monitor, h0, true)
	sum := &Rollup{Monitor: monitor, Start: time.Unix(h0, 0).UTC(), Period: to.Sub(time.Unix(h0, 0))}
	for _, sp := range spans(h0, end, s.flushed) {
		if err := l.readRollups(&s.marks, sp, monitor, func(r *Rollup) { sum.Merge(r) }); err != nil {
			return nil, err
		}
	}
	for _, r := range s.open {
		if st := r.Start.Unix(); st >= h0 && st < end {
			sum.Merge(r)
		}
	}
	return sum, nil
}

// ErrorsByHour counts a monitor's failed checks in [from, to) by hour of
// day (UTC), at hour granularity.
func (l *Log) ErrorsByHour(monitor string, from, to time.Time) ([24]int, error) {
	var out [24]int
	s, err := l.Sum(monitor, from, to)
	if err != nil {
		return out, err
	}
	for i, n := range s.FailuresByHour {
		out[i] = int(n)
	}
	return out, nil
}

// Rollups returns a monitor's rollups of the given period (time.Hour or
// 24*time.Hour) that start in [from, to), oldest first. The current day's
// daily rollup is made from its hours so far.
func (l *Log) Rollups(monitor string, period time.Duration, from, to time.Time) ([]Rollup, error) {
	day := period >= 24*time.Hour
	unit := int64(3600)
	if day {
		unit = 86400
	}
	start := from.Unix() - mod(from.Unix(), unit)
	end := to.Unix()
	s := l.snap(monitor, start, true)
	byStart := map[int64]*Rollup{}
	add := func(r *Rollup) {
		k := r.Start.Unix()
		if day {
			k = dayOf(k)
		}
		if k < start || k >= end {
			return
		}
		have := byStart[k]
		if have == nil {
			have = &Rollup{Monitor: monitor, Start: time.Unix(k, 0).UTC(), Period: time.Duration(unit) * time.Second}
			byStart[k] = have
		}
		have.Merge(r)
	}
	for d := dayOf(start); d < min(end, s.flushed); d += 86400 {
		sp := span{famHour, famFile(famHour, d), d, d + 86400}
		if day && d+86400 <= s.flushed {
			sp = span{famDay, famFile(famDay, d), d, d + 86400}
		}
		if err := l.readRollups(&s.marks, sp, monitor, add); err != nil {
			return nil, err
		}
	}
	for _, r := range s.open {
		add(r)
	}
	out := make([]Rollup, 0, len(byStart))
	for _, r := range byStart {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// Incident is a stretch of time a monitor was down.
type Incident struct {
	Monitor string
	Start   time.Time
	End     time.Time // zero while it lasts
	Codes   []int     // status codes seen while down, first seen first
	Classes []string  // failure classes seen while down
}

// Duration is how long the incident lasted, or has lasted by now.
func (in *Incident) Duration(now time.Time) time.Duration {
	if in.End.IsZero() {
		return now.Sub(in.Start)
	}
	return in.End.Sub(in.Start)
}

// Transitions returns a monitor's status changes in [from, to), oldest first.
func (l *Log) Transitions(monitor string, from, to time.Time) ([]Transition, error) {
	ts, _, err := l.transitions(monitor, from)
	if err != nil {
		return nil, err
	}
	out := []Transition{}
	for _, t := range ts {
		if !t.Time.Before(from) && t.Time.Before(to) {
			out = append(out, *t)
		}
	}
	return out, nil
}

// transitions reads a monitor's transitions from the month of from on.
func (l *Log) transitions(monitor string, from time.Time) ([]*Transition, snapshot, error) {
	s := l.snap(monitor, hourOf(from.Unix()), false)
	names, err := l.rollupFiles(famTrans)
	if err != nil {
		return nil, s, err
	}
	first := famFile(famTrans, from.Unix())
	var ts []*Transition
	for _, n := range names {
		if n < first {
			continue
		}
		data, err := l.readRollupFile(&s.marks, famTrans, n)
		if err != nil {
			return nil, s, err
		}
		l.walkRollups(n, data, func(p []byte) {
			d := &buf{b: p[1:]}
			if p[0] != recTransition || string(d.bytes(d.uvarint("monitor"), "monitor")) != monitor {
				return
			}
			if t, err := decodeTransition(p); err == nil {
				ts = append(ts, t)
			}
		})
	}
	ts = append(ts, s.trans...)
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].Time.Before(ts[j].Time) })
	return ts, s, nil
}

// Incidents returns a monitor's incidents that overlap [from, to), oldest
// first. An incident is a stretch of down results, from the transition
// into down (the first one, pending to down, included) to the transition
// out of it; one still open has a zero End.
func (l *Log) Incidents(monitor string, from, to time.Time) ([]Incident, error) {
	ts, s, err := l.transitions(monitor, from)
	if err != nil {
		return nil, err
	}
	var out []Incident
	keep := func(in Incident) {
		if in.Start.Before(to) && (in.End.IsZero() || in.End.After(from)) {
			out = append(out, in)
		}
	}
	for _, t := range ts {
		if t.From == StatusDown {
			keep(Incident{Monitor: monitor, Start: t.Since, End: t.Time, Codes: t.Codes, Classes: t.Classes})
		}
	}
	if s.known && s.info.Status == StatusDown {
		keep(Incident{Monitor: monitor, Start: s.info.Since, Codes: s.info.Codes, Classes: s.info.Classes})
	}
	return out, nil
}

// Monitors returns what is known of every monitor on record, by name.
func (l *Log) Monitors() []MonitorInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]MonitorInfo, 0, len(l.agg.mons))
	for _, m := range l.agg.mons {
		c := *m
		c.Codes, c.Classes = slices.Clone(m.Codes), slices.Clone(m.Classes)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Monitor returns what is known of one monitor; ok is false when nothing is.
func (l *Log) Monitor(name string) (MonitorInfo, bool) {
	s := l.snap(name, 1<<62, false)
	return s.info, s.known
}
