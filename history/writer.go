package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// writer is the write side of a DB. Every result appended goes to the raw
// segments and into the rollup state, and the writer keeps both on disk:
// an fsync at once when a monitor's status changes and within
// SyncInterval otherwise, the rollups of hours that are over, a
// checkpoint, retention, and retries after a fault. It holds the
// directory's lock; st.mu guards everything it changes.
type writer struct {
	dir   string
	o     *Options
	lock  *flock.Flock
	st    *state
	segs  segmentWriter
	roll  roller
	files *rollupFiles
	idx   *indexes

	closed    bool
	health    health
	stats     Stats
	ckptPos   position // raw position of the checkpoint on disk
	nextMaint time.Time
	lastCkpt  time.Time
	lastRet   time.Time

	done chan struct{} // closed by close: the background goroutine stops
	wg   sync.WaitGroup
}

func newWriter(dir, raw string, o *Options, fl *flock.Flock, st *state, files *rollupFiles, idx *indexes, next int) *writer {
	w := &writer{dir: dir, o: o, lock: fl, st: st, files: files, idx: idx}
	w.health.onHealth = o.OnHealth
	w.segs = segmentWriter{raw: raw, o: o, next: next, stats: &w.stats, health: &w.health, idx: idx, perm: permsOf(o)}
	w.roll = roller{st: st, files: files, keep: o.RollupRetention}
	return w
}

// start does the maintenance due at open and starts the background
// goroutine that retries, maintains and fsyncs.
func (w *writer) start() {
	w.st.mu.Lock()
	w.maintain(w.o.Now(), true)
	w.unlock()
	if w.o.SyncInterval > 0 {
		w.done = make(chan struct{})
		w.wg.Add(1)
		go w.run()
	}
}

// append writes results: handed to the OS before it returns, and fsynced
// at once when a monitor's status changed. When the disk refuses them
// they wait in memory and the error wraps ErrQueued.
func (w *writer) append(one *monitor.Result, rs []monitor.Result) error {
	w.st.mu.Lock()
	defer w.unlock()
	if w.closed {
		return ErrClosed
	}
	now := w.o.Now()
	changed := false
	add := func(r *monitor.Result) {
		changed = w.st.agg.add(r) || changed
		w.segs.add(r, now)
		w.stats.Appended++
	}
	if one != nil {
		add(one)
	}
	for i := range rs {
		add(&rs[i])
	}
	err := w.segs.flush(now, false)
	if err == nil && changed {
		err = w.segs.sync()
	}
	w.maintain(now, false)
	if err == nil && w.health.raw != nil {
		err = fmt.Errorf("%w: %w", ErrQueued, w.health.raw)
	}
	if err == nil {
		err = w.health.aux
	}
	return err
}

// unlock releases the lock and then makes the OnHealth calls queued
// while it was held.
func (w *writer) unlock() {
	cbs := w.health.take()
	w.st.mu.Unlock()
	for _, f := range cbs {
		f()
	}
}

// sync writes whatever waits in memory and fsyncs it.
func (w *writer) sync() error {
	w.st.mu.Lock()
	defer w.unlock()
	if w.closed {
		return ErrClosed
	}
	if err := w.segs.flush(w.o.Now(), true); err != nil {
		return err
	}
	return w.segs.sync()
}

func (w *writer) run() {
	defer w.wg.Done()
	t := time.NewTicker(w.o.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
			w.tick()
		}
	}
}

// tick retries a failed write, runs maintenance and fsyncs outside the
// lock, so an fsync never holds up an append.
func (w *writer) tick() {
	w.st.mu.Lock()
	if w.closed {
		w.st.mu.Unlock()
		return
	}
	now := w.o.Now()
	w.segs.flush(now, false)
	w.maintain(now, false)
	f, seg := w.segs.takeDirty()
	w.unlock()
	if f == nil {
		return
	}
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
		w.st.mu.Lock()
		w.segs.syncFailed(seg, err)
		w.unlock()
	}
}

// maintain writes the rollups of finished hours, saves the checkpoint
// and applies retention, each when it is due.
func (w *writer) maintain(now time.Time, force bool) {
	if !force && now.Before(w.nextMaint) && !now.Before(w.nextMaint.Add(-2*time.Second)) {
		return
	}
	w.nextMaint = now.Add(time.Second)
	var fault error
	flushed, saved := false, false
	if target := hourOf(now.Add(-w.o.Grace).Unix()); target > w.st.agg.flushed {
		if fault = w.roll.flush(target); fault == nil {
			flushed = true
		}
	}
	if flushed || w.health.aux != nil || now.Sub(w.lastCkpt) >= w.o.CheckpointInterval || now.Before(w.lastCkpt) {
		if err := w.checkpoint(now); err != nil && fault == nil {
			fault = err
		}
		saved = true
	}
	switch {
	case fault != nil:
		w.stats.WriteErrors++
		if w.health.aux == nil || w.health.aux.Error() != fault.Error() {
			w.o.Logger.Error("history: cannot write rollups", "err", fault)
		}
		w.health.setAux(fault)
	case saved && w.health.aux != nil:
		w.o.Logger.Info("history: rollups written again")
		w.health.setAux(nil)
	}
	if force || now.Sub(w.lastRet) >= retainEach || now.Before(w.lastRet) {
		w.lastRet = now
		w.retention(now)
	}
}

// checkpoint saves the rollup state as of the raw position reached.
func (w *writer) checkpoint(now time.Time) error {
	// The raw data the checkpoint accounts for goes to disk first, and
	// ends at a frame boundary: where a replay may start.
	pos := w.segs.boundary()
	if w.health.raw == nil && w.segs.flush(now, false) == nil {
		w.segs.sync()
	}
	c := checkpoint{pos: pos, agg: w.st.agg, files: w.st.marks}
	if err := writeFileAtomic(w.o.OpenFile, filepath.Join(w.files.dir, ckptName), c.encode(), permsOf(w.o).file, true); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	w.ckptPos = c.pos
	w.lastCkpt = now
	return nil
}

// close stops the background goroutine, writes what waits in memory (if
// the disk takes it), saves the checkpoint and releases the lock.
func (w *writer) close() error {
	w.st.mu.Lock()
	if w.closed {
		w.st.mu.Unlock()
		return nil
	}
	w.closed = true
	w.st.mu.Unlock()
	if w.done != nil {
		close(w.done)
		w.wg.Wait()
	}
	w.st.mu.Lock()
	defer w.unlock()
	now := w.o.Now()
	err := w.segs.flush(now, true)
	if err == nil {
		err = w.segs.sync()
	}
	if cerr := w.checkpoint(now); err == nil {
		err = cerr
	}
	if cerr := w.segs.close(); err == nil {
		err = cerr
	}
	if uerr := unlockDir(w.dir, w.lock); err == nil {
		err = uerr
	}
	return err
}

// healthErr is the current storage problem, or nil.
func (w *writer) healthErr() error {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	return w.health.err()
}

// counters returns the counters, with the results waiting in memory.
func (w *writer) counters() Stats {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	s := w.stats
	if a := w.segs.act; a != nil {
		s.Queued = a.queued
	}
	return s
}

// live returns the number of the segment being written, or -1.
func (w *writer) live() int {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	if a := w.segs.act; a != nil {
		return a.seg
	}
	return -1
}

// view says how much of segment s is written and copies what waits in
// memory, when s is the segment being written.
func (w *writer) view(s int) (committed int64, pending []byte, ok bool) {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	return w.segs.view(s)
}
