package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// A reload that changes only an alert (its URL, say) or a maintenance
// window says so, by name: the reload event every viewer sees and the
// runtime's list of changes (which the daemon logs) name it, and neither
// shows the URL, which holds the webhook's token.
func TestReloadNamesAlertAndWindowChanges(t *testing.T) {
	const base = `
[[monitor]]
name = "shop"
url = "https://shop.example.com/"
interval = "1h"

[[alert]]
name = "oncall"
kind = "webhook"
url = "https://hooks.example/services/T0/B0/%s"

[[maintenance]]
name = "deploy"
cron = "0 %d * * *"
duration = "1h"
`
	load := func(token string, hour int, extra string) *config.Config {
		t.Helper()
		cfg, err := config.Parse("upbeat.toml", []byte(fmt.Sprintf(base, token, hour)+extra))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	var logs bytes.Buffer
	rt, err := newRuntime(load("OLD-T0KEN-1234", 2, ""), runtimeOptions{noHistory: true, log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	sub := rt.eng.Subscribe()
	defer sub.Close()
	reload := func(next *config.Config) ([]string, string) {
		t.Helper()
		changes, err := rt.reload(next)
		if err != nil {
			t.Fatal(err)
		}
		<-sub.Ready()
		evs, _ := sub.Drain()
		for _, ev := range evs {
			if ev.Kind == monitor.EventReload {
				return changes, ev.Message
			}
		}
		t.Fatalf("no reload event in %+v", evs)
		return nil, ""
	}

	for _, step := range []struct {
		next    *config.Config
		changes []string
		msg     string
	}{
		{load("NEW-T0KEN-5678", 2, ""), []string{"changed alert oncall"}, "config reloaded: 1 change(s): changed alert oncall"},
		{load("NEW-T0KEN-5678", 2, ""), nil, "config reloaded: no change"},
		{load("NEW-T0KEN-5678", 3, ""), []string{"changed maintenance deploy"}, "config reloaded: 1 change(s): changed maintenance deploy"},
		{load("NEW-T0KEN-5678", 3, "\n[[alert]]\nname = \"laptop\"\nkind = \"desktop\"\n"), []string{"added alert laptop"},
			"config reloaded: 1 change(s): added alert laptop"},
		{load("NEW-T0KEN-5678", 3, ""), []string{"removed alert laptop"}, "config reloaded: 1 change(s): removed alert laptop"},
	} {
		changes, msg := reload(step.next)
		if !slices.Equal(changes, step.changes) || msg != step.msg {
			t.Errorf("changes %q, event %q; want %q, %q", changes, msg, step.changes, step.msg)
		}
		if strings.Contains(msg+strings.Join(changes, " ")+logs.String(), "T0KEN") {
			t.Errorf("the webhook's token shown: %q %q", msg, changes)
		}
	}
}
