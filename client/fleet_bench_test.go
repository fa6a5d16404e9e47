package client

import (
	"fmt"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// BenchmarkFleetMerge is what a dashboard over a fleet asks of the client
// on every data frame: the merged rows and each location's view, for
// 20,000 monitors mirrored from 4 shards x 3 locations x 2 replicas (24
// daemons, 120,000 mirrored states), with 2,000 results arrived since the
// last frame (the whole fleet at a 60 s interval brings about 2,000 a
// second).
func BenchmarkFleetMerge(b *testing.B) {
	b.Run("fleet", func(b *testing.B) { benchMerge(b, 24) })
	// the baseline: one daemon with all 20,000 monitors, where a data
	// frame is a copy of its mirror
	b.Run("one-daemon", func(b *testing.B) { benchMerge(b, 1) })
}

func benchMerge(b *testing.B, daemons int) {
	const monitors, shards = 20000, 4
	c := &Client{}
	now := time.Now()
	for i := range daemons {
		loc := []string{"eu-west", "us-east", "ap-south"}[i%3]
		sh := fleet.Shard{I: i/6 + 1, N: shards}
		if daemons == 1 {
			sh = fleet.Shard{}
		}
		d, err := newDaemon(fmt.Sprintf("http://upbeat-%02d:9477", i), Options{})
		if err != nil {
			b.Fatal(err)
		}
		d.hello = wire.Hello{Location: loc, Shard: sh.String()}
		d.connected = true
		for m := range monitors {
			name := fmt.Sprintf("site-%05d", m)
			if !sh.Owns(name) {
				continue
			}
			d.order = append(d.order, name)
			d.states[name] = &monitor.State{Monitor: &monitor.Monitor{Name: name}, Status: monitor.StatusUp,
				Location: loc, Last: monitor.Result{Time: now.Add(time.Duration(i) * time.Millisecond), Code: 200}}
		}
		c.daemons = append(c.daemons, d)
	}
	if n := len(c.Snapshot()); n != monitors {
		b.Fatalf("%d rows, want %d", n, monitors)
	}
	if locs := c.Locations()["site-00042"]; daemons > 1 && len(locs) != 3 {
		b.Fatalf("site-00042 seen from %d locations, want 3 (replicas merged)", len(locs))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for k := range 2000 {
			c.merge.touch(fmt.Sprintf("site-%05d", (i*2000+k)%monitors))
		}
		if len(c.Snapshot()) != monitors || (daemons > 1 && len(c.Locations()) != monitors) {
			b.Fatal("rows lost")
		}
	}
}
