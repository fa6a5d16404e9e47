package local

import (
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Incidents holds each monitor's open incident as the alerting sees it.
// History knows when a monitor was down; only the alerting knows that an
// incident was acknowledged or is flapping (one incident across several
// stretches of downtime). The alert dispatcher reports every change with
// Update; Source.Query adds the flags to the incidents history returns.
// The zero value is ready; a nil *Incidents holds nothing.
type Incidents struct {
	mu   sync.Mutex
	open map[string]monitor.Incident
}

// Update records a change of an incident: opened, acknowledged, flapping,
// or (End set) resolved.
func (t *Incidents) Update(in monitor.Incident) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !in.End.IsZero() {
		delete(t.open, in.Monitor)
		return
	}
	if t.open == nil {
		t.open = make(map[string]monitor.Incident)
	}
	t.open[in.Monitor] = in
}

// sameIncident is how far apart history and the alerting may put the
// start of one incident: both take it from the result that opened it.
const sameIncident = time.Second

// flag sets the flags of the monitor's open incident on the stretches of
// downtime in ins that belong to it: every one since it began.
func (t *Incidents) flag(name string, ins []monitor.Incident) {
	if t == nil {
		return
	}
	t.mu.Lock()
	live, ok := t.open[name]
	t.mu.Unlock()
	if !ok || !live.Acked && !live.Flapping {
		return
	}
	for i := range ins {
		if ins[i].End.IsZero() || !ins[i].Start.Before(live.Start.Add(-sameIncident)) {
			ins[i].Acked = ins[i].Acked || live.Acked
			ins[i].Flapping = ins[i].Flapping || live.Flapping
		}
	}
}
