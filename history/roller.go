package history

import (
	"sort"
	"time"
)

// roller writes what the aggregator summed up into the rollup files: the
// hourly rollups and transitions of hours that are over, and the daily
// rollups of days that are over, merged from their hours. It is used
// under the writer's lock.
type roller struct {
	st    *state
	files *rollupFiles
	keep  time.Duration // RollupRetention: days older are not rolled up
}

// flush writes the buckets of the hours before target, and the daily
// rollups of the days that ended.
func (r *roller) flush(target int64) error {
	agg := r.st.agg
	if agg.flushed == 0 && len(agg.buckets) == 0 {
		agg.flushed = target
		return nil
	}
	for _, b := range agg.due(target) {
		if err := r.advance(b.start); err != nil {
			return err
		}
		if err := r.writeBucket(b); err != nil {
			return err
		}
		delete(agg.buckets, b.start)
		if err := r.advance(b.start + 3600); err != nil {
			return err
		}
	}
	return r.advance(target)
}

// advance moves the flushed mark to `to`, writing the daily rollups of
// the days that end on the way.
func (r *roller) advance(to int64) error {
	agg := r.st.agg
	f := agg.flushed
	if to <= f {
		return nil
	}
	start := dayOf(f) + 86400
	if keep := int64(r.keep / time.Second); to-start > keep {
		start = dayOf(to-keep) + 86400
	}
	for e := start; e <= to; e += 86400 {
		if err := r.finalizeDay(e - 86400); err != nil {
			return err
		}
		agg.flushed = e
	}
	agg.flushed = to
	return nil
}

// writeBucket appends an hour's rollups to its day's file and its
// transitions to its month's; when the second write fails the first is
// undone.
func (r *roller) writeBucket(b *bucket) error {
	var frames, tmp []byte
	for _, ru := range b.sortedRollups() {
		tmp = ru.appendTo(tmp[:0])
		frames = appendFrame(frames, tmp)
	}
	marks := &r.st.marks
	hour := famFile(famHour, b.start)
	prev := marks[famHour]
	if len(frames) > 0 {
		if err := r.files.append(marks, famHour, hour, frames); err != nil {
			return err
		}
	}
	if len(b.trans) > 0 {
		sort.SliceStable(b.trans, func(i, j int) bool { return b.trans[i].Time.Before(b.trans[j].Time) })
		frames = frames[:0]
		for _, t := range b.trans {
			tmp = t.appendTo(tmp[:0])
			frames = appendFrame(frames, tmp)
		}
		if err := r.files.append(marks, famTrans, famFile(famTrans, b.start), frames); err != nil {
			r.files.undo(marks, famHour, prev, hour)
			return err
		}
	}
	return nil
}

// finalizeDay merges a day's hourly rollups into daily ones.
func (r *roller) finalizeDay(day int64) error {
	name := famFile(famHour, day)
	marks := &r.st.marks
	daily := map[string]*Rollup{}
	err := r.files.walk(marks, famHour, name, func(p []byte) {
		if p[0] != recRollup {
			return
		}
		ru, err := decodeRollup(p)
		if err != nil {
			return
		}
		d := daily[ru.Monitor]
		if d == nil {
			d = &Rollup{Monitor: ru.Monitor, Start: time.Unix(day, 0).UTC(), Period: 24 * time.Hour}
			daily[ru.Monitor] = d
		}
		d.Merge(ru)
	})
	if err != nil || len(daily) == 0 {
		return err
	}
	names := make([]string, 0, len(daily))
	for n := range daily {
		names = append(names, n)
	}
	sort.Strings(names)
	var frames, tmp []byte
	for _, n := range names {
		tmp = daily[n].appendTo(tmp[:0])
		frames = appendFrame(frames, tmp)
	}
	return r.files.append(marks, famDay, famFile(famDay, day), frames)
}
