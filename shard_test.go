package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/fleet"
)

// A daemon runs only the monitors of its shard, from [settings] shard or
// --shard (which wins, at start and at every reload); validate says how
// the monitors split.
func TestShardScopesTheDaemon(t *testing.T) {
	var body strings.Builder
	body.WriteString("[settings]\nshard = \"2/3\"\n")
	for i := range 300 {
		fmt.Fprintf(&body, "[[monitor]]\nname = \"m%d\"\nurl = \"https://m%d.example.test/\"\n", i, i)
	}
	path := writeConfig(t, body.String())
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		sh := fleet.Shard{I: i, N: 3}
		scoped := runtimeOptions{shard: &sh}.scope(cfg)
		if scoped.Settings.Shard != sh {
			t.Errorf("--shard %s: settings say %s", sh, scoped.Settings.Shard)
		}
		for _, m := range scoped.Monitors {
			seen[m.Name]++
			if fleet.Assign(m.Name, 3) != i {
				t.Errorf("shard %s runs %s", sh, m.Name)
			}
		}
	}
	if len(seen) != 300 {
		t.Errorf("the three shards run %d of the 300 monitors", len(seen))
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("%s runs on %d shards", n, c)
		}
	}
	own := runtimeOptions{}.scope(cfg)
	if own.Settings.Shard != (fleet.Shard{I: 2, N: 3}) || len(own.Monitors) == 0 || len(own.Monitors) >= 300 {
		t.Errorf("[settings] shard 2/3: %s with %d monitors", own.Settings.Shard, len(own.Monitors))
	}
	if cfg.Settings.Shard != (fleet.Shard{I: 2, N: 3}) || len(cfg.Monitors) != 300 {
		t.Error("scope changed the loaded config")
	}

	out, _, code := runCmd(t, "validate", path)
	if code != exitOK || !strings.Contains(out, fmt.Sprintf("shard 2/3: checks %d of the 300 monitor(s) (1/3: ", len(own.Monitors))) {
		t.Errorf("validate: %d %q", code, out)
	}
	if _, errOut, code := runCmd(t, "daemon", "--shard", "4/3", "--config", path); code != exitConfig ||
		!strings.Contains(errOut, "shard 4 of 3 is out of range") {
		t.Errorf("daemon --shard 4/3: %d %q", code, errOut)
	}
}
