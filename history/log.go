package history

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// Defaults for Options fields left zero.
const (
	DefaultRetention          = 30 * 24 * time.Hour
	DefaultRollupRetention    = 400 * 24 * time.Hour
	DefaultSegmentSize        = 8 << 20
	DefaultSyncInterval       = time.Second
	DefaultCheckpointInterval = 10 * time.Minute
	DefaultMaxPending         = 8 << 20
	DefaultRetryInterval      = time.Second
	DefaultGrace              = 2 * time.Minute
)

// Names inside a history directory.
const (
	rawDir     = "raw"
	rollupDir  = "rollup"
	lockName   = "LOCK"
	ownerName  = "LOCK.owner"
	ckptName   = "checkpoint"
	idxSuffix  = ".idx"
	retainEach = time.Hour // how often retention runs
)

// Named errors.
var (
	// ErrLocked is wrapped by the error Open returns when another writer
	// holds the directory; the error is a *LockedError naming the holder.
	ErrLocked = errors.New("history directory is in use by another writer")
	// ErrReadOnly is returned by writes to a Log opened read-only.
	ErrReadOnly = errors.New("history opened read-only")
	// ErrClosed is returned by calls on a closed Log.
	ErrClosed = errors.New("history closed")
	// ErrQueued is wrapped by Append's error when results could not be
	// written yet: they wait in memory and are written when the fault clears.
	ErrQueued = errors.New("results kept in memory until the disk accepts them")
)

// LockedError says who holds a history directory.
type LockedError struct {
	Dir    string
	Holder string // "pid 123 on host (upbeat daemon), since …"
}

// Error names the directory and its holder.
func (e *LockedError) Error() string {
	return fmt.Sprintf("history %s is in use by another writer: %s", e.Dir, e.Holder)
}

// Unwrap returns ErrLocked.
func (e *LockedError) Unwrap() error { return ErrLocked }

// Options tune a Log. The zero value is usable: every zero field gets its
// default.
type Options struct {
	Retention          time.Duration // raw results are kept this long
	RollupRetention    time.Duration // hourly and daily rollups are kept this long
	SegmentSize        int64         // a segment is cut at this size (and at midnight UTC)
	SyncInterval       time.Duration // background fsync period; negative: no background goroutine
	CheckpointInterval time.Duration // how often the rollup state is saved
	MaxPending         int           // bytes of results kept in memory while writes fail
	RetryInterval      time.Duration // how often a failed write is retried
	// Grace is how long after an hour ends its rollups wait for late results.
	Grace    time.Duration
	ReadOnly bool // open without the lock, never write (a second process reading)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Logger receives repairs, faults and recoveries; nothing when nil.
	Logger *slog.Logger
	// OnHealth is called (outside any lock) when the storage becomes
	// faulty (err != nil) or healthy again (err == nil).
	OnHealth func(err error)
	// OpenFile opens files for writing; os.OpenFile when nil. Tests
	// inject faults through it.
	OpenFile OpenFileFunc
}

func (o *Options) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.Retention, DefaultRetention)
	def(&o.RollupRetention, DefaultRollupRetention)
	def(&o.SyncInterval, DefaultSyncInterval)
	def(&o.CheckpointInterval, DefaultCheckpointInterval)
	def(&o.RetryInterval, DefaultRetryInterval)
	def(&o.Grace, DefaultGrace)
	if o.SegmentSize <= 0 {
		o.SegmentSize = DefaultSegmentSize
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.OpenFile == nil {
		o.OpenFile = osOpenFile
	}
}

// readLimit bounds how much of one segment is read into memory.
func (o *Options) readLimit() int64 { return 2*(o.SegmentSize+int64(o.MaxPending)) + 64<<20 }

// Stats are counters about a Log since it was opened.
type Stats struct {
	Appended    uint64 // results appended
	Queued      int    // results waiting in memory for the disk
	Dropped     uint64 // results lost because the in-memory queue was full
	WriteErrors uint64 // failed writes, syncs and file creations
	Syncs       uint64 // fsyncs of segment files
	Corruptions int    // damaged tails cut off (writer) or skipped (reader)
	Deleted     uint64 // raw segments deleted by retention
}

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

