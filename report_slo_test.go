package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// upbeat report reads the objectives from the config: a monitor with an
// slo gets its error budget and burn rates; one without, none.
func TestReportShowsObjectives(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "history")
	db, err := history.Open(dir, history.Options{SyncInterval: -1, OpenFile: history.OpenFileNoSync})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i := range 120 { // every minute for two hours; shop fails 3 times
		at := now.Add(-time.Duration(120-i) * time.Minute)
		for _, name := range []string{"shop", "blog"} {
			st := monitor.StatusUp
			if name == "shop" && i%40 == 5 {
				st = monitor.StatusDown
			}
			r := monitor.Result{Monitor: name, Kind: monitor.KindHTTP, URL: "https://" + name + ".example.test/", Time: at, Status: st}
			if err := db.Append(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, fmt.Sprintf(`
[settings]
history_dir = %q

[[monitor]]
name = "shop"
url = "https://shop.example.test/"
slo = "99%%"
slo_window = "7d"

[[monitor]]
name = "blog"
url = "https://blog.example.test/"
`, dir))
	out, errOut, code := runCmd(t, "report", "--config", cfg, "--since", "1d")
	if code != exitOK {
		t.Fatalf("report: %d %s", code, errOut)
	}
	// 3 of 120 failed where 1% may: 2.5 times the budget, overspent
	if !strings.Contains(out, "objectives, as of") || !strings.Contains(out, "shop     99%        7d00h   97.500%  -150%") ||
		strings.Contains(out, "blog     9") {
		t.Errorf("report:\n%s", out)
	}
	js, _, _ := runCmd(t, "report", "--config", cfg, "--since", "1d", "--json")
	if !strings.Contains(js, `"error_budget_remaining": -1.5`) || !strings.Contains(js, `"burn_rate": {`) {
		t.Errorf("JSON report:\n%s", js)
	}
}
