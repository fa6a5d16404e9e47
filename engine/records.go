package engine

import (
	"log/slog"
	"sync"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// recordQueue hands results to the Recorder on one goroutine, in order,
// without ever making a check wait: when the recorder falls behind, new
// results are dropped and counted. Storage errors become a warning that
// clears once writing works again.
type recordQueue struct {
	rec   Recorder // nil: nothing is kept
	log   *slog.Logger
	warn  func(key, msg string)
	stats *counters

	// stored, when set, is told the monitor of each result stored that
	// took it down or back up (see addChange).
	stored func(monitor string)

	// mu is held for reading while a result goes in and for writing while
	// the queue closes, so that nothing is ever sent on a closed channel.
	mu     sync.RWMutex
	closed bool
	ch     chan queued
}

// queued is a result waiting to be stored.
type queued struct {
	r      *monitor.Result
	change bool // it took its monitor down or back up: tell stored
}

func newRecordQueue(rec Recorder, size int, log *slog.Logger, warn func(key, msg string), stats *counters) *recordQueue {
	q := &recordQueue{rec: rec, log: log, warn: warn, stats: stats}
	if rec != nil {
		q.ch = make(chan queued, size)
	}
	return q
}

// add queues r. A result added after close is dropped: the engine has
// stopped.
func (q *recordQueue) add(r *monitor.Result) { q.push(queued{r: r}) }

// addChange queues r, a result that took its monitor down or back up:
// once it is stored, stored is told (the uptime figures are stale).
func (q *recordQueue) addChange(r *monitor.Result) { q.push(queued{r: r, change: true}) }

func (q *recordQueue) push(it queued) {
	if q.rec == nil {
		return
	}
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return
	}
	select {
	case q.ch <- it:
	default:
		q.stats.recDrop.Add(1)
		q.warn("record-queue", "history is falling behind: some results were not stored")
	}
}

// close ends the queue; run returns once it has stored what was queued.
// It is safe to call more than once.
func (q *recordQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed && q.ch != nil {
		close(q.ch)
	}
	q.closed = true
}

// run stores results until the queue is closed and empty.
func (q *recordQueue) run() {
	failing := false
	for it := range q.ch {
		err := q.rec.Record(it.r)
		if err == nil && it.change && q.stored != nil {
			q.stored(it.r.Monitor)
		}
		switch {
		case err != nil:
			q.stats.recErr.Add(1)
			if !failing {
				q.log.Warn("history write failed", "err", err)
			}
			failing = true
			q.warn("storage", "history: "+Sanitize(err.Error(), 160)+" (checks and alerts go on)")
		case failing:
			failing = false
			q.warn("storage", "")
		}
	}
}
