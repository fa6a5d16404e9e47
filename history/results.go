package history

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// ctxEvery is how many results a scan passes between looks at its context.
const ctxEvery = 1024

// results answers questions about raw results: a monitor's results over
// a period, streamed, and the last n results of monitors. It reads one
// segment at a time, a page at a time, the writer's active segment
// included (what waits in memory too), and skips the segments whose index
// shows nothing it needs.
type results struct {
	raw   string
	limit int64 // bytes of a segment read at most
	idx   *indexes
	dmg   *damage
	w     *writer // nil for a read-only DB
}

// segments lists the segments, with the one that may still grow (the
// writer's active one, or for a reader the newest), or -1.
func (q *results) segments() (segs []int, open int, err error) {
	segs, err = listSegments(q.raw)
	if err != nil {
		return nil, -1, err
	}
	if q.w == nil {
		open = -1
		if len(segs) > 0 {
			open = segs[len(segs)-1]
		}
		return segs, open, nil
	}
	open = q.w.live()
	if open >= 0 && !slices.Contains(segs, open) {
		segs = append(segs, open)
	}
	return segs, open, nil
}

// open returns a reader of segment s: for the writer's active segment,
// what is written and what waits in memory.
func (q *results) open(s int, want func(string) bool) (*SegmentReader, io.Closer, error) {
	path := filepath.Join(q.raw, segName(s))
	committed, pending, live := int64(0), []byte(nil), false
	if q.w != nil {
		committed, pending, live = q.w.view(s)
	}
	if !live {
		f, n, err := openLimited(path, q.limit)
		if err != nil {
			return nil, nil, err
		}
		return NewSegmentReader(io.LimitReader(f, n), s, want), f, nil
	}
	if committed == 0 {
		return NewSegmentReader(bytes.NewReader(pending), s, want), io.NopCloser(nil), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	r := io.MultiReader(io.NewSectionReader(f, 0, committed), bytes.NewReader(pending))
	return NewSegmentReader(r, s, want), f, nil
}

// scan calls fn with the wanted results of segment s, in the order they
// were written; damage in a sealed segment is reported. It stops with
// fn's error, or with ctx's when ctx is done.
func (q *results) scan(ctx context.Context, s int, sealed bool, want func(string) bool, fn func(r *monitor.Result) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sr, c, err := q.open(s, want)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // deleted by retention meanwhile
	}
	if err != nil {
		return err
	}
	defer c.Close()
	for n := 1; sr.Next(); n++ {
		if n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(sr.Result()); err != nil {
			return err
		}
	}
	path := filepath.Join(q.raw, segName(s))
	for _, ce := range sr.Skipped() {
		ce.File = path
		q.dmg.skipped(&ce)
	}
	switch err := sr.Err(); {
	case err == nil:
	case !errors.Is(err, ErrCorrupt):
		return fmt.Errorf("read segment %s: %w", segName(s), err)
	case sealed:
		q.dmg.skipped(&CorruptionError{File: path, Segment: s, Offset: sr.Good(), Err: err})
	}
	return nil
}

// part is a segment that may hold results a stream needs, and how many
// when its index says so exactly (-1 when not).
type part struct {
	seg, n int
}

