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

	// mu is held for reading while a result goes in and for writing while
	// the queue closes, so that nothing is ever sent on a closed channel.
	mu     sync.RWMutex
	closed bool
	ch     chan *monitor.Result
}

func newRecordQueue(rec Recorder, size int, log *slog.Logger, warn func(key, msg string), stats *counters) *recordQueue {
	q := &recordQueue{rec: rec, log: log, warn: warn, stats: stats}
	if rec != nil {
		q.ch = make(chan *monitor.Result, size)
	}
	return q
}

// add queues r. A result added after close is dropped: the engine has
// stopped.
func (q *recordQueue) add(r *monitor.Result) {
	if q.rec == nil {
		return
	}
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return
	}
	select {
	case q.ch <- r:
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
	for r := range q.ch {
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
}
