package history

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// recovery brings the rollup state up to date with the raw segments when
// a DB opens: from the checkpoint when there is one (a writer first cuts
// the rollup files back to it), else rebuilt from the raw segments; then
// the results after the checkpoint's position are replayed. A writer
// repairs the damage it finds and indexes the last segment, which it will
// not append to; a reader goes around damage, and quietly so at the end
// of the newest segment, which a writer may be writing.
type recovery struct {
	raw    string
	o      *Options
	st     *state
	files  *rollupFiles
	idx    *indexes
	dmg    *damage
	writer bool
}

// run restores the state and returns the number the next new segment
// gets.
func (rc *recovery) run() (next int, err error) {
	segs, err := listSegments(rc.raw)
	if err != nil {
		return 0, err
	}
	ck, err := loadCheckpoint(rc.files.dir)
	switch {
	case err != nil && rc.writer:
		rc.o.Logger.Warn("history checkpoint unreadable, rebuilding rollups from raw segments", "err", err)
	case err != nil:
		rc.o.Logger.Warn("history checkpoint unreadable, reading raw segments", "err", err)
	}
	pos := position{}
	if ck != nil {
		rc.st.agg, pos, rc.st.marks = ck.agg, ck.pos, ck.files
		if rc.writer {
			if err := rc.trim(); err != nil {
				return 0, err
			}
		}
	} else {
		// No checkpoint: rollup files cannot be trusted to match, so
		// everything comes from the raw segments.
		rc.st.agg = newAggregator()
		if rc.writer {
			if err := rc.startRebuild(segs); err != nil {
				return 0, err
			}
		}
	}
	if err := rc.replay(segs, pos); err != nil {
		return 0, err
	}
	next = max(pos.seg, 0) + 1
	if len(segs) > 0 {
		next = max(next, segs[len(segs)-1]+1)
	}
	return next, nil
}

// replay feeds the aggregator every result from pos on.
func (rc *recovery) replay(segs []int, pos position) error {
	for i, s := range segs {
		if s < pos.seg {
			continue
		}
		last := i == len(segs)-1
		path := filepath.Join(rc.raw, segName(s))
		f, n, err := openLimited(path, rc.o.readLimit())
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted by the writer's retention meanwhile
		}
		if err != nil {
			return fmt.Errorf("read segment %s: %w", segName(s), err)
		}
		from := int64(0)
		if s == pos.seg {
			from = pos.off
		}
		var ib *indexBuilder
		if rc.writer && last {
			ib = newIndexBuilder()
		}
		sr := NewSegmentReader(io.LimitReader(f, n), s, nil)
		for sr.Next() {
			r := sr.Result()
			if sr.Offset() >= from {
				rc.st.agg.add(r)
			}
			if ib != nil {
				ib.add(r.Monitor, r.Time.UnixMilli())
			}
		}
		f.Close()
		for _, ce := range sr.Skipped() {
			ce.File = path
			rc.dmg.skipped(&ce)
		}
		good, serr := sr.Good(), sr.Err()
		switch {
		case serr != nil && !errors.Is(serr, ErrCorrupt):
			return fmt.Errorf("read segment %s: %w", segName(s), serr)
		case serr != nil && rc.writer:
			if err := rc.repair(s, n, good, serr); err != nil {
				return err
			}
		case serr != nil && !last:
			rc.dmg.skipped(&CorruptionError{File: path, Segment: s, Offset: good, Err: serr})
		}
		if ib != nil && good > int64(len(segMagic)) {
			rc.idx.write(ib.build(s, good))
		}
	}
	return nil
}

