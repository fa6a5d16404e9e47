package engine

import (
	"sync/atomic"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// entry is one monitor as the engine's parts hold it. Each group of fields
// belongs to one part and is guarded by that part's lock.
type entry struct {
	m    *monitor.Monitor
	url  string       // the URL results show: no password, no push token
	busy *atomic.Bool // a check is running; shared with the entry a reload replaces

	// The scheduler's, under scheduler.mu.
	due  time.Time
	hidx int  // index in the scheduler's heap, -1 when not in it
	asap bool // run as soon as a slot is free
	off  bool // paused or removed: the scheduler drops it

	// The state's, under states.mu. The recent samples and the counts
	// behind uptime are kept packed beside it, and a monitor.State is made
	// of them when the state is read (states.published).
	state  live
	recent sampleRing
	up     uptimeCounter
	gone   bool      // removed by a reload
	adhoc  time.Time // ad-hoc maintenance until
}

// live is what a monitor.State holds that changes with results and
// controls; the rest comes from the config (the monitor, the location),
// the sample ring and the uptime counter.
type live struct {
	Last            monitor.Result // the most recent result; zero before the first check
	Since           time.Time      // when Status last changed
	InMaint         string         // name of the maintenance window in force, if any
	Checks, Skipped uint64
	Status          monitor.Status
	Paused, Acked   bool
}

// newEntry makes a monitor's entry, restored from history. It reads
// history, so it is called without any of the engine's locks held.
func (e *Engine) newEntry(m *monitor.Monitor) *entry {
	en := e.bareEntry(m)
	if e.hist != nil {
		e.restore(en, en.state.Since)
	}
	return en
}

// bareEntry makes a monitor's entry, pending, as if nothing were known of it.
func (e *Engine) bareEntry(m *monitor.Monitor) *entry {
	return &entry{m: m, url: e.runner.displayURL(m), hidx: -1, busy: new(atomic.Bool),
		state: live{Status: monitor.StatusPending, Since: e.now()}}
}

// restore fills an entry from history: recent samples, the last result,
// the current status and since when, the counts behind the uptime
// figures; a passive checker takes up what it knew.
func (e *Engine) restore(en *entry, now time.Time) {
	recent, since, ok := e.hist.Restore(en.m.Name, e.recent)
	if !ok || len(recent) == 0 {
		return
	}
	for i := range recent {
		en.recent.push(sampleOf(&recent[i]), e.recent)
	}
	last := recent[len(recent)-1]
	en.state.Last = last
	en.state.Status = last.Status
	if en.state.Status == monitor.StatusMaintenance || en.state.Status == monitor.StatusPaused {
		en.state.Status = monitor.StatusPending
	}
	en.state.Since = since
	if p, ok := e.runner.checkers[en.m.Kind].(Passive); ok {
		p.Resume(en.m, recent)
	}
	en.up.seed(e.hist, en.m.Name, now)
}

func sampleOf(r *monitor.Result) monitor.Sample {
	return monitor.Sample{Time: r.Time, Latency: r.Latency, Status: r.Status, Code: r.Code}
}
