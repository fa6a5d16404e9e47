package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
)

// The alerting's view of an incident reaches the viewers: acknowledging
// it (the alert dispatcher reports it with OnIncident) shows in the
// dashboard's detail view and in the API's incidents. (That a flapping
// incident's flag goes the same way, over each stretch of downtime it
// spans, is TestOpenIncidentFlagsEveryStretchItSpans in source/local.)
func TestIncidentFlagsReachTheDetailViewAndTheAPI(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer target.Close()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer hook.Close()
	dir := t.TempDir()
	cfgPath := hookConfig(t, filepath.Join(dir, "history"), hook.URL, target.URL, "")
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	fast := func(o *alert.Options) { o.BurstWindow = -1; o.ResolveHold = -1 }
	rt, err := newRuntime(cfg, runtimeOptions{getenv: os.Getenv, tuneAlerts: fast})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	sub := rt.eng.Subscribe()
	defer sub.Close()
	ctx := context.Background()
	run, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { rt.eng.Run(run); close(done) }()
	defer func() { stop(); <-done }()
	src := rt.localSource(cfgPath, false)

	if err := src.CheckNow(ctx, "api"); err != nil {
		t.Fatal(err)
	}
	waitChange(t, sub, monitor.StatusDown)
	if err := src.Ack(ctx, "api"); err != nil {
		t.Fatalf("ack of an open incident: %v", err)
	}
	// the engine hands results to history in the background: stopping it
	// waits for every one to be written
	stop()
	<-done
	now := time.Now()
	ins, err := src.Query().Incidents(ctx, "api", now.Add(-time.Hour), now.Add(time.Minute))
	if err != nil || len(ins) != 1 || !ins[0].End.IsZero() || !ins[0].Acked {
		t.Fatalf("incidents: %+v, %v; want one, open and acknowledged", ins, err)
	}

	// the detail view
	st, err := src.State("api")
	if err != nil {
		t.Fatal(err)
	}
	d := tui.NewDetail(tui.NewStyles(lipgloss.NewRenderer(io.Discard), true), tui.DefaultKeyMap())
	d.SetSize(200, 200)
	d.Open(st, nil, false)
	d.SetHistory(tui.QueryHistory(ctx, src.Query(), "api", time.Now()))
	if v := d.View(); !strings.Contains(v, "open, acked") {
		t.Errorf("detail view lacks the incident's flags:\n%s", v)
	}

	// the API
	sock := filepath.Join(t.TempDir(), "upbeat.sock")
	srv := api.New(src, api.Options{Socket: sock})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("http://localhost/api/v1/monitors/api/incidents?since=1h")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []wire.Incident
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || len(got) != 1 || !got[0].Acked || !got[0].End.IsZero() {
		t.Errorf("API incidents: %+v, %v; want one, open and acknowledged", got, err)
	}
}

// waitChange waits for a monitor's status to change to want.
func waitChange(t *testing.T, sub *source.Subscription, want monitor.Status) {
	t.Helper()
	waitEvent(t, sub, "change to "+string(want), func(ev monitor.Event) bool { return ev.Kind == monitor.EventChange && ev.To == want })
}

// waitEvent waits for an event that ok accepts; what names it in the
// failure.
func waitEvent(t *testing.T, sub *source.Subscription, what string, ok func(monitor.Event) bool) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case <-sub.Ready():
			evs, _ := sub.Drain()
			for _, ev := range evs {
				if ok(ev.Event) {
					return
				}
			}
		case <-timeout:
			t.Fatalf("no %s", what)
		}
	}
}
