package client

import (
	"fmt"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/tui"
)

// TestAttachToAFleet attaches to a whole fleet: two locations, two shards
// each, a second replica of one shard in eu-west, and one daemon that
// does not answer. Each monitor is one row with a column per location
// (shards add rows, replicas of a location merge into its column, the
// latest result winning), and the header says which daemons answer.
func TestAttachToAFleet(t *testing.T) {
	var names []string
	for i := range 8 {
		names = append(names, fmt.Sprintf("site-%d", i))
	}
	shardOf := func(sh fleet.Shard, loc string) *engine.Config {
		cfg := config(loc)
		cfg.Settings.Shard = sh
		for _, n := range names {
			if sh.Owns(n) {
				cfg.Monitors = append(cfg.Monitors, testMonitor(n, "https://"+n+".example/"))
			}
		}
		return cfg
	}
	one, two := fleet.Shard{I: 1, N: 2}, fleet.Shard{I: 2, N: 2}
	var inOne string // a monitor of shard 1
	for _, n := range names {
		if one.Owns(n) {
			inOne = n
			break
		}
	}
	usDown := newSwitch()
	usDown.set(inOne, monitor.Result{Status: monitor.StatusDown, Code: 503, Class: "http_503"})
	replicaB := newSwitch()
	type member struct {
		e   *engine.Engine
		loc string
	}
	members := []member{
		{runEngine(t, shardOf(one, "eu-west"), newSwitch(), engine.Options{}), "eu-west"},
		{runEngine(t, shardOf(one, "eu-west"), replicaB, engine.Options{}), "eu-west"},
		{runEngine(t, shardOf(two, "eu-west"), newSwitch(), engine.Options{}), "eu-west"},
		{runEngine(t, shardOf(one, "us-east"), usDown, engine.Options{}), "us-east"},
		{runEngine(t, shardOf(two, "us-east"), newSwitch(), engine.Options{}), "us-east"},
	}
	var addrs []string
	for _, m := range members {
		addrs = append(addrs, "http://"+serve(t, m.e, api.Options{Listen: "127.0.0.1:0"}).TCPAddr())
	}
	gone := "http://127.0.0.1:1" // nothing listens there
	addrs = append(addrs, gone)
	c := dial(t, addrs, Options{})
	sub := c.Subscribe()
	defer sub.Close()
	for _, m := range members {
		for _, st := range m.e.Snapshot() {
			m.e.CheckNow(st.Monitor.Name)
		}
	}
	checked := func() bool {
		for _, locs := range c.Locations() {
			for _, l := range locs {
				if l.Status == monitor.StatusPending {
					return false
				}
			}
		}
		return len(c.Locations()) == len(names)
	}
	waitFor(t, sub, "every monitor checked from both locations", checked)

	snap := c.Snapshot()
	if len(snap) != len(names) {
		t.Fatalf("%d rows, want one per monitor (%d)", len(snap), len(names))
	}
	for name, locs := range c.Locations() {
		if len(locs) != 2 || locs[0].Location == locs[1].Location {
			t.Errorf("%s: %+v, want one column per location", name, locs)
		}
	}
	if st, _ := find(snap, inOne); st.Status != monitor.StatusDown {
		t.Errorf("%s is %s, want down (down from us-east)", inOne, st.Status)
	}

	// Replicas of eu-west: the latest result is eu-west's view.
	euView := func() monitor.Status {
		for _, l := range c.Locations()[inOne] {
			if l.Location == "eu-west" {
				return l.Status
			}
		}
		return monitor.StatusPending
	}
	replicaB.set(inOne, monitor.Result{Status: monitor.StatusDown, Code: 500, Class: "http_500"})
	members[1].e.CheckNow(inOne)
	waitFor(t, sub, "replica B's newer failure as eu-west's view", func() bool { return euView() == monitor.StatusDown })
	members[0].e.CheckNow(inOne)
	waitFor(t, sub, "replica A's newer success as eu-west's view", func() bool { return euView() == monitor.StatusUp })

	info := c.Info()
	reachable := 0
	for _, d := range info.Daemons {
		if d.Reachable {
			reachable++
		} else if d.Addr != gone || d.Error == "" {
			t.Errorf("unreachable daemon %+v", d)
		}
	}
	if len(info.Daemons) != 6 || reachable != 5 || info.Location != "eu-west, us-east" {
		t.Errorf("info: %d daemons, %d reachable, location %q", len(info.Daemons), reachable, info.Location)
	}
	if d := info.Daemons[0]; d.Shard != "1/2" || d.Location != "eu-west" || d.Monitors == 0 {
		t.Errorf("first daemon %+v", d)
	}

	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	m := tui.New(c, tui.Options{Renderer: r, NoColor: true})
	defer m.Close()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 30))
	header := regexp.MustCompile(`daemons 5/6 reachable · 2 locations · 2 shards · not reachable: http://127\.0\.0\.1:1 \(`)
	columns := regexp.MustCompile(`STATUS\s+NAME\s+eu-west\s+us-east\s`)
	var seen []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen = append(seen, b...)
		return header.Match(seen) && columns.Match(seen)
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
