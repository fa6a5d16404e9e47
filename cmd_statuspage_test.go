package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// TestStatusPageBuild writes the pages from a history on disk, with no
// daemon running: the files are there, the JSON says what the history
// says, and a page that is not public is left out unless asked for.
func TestStatusPageBuild(t *testing.T) {
	dir := t.TempDir()
	histDir := filepath.Join(dir, "history")
	db, err := history.Open(histDir, history.Options{SyncInterval: -1, OpenFile: history.OpenFileNoSync})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i := range 30 {
		at := now.Add(time.Duration(i-30) * time.Minute)
		for _, r := range []monitor.Result{
			{Monitor: "shop", Kind: monitor.KindHTTP, Time: at, Status: monitor.StatusUp, Code: 200, Latency: 80 * time.Millisecond},
			{Monitor: "api", Kind: monitor.KindHTTP, Time: at, Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "bad gateway at 10.0.0.7"},
			{Monitor: "old", Kind: monitor.KindHTTP, Time: at.Add(-2 * time.Hour), Status: monitor.StatusUp, Code: 200},
		} {
			if err := db.Append(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, `[settings]
history_dir = "`+histDir+`"
[[monitor]]
name = "shop"
url = "https://user:pw-SECRET@shop.internal.example/health"
[[monitor]]
name = "api"
url = "https://10.0.0.7/health"
[[monitor]]
name = "old"
url = "https://old.example/"
interval = "1m"
[[status_page]]
path = "/status"
title = "Shop"
public = true
[[status_page]]
path = "/team/status"
`)
	out := filepath.Join(dir, "site")
	stdout, stderr, code := runCmd(t, "status-page", "build", "--config", cfg, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "not building /team/status: not public") || !strings.Contains(stdout, "files written to") {
		t.Errorf("stdout %q, stderr %q", stdout, stderr)
	}
	for _, f := range []string{"status.html", "status.json", "status.txt", "status/badge/shop/status.svg",
		"status/badge/api/uptime-90d.svg", "status/badge/old/response.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "team")); err == nil {
		t.Error("the private page was built")
	}
	var p wire.StatusPage
	b, _ := os.ReadFile(filepath.Join(out, "status.json"))
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	got := map[string]monitor.Status{}
	for _, m := range p.Groups[0].Monitors {
		got[m.Name] = m.Status
		if m.Name == "shop" && (m.Uptime.H24 == nil || *m.Uptime.H24 != 1 || m.Days[len(m.Days)-1].Checks != 30) {
			t.Errorf("shop = %+v", m)
		}
	}
	// old has had no result for two hours at a one-minute interval.
	if got["shop"] != monitor.StatusUp || got["api"] != monitor.StatusDown || got["old"] != monitor.StatusPending {
		t.Errorf("statuses = %v", got)
	}
	html, _ := os.ReadFile(filepath.Join(out, "status.html"))
	for _, s := range []string{"SECRET", "internal", "10.0.0.7", "bad gateway", "<script"} {
		if strings.Contains(string(html)+string(b), s) {
			t.Errorf("the public export shows %q", s)
		}
	}

	// Asked for by path and --private, the team's page is built too.
	if _, stderr, code := runCmd(t, "status-page", "build", "--config", cfg, "--out", out, "--page", "/team/status", "--private"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(out, "team/status.txt")); err != nil || !strings.Contains(string(b), "Bad Gateway") {
		t.Errorf("private text: %v\n%s", err, b)
	}
	if _, stderr, code := runCmd(t, "status-page", "build", "--config", cfg, "--out", out, "--page", "/nope"); code != exitConfig ||
		!strings.Contains(stderr, `no status page at "/nope"`) {
		t.Errorf("unknown page: exit %d: %s", code, stderr)
	}
	if _, stderr, code := runCmd(t, "status-page", "build", "--config", cfg); code != exitConfig || !strings.Contains(stderr, "needs --out") {
		t.Errorf("without --out: exit %d: %s", code, stderr)
	}
}
