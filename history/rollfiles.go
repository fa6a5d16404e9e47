package history

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Rollup file families: hourly rollups in one file per UTC day, daily
// rollups and transitions in one file per UTC month.
const (
	famHour = iota
	famDay
	famTrans
	numFamilies
)

// Read-only tables naming the families' files.
var (
	famPrefix = [numFamilies]string{"hour-", "day-", "trans-"}
	famLayout = [numFamilies]string{"20060102", "200601", "200601"}
)

func famFile(fam int, unix int64) string {
	return famPrefix[fam] + time.Unix(unix, 0).UTC().Format(famLayout[fam])
}

// parseFamFile returns a rollup file's family and the period it covers.
func parseFamFile(name string) (fam int, start, end time.Time, ok bool) {
	for f, p := range famPrefix {
		rest, found := strings.CutPrefix(name, p)
		if !found || len(rest) != len(famLayout[f]) {
			continue
		}
		t, err := time.Parse(famLayout[f], rest)
		if err != nil {
			return 0, time.Time{}, time.Time{}, false
		}
		if f == famHour {
			return f, t, t.AddDate(0, 0, 1), true
		}
		return f, t, t.AddDate(0, 1, 0), true
	}
	return 0, time.Time{}, time.Time{}, false
}

// rollupLimit says how much of a rollup file belongs to the state in
// marks: all of an older file, the marked size of the newest, nothing of a
// file newer than the mark (written after the checkpoint).
func rollupLimit(marks *[numFamilies]fileMark, fam int, name string) (limit int64, ok bool) {
	m := marks[fam]
	switch {
	case name > m.name:
		return 0, false
	case name == m.name:
		return m.size, true
	}
	return 1 << 40, true
}

