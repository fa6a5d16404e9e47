// Package history keeps check results on local disk: an append-only log of
// numbered segment files with CRC-framed, compactly encoded results,
// hourly and daily rollups, and the queries the dashboard, the API and the
// report commands need (recent results, uptime, incidents, errors by hour
// of day).
//
// It stores the domain types of package monitor and implements what the
// engine asks of a history (record, restore, query). Inside, each job has
// its own type: the writer (writer.go) appends through the segment writer
// (segwriter.go) and keeps the rollups (aggregate.go, roller.go) and the
// checkpoint (checkpoint.go) on disk; SegmentReader (reader.go) reads a
// segment a page at a time; the queries (results.go, rollquery.go,
// incidents.go) are built on it and on the rollup files (rollfiles.go);
// recovery.go brings the state up to date on open. FORMAT.md describes
// the files.
package history

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// DB is a history directory opened for writing (one process at a time)
// or for reading (any number, while a writer writes). Its methods are safe
// for concurrent use. It records, restores and answers through the parts
// it is made of; each method here hands the call to one of them.
type DB struct {
	dir    string
	opts   Options
	st     *state
	w      *writer // nil when read-only
	dmg    *damage
	res    *results
	roll   *rollupQuery
	inc    *incidentQuery
	rest   *restorer
	closed bool // a read-only DB was closed; guarded by st.mu

	notesOnce sync.Once
	notes     *noteLog // see notes.go
}

// Open opens the history in dir, creating it when writing. A writer takes
// the directory's lock (a second writer gets a *LockedError naming the
// holder), cuts off a torn or corrupt tail (moved aside to a .corrupt file
// and reported through Repairs and the Logger), and restores the rollup
// state from its checkpoint, rebuilding it from raw segments if missing.
func Open(dir string, o Options) (*DB, error) {
	o.setDefaults()
	db := &DB{dir: dir, opts: o, st: &state{}, dmg: newDamage(o.Logger)}
	p := permsOf(&db.opts)
	var fl *flock.Flock
	if o.ReadOnly {
		fi, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("open history %s: %w", dir, err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("open history %s: not a directory", dir)
		}
	} else {
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			if err := os.MkdirAll(dir, p.dir); err != nil {
				return nil, fmt.Errorf("open history: %w", err)
			}
			fixMode(dir, p.dir)
		}
		var err error
		if fl, err = lockDir(dir, &db.opts); err != nil {
			return nil, err
		}
		if err := prepareDir(dir, p, o.OpenFile); err != nil {
			fl.Unlock()
			return nil, err
		}
		if err := applyPerms(dir, p); err != nil {
			o.Logger.Warn("history: cannot set the modes of its files", "err", err)
		}
	}
	raw := segmentsPath(dir)
	files := &rollupFiles{dir: filepath.Join(dir, rollupDir), open: o.OpenFile, perm: p.file, dmg: db.dmg}
	idx := newIndexes(raw, &db.opts, db.dmg)
	rc := &recovery{raw: raw, o: &db.opts, st: db.st, files: files, idx: idx, dmg: db.dmg, writer: !o.ReadOnly}
	next, err := rc.run()
	if err != nil {
		if fl != nil {
			fl.Unlock()
		}
		return nil, err
	}
	if fl != nil {
		db.w = newWriter(dir, raw, &db.opts, fl, db.st, files, idx, next)
		db.w.start()
	}
	db.res = &results{raw: raw, limit: db.opts.readLimit(), idx: idx, dmg: db.dmg, w: db.w}
	db.roll = &rollupQuery{st: db.st, files: files, sums: newSumCache(24)}
	db.inc = &incidentQuery{st: db.st, files: files}
	db.rest = &restorer{res: db.res, names: db.st.names}
	return db, nil
}

// Close writes what waits in memory (if the disk takes it), saves the
// checkpoint and releases the lock.
func (db *DB) Close() error {
	if db.w == nil {
		db.st.mu.Lock()
		db.closed = true
		db.st.mu.Unlock()
		return nil
	}
	return db.w.close()
}

// Dir returns the history directory.
func (db *DB) Dir() string { return db.dir }

// Health returns the current storage problem (full disk, read-only file
// system, I/O error), or nil when every result is on disk.
func (db *DB) Health() error {
	if db.w == nil {
		return nil
	}
	return db.w.healthErr()
}