// Log is a history directory opened for writing (one process at a time)
// or for reading (any number, while a writer writes). Its methods are safe
// for concurrent use.
type Log struct {
	dir, raw, rdir string
	opts           Options
	lock           *flock.Flock

	mu        sync.Mutex
	closed    bool
	agg       *aggregator
	marks     [numFamilies]fileMark // newest rollup file of each family and its size
	ckptPos   position              // raw position of the checkpoint on disk
	act       *active
	nextSeg   int
	rawErr    error // the raw log cannot be written
	auxErr    error // rollups or the checkpoint cannot be written
	notified  string
	retryAt   time.Time
	nextMaint time.Time
	lastCkpt  time.Time
	lastRet   time.Time
	stats     Stats
	repairs   []CorruptionError
	reported  map[string]bool // damage already reported, by file@offset
	callbacks []func()

	qmu  sync.Mutex // guards the caches below
	idx  map[int]*segIndex
	sumc *sumCache
	done chan struct{}
	wg   sync.WaitGroup
}

// Open opens the history in dir, creating it when writing. A writer takes
// the directory's lock (a second writer gets a *LockedError naming the
// holder), cuts off a torn or corrupt tail (moved aside to a .corrupt file
// and reported through Repairs and the Logger), and restores the rollup
// state from its checkpoint, rebuilding it from raw segments if missing.
func Open(dir string, o Options) (*Log, error) {
	o.setDefaults()
	l := &Log{
		dir: dir, raw: filepath.Join(dir, rawDir), rdir: filepath.Join(dir, rollupDir),
		opts: o, idx: map[int]*segIndex{}, sumc: newSumCache(24), reported: map[string]bool{},
	}
	if o.ReadOnly {
		if err := l.openReader(); err != nil {
			return nil, err
		}
		return l, nil
	}
	if err := l.openWriter(); err != nil {
		if l.lock != nil {
			l.lock.Unlock()
		}
		return nil, err
	}
	cbs := l.callbacks
	l.callbacks = nil
	for _, f := range cbs {
		f()
	}
	if o.SyncInterval > 0 {
		l.done = make(chan struct{})
		l.wg.Add(1)
		go l.run()
	}
	return l, nil
}

func (l *Log) openReader() error {
	fi, err := os.Stat(l.dir)
	if err != nil {
		return fmt.Errorf("open history %s: %w", l.dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("open history %s: not a directory", l.dir)
	}
	ck, err := l.loadCheckpoint()
	if err != nil {
		l.opts.Logger.Warn("history checkpoint unreadable, reading raw segments", "err", err)
	}
	pos := position{}
	if ck != nil {
		l.agg, pos, l.marks = ck.agg, ck.pos, ck.files
	} else {
		// No checkpoint: rollup files cannot be trusted to match, so
		// everything comes from the raw segments.
		l.agg = newAggregator()
	}
	segs, err := listSegments(l.raw)
	if err != nil {
		return err
	}
	return l.replay(segs, pos, false)
}

func (l *Log) openWriter() error {
	for _, d := range []string{l.raw, l.rdir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("open history: %w", err)
		}
	}
	if err := l.acquireLock(); err != nil {
		return err
	}
	segs, err := listSegments(l.raw)
	if err != nil {
		return err
	}
	ck, err := l.loadCheckpoint()
	if err != nil {
		l.opts.Logger.Warn("history checkpoint unreadable, rebuilding rollups from raw segments", "err", err)
	}
	pos := position{}
	if ck != nil {
		l.agg, pos, l.marks = ck.agg, ck.pos, ck.files
		if err := l.trimRollups(); err != nil {
			return err
		}
	} else {
		l.agg = newAggregator()
		if err := l.startRebuild(segs); err != nil {
			return err
		}
	}
	if err := l.replay(segs, pos, true); err != nil {
		return err
	}
	l.nextSeg = max(pos.seg, 0) + 1
	if len(segs) > 0 {
		l.nextSeg = max(l.nextSeg, segs[len(segs)-1]+1)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maintainLocked(l.opts.Now(), true)
	return nil
}

func (l *Log) acquireLock() error {
	fl := flock.New(filepath.Join(l.dir, lockName))
	ok, err := fl.TryLock()
	if err != nil {
		return fmt.Errorf("lock history %s: %w", l.dir, err)
	}
	if !ok {
		holder := "an unknown process"
		if b, err := os.ReadFile(filepath.Join(l.dir, ownerName)); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			holder = strings.TrimSpace(string(b))
		}
		return &LockedError{Dir: l.dir, Holder: holder}
	}
	l.lock = fl
	host, _ := os.Hostname()
	cmd := strings.Join(os.Args, " ")
	if len(cmd) > 200 {
		cmd = cmd[:200] + "…"
	}
	owner := fmt.Sprintf("pid %d on %s (%s), since %s", os.Getpid(), host,
		strings.Map(func(r rune) rune {
			if r < ' ' {
				return ' '
			}
			return r
		}, cmd), l.opts.Now().UTC().Format(time.RFC3339))
	if err := writeFileAtomic(l.opts.OpenFile, filepath.Join(l.dir, ownerName), []byte(owner+"\n"), false); err != nil {
		l.opts.Logger.Warn("history: cannot write lock owner", "err", err)
	}
	return nil
}