// readRollupFile reads the part of a rollup file that marks allows. A
// missing file reads as nil.
func (l *Log) readRollupFile(marks *[numFamilies]fileMark, fam int, name string) ([]byte, error) {
	limit, ok := rollupLimit(marks, fam, name)
	if !ok {
		return nil, nil
	}
	data, err := readLimited(filepath.Join(l.rdir, name), limit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return data, nil
}

// walkRollups calls fn with every record payload of a rollup file. Damage
// ends the walk; it is reported once and what came before is used.
func (l *Log) walkRollups(name string, data []byte, fn func(p []byte)) {
	if len(data) == 0 {
		return
	}
	if len(data) < len(rollupMagic) || string(data[:len(rollupMagic)]) != rollupMagic {
		l.noteCorruption(&CorruptionError{File: filepath.Join(l.rdir, name), Segment: -1, Err: fmt.Errorf("%w: bad rollup magic", ErrCorrupt)})
		return
	}
	off := len(rollupMagic)
	for off < len(data) {
		p, n, err := readFrame(data[off:], maxFrame)
		if err != nil {
			l.noteCorruption(&CorruptionError{File: filepath.Join(l.rdir, name), Segment: -1, Offset: int64(off), Err: err})
			return
		}
		fn(p)
		off += n
	}
}

// appendRollupLocked appends frames to a rollup file, fsyncs it and moves
// the family's mark.
func (l *Log) appendRollupLocked(fam int, name string, frames []byte) error {
	mark := l.marks[fam]
	path := filepath.Join(l.rdir, name)
	var size int64
	if mark.name == name {
		size = mark.size
	} else if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	data := frames
	if size == 0 {
		data = append([]byte(rollupMagic), frames...)
	}
	f, err := l.opts.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("write rollup %s: %w", name, err)
	}
	_, err = f.WriteAt(data, size)
	if err == nil {
		err = f.Truncate(size + int64(len(data)))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && size == 0 {
		err = syncDir(l.rdir)
	}
	if err != nil {
		return fmt.Errorf("write rollup %s: %w", name, err)
	}
	if name >= mark.name {
		l.marks[fam] = fileMark{name, size + int64(len(data))}
	}
	return nil
}

// undoRollupLocked puts a family back to an earlier mark after a partial
// failure, so that the retry does not write the same rollups twice.
func (l *Log) undoRollupLocked(fam int, prev fileMark, name string) {
	size := int64(0)
	if prev.name == name {
		size = prev.size
	}
	if f, err := l.opts.OpenFile(filepath.Join(l.rdir, name), os.O_WRONLY, 0o644); err == nil {
		f.Truncate(size)
		f.Close()
	}
	l.marks[fam] = prev
}

// flushRollupsLocked writes the buckets of the hours before target, and
// the daily rollups of the days that ended.
func (l *Log) flushRollupsLocked(target int64) error {
	if l.agg.flushed == 0 && len(l.agg.buckets) == 0 {
		l.agg.flushed = target
		return nil
	}
	for _, b := range l.agg.due(target) {
		if err := l.advanceLocked(b.start); err != nil {
			return err
		}
		if err := l.writeBucketLocked(b); err != nil {
			return err
		}
		delete(l.agg.buckets, b.start)
		if err := l.advanceLocked(b.start + 3600); err != nil {
			return err
		}
	}
	return l.advanceLocked(target)
}

// advanceLocked moves the flushed mark to `to`, writing the daily rollups
// of the days that end on the way.
func (l *Log) advanceLocked(to int64) error {
	f := l.agg.flushed
	if to <= f {
		return nil
	}
	start := dayOf(f) + 86400
	if keep := int64(l.opts.RollupRetention / time.Second); to-start > keep {
		start = dayOf(to-keep) + 86400
	}
	for e := start; e <= to; e += 86400 {
		if err := l.finalizeDayLocked(e - 86400); err != nil {
			return err
		}
		l.agg.flushed = e
	}
	l.agg.flushed = to
	return nil
}

func (l *Log) writeBucketLocked(b *bucket) error {
	var frames, tmp []byte
	for _, r := range b.sortedRollups() {
		tmp = r.appendTo(tmp[:0])
		frames = appendFrame(frames, tmp)
	}
	hour := famFile(famHour, b.start)
	prev := l.marks[famHour]
	if len(frames) > 0 {
		if err := l.appendRollupLocked(famHour, hour, frames); err != nil {
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
		if err := l.appendRollupLocked(famTrans, famFile(famTrans, b.start), frames); err != nil {
			l.undoRollupLocked(famHour, prev, hour)
			return err
		}
	}
	return nil
}

// finalizeDayLocked merges a day's hourly rollups into daily ones.
func (l *Log) finalizeDayLocked(day int64) error {
	name := famFile(famHour, day)
	data, err := l.readRollupFile(&l.marks, famHour, name)
	if err != nil || data == nil {
		return err
	}
	daily := map[string]*Rollup{}
	l.walkRollups(name, data, func(p []byte) {
		if p[0] != recRollup {
			return
		}
		r, err := decodeRollup(p)
		if err != nil {
			return
		}
		d := daily[r.Monitor]
		if d == nil {
			d = &Rollup{Monitor: r.Monitor, Start: time.Unix(day, 0).UTC(), Period: 24 * time.Hour}
			daily[r.Monitor] = d
		}
		d.Merge(r)
	})
	if len(daily) == 0 {
		return nil
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
	return l.appendRollupLocked(famDay, famFile(famDay, day), frames)
}

// rollupFiles lists the rollup files of a family, oldest first.
func (l *Log) rollupFiles(fam int) ([]string, error) {
	ents, err := os.ReadDir(l.rdir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list rollups: %w", err)
	}
	var out []string
	for _, e := range ents {
		if f, _, _, ok := parseFamFile(e.Name()); ok && f == fam && e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// trimRollups makes the rollup files match the checkpoint: what was
// appended after it is cut off, to be written again from the raw replay.
func (l *Log) trimRollups() error {
	for fam := range numFamilies {
		names, err := l.rollupFiles(fam)
		if err != nil {
			return err
		}
		m := &l.marks[fam]
		if m.name != "" {
			if _, err := os.Stat(filepath.Join(l.rdir, m.name)); errors.Is(err, fs.ErrNotExist) {
				m.size = 0 // gone: the next append starts it afresh
			}
		}
		for _, n := range names {
			path := filepath.Join(l.rdir, n)
			switch {
			case n > m.name:
				if err := os.Remove(path); err != nil {
					return fmt.Errorf("trim rollups: %w", err)
				}
			case n == m.name:
				fi, err := os.Stat(path)
				if err != nil {
					return fmt.Errorf("trim rollups: %w", err)
				}
				if fi.Size() > m.size {
					if err := os.Truncate(path, m.size); err != nil {
						return fmt.Errorf("trim rollups: %w", err)
					}
				} else {
					m.size = fi.Size()
				}
			}
		}
	}
	return nil
}

// startRebuild prepares to rebuild the rollups from the raw segments when
// the checkpoint is missing: rollups from the first raw hour on are
// removed (the replay writes them again), older ones are kept, and monitor
// states are seeded from the transitions kept.
func (l *Log) startRebuild(segs []int) error {
	var first int64 = -1
	for _, s := range segs {
		// Not l.index: the segment may be damaged and about to be repaired.
		data, err := readLimited(filepath.Join(l.raw, segName(s)), l.opts.readLimit())
		if err != nil {
			return fmt.Errorf("rebuild rollups: %w", err)
		}
		if x, _, _ := buildIndex(data, s); x.count > 0 {
			first = x.min
			break
		}
	}
	if first >= 0 {
		h0 := hourOf(first / 1000)
		l.opts.Logger.Info("history: rebuilding rollups from raw segments", "from", time.Unix(h0, 0).UTC())
		if err := l.pruneRollups(h0); err != nil {
			return err
		}
		l.agg.flushed = h0
	}
	for fam := range numFamilies {
		names, err := l.rollupFiles(fam)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			continue
		}
		n := names[len(names)-1]
		fi, err := os.Stat(filepath.Join(l.rdir, n))
		if err != nil {
			return fmt.Errorf("rebuild rollups: %w", err)
		}
		l.marks[fam] = fileMark{n, fi.Size()}
	}
	trans, _ := l.rollupFiles(famTrans)
	for _, n := range trans {
		data, err := l.readRollupFile(&l.marks, famTrans, n)
		if err != nil {
			return err
		}
		l.walkRollups(n, data, func(p []byte) {
			if t, err := decodeTransition(p); err == nil {
				m := l.agg.mons[t.Monitor]
				if m == nil {
					m = &MonitorInfo{Name: t.Monitor, First: t.Since, Last: t.Time}
					l.agg.mons[t.Monitor] = m
				}
				m.Status, m.Since, m.Last = t.To, t.Time, t.Time
			}
		})
	}
	return nil
}

// pruneRollups removes rollups and transitions from h0 on.
func (l *Log) pruneRollups(h0 int64) error {
	for fam := range numFamilies {
		names, err := l.rollupFiles(fam)
		if err != nil {
			return err
		}
		for _, n := range names {
			_, start, end, _ := parseFamFile(n)
			if !end.After(time.Unix(h0, 0)) {
				continue
			}
			path := filepath.Join(l.rdir, n)
			if !start.Before(time.Unix(h0, 0)) {
				if err := os.Remove(path); err != nil {
					return fmt.Errorf("prune rollups: %w", err)
				}
				continue
			}
			data, err := readLimited(path, 1<<40)
			if err != nil {
				return fmt.Errorf("prune rollups: %w", err)
			}
			kept := []byte(rollupMagic)
			l.walkRollups(n, data, func(p []byte) {
				keep := false
				switch p[0] {
				case recRollup:
					_, s, _ := decodeRollupHead(&buf{b: p})
					keep = s.start < h0 && (fam != famDay || s.start+86400 <= h0)
				case recTransition:
					if t, err := decodeTransition(p); err == nil {
						keep = t.Time.Unix() < h0
					}
				}
				if keep {
					kept = appendFrame(kept, p)
				}
			})
			if err := writeFileAtomic(l.opts.OpenFile, path, kept, true); err != nil {
				return fmt.Errorf("prune rollups: %w", err)
			}
		}
	}
	return nil
}

// retentionLocked deletes raw segments older than Retention (whole, never
// the one being written or one the checkpoint still needs), rollup files
// older than RollupRetention, and monitors with nothing left on record.
func (l *Log) retentionLocked(now time.Time) {
	cut := now.Add(-l.opts.Retention).UnixMilli()
	segs, err := listSegments(l.raw)
	if err != nil {
		l.opts.Logger.Warn("history: retention", "err", err)
	}
	for _, s := range segs {
		if (l.act != nil && s >= l.act.seg) || s >= l.ckptPos.seg {
			break
		}
		x, err := l.index(s)
		if err != nil || (x.count > 0 && x.max >= cut) {
			break
		}
		base := filepath.Join(l.raw, segName(s))
		if err := os.Remove(base); err != nil {
			l.opts.Logger.Warn("history: retention", "err", err)
			break
		}
		os.Remove(base + idxSuffix)
		if more, _ := filepath.Glob(base + ".corrupt*"); len(more) > 0 {
			for _, m := range more {
				os.Remove(m)
			}
		}
		l.qmu.Lock()
		delete(l.idx, s)
		l.qmu.Unlock()
		l.stats.Deleted++
	}
	rcut := now.Add(-l.opts.RollupRetention)
	ents, _ := os.ReadDir(l.rdir)
	for _, e := range ents {
		fam, _, end, ok := parseFamFile(e.Name())
		if ok && !end.After(rcut) && e.Name() != l.marks[fam].name {
			os.Remove(filepath.Join(l.rdir, e.Name()))
		}
	}
	for n, m := range l.agg.mons {
		if m.Last.Before(rcut) {
			delete(l.agg.mons, n)
		}
	}
}
