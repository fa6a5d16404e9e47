package history

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// active is the segment being written.
type active struct {
	seg       int
	enc       *encoder
	file      File // nil until created
	dirSynced bool
	committed int64  // bytes written to the file
	pending   []byte // encoded frames not yet written
	queued    int    // results in pending
	dirty     bool   // written but not yet fsynced
	torn      bool   // a failed write may have left bytes after committed
	dayEnd    int64  // ms: a result at or after it starts a new segment
	ib        *indexBuilder
}

func (a *active) size() int64 { return a.committed + int64(len(a.pending)) }

// segmentWriter appends results to the raw segments: encoded into the
// active segment's pending frames, then written with one pwrite per
// flush. A segment is cut at SegmentSize and at midnight UTC, and sealed
// (fsynced, closed, indexed) when the next one starts. When a write fails
// the frames wait in memory, MaxPending bytes at most, and the next flush
// tries again. It is used under the writer's lock.
type segmentWriter struct {
	raw     string
	o       *Options
	act     *active // nil until the first result after open or a seal
	next    int     // number of the next segment
	retryAt time.Time
	stats   *Stats
	health  *health
	idx     *indexes
}

// add encodes one result into the active segment, starting a new one
// when the active one is full or the result belongs to a later day.
func (w *segmentWriter) add(r *monitor.Result) {
	t := r.Time.UnixMilli()
	a := w.act
	if a != nil && a.file != nil && len(a.pending) == 0 && (a.committed >= w.o.SegmentSize || t >= a.dayEnd) {
		w.seal()
		a = nil
	}
	if a == nil {
		a = &active{seg: w.next, enc: newEncoder(t), pending: headerFrame(w.next, t), ib: newIndexBuilder()}
		a.dayEnd = (dayOf(r.Time.Unix()) + 86400) * 1000
		w.next++
		w.act = a
	}
	a.pending = a.enc.encode(a.pending, r)
	a.queued++
	a.ib.add(clipString(r.Monitor), t)
	if len(a.pending) > w.o.MaxPending {
		w.drop()
	}
}

// drop gives up on the results waiting in memory: the queue is full. The
// segment they belonged to ends at what was written; the next result
// starts a new one.
func (w *segmentWriter) drop() {
	a := w.act
	w.act = nil
	w.stats.Dropped += uint64(a.queued)
	w.o.Logger.Error("history: in-memory queue full, results dropped", "results", a.queued, "segment", segName(a.seg))
	if a.file != nil {
		if a.torn {
			a.file.Truncate(a.committed)
		}
		a.file.Close()
		if a.committed == 0 {
			os.Remove(filepath.Join(w.raw, segName(a.seg)))
		}
		// Otherwise its index is rebuilt from what is on disk when needed.
	}
}

// seal finishes the active segment: fsync, close, write its index.
func (w *segmentWriter) seal() {
	a := w.act
	w.act = nil
	if a.file == nil {
		return
	}
	if a.dirty {
		if err := a.file.Sync(); err != nil {
			w.fault(fmt.Errorf("sync segment %s: %w", segName(a.seg), err))
		}
		w.stats.Syncs++
	}
	if a.torn {
		a.file.Truncate(a.committed)
	}
	if err := a.file.Close(); err != nil {
		w.fault(fmt.Errorf("close segment %s: %w", segName(a.seg), err))
	}
	w.idx.write(a.ib.build(a.seg, a.committed))
}

// flush writes the pending frames. While the disk is faulty it tries
// again at most every RetryInterval unless force is set.
func (w *segmentWriter) flush(now time.Time, force bool) error {
	a := w.act
	if a == nil || len(a.pending) == 0 {
		return nil
	}
	ri := w.o.RetryInterval
	if w.health.raw != nil && !force && now.Before(w.retryAt) && !now.Before(w.retryAt.Add(-2*ri)) {
		return fmt.Errorf("%w: %w", ErrQueued, w.health.raw)
	}
	name := segName(a.seg)
	if a.file == nil {
		f, err := w.o.OpenFile(filepath.Join(w.raw, name), os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o644)
		if err != nil {
			return w.fault(fmt.Errorf("create segment %s: %w", name, err))
		}
		a.file = f
	}
	if !a.dirSynced {
		if err := syncDir(w.raw); err != nil {
			return w.fault(fmt.Errorf("create segment %s: %w", name, err))
		}
		a.dirSynced = true
	}
	n, err := a.file.WriteAt(a.pending, a.committed)
	if err != nil {
		if n > 0 {
			a.torn = true
		}
		return w.fault(fmt.Errorf("write segment %s: %w", name, err))
	}
	a.committed += int64(n)
	a.pending = a.pending[:0]
	if cap(a.pending) > 1<<20 {
		a.pending = nil
	}
	a.queued = 0
	a.dirty = true
	if a.torn && a.file.Truncate(a.committed) == nil {
		a.torn = false
	}
	if w.health.raw != nil {
		w.o.Logger.Info("history: writing again")
		w.health.setRaw(nil)
	}
	return nil
}

// fault records a failed write, sync or create, and returns it wrapped in
// ErrQueued: what was appended waits in memory.
func (w *segmentWriter) fault(err error) error {
	w.stats.WriteErrors++
	w.retryAt = w.o.Now().Add(w.o.RetryInterval)
	if w.health.raw == nil || w.health.raw.Error() != err.Error() {
		w.o.Logger.Error("history: cannot write, keeping results in memory", "err", err)
	}
	w.health.setRaw(err)
	return fmt.Errorf("%w: %w", ErrQueued, err)
}

// sync fsyncs the active segment if it has unsynced writes.
func (w *segmentWriter) sync() error {
	a := w.act
	if a == nil || a.file == nil || !a.dirty {
		return nil
	}
	w.stats.Syncs++
	if err := a.file.Sync(); err != nil {
		return w.fault(fmt.Errorf("sync segment %s: %w", segName(a.seg), err))
	}
	a.dirty = false
	return nil
}

// takeDirty hands out the active segment's file for an fsync outside the
// lock, counting it as done; syncFailed undoes that when it fails.
func (w *segmentWriter) takeDirty() (File, int) {
	a := w.act
	if a == nil || a.file == nil || !a.dirty {
		return nil, 0
	}
	a.dirty = false
	w.stats.Syncs++
	return a.file, a.seg
}

func (w *segmentWriter) syncFailed(seg int, err error) {
	if a := w.act; a != nil && a.seg == seg {
		a.dirty = true
	}
	w.fault(fmt.Errorf("sync segment %s: %w", segName(seg), err))
}

// pos is the raw position after everything appended so far.
func (w *segmentWriter) pos() position {
	if a := w.act; a != nil {
		return position{a.seg, a.size()}
	}
	return position{w.next, 0}
}

// view says how much of segment s is written and copies what waits in
// memory, when s is the active segment.
func (w *segmentWriter) view(s int) (committed int64, pending []byte, ok bool) {
	a := w.act
	if a == nil || a.seg != s {
		return 0, nil, false
	}
	return a.committed, append([]byte(nil), a.pending...), true
}

// close closes the active segment's file; what is pending stays pending.
func (w *segmentWriter) close() error {
	a := w.act
	if a == nil || a.file == nil {
		return nil
	}
	err := a.file.Close()
	a.file = nil
	return err
}