// repair cuts a segment of n bytes at good, moving the bad rest aside.
func (rc *recovery) repair(seg int, n, good int64, cause error) error {
	path := filepath.Join(rc.raw, segName(seg))
	ce := CorruptionError{File: path, Segment: seg, Offset: good, Err: cause}
	noHeader := good <= int64(len(segMagic))
	from := good
	if noHeader {
		from = 0
	}
	if n > from {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("repair segment %s: %w", segName(seg), err)
		}
		ce.Moved, err = moveAside(path, io.NewSectionReader(f, from, n-from), permsOf(rc.o).file)
		f.Close()
		if err != nil {
			return fmt.Errorf("repair segment %s: %w", segName(seg), err)
		}
	}
	if noHeader {
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("repair segment %s: %w", segName(seg), err)
		}
	} else {
		f, err := rc.o.OpenFile(path, os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("repair segment %s: %w", segName(seg), err)
		}
		err = f.Truncate(good)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("repair segment %s: %w", segName(seg), err)
		}
	}
	rc.dmg.repaired(ce, n-good)
	return nil
}

// trim makes the rollup files match the checkpoint: what was appended
// after it is cut off, to be written again from the raw replay.
func (rc *recovery) trim() error {
	for fam := range numFamilies {
		names, err := rc.files.list(fam)
		if err != nil {
			return err
		}
		m := &rc.st.marks[fam]
		if m.name != "" {
			if _, err := os.Stat(filepath.Join(rc.files.dir, m.name)); errors.Is(err, fs.ErrNotExist) {
				m.size = 0 // gone: the next append starts it afresh
			}
		}
		for _, n := range names {
			path := filepath.Join(rc.files.dir, n)
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
func (rc *recovery) startRebuild(segs []int) error {
	var first int64 = -1
	for _, s := range segs {
		// Not the index cache: the segment may be damaged and about to be
		// repaired.
		f, n, err := openLimited(filepath.Join(rc.raw, segName(s)), rc.o.readLimit())
		if err != nil {
			return fmt.Errorf("rebuild rollups: %w", err)
		}
		x, _, _, err := indexSegment(io.LimitReader(f, n), s)
		f.Close()
		if err != nil && !errors.Is(err, ErrCorrupt) {
			return fmt.Errorf("rebuild rollups: %w", err)
		}
		if x.count > 0 {
			first = x.min
			break
		}
	}
	if first >= 0 {
		h0 := hourOf(first / 1000)
		rc.o.Logger.Info("history: rebuilding rollups from raw segments", "from", time.Unix(h0, 0).UTC())
		if err := rc.prune(h0); err != nil {
			return err
		}
		rc.st.agg.flushed = h0
	}
	for fam := range numFamilies {
		names, err := rc.files.list(fam)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			continue
		}
		n := names[len(names)-1]
		fi, err := os.Stat(filepath.Join(rc.files.dir, n))
		if err != nil {
			return fmt.Errorf("rebuild rollups: %w", err)
		}
		rc.st.marks[fam] = fileMark{n, fi.Size()}
	}
	trans, _ := rc.files.list(famTrans)
	agg := rc.st.agg
	for _, n := range trans {
		err := rc.files.walk(&rc.st.marks, famTrans, n, func(p []byte) {
			if t, err := decodeTransition(p); err == nil {
				m := agg.mons[t.Monitor]
				if m == nil {
					m = &MonitorInfo{Name: t.Monitor, First: t.Since, Last: t.Time}
					agg.mons[t.Monitor] = m
				}
				m.Status, m.Since, m.Last = t.To, t.Time, t.Time
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// prune removes rollups and transitions from h0 on.
func (rc *recovery) prune(h0 int64) error {
	for fam := range numFamilies {
		names, err := rc.files.list(fam)
		if err != nil {
			return err
		}
		for _, n := range names {
			_, start, end, _ := parseFamFile(n)
			if !end.After(time.Unix(h0, 0)) {
				continue
			}
			path := filepath.Join(rc.files.dir, n)
			if !start.Before(time.Unix(h0, 0)) {
				if err := os.Remove(path); err != nil {
					return fmt.Errorf("prune rollups: %w", err)
				}
				continue
			}
			kept := []byte(rollupMagic)
			err := rc.files.walkTo(n, 1<<40, func(p []byte) {
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
			if err != nil {
				return fmt.Errorf("prune rollups: %w", err)
			}
			if err := writeFileAtomic(rc.o.OpenFile, path, kept, permsOf(rc.o).file, true); err != nil {
				return fmt.Errorf("prune rollups: %w", err)
			}
		}
	}
	return nil
}
