package history

import (
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// blockSpan is how long a block stays open: its results are rewritten
// as one frame, so a torn write or a damaged byte costs at most this
// much of the log.
const blockSpan = time.Second

// sector is the unit a frame header never straddles: the header of the
// open block is rewritten in place, and a write inside one sector (or one
// page) is whole or not at all.
const sector = 512

// active is the segment being written. The writer keeps its image from
// flushed on in pending: bytes before flushed are on disk and final;
// after it come sealed blocks not yet written and the open block, which
// grows in place (its rows appended, its header rewritten).
type active struct {
	seg       int
	enc       *blockEncoder
	file      File // nil until created
	dirSynced bool
	flushed   int64  // the image before it is on disk, final
	pending   []byte // the image from flushed on
	diskEnd   int64  // bytes of the image written to the file
	hdrAt     int64  // a block header on disk that has changed since it was written, or -1
	block     int64  // offset of the open block's frame, or -1
	blockCRC  uint32 // crc32c of the open block's payload so far
	opened    time.Time
	queued    int  // results not yet on disk
	dirty     bool // written but not yet fsynced
	torn      bool // a failed write may have left bytes after diskEnd
	dayEnd    int64
	ib        *indexBuilder
}

func (a *active) size() int64 { return a.flushed + int64(len(a.pending)) }

// clean says whether the file holds the whole image.
func (a *active) clean() bool { return a.diskEnd == a.size() && a.hdrAt < 0 }

// at returns the image from offset off on.
func (a *active) at(off int64) []byte { return a.pending[off-a.flushed:] }

// segmentWriter appends results to the raw segments, in blocks of up to
// blockSpan of results: a result is added to the open block's frame in
// memory, then its bytes are written after what the file holds and the
// block's header is rewritten, so that a kill at any point leaves the
// frame as it was or as it is (FORMAT.md). A segment is cut at
// SegmentSize and at midnight UTC, and sealed (fsynced, closed, indexed)
// when the next one starts. When a write fails the image waits in
// memory, MaxPending bytes at most, and the next flush tries again. It is
// used under the writer's lock.
type segmentWriter struct {
	raw     string
	o       *Options
	act     *active // nil until the first result after open or a seal
	next    int     // number of the next segment
	retryAt time.Time
	stats   *Stats
	health  *health
	idx     *indexes
	perm    perms
}

// add encodes one result into the active segment, starting a new one
// when the active one is full or the result belongs to a later day.
func (w *segmentWriter) add(r *monitor.Result, now time.Time) {
	t := r.Time.UnixMilli()
	a := w.act
	if a != nil && a.file != nil && a.clean() && (a.size() >= w.o.SegmentSize || t >= a.dayEnd) {
		w.seal()
		a = nil
	}
	if a == nil {
		hdr := header2Frame(w.next, t)
		a = &active{seg: w.next, enc: newBlockEncoder(t), pending: hdr, hdrAt: -1, block: -1, ib: newIndexBuilder()}
		a.dayEnd = (dayOf(r.Time.Unix()) + 86400) * 1000
		w.next++
		w.act = a
	}
	if a.block >= 0 && (now.Sub(a.opened) >= blockSpan || now.Before(a.opened) || a.size()-a.block >= maxBlock) {
		w.closeBlock(a)
	}
	mark := len(a.pending)
	if a.block < 0 {
		a.block = a.size()
		a.opened = now
		a.pending = append(a.pending, make([]byte, frame2Header)...)
		mark = len(a.pending)
		a.pending = a.enc.startBlock(a.pending, endMS(r))
		a.blockCRC = 0
	}
	a.pending = a.enc.add(a.pending, r)
	w.grew(a, mark)
	a.queued++
	a.ib.add(clipString(r.Monitor), t)
	if len(a.pending) > w.o.MaxPending {
		w.drop()
	}
}

// grew accounts for what was appended to the open block from pending[mark:].
func (w *segmentWriter) grew(a *active, mark int) {
	a.blockCRC = crc32.Update(a.blockCRC, castagnoli(), a.pending[mark:])
	putFrame2Header(a.at(a.block), int(a.size()-a.block-frame2Header), a.blockCRC)
	if a.block < a.diskEnd {
		a.hdrAt = a.block
	}
}

// closeBlock seals the open block. When the next frame's header would
// straddle a sector, the block is padded with zeros up to it.
func (w *segmentWriter) closeBlock(a *active) {
	if a.block < 0 {
		return
	}
	if rem := a.size() % sector; rem > sector-frame2Header {
		mark := len(a.pending)
		a.pending = append(a.pending, make([]byte, sector-rem)...)
		w.grew(a, mark)
	}
	a.block = -1
}

// drop gives up on the results waiting in memory: the queue is full. The
// segment they belonged to ends at what was written (a frame whose header
// was not rewritten yet keeps its rows as they were); the next result
// starts a new one.
func (w *segmentWriter) drop() {
	a := w.act
	w.act = nil
	w.stats.Dropped += uint64(a.queued)
	w.o.Logger.Error("history: in-memory queue full, results dropped", "results", a.queued, "segment", segName(a.seg))
	if a.file != nil {
		if a.torn {
			a.file.Truncate(a.diskEnd)
		}
		a.file.Close()
		if a.diskEnd == 0 {
			os.Remove(filepath.Join(w.raw, segName(a.seg)))
		}
		// Otherwise the next open cuts what follows the last whole frame,
		// and the index is rebuilt from what is on disk when needed.
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
		a.file.Truncate(a.diskEnd)
	}
	if err := a.file.Close(); err != nil {
		w.fault(fmt.Errorf("close segment %s: %w", segName(a.seg), err))
	}
	w.idx.write(a.ib.build(a.seg, a.diskEnd))
}

// flush writes what the file does not hold yet: the bytes after what it
// holds, then the header of a block that grew since it was written.
// While the disk is faulty it tries again at most every RetryInterval
// unless force is set.
func (w *segmentWriter) flush(now time.Time, force bool) error {
	a := w.act
	if a == nil || a.clean() {
		return nil
	}
	ri := w.o.RetryInterval
	if w.health.raw != nil && !force && now.Before(w.retryAt) && !now.Before(w.retryAt.Add(-2*ri)) {
		return fmt.Errorf("%w: %w", ErrQueued, w.health.raw)
	}
	name := segName(a.seg)
	if a.file == nil {
		path := filepath.Join(w.raw, name)
		f, err := w.o.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_TRUNC, w.perm.file)
		if err != nil {
			return w.fault(fmt.Errorf("create segment %s: %w", name, err))
		}
		fixMode(path, w.perm.file)
		a.file = f
	}
	if !a.dirSynced && reachesDisk(a.file) {
		if err := syncDir(w.raw); err != nil {
			return w.fault(fmt.Errorf("create segment %s: %w", name, err))
		}
		a.dirSynced = true
	}
	if a.diskEnd < a.size() {
		n, err := a.file.WriteAt(a.at(a.diskEnd), a.diskEnd)
		if err != nil {
			if n > 0 {
				a.torn = true
			}
			return w.fault(fmt.Errorf("write segment %s: %w", name, err))
		}
		a.diskEnd += int64(n)
	}
	if a.hdrAt >= 0 {
		if _, err := a.file.WriteAt(a.at(a.hdrAt)[:frame2Header], a.hdrAt); err != nil {
			return w.fault(fmt.Errorf("write segment %s: %w", name, err))
		}
		a.hdrAt = -1
	}
	// What precedes the open block is final: keep only the open block.
	keep := a.size()
	if a.block >= 0 {
		keep = a.block
	}
	if keep > a.flushed {
		a.pending = append(a.pending[:0], a.at(keep)...)
		a.flushed = keep
	}
	if cap(a.pending) > 1<<20 && len(a.pending) < 1<<16 {
		a.pending = append([]byte(nil), a.pending...)
	}
	a.queued = 0
	a.dirty = true
	if a.torn && a.file.Truncate(a.diskEnd) == nil {
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

// boundary seals the open block and returns the raw position after
// everything appended so far: a frame boundary, where a replay may start.
func (w *segmentWriter) boundary() position {
	if a := w.act; a != nil {
		w.closeBlock(a)
		return position{a.seg, a.size()}
	}
	return position{w.next, 0}
}

// view says how much of segment s is on disk and final, and copies the
// image after it, when s is the active segment.
func (w *segmentWriter) view(s int) (committed int64, pending []byte, ok bool) {
	a := w.act
	if a == nil || a.seg != s {
		return 0, nil, false
	}
	return a.flushed, append([]byte(nil), a.pending...), true
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