func (l *Log) loadCheckpoint() (*checkpoint, error) {
	data, err := os.ReadFile(filepath.Join(l.rdir, ckptName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	c, err := decodeCheckpoint(data)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	return c, nil
}

// replay feeds the aggregator every record from pos on. A writer repairs
// what it finds damaged and seals the last segment (it always writes a new
// one); a reader skips damage, quietly at the end of the last segment,
// where the writer may be writing right now.
func (l *Log) replay(segs []int, pos position, writer bool) error {
	for i, s := range segs {
		if s < pos.seg {
			continue
		}
		last := i == len(segs)-1
		path := filepath.Join(l.raw, segName(s))
		data, err := readLimited(path, l.opts.readLimit())
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
		if writer && last {
			ib = newIndexBuilder()
		}
		good, serr := scanSegment(data, s, nil, func(r *Record, off int64) {
			if off >= from {
				l.agg.add(r)
			}
			if ib != nil {
				ib.add(r.Monitor, r.Time.UnixMilli())
			}
		})
		switch {
		case serr != nil && writer:
			if err := l.repair(s, data, good, serr); err != nil {
				return err
			}
		case serr != nil && !last:
			l.noteCorruption(&CorruptionError{File: path, Segment: s, Offset: good, Err: serr})
		}
		if ib != nil && good > int64(len(segMagic)) {
			x := ib.build(s, good)
			if err := writeFileAtomic(l.opts.OpenFile, path+idxSuffix, x.encode(), false); err != nil {
				l.opts.Logger.Warn("history: cannot write segment index", "segment", segName(s), "err", err)
			}
			l.qmu.Lock()
			l.idx[s] = x
			l.qmu.Unlock()
		}
	}
	return nil
}

// repair cuts a segment at good, moving the bad rest aside.
func (l *Log) repair(seg int, data []byte, good int64, cause error) error {
	path := filepath.Join(l.raw, segName(seg))
	ce := &CorruptionError{File: path, Segment: seg, Offset: good, Err: cause}
	noHeader := good <= int64(len(segMagic))
	rest := data[good:]
	if noHeader {
		rest = data
	}
	if len(rest) > 0 {
		moved, err := moveAside(path, rest)
		if err != nil {
			return fmt.Errorf("repair segment %s: %w", segName(seg), err)
		}
		ce.Moved = moved
	}
	if noHeader {
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("repair segment %s: %w", segName(seg), err)
		}
	} else {
		f, err := l.opts.OpenFile(path, os.O_WRONLY, 0o644)
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
	l.qmu.Lock()
	l.repairs = append(l.repairs, *ce)
	l.qmu.Unlock()
	l.opts.Logger.Warn("history: cut damaged tail", "segment", segName(seg), "offset", good,
		"bytes", len(data)-int(good), "moved_to", ce.Moved, "err", cause)
	return nil
}

// noteCorruption reports damage found while reading, once per place.
func (l *Log) noteCorruption(ce *CorruptionError) {
	l.qmu.Lock()
	defer l.qmu.Unlock()
	key := fmt.Sprintf("%s@%d", ce.File, ce.Offset)
	if l.reported[key] {
		return
	}
	l.reported[key] = true
	l.repairs = append(l.repairs, *ce)
	l.opts.Logger.Warn("history: skipped damaged data", "file", ce.File, "offset", ce.Offset, "err", ce.Err)
}

// Append writes one result: it is handed to the OS before Append returns,
// and fsynced at once when the monitor's status changed (otherwise within
// SyncInterval). When the disk refuses it, the result is kept in memory,
// the error wraps ErrQueued, and writing resumes when the fault clears.
func (l *Log) Append(r *Record) error {
	return l.append(r, nil)
}

// AppendBatch writes several results with one write call.
func (l *Log) AppendBatch(rs []Record) error {
	if len(rs) == 0 {
		return nil
	}
	return l.append(nil, rs)
}

func (l *Log) append(one *Record, rs []Record) error {
	l.mu.Lock()
	defer l.unlock()
	if l.closed {
		return ErrClosed
	}
	if l.opts.ReadOnly {
		return ErrReadOnly
	}
	now := l.opts.Now()
	changed := false
	add := func(r *Record) {
		changed = l.agg.add(r) || changed
		l.encodeLocked(r)
		l.stats.Appended++
	}
	if one != nil {
		add(one)
	}
	for i := range rs {
		add(&rs[i])
	}
	err := l.flushLocked(now, false)
	if err == nil && changed {
		err = l.syncLocked()
	}
	l.maintainLocked(now, false)
	if err == nil && l.rawErr != nil {
		err = fmt.Errorf("%w: %w", ErrQueued, l.rawErr)
	}
	if err == nil {
		err = l.auxErr
	}
	return err
}

// unlock releases mu and then runs the callbacks queued while it was held.
func (l *Log) unlock() {
	cbs := l.callbacks
	l.callbacks = nil
	l.mu.Unlock()
	for _, f := range cbs {
		f()
	}
}

func (l *Log) encodeLocked(r *Record) {
	t := r.Time.UnixMilli()
	a := l.act
	if a != nil && a.file != nil && len(a.pending) == 0 && (a.committed >= l.opts.SegmentSize || t >= a.dayEnd) {
		l.sealLocked()
		a = nil
	}
	if a == nil {
		a = &active{seg: l.nextSeg, enc: newEncoder(t), pending: headerFrame(l.nextSeg, t), ib: newIndexBuilder()}
		a.dayEnd = (dayOf(r.Time.Unix()) + 86400) * 1000
		l.nextSeg++
		l.act = a
	}
	a.pending = a.enc.encode(a.pending, r)
	a.queued++
	a.ib.add(clipString(r.Monitor), t)
	if len(a.pending) > l.opts.MaxPending {
		l.dropLocked()
	}
}

// dropLocked gives up on the results waiting in memory: the queue is full.
// The segment they belonged to ends at what was written; the next result
// starts a new one.
func (l *Log) dropLocked() {
	a := l.act
	l.act = nil
	l.stats.Dropped += uint64(a.queued)
	l.opts.Logger.Error("history: in-memory queue full, results dropped", "results", a.queued, "segment", segName(a.seg))
	if a.file != nil {
		if a.torn {
			a.file.Truncate(a.committed)
		}
		a.file.Close()
		if a.committed == 0 {
			os.Remove(filepath.Join(l.raw, segName(a.seg)))
		}
		// Otherwise its index is rebuilt from what is on disk when needed.
	}
}

// sealLocked finishes the active segment: fsync, close, write its index.
func (l *Log) sealLocked() {
	a := l.act
	l.act = nil
	if a.file == nil {
		return
	}
	if a.dirty {
		if err := a.file.Sync(); err != nil {
			l.rawFaultLocked(fmt.Errorf("sync segment %s: %w", segName(a.seg), err))
		}
		l.stats.Syncs++
	}
	if a.torn {
		a.file.Truncate(a.committed)
	}
	if err := a.file.Close(); err != nil {
		l.rawFaultLocked(fmt.Errorf("close segment %s: %w", segName(a.seg), err))
	}
	x := a.ib.build(a.seg, a.committed)
	path := filepath.Join(l.raw, segName(a.seg)) + idxSuffix
	if err := writeFileAtomic(l.opts.OpenFile, path, x.encode(), false); err != nil {
		l.opts.Logger.Warn("history: cannot write segment index", "segment", segName(a.seg), "err", err)
	}
	l.qmu.Lock()
	l.idx[a.seg] = x
	l.qmu.Unlock()
}

// flushLocked writes the pending frames. While the disk is faulty it
// tries again at most every RetryInterval unless force is set.
func (l *Log) flushLocked(now time.Time, force bool) error {
	a := l.act
	if a == nil || len(a.pending) == 0 {
		return nil
	}
	if l.rawErr != nil && !force && now.Before(l.retryAt) && !now.Before(l.retryAt.Add(-2*l.opts.RetryInterval)) {
		return fmt.Errorf("%w: %w", ErrQueued, l.rawErr)
	}
	name := segName(a.seg)
	if a.file == nil {
		f, err := l.opts.OpenFile(filepath.Join(l.raw, name), os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o644)
		if err != nil {
			return l.rawFaultLocked(fmt.Errorf("create segment %s: %w", name, err))
		}
		a.file = f
	}
	if !a.dirSynced {
		if err := syncDir(l.raw); err != nil {
			return l.rawFaultLocked(fmt.Errorf("create segment %s: %w", name, err))
		}
		a.dirSynced = true
	}
	n, err := a.file.WriteAt(a.pending, a.committed)
	if err != nil {
		if n > 0 {
			a.torn = true
		}
		return l.rawFaultLocked(fmt.Errorf("write segment %s: %w", name, err))
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
	if l.rawErr != nil {
		l.rawErr = nil
		l.opts.Logger.Info("history: writing again")
		l.notifyLocked()
	}
	return nil
}

func (l *Log) rawFaultLocked(err error) error {
	l.stats.WriteErrors++
	l.retryAt = l.opts.Now().Add(l.opts.RetryInterval)
	if l.rawErr == nil || l.rawErr.Error() != err.Error() {
		l.opts.Logger.Error("history: cannot write, keeping results in memory", "err", err)
	}
	l.rawErr = err
	l.notifyLocked()
	return fmt.Errorf("%w: %w", ErrQueued, err)
}

func (l *Log) auxFaultLocked(err error) {
	l.stats.WriteErrors++
	if l.auxErr == nil || l.auxErr.Error() != err.Error() {
		l.opts.Logger.Error("history: cannot write rollups", "err", err)
	}
	l.auxErr = err
	l.notifyLocked()
}

// notifyLocked queues an OnHealth call when the health changed.
func (l *Log) notifyLocked() {
	h := l.healthLocked()
	msg := ""
	if h != nil {
		msg = h.Error()
	}
	if msg == l.notified {
		return
	}
	l.notified = msg
	if cb := l.opts.OnHealth; cb != nil {
		l.callbacks = append(l.callbacks, func() { cb(h) })
	}
}

func (l *Log) healthLocked() error {
	if l.rawErr != nil {
		return l.rawErr
	}
	return l.auxErr
}

// Health returns the current storage problem, or nil when all is written.
func (l *Log) Health() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.healthLocked()
}

// syncLocked fsyncs the active segment if it has unsynced writes.
func (l *Log) syncLocked() error {
	a := l.act
	if a == nil || a.file == nil || !a.dirty {
		return nil
	}
	l.stats.Syncs++
	if err := a.file.Sync(); err != nil {
		return l.rawFaultLocked(fmt.Errorf("sync segment %s: %w", segName(a.seg), err))
	}
	a.dirty = false
	return nil
}

// Sync writes whatever waits in memory and fsyncs it.
func (l *Log) Sync() error {
	l.mu.Lock()
	defer l.unlock()
	if l.closed {
		return ErrClosed
	}
	if l.opts.ReadOnly {
		return nil
	}
	if err := l.flushLocked(l.opts.Now(), true); err != nil {
		return err
	}
	return l.syncLocked()
}

func (l *Log) run() {
	defer l.wg.Done()
	t := time.NewTicker(l.opts.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
			l.tick()
		}
	}
}

// tick retries a failed write, runs maintenance and fsyncs outside the
// lock, so an fsync never holds up Append.
func (l *Log) tick() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	now := l.opts.Now()
	l.flushLocked(now, false)
	l.maintainLocked(now, false)
	var f File
	seg := 0
	if a := l.act; a != nil && a.file != nil && a.dirty {
		f, seg, a.dirty = a.file, a.seg, false
		l.stats.Syncs++
	}
	l.unlock()
	if f == nil {
		return
	}
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
		l.mu.Lock()
		if a := l.act; a != nil && a.seg == seg {
			a.dirty = true
		}
		l.rawFaultLocked(fmt.Errorf("sync segment %s: %w", segName(seg), err))
		l.unlock()
	}
}

