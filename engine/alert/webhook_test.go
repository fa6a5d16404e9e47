package alert

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The webhook payload follows the one JSON contract: durations in
// milliseconds (duration_ms), a time that is not known left out (a
// monitor down since before upbeat started has no since; an open
// incident has no end), the incident in the API's shape.
func TestWebhookPayloadContract(t *testing.T) {
	at := time.Date(2026, 11, 24, 14, 2, 5, 0, time.UTC)
	open := &monitor.Incident{Monitor: "shop", Start: at, Codes: []int{502}, Acked: true}
	down := Item{Event: EventReminder, Result: monitor.Result{Monitor: "shop", Kind: monitor.KindHTTP, Status: monitor.StatusDown,
		Code: 502, Class: "http_502", Latency: 41750 * time.Microsecond, Attempts: 3}, Duration: 90 * time.Minute, Incident: open} // Since unknown
	up := Item{Event: EventUp, Result: monitor.Result{Monitor: "api", Time: at.Add(time.Second), Status: monitor.StatusUp, Code: 200},
		Since: at, Duration: 1500 * time.Millisecond, Incident: &monitor.Incident{Monitor: "api", Start: at, End: at.Add(1500 * time.Millisecond)}}
	b, err := json.Marshal(NewWebhookPayload(Message{ID: "x", Event: EventGroup, Time: at, Items: []Item{down, up}}, at))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "0001-01-01") || strings.Contains(string(b), "_seconds") {
		t.Fatalf("zero time or seconds in the payload: %s", b)
	}
	var p struct {
		Version  int              `json:"version"`
		Monitors []map[string]any `json:"monitors"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	shop, api := p.Monitors[0], p.Monitors[1]
	if _, ok := shop["since"]; ok || shop["duration_ms"] != 5400000.0 || p.Version != WebhookVersion {
		t.Errorf("down item: %v", shop)
	}
	// the result is written as check --json writes it
	for k, want := range map[string]any{"monitor": "shop", "kind": "http", "status": "down", "code": 502.0,
		"latency_ms": 41.75, "class": "http_502", "attempts": 3.0, "event": "reminder"} {
		if shop[k] != want {
			t.Errorf("down item %s = %v, want %v", k, shop[k], want)
		}
	}
	if _, ok := shop["time"]; ok {
		t.Errorf("down item without a result time has one: %v", shop)
	}
	inc, _ := shop["incident"].(map[string]any)
	if _, ok := inc["end"]; ok || inc["acked"] != true || inc["start"] != "2026-11-24T14:02:05Z" {
		t.Errorf("open incident: %v", inc)
	}
	if api["duration_ms"] != 1500.0 || api["since"] != "2026-11-24T14:02:05Z" {
		t.Errorf("up item: %v", api)
	}
	if inc, _ := api["incident"].(map[string]any); inc["end"] != "2026-11-24T14:02:06.5Z" {
		t.Errorf("resolved incident: %v", inc)
	}
}
