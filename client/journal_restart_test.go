package client

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/api/wire"
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

// Event times come in milliseconds: a restarted daemon's change of the
// very millisecond of the newest event seen from its predecessor is its
// own, and passed on; the problem it restored from history is not, nor
// is anything passed on already when the same run sends its journal again.
func TestRestartedDaemonsChangeOfTheSameMillisecond(t *testing.T) {
	c := &Client{subs: map[*source.Subscription]struct{}{}}
	d, err := newDaemon("/run/upbeat.sock", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.daemons = append(c.daemons, d)
	t0 := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	pending, down := monitor.StatusPending, monitor.StatusDown
	r := &wire.Result{Monitor: "shop", Time: t0, Status: down, Code: 502, Class: "http_502"}
	change := wire.Event{Kind: "change", Time: t0, Monitor: "shop", From: &pending, To: &down, Result: r}
	restored := wire.Event{Kind: "change", Time: t0, Monitor: "shop", From: &down, To: &down, Result: r}

	c.onHello(d, wire.Hello{Epoch: "run1"})
	c.onSnapshot(d, &wire.Snapshot{Location: "eu-west", Log: []wire.Event{change}}, "run1-2")
	// the same run again (the client fell behind): nothing new
	c.onHello(d, wire.Hello{Epoch: "run1"})
	c.onSnapshot(d, &wire.Snapshot{Location: "eu-west", Log: []wire.Event{change}}, "run1-9")
	// the daemon restarted within the millisecond, restored shop down
	// from history, then saw it down itself
	c.onHello(d, wire.Hello{Epoch: "run2"})
	c.onSnapshot(d, &wire.Snapshot{Location: "eu-west", Log: []wire.Event{restored, change}}, "run2-2")
	// and sends its journal again
	c.onHello(d, wire.Hello{Epoch: "run2"})
	c.onSnapshot(d, &wire.Snapshot{Location: "eu-west", Log: []wire.Event{restored, change}}, "run2-5")

	var got []string
	for _, ev := range c.journal.Events() {
		got = append(got, fmt.Sprintf("%v %s %v→%v", ev.Kind, ev.Monitor, ev.From, ev.To))
	}
	want := []string{"change shop pending→down", "change shop pending→down"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("journal:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