// maintainLocked writes the rollups of finished hours, saves the
// checkpoint and applies retention, each when it is due.
func (l *Log) maintainLocked(now time.Time, force bool) {
	if !force && now.Before(l.nextMaint) && !now.Before(l.nextMaint.Add(-2*time.Second)) {
		return
	}
	l.nextMaint = now.Add(time.Second)
	var fault error
	flushed, saved := false, false
	if target := hourOf(now.Add(-l.opts.Grace).Unix()); target > l.agg.flushed {
		if fault = l.flushRollupsLocked(target); fault == nil {
			flushed = true
		}
	}
	if flushed || l.auxErr != nil || now.Sub(l.lastCkpt) >= l.opts.CheckpointInterval || now.Before(l.lastCkpt) {
		if err := l.writeCheckpointLocked(now); err != nil && fault == nil {
			fault = err
		}
		saved = true
	}
	switch {
	case fault != nil:
		l.auxFaultLocked(fault)
	case saved && l.auxErr != nil:
		l.auxErr = nil
		l.opts.Logger.Info("history: rollups written again")
		l.notifyLocked()
	}
	if force || now.Sub(l.lastRet) >= retainEach || now.Before(l.lastRet) {
		l.lastRet = now
		l.retentionLocked(now)
	}
}

// posLocked is the raw position after everything appended so far.
func (l *Log) posLocked() position {
	if a := l.act; a != nil {
		return position{a.seg, a.size()}
	}
	return position{l.nextSeg, 0}
}

