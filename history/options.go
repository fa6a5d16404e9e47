package history

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
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
	// ErrReadOnly is returned by writes to a DB opened read-only.
	ErrReadOnly = errors.New("history opened read-only")
	// ErrClosed is returned by calls on a closed DB.
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

// Options tune a DB. The zero value is usable: every zero field gets its
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
	// GroupReadable makes what a writer creates readable by the
	// directory's group (files 0640, directories 0750) instead of by its
	// owner only (0600, 0700); a writer applies it on open to what is
	// there already.
	GroupReadable bool
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

// readLimit bounds how much of one segment is read: a segment is never
// longer unless something other than the writer made it so.
func (o *Options) readLimit() int64 { return 2*(o.SegmentSize+int64(o.MaxPending)) + 64<<20 }

// Stats are counters about a DB since it was opened.
type Stats struct {
	Appended    uint64 // results appended
	Queued      int    // results waiting in memory for the disk
	Dropped     uint64 // results lost because the in-memory queue was full
	WriteErrors uint64 // failed writes, syncs and file creations
	Syncs       uint64 // fsyncs of segment files
	Corruptions int    // damaged tails cut off (writer) or skipped (reader)
	Deleted     uint64 // raw segments deleted by retention
}