// stream calls fn with a monitor's results in [from, to), in the order
// they were recorded, which is oldest first for results recorded as they
// happen; with limit > 0, only the newest limit of them. The result is
// reused after fn returns. Memory does not grow with the period: one page
// of one segment is read at a time, and the newest limit are found by
// counting from the segment indexes (reading only the segments at the
// edges of the period), not by keeping results. It stops with fn's error,
// or with ctx's when ctx is done.
func (q *results) stream(ctx context.Context, name string, from, to time.Time, limit int, fn func(r *monitor.Result) error) error {
	segs, open, err := q.segments()
	if err != nil {
		return err
	}
	fms, tms := from.UnixMilli(), to.UnixMilli()
	parts := q.parts(segs, open, name, fms, tms)
	want := func(m string) bool { return m == name }
	inPeriod := func(r *monitor.Result) bool { ms := r.Time.UnixMilli(); return ms >= fms && ms < tms }
	first, skip := 0, 0
	if limit > 0 {
		count := func(p part) (int, error) {
			n := 0
			err := q.scan(ctx, p.seg, p.seg != open, want, func(r *monitor.Result) error {
				if inPeriod(r) {
					n++
				}
				return nil
			})
			return n, err
		}
		if first, skip, err = newest(parts, limit, count); err != nil {
			return err
		}
	}
	sent := 0
	for i, p := range parts[first:] {
		if i > 0 {
			skip = 0
		}
		err := q.scan(ctx, p.seg, p.seg != open, want, func(r *monitor.Result) error {
			switch {
			case !inPeriod(r):
				return nil
			case skip > 0:
				skip--
				return nil
			case limit > 0 && sent == limit:
				return errEnough // more came in while the stream ran
			}
			sent++
			return fn(r)
		})
		if errors.Is(err, errEnough) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// parts lists the segments that may hold a monitor's results in
// [fms, tms), with their number when the index tells it exactly: when
// all of the monitor's results in the segment are in the period.
func (q *results) parts(segs []int, open int, name string, fms, tms int64) []part {
	var parts []part
	for _, s := range segs {
		if s == open {
			parts = append(parts, part{s, -1})
			continue
		}
		x, err := q.idx.get(s)
		if err != nil {
			continue
		}
		mi := x.lookup(name)
		if mi == nil || mi.max < fms || mi.min >= tms {
			continue
		}
		n := -1
		if mi.min >= fms && mi.max < tms {
			n = int(mi.count)
		}
		parts = append(parts, part{s, n})
	}
	return parts
}

// newest finds where the newest limit results of parts begin: the index
// of the part, and how many results of it come before. count counts a
// part's results when its index cannot.
func newest(parts []part, limit int, count func(part) (int, error)) (first, skip int, err error) {
	need := limit
	for i := len(parts) - 1; i >= 0 && need > 0; i-- {
		n := parts[i].n
		if n < 0 {
			if n, err = count(parts[i]); err != nil {
				return 0, 0, err
			}
		}
		first = i
		if n >= need {
			return first, n - need, nil
		}
		need -= n
	}
	return first, 0, nil
}

// errEnough stops a stream that has sent its limit.
var errEnough = errors.New("enough results")

// ring keeps the last len(buf) results pushed.
type ring struct {
	buf  []monitor.Result
	next int
	full bool
}

func (r *ring) push(res *monitor.Result) {
	r.buf[r.next] = *res
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

func (r *ring) slice() []monitor.Result {
	if !r.full {
		return r.buf[:r.next]
	}
	return append(r.buf[r.next:len(r.buf):len(r.buf)], r.buf[:r.next]...)
}

// tail returns the last n results of each named monitor, oldest first. It
// reads segments from the newest back, skipping those whose index shows
// nothing still needed, so it costs about the size of the newest
// segments.
func (q *results) tail(ctx context.Context, names []string, n int) (map[string][]monitor.Result, error) {
	out := map[string][]monitor.Result{}
	if n <= 0 || len(names) == 0 {
		return out, nil
	}
	need := make(map[string]int, len(names))
	for _, name := range names {
		need[name] = n
	}
	chunks := map[string][][]monitor.Result{}
	segs, open, err := q.segments()
	if err != nil {
		return nil, err
	}
	for i := len(segs) - 1; i >= 0 && len(need) > 0; i-- {
		s := segs[i]
		wanted := need
		if s != open {
			x, err := q.idx.get(s)
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
		err := q.scan(ctx, s, s != open, func(name string) bool { _, ok := wanted[name]; return ok }, func(r *monitor.Result) error {
			rg := rings[r.Monitor]
			if rg == nil {
				rg = &ring{buf: make([]monitor.Result, wanted[r.Monitor])}
				rings[r.Monitor] = rg
			}
			rg.push(r)
			return nil
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
		var all []monitor.Result
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

// each calls fn with the last n results of every named monitor, each
// monitor's oldest first, the monitors' interleaved as they were written.
// It counts from the segment indexes (reading only the segment being
// written to count its results) where each monitor's last n begin, then
// reads forward from the earliest of those places: what it holds is a page
// and a count per monitor, never the results.
func (q *results) each(ctx context.Context, names []string, n int, fn func(r *monitor.Result)) error {
	if n <= 0 || len(names) == 0 {
		return nil
	}
	segs, open, err := q.segments()
	if err != nil {
		return err
	}
	type window struct {
		seg  int // the segment the monitor's last n begin in
		skip int // its results in that segment before them
	}
	need := make(map[string]int, len(names))
	for _, m := range names {
		need[m] = n
	}
	starts := make(map[string]window, len(names))
	first := len(segs)
	for i := len(segs) - 1; i >= 0 && len(need) > 0; i-- {
		s := segs[i]
		counts := map[string]int{}
		x, err := q.idx.get(s)
		switch {
		case s == open || err != nil:
			err := q.scan(ctx, s, s != open, func(m string) bool { return need[m] > 0 }, func(r *monitor.Result) error {
				counts[r.Monitor]++
				return nil
			})
			if err != nil {
				return err
			}
		default:
			for m := range need {
				if mi := x.lookup(m); mi != nil {
					counts[m] = int(mi.count)
				}
			}
		}
		for m, c := range counts {
			k, ok := need[m]
			if !ok || c == 0 {
				continue
			}
			first = i
			if c >= k {
				starts[m] = window{s, c - k}
				delete(need, m)
			} else {
				need[m] = k - c
			}
		}
	}
	for i := first; i < len(segs); i++ {
		s := segs[i]
		want := func(m string) bool {
			w, ok := starts[m]
			return !ok || s >= w.seg
		}
		err := q.scan(ctx, s, s != open, want, func(r *monitor.Result) error {
			if w, ok := starts[r.Monitor]; ok && w.seg == s && w.skip > 0 {
				w.skip--
				starts[r.Monitor] = w
				return nil
			}
			fn(r)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