func (l *Log) writeCheckpointLocked(now time.Time) error {
	// The raw data the checkpoint accounts for goes to disk first.
	if l.rawErr == nil {
		l.syncLocked()
	}
	c := checkpoint{pos: l.posLocked(), agg: l.agg, files: l.marks}
	if err := writeFileAtomic(l.opts.OpenFile, filepath.Join(l.rdir, ckptName), c.encode(), true); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	l.ckptPos = c.pos
	l.lastCkpt = now
	return nil
}

// Close writes what waits in memory (if the disk takes it), saves the
// checkpoint and releases the lock.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	done := l.done
	l.mu.Unlock()
	if done != nil {
		close(done)
		l.wg.Wait()
	}
	if l.opts.ReadOnly {
		return nil
	}
	l.mu.Lock()
	defer l.unlock()
	now := l.opts.Now()
	err := l.flushLocked(now, true)
	if err == nil {
		err = l.syncLocked()
	}
	if cerr := l.writeCheckpointLocked(now); err == nil {
		err = cerr
	}
	if a := l.act; a != nil && a.file != nil {
		if cerr := a.file.Close(); err == nil {
			err = cerr
		}
		a.file = nil
	}
	os.Remove(filepath.Join(l.dir, ownerName))
	if uerr := l.lock.Unlock(); err == nil {
		err = uerr
	}
	return err
}

// Stats returns counters since Open.
func (l *Log) Stats() Stats {
	l.mu.Lock()
	s := l.stats
	if a := l.act; a != nil {
		s.Queued = a.queued
	}
	l.mu.Unlock()
	l.qmu.Lock()
	s.Corruptions = len(l.repairs)
	l.qmu.Unlock()
	return s
}

// Repairs returns the damage found since Open: tails cut off by a writer,
// or skipped by a reader.
func (l *Log) Repairs() []CorruptionError {
	l.qmu.Lock()
	defer l.qmu.Unlock()
	return append([]CorruptionError(nil), l.repairs...)
}

// Dir returns the history directory.
func (l *Log) Dir() string { return l.dir }
