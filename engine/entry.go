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
	// again: a check someone asked for came while one was running; it
	// runs once that one ends (the runner's). It holds the entry to
	// check and, like busy, is shared with the entry a reload replaces:
	// the check asked for is of the new settings, and the old entry's
	// worker is the one that sees its check end.
	again *atomic.Pointer[entry]

	// The scheduler's, under scheduler.mu.
	due  time.Time
	hidx int  // index in the scheduler's heap, -1 when not in it
	asap bool // run as soon as a slot is free
	off  bool // paused or removed: the scheduler drops it
	// warEvery and warUntil: a war room checks the monitor every warEvery
	// until warUntil instead of at its interval.
	warEvery time.Duration
	warUntil time.Time

	// The state's, under states.mu. The recent samples and the counts
	// behind uptime are kept packed beside it, and a monitor.State is made
	// of them when the state is read (states.published).
	state  live
	recent sampleRing
	up     uptimeCounter
	// incident: when the monitor's open incident began (zero: none). It
	// went down then and has not come back since, though a window, a
	// pause or a restart may have put its status to something else
	// meanwhile. Notes and acknowledgements are taken while it is open,
	// and down again after such a break, the monitor is down since then.
	incident time.Time
	gone     bool        // removed by a reload
	adhoc    time.Time   // ad-hoc maintenance until
	slo      *sloCounter // nil: no objective
	warEnd   *time.Timer // ends the war room in state.WarRoom
}

// live is what a monitor.State holds that changes with results and
// controls; the rest comes from the config (the monitor, the location),
// the sample ring and the uptime counter.
type live struct {
	Last            monitor.Result // the most recent result; zero before the first check
	Since           time.Time      // when Status last changed; down, when the open incident began
	InMaint         string         // name of the maintenance window in force, if any
	Checks, Skipped uint64
	Status          monitor.Status
	Paused, Acked   bool
	WarRoom         monitor.WarRoom // zero: none in force
}

// newEntry makes a monitor's entry, restored from history. It reads
// history, so it is called without any of the engine's locks held.
func (e *Engine) newEntry(m *monitor.Monitor) *entry {
	en := e.bareEntry(m)
	if e.hist != nil {
		e.restore(en, en.state.Since)
		e.seedSLO(en, e.now())
	}
	return en
}

// bareEntry makes a monitor's entry, pending, as if nothing were known of it.
func (e *Engine) bareEntry(m *monitor.Monitor) *entry {
	return &entry{m: m, url: e.runner.displayURL(m), hidx: -1, busy: new(atomic.Bool), again: new(atomic.Pointer[entry]), slo: newSLOCounter(m),
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
		if !recent[i].StopRecord() { // as live: a pause records no sample
			en.recent.push(sampleOf(&recent[i]), e.recent)
		}
	}
	last := recent[len(recent)-1]
	en.state.Last = last
	en.state.Status = last.Status
	for i := len(recent) - 1; i >= 0 && recent[i].Stalled(); i-- {
		// a stall of upbeat's own said nothing: the status is the one before it
		en.state.Status = monitor.StatusPending
		if i > 0 {
			en.state.Status = recent[i-1].Status
		}
	}
	if en.state.Status == monitor.StatusMaintenance || en.state.Status == monitor.StatusPaused {
		en.state.Status = monitor.StatusPending
	}
	en.state.Since = since
	en.incident = time.Time{}
	if en.state.Status == monitor.StatusDown {
		en.incident = since
	}
	if p, ok := e.runner.checkers[en.m.Kind].(Passive); ok {
		p.Resume(en.m, recent)
	}
	en.up.seed(e.hist, en.m.Name, now)
}

// restoreAll restores every entry as restore does, from one pass over
// history that streams each monitor's recent results into its sample
// ring: no copy of them all is ever held. Passive checkers get their
// monitors' recent results, as with restore.
func (e *Engine) restoreAll(h BulkRestorer, entries map[string]*entry) {
	var passive map[string][]monitor.Result
	seen := make(map[*entry]bool, len(entries))
	// settled: the status of each monitor's newest result that was not a
	// stall of upbeat's own, which says nothing of the target
	settled := make(map[*entry]monitor.Status)
	err := h.RestoreAll(e.recent, func(r *monitor.Result) {
		en := entries[r.Monitor]
		if en == nil {
			return
		}
		seen[en] = true
		if !r.StopRecord() { // as live: a pause records no sample
			en.recent.push(sampleOf(r), e.recent)
		}
		en.state.Last = *r
		if !r.Stalled() {
			settled[en] = r.Status
		}
		if _, ok := e.runner.checkers[en.m.Kind].(Passive); ok {
			if passive == nil {
				passive = map[string][]monitor.Result{}
			}
			passive[r.Monitor] = append(passive[r.Monitor], *r)
		}
	})
	if err != nil {
		e.log.Warn("history: cannot restore recent results", "err", err)
	}
	now := e.now()
	for en := range seen {
		since, ok := h.Since(en.m.Name)
		if !ok {
			en.state.Last, en.recent = monitor.Result{}, sampleRing{}
			continue
		}
		en.state.Status = monitor.StatusPending
		if st, ok := settled[en]; ok {
			en.state.Status = st
		}
		if en.state.Status == monitor.StatusMaintenance || en.state.Status == monitor.StatusPaused {
			en.state.Status = monitor.StatusPending
		}
		en.state.Since = since
		en.incident = time.Time{}
		if en.state.Status == monitor.StatusDown {
			en.incident = since
		}
		if p, ok := e.runner.checkers[en.m.Kind].(Passive); ok {
			p.Resume(en.m, passive[en.m.Name])
		}
		en.up.seed(h, en.m.Name, now)
	}
}

func sampleOf(r *monitor.Result) monitor.Sample {
	return monitor.Sample{Time: r.Time, Latency: r.Latency, Status: r.Status, Code: r.Code}
}
