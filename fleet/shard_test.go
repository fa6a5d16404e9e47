package fleet

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for in, want := range map[string]Shard{"": {}, "1/1": {1, 1}, "2/4": {2, 4}, " 3 / 4 ": {3, 4}} {
		got, err := ParseShard(in)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"2":    "a shard is written",
		"a/b":  "a shard is written",
		"0/4":  "shard 0 of 4 is out of range; with 4 shards they are 1/4 to 4/4",
		"5/4":  "shard 5 of 4 is out of range",
		"1/0":  "there must be at least one",
		"-1/2": "out of range",
	} {
		_, err := ParseShard(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseShard(%q) = %v, want an error saying %q", in, err, want)
		}
	}
	if _, err := ParseShard("x"); !errors.Is(err, ErrShard) {
		t.Errorf("not i/n: %v, want ErrShard", err)
	}
}

// TestEveryMonitorHasExactlyOneShard: the shards of a fleet split the
// monitors between them, each to one, about evenly.
func TestEveryMonitorHasExactlyOneShard(t *testing.T) {
	const monitors, n = 20000, 4
	counts := make([]int, n+1)
	for m := range monitors {
		name := fmt.Sprintf("site-%05d", m)
		owners := 0
		for i := 1; i <= n; i++ {
			if (Shard{I: i, N: n}).Owns(name) {
				owners++
				counts[i]++
			}
		}
		if owners != 1 {
			t.Fatalf("%s is owned by %d shards", name, owners)
		}
	}
	for i := 1; i <= n; i++ {
		if share := float64(counts[i]) / monitors; share < 0.23 || share > 0.27 {
			t.Errorf("shard %d/%d holds %.1f%% of the monitors, want about 25%%", i, n, share*100)
		}
	}
	if !(Shard{}).Owns("anything") || !(Shard{I: 1, N: 1}).Owns("anything") {
		t.Error("no sharding, or one shard, owns every monitor")
	}
}

// TestAddingAShardMovesFewMonitors: growing a fleet from n to n+1 shards
// moves only the monitors the new shard takes (about 1/(n+1)); none moves
// between the shards that were there before. Shrinking moves only the
// monitors of the shard that goes.
func TestAddingAShardMovesFewMonitors(t *testing.T) {
	const monitors = 20000
	for n := 1; n <= 8; n++ {
		moved := 0
		for m := range monitors {
			name := fmt.Sprintf("api-%d.example.com", m)
			before, after := Assign(name, n), Assign(name, n+1)
			if before != after {
				moved++
				if after != n+1 {
					t.Fatalf("%s moved from shard %d to old shard %d when shard %d was added", name, before, after, n+1)
				}
			}
		}
		ideal := float64(monitors) / float64(n+1)
		if f := float64(moved); f < 0.9*ideal || f > 1.1*ideal {
			t.Errorf("%d to %d shards moved %d monitors, want about %.0f (1/%d)", n, n+1, moved, ideal, n+1)
		}
	}
}
