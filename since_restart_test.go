package main

import (
	"os"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Down, a window, down again after it, and a restart: the journal a
// daemon's viewers replay begins with the monitor down since its incident
// began, as its state (FOR) says, not since the check after the window
// (found in review: the journal is begun before the restart learns when
// the incident began).
func TestJournalAfterRestartAgreesWithSince(t *testing.T) {
	target := newSwitchable(t)
	target.down.Store(true)
	dir := t.TempDir()
	cfg, err := config.Load(hookConfig(t, dir, "http://127.0.0.1:9/hook", target.URL, ""))
	if err != nil {
		t.Fatal(err)
	}
	opts := runtimeOptions{getenv: os.Getenv}
	rt, sub, stop := startRuntime(t, cfg, opts)
	waitChange(t, sub, monitor.StatusDown)
	began, _ := rt.eng.State("api")
	if err := rt.eng.Maintain("api", time.Hour); err != nil {
		t.Fatal(err)
	}
	waitChange(t, sub, monitor.StatusMaintenance)
	if err := rt.eng.Maintain("api", 0); err != nil {
		t.Fatal(err)
	}
	waitChange(t, sub, monitor.StatusDown)
	if st, _ := rt.eng.State("api"); !st.Since.Equal(began.Since) {
		t.Fatalf("before the restart: down since %v, want %v", st.Since, began.Since)
	}
	stop()

	rt, _, stop = startRuntime(t, cfg, opts)
	defer stop()
	st, _ := rt.eng.State("api")
	past, js := rt.eng.SubscribeJournal()
	js.Close()
	if st.Status != monitor.StatusDown || st.Since.UnixMilli() != began.Since.UnixMilli() {
		t.Errorf("after the restart: %s since %v, want down since %v", st.Status, st.Since, began.Since)
	}
	seeded := false
	for _, ev := range past {
		if ev.Kind == monitor.EventChange && ev.Monitor == "api" && ev.From == monitor.StatusDown && ev.To == monitor.StatusDown {
			seeded = true
			if !ev.Time.Equal(st.Since) {
				t.Errorf("the journal's in-force line is at %v, the state says down since %v", ev.Time, st.Since)
			}
		}
	}
	if !seeded {
		t.Errorf("the journal has no line of api down: %+v", past)
	}
}