// Stats returns counters since Open.
func (db *DB) Stats() Stats {
	var s Stats
	if db.w != nil {
		s = db.w.counters()
	}
	s.Corruptions = len(db.dmg.list())
	return s
}

// Repairs returns the damage found since Open: tails cut off by a writer,
// or skipped by a reader.
func (db *DB) Repairs() []CorruptionError { return db.dmg.list() }

// Append writes one result: it is handed to the OS before Append returns,
// and fsynced at once when the monitor's status changed (otherwise within
// SyncInterval). When the disk refuses it, the result is kept in memory,
// the error wraps ErrQueued, and writing resumes when the fault clears.
func (db *DB) Append(r *monitor.Result) error {
	if err := db.writable(); err != nil {
		return err
	}
	return db.w.append(r, nil)
}

// AppendBatch writes several results with one write call.
func (db *DB) AppendBatch(rs []monitor.Result) error {
	if len(rs) == 0 {
		return nil
	}
	if err := db.writable(); err != nil {
		return err
	}
	return db.w.append(nil, rs)
}

// Record stores one result for the engine (engine.Recorder). It never
// blocks on a faulty disk: the result then waits in memory, and the error
// says so until writing works again.
func (db *DB) Record(r *monitor.Result) error {
	db.rest.recorded()
	return db.Append(r)
}

func (db *DB) writable() error {
	if db.w != nil {
		return nil
	}
	db.st.mu.Lock()
	defer db.st.mu.Unlock()
	if db.closed {
		return ErrClosed
	}
	return ErrReadOnly
}

// Sync writes whatever waits in memory and fsyncs it.
func (db *DB) Sync() error {
	if db.w == nil {
		if err := db.writable(); err == ErrClosed {
			return err
		}
		return nil
	}
	return db.w.sync()
}

// Restore returns a monitor's last n results, oldest first, and when its
// current status began (engine.Restorer). The first call reads the recent
// results of every monitor in one pass.
func (db *DB) Restore(name string, n int) (recent []monitor.Result, since time.Time, ok bool) {
	info, known := db.Monitor(name)
	if !known {
		return nil, time.Time{}, false
	}
	return db.rest.recent(name, n), info.Since, true
}

// RestoreAll calls fn with the last n results of every monitor on
// record, each monitor's oldest first (engine.BulkRestorer): one pass
// over the newest segments that holds no more than a page and a count
// per monitor, however many monitors. fn must copy what it keeps.
func (db *DB) RestoreAll(n int, fn func(r *monitor.Result)) error {
	return db.res.each(context.Background(), db.st.names(), n, fn)
}

// Since returns when a monitor's current status began, the status of its
// last result (engine.BulkRestorer); ok is false when nothing is known.
func (db *DB) Since(name string) (since time.Time, ok bool) {
	info, ok := db.Monitor(name)
	return info.Since, ok
}

// Uptime returns the share of a monitor's checks that were not down over
// the window ending at now, counted from its first result (engine.Restorer).
// Whole days come from daily rollups, so 90 days cost no more than a day.
func (db *DB) Uptime(name string, window time.Duration, now time.Time) monitor.Uptime {
	ratio, ok, err := db.roll.uptime(name, window, now)
	if err != nil || !ok {
		return monitor.Uptime{}
	}
	return monitor.Uptime{Ratio: ratio, Valid: true}
}

// Tally counts a monitor's results per period (time.Hour, or 24*time.Hour
// for UTC days) for the n periods that end with the one holding now,
// oldest first: those that count toward uptime, and those of them not
// down (engine.Restorer). It reads rollups, as Uptime does; nil when they
// cannot be read.
func (db *DB) Tally(name string, period time.Duration, n int, now time.Time) []monitor.Tally {
	p := int64(3600)
	if period >= 24*time.Hour {
		p = 86400
	}
	got, err := db.roll.tally(name, p, n, now)
	if err != nil {
		return nil
	}
	out := make([]monitor.Tally, len(got))
	for i, c := range got {
		out[i] = monitor.Tally{Good: uint32(min(c.good, math.MaxUint32)), Total: uint32(min(c.total, math.MaxUint32))}
	}
	return out
}

