package statuspage

import (
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// A static page made from history says a monitor down since its
// incident began, across a maintenance window in it, as the live page
// does.
func TestStatesFromHistoryDownSinceTheIncident(t *testing.T) {
	dir := t.TempDir()
	start := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	db, err := history.Open(dir, history.Options{SyncInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	m := &monitor.Monitor{Name: "api", Kind: monitor.KindHTTP, Interval: time.Minute}
	for i, st := range []monitor.Status{monitor.StatusUp, monitor.StatusDown, monitor.StatusDown, monitor.StatusMaintenance,
		monitor.StatusMaintenance, monitor.StatusDown, monitor.StatusDown} {
		r := monitor.Result{Monitor: "api", Kind: monitor.KindHTTP, Time: start.Add(time.Duration(i) * time.Minute), Status: st, Code: 502}
		if err := db.Record(&r); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	ro, err := history.Open(dir, history.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	states, err := StatesFromHistory(ro, []*monitor.Monitor{m}, start.Add(7*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if st := states[0]; st.Status != monitor.StatusDown || !st.Since.Equal(start.Add(time.Minute)) {
		t.Errorf("%s since %v, want down since the incident began at %v", st.Status, st.Since, start.Add(time.Minute))
	}
}
