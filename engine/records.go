package engine

import (
	"log/slog"
	"sync"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// recordQueue hands results to the Recorder on one goroutine, in order,
// without ever making a check wait: when the recorder falls behind, new
// results are dropped and counted. Storage errors become a warning that
// clears once writing works again. The queue holds what waits and no
// more: it grows while the recorder is behind and is given back after.
type recordQueue struct {
	rec   Recorder // nil: nothing is kept
	log   *slog.Logger
	warn  func(key, msg string)
	stats *counters
	limit int // results waiting at most

	mu     sync.Mutex
	closed bool
	q      []*monitor.Result // waiting, oldest first
	spare  []*monitor.Result // the slice run took last time, for reuse
	wake   chan struct{}     // signalled when q gets a result or the queue closes
}

func newRecordQueue(rec Recorder, size int, log *slog.Logger, warn func(key, msg string), stats *counters) *recordQueue {
	return &recordQueue{rec: rec, log: log, warn: warn, stats: stats, limit: size, wake: make(chan struct{}, 1)}
}

// add queues r. A result added after close is dropped: the engine has
// stopped.
func (q *recordQueue) add(r *monitor.Result) {
	if q.rec == nil {
		return
	}
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	if len(q.q) >= q.limit {
		q.mu.Unlock()
		q.stats.recDrop.Add(1)
		q.warn("record-queue", "history is falling behind: some results were not stored")
		return
	}
	q.q = append(q.q, r)
	q.mu.Unlock()
	q.signal()
}

func (q *recordQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// close ends the queue; run returns once it has stored what was queued.
// It is safe to call more than once.
func (q *recordQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

// take returns what waits, and whether the queue is closed.
func (q *recordQueue) take() ([]*monitor.Result, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := q.q
	q.q = q.spare[:0]
	q.spare = nil
	return batch, q.closed
}

// give hands a stored batch back for reuse, unless it grew large in a
// backlog: then it goes to the garbage collector.
func (q *recordQueue) give(batch []*monitor.Result) {
	clear(batch)
	if cap(batch) > 1024 {
		return
	}
	q.mu.Lock()
	q.spare = batch[:0]
	q.mu.Unlock()
}

// run stores results until the queue is closed and empty.
func (q *recordQueue) run() {
	failing := false
	for {
		batch, closed := q.take()
		for _, r := range batch {
			err := q.rec.Record(r)
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
		if len(batch) == 0 && closed {
			return
		}
		q.give(batch)
		if len(batch) == 0 {
			<-q.wake
		}
	}
}