// ScanResults calls fn with a monitor's results in [from, to) in the order
// they were recorded (oldest first); with limit > 0, only the newest limit
// of them. fn must copy what it keeps of the result. Its memory does not
// grow with the period. It stops with fn's error, or with ctx's when ctx
// is done, as when the client that asked goes away.
func (db *DB) ScanResults(ctx context.Context, name string, from, to time.Time, limit int, fn func(*monitor.Result) error) error {
	var fnErr error
	err := db.res.stream(ctx, name, from, to, limit, func(r *monitor.Result) error {
		fnErr = fn(r)
		return fnErr
	})
	switch {
	case err == nil, err == fnErr, err == ctx.Err():
		return err
	}
	return fmt.Errorf("results of %s: %w", name, err)
}

// Results returns a monitor's results in [from, to), sorted by time
// (engine.Querier). It holds them all: for long periods use ScanResults.
func (db *DB) Results(name string, from, to time.Time) ([]monitor.Result, error) {
	var out []monitor.Result
	err := db.ScanResults(context.Background(), name, from, to, 0, func(r *monitor.Result) error {
		out = append(out, *r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Time.Before(out[b].Time) })
	return out, nil
}

// Tail returns the last n results of every monitor on record, oldest
// first, reading about the newest segments only.
func (db *DB) Tail(n int) (map[string][]monitor.Result, error) {
	return db.res.tail(context.Background(), db.st.names(), n)
}

// Last returns a monitor's last n results, oldest first.
func (db *DB) Last(name string, n int) ([]monitor.Result, error) {
	m, err := db.res.tail(context.Background(), []string{name}, n)
	return m[name], err
}

// Incidents returns a monitor's incidents that overlap [from, to), oldest
// first (engine.Querier). One still open has a zero End. A maintenance
// window or a pause in the middle of an outage does not end it: it is a
// break in the incident (monitor.Incident.Breaks), which keeps the start,
// and so the ID, its people were paged with.
func (db *DB) Incidents(name string, from, to time.Time) ([]monitor.Incident, error) {
	incs, err := db.inc.incidents(name, from, to)
	if err != nil {
		return nil, fmt.Errorf("incidents of %s: %w", name, err)
	}
	return incs, nil
}

// Transitions returns a monitor's status changes in [from, to), oldest first.
func (db *DB) Transitions(name string, from, to time.Time) ([]Transition, error) {
	return db.inc.transitions(name, from, to)
}

// ErrorsByHour counts a monitor's failed checks by hour of day (UTC) in
// [from, to), at hour granularity (engine.Querier).
func (db *DB) ErrorsByHour(name string, from, to time.Time) ([24]int, error) {
	h, err := db.roll.errorsByHour(name, from, to)
	if err != nil {
		return h, fmt.Errorf("errors by hour of %s: %w", name, err)
	}
	return h, nil
}

// Sum merges a monitor's rollups over [from, to) into one, at hour
// granularity (the hour from falls in counts whole). Its FailuresByHour
// answers "when do errors happen".
func (db *DB) Sum(name string, from, to time.Time) (*Rollup, error) {
	return db.roll.sum(name, from, to)
}

// Rollups returns a monitor's hourly (period time.Hour) or daily rollups
// that start in [from, to), oldest first: counts, codes, classes and
// latency percentiles. The current day's daily rollup is made from its
// hours so far.
func (db *DB) Rollups(name string, period time.Duration, from, to time.Time) ([]Rollup, error) {
	return db.roll.rollups(name, period, from, to)
}

// Monitors returns what is known of every monitor on record, by name.
func (db *DB) Monitors() []MonitorInfo { return db.st.monitors() }

// First returns the time of a monitor's first result on record
// (engine.Origin); ok is false when nothing is known of it.
func (db *DB) First(name string) (time.Time, bool) {
	db.st.mu.Lock()
	defer db.st.mu.Unlock()
	if m := db.st.agg.mons[name]; m != nil {
		return m.First, true
	}
	return time.Time{}, false
}

// Monitor returns what is known of one monitor; ok is false when nothing is.
func (db *DB) Monitor(name string) (MonitorInfo, bool) {
	s := db.st.snapshot(name, 1<<62, 0)
	return s.info, s.known
}
