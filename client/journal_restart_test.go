package client

import (
	"path/filepath"
	"testing"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// What a daemon's journal gained while an attached client was away (the
// daemon restarting, its first checks done before the client is back)
// reaches the client's log; what the client had seen comes only once.
func TestReconnectTakesWhatTheJournalGainedMeanwhile(t *testing.T) {
	t.Parallel()
	cfg := config("eu-west", testMonitor("shop", "https://shop.example/"))
	sock := filepath.Join(t.TempDir(), "upbeat.sock")
	down := monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "HTTP 502 Bad Gateway"}
	sw1 := newSwitch()
	sw1.set("shop", down)
	e1 := runEngine(t, cfg, sw1, engine.Options{})
	s1 := serve(t, e1, api.Options{Socket: sock})
	c := dial(t, []string{sock}, Options{})
	_, sub := c.SubscribeJournal()
	defer sub.Close()
	isChange := func(ev source.Event, to monitor.Status) bool {
		return ev.Kind == monitor.EventChange && ev.Monitor == "shop" && ev.To == to
	}
	if err := e1.CheckNow("shop"); err != nil {
		t.Fatal(err)
	}
	waitForEvent(t, sub, "shop down", func(ev source.Event) bool { return isChange(ev, monitor.StatusDown) })
	s1.Close()

	// The second daemon finds shop down before the client is back.
	sw2 := newSwitch()
	sw2.set("shop", down)
	e2 := runEngine(t, cfg, sw2, engine.Options{})
	local := e2.Subscribe()
	defer local.Close()
	if err := e2.CheckNow("shop"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, local, "the second daemon to see shop down", func() bool {
		st, _ := e2.State("shop")
		return st.Status == monitor.StatusDown
	})
	serve(t, e2, api.Options{Socket: sock})
	waitForEvent(t, sub, "the second daemon's change to down, from its journal", func(ev source.Event) bool {
		return isChange(ev, monitor.StatusDown)
	})
	// Each daemon's change to down once: the first daemon's is not
	// passed on again with the second's journal.
	downs := 0
	for _, ev := range c.journal.Events() {
		if isChange(ev, monitor.StatusDown) {
			downs++
		}
	}
	if downs != 2 {
		t.Errorf("the client's journal holds %d changes of shop to down, want 2 (one from each daemon)", downs)
	}
}
