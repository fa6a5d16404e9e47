package history

import (
	"sort"
	"sync"
	"time"
)

// rollupQuery answers from rollups: uptime, sums over a period, hourly
// and daily rollups, failures by hour of day. Whole days come from daily
// rollups and the hours at the edges from hourly ones, so what it reads
// grows with the number of days and monitors, never with the results.
type rollupQuery struct {
	st    *state
	files *rollupFiles

	mu   sync.Mutex // guards sums
	sums *sumCache
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

// sumsOf returns the sumTable of a rollup file, as far as marks allow.
func (q *rollupQuery) sumsOf(marks *[numFamilies]fileMark, fam int, name string) (sumTable, error) {
	limit, ok := rollupLimit(marks, fam, name)
	if !ok {
		return nil, nil
	}
	key := sumKey{name, limit}
	q.mu.Lock()
	t, ok := q.sums.get(key)
	q.mu.Unlock()
	if ok {
		return t, nil
	}
	t = sumTable{}
	err := q.files.walkTo(name, limit, func(p []byte) {
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
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	q.sums.put(key, t)
	q.mu.Unlock()
	return t, nil
}

// uptime returns the share of a monitor's results in the window ending at
// now that were not down (maintenance and paused results count neither
// way). It counts only results that exist, so a monitor younger than the
// window is judged from its first result. The window starts on an hour
// boundary: the hour it begins in counts whole. ok is false when no
// result counts.
func (q *rollupQuery) uptime(monitor string, window time.Duration, now time.Time) (ratio float64, ok bool, err error) {
	h0 := hourOf(now.Add(-window).Unix())
	to := now.Unix()
	s := q.st.snapshot(monitor, h0, needSums)
	var c, f, x uint64
	for _, sp := range spans(h0, to+1, s.flushed) {
		t, err := q.sumsOf(&s.marks, sp.fam, sp.file)
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

// hourSpans is spans without daily files: the flushed hours from h0 up
// to h1, read from hourly files, a day at a time.
func hourSpans(h0, h1, flushed int64) []span {
	h1 = min(h1, flushed)
	var out []span
	for t := h0; t < h1; {
		d := dayOf(t)
		e := min(d+86400, h1)
		out = append(out, span{famHour, famFile(famHour, d), t, e})
		t = e
	}
	return out
}

// tally counts a monitor's results per period (3600 or 86400 seconds,
// UTC) for the n periods that end with the one holding now, oldest
// first: the results that count toward uptime, and those of them not
// down. It reads what uptime reads: whole days from daily rollups, hours
// from hourly ones, the open hours from memory.
func (q *rollupQuery) tally(monitor string, period int64, n int, now time.Time) ([]tallyCount, error) {
	out := make([]tallyCount, n)
	to := now.Unix()
	first := to - mod(to, period) - int64(n-1)*period
	add := func(p periodSum) {
		i := (p.start - first) / period
		if p.start < first || i >= int64(n) || p.checks < p.excluded {
			return
		}
		counted := p.checks - p.excluded
		out[i].total += counted
		out[i].good += counted - min(p.failures, counted)
	}
	s := q.st.snapshot(monitor, first, needSums)
	sps := spans(first, to+1, s.flushed)
	if period < 86400 {
		sps = hourSpans(first, to+1, s.flushed)
	}
	for _, sp := range sps {
		t, err := q.sumsOf(&s.marks, sp.fam, sp.file)
		if err != nil {
			return nil, err
		}
		if lst := t[monitor]; lst != nil {
			for _, p := range *lst {
				if p.start >= sp.from && p.start < sp.to {
					add(p)
				}
			}
		}
	}
	for _, p := range s.openSums {
		if p.start <= to {
			add(p)
		}
	}
	return out, nil
}

// tallyCount is a period's counts as tally adds them up.
type tallyCount struct{ good, total uint64 }

// read calls fn with every rollup of monitor in the span.
func (q *rollupQuery) read(marks *[numFamilies]fileMark, sp span, monitor string, fn func(r *Rollup)) error {
	return q.files.walk(marks, sp.fam, sp.file, func(p []byte) {
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
}

// sum merges a monitor's rollups over [from, to) into one, at hour
// granularity (the hour from falls in counts whole).
func (q *rollupQuery) sum(monitor string, from, to time.Time) (*Rollup, error) {
	h0 := hourOf(from.Unix())
	end := to.Unix()
	s := q.st.snapshot(monitor, h0, needOpen)
	sum := &Rollup{Monitor: monitor, Start: time.Unix(h0, 0).UTC(), Period: to.Sub(time.Unix(h0, 0))}
	for _, sp := range spans(h0, end, s.flushed) {
		if err := q.read(&s.marks, sp, monitor, func(r *Rollup) { sum.Merge(r) }); err != nil {
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

// errorsByHour counts a monitor's failed checks in [from, to) by hour of
// day (UTC), at hour granularity.
func (q *rollupQuery) errorsByHour(monitor string, from, to time.Time) ([24]int, error) {
	var out [24]int
	s, err := q.sum(monitor, from, to)
	if err != nil {
		return out, err
	}
	for i, n := range s.FailuresByHour {
		out[i] = int(n)
	}
	return out, nil
}

// rollups returns a monitor's rollups of the given period (time.Hour or
// 24*time.Hour) that start in [from, to), oldest first. The current day's
// daily rollup is made from its hours so far.
func (q *rollupQuery) rollups(monitor string, period time.Duration, from, to time.Time) ([]Rollup, error) {
	day := period >= 24*time.Hour
	unit := int64(3600)
	if day {
		unit = 86400
	}
	start := from.Unix() - mod(from.Unix(), unit)
	end := to.Unix()
	s := q.st.snapshot(monitor, start, needOpen)
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
		if err := q.read(&s.marks, sp, monitor, add); err != nil {
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
