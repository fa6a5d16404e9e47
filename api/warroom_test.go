package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// POST /api/v1/monitors/{name}/warroom starts a war room (for the daemon's
// war_room_duration, or ?for=), ?for=0 ends it; a read-only token may not,
// nor may a request without a token; the monitor's JSON and the event
// stream carry it.
func TestWarRoomEndpointAndAuth(t *testing.T) {
	chk := newSwitch()
	cfg := config("x", testMonitor("shop", "http://127.0.0.1/"), testMonitor("blog", "http://127.0.0.1/b"))
	cfg.Settings.WarRoomDuration = 20 * time.Minute
	e := runEngine(t, cfg, chk, engine.Options{})
	s := New(backend(e), Options{Token: "admin", ReadOnlyToken: "view"})
	ts := httptest.NewServer(s.Handler()) // a remote listener: tokens required
	defer ts.Close()
	c := ts.Client()
	w := watch(e)
	defer w.Close()
	wr := ts.URL + "/api/v1/monitors/shop/warroom"
	for _, tc := range []struct {
		url, token string
		want       int
	}{
		{wr, "", 401},
		{wr, "view", 403},
		{wr, "wrong", 401},
		{ts.URL + "/api/v1/monitors/nope/warroom", "admin", 404},
		{wr + "?for=soon", "admin", 400},
		{wr, "admin", 200},
	} {
		if got := do(t, c, "POST", tc.url, tc.token, nil); got != tc.want {
			t.Errorf("POST %s token=%q: %d, want %d", strings.TrimPrefix(tc.url, ts.URL), tc.token, got, tc.want)
		}
	}
	ev := w.wait(t, func(ev source.Event) bool { return ev.Kind == monitor.EventWarRoom })
	if !strings.Contains(ev.Message, "for 20m") {
		t.Errorf("war room event %q: want the daemon's war_room_duration", ev.Message)
	}
	var m wire.Monitor
	if do(t, c, "GET", ts.URL+"/api/v1/monitors/shop", "view", &m); m.WarRoom == nil || m.WarRoom.EveryMS != 5000 ||
		m.WarRoom.Until.Sub(m.WarRoom.Start) != 20*time.Minute {
		t.Fatalf("war room in the monitor's JSON: %+v", m.WarRoom)
	}
	if got := do(t, c, "POST", wr+"?for=0", "admin", nil); got != 200 {
		t.Errorf("ending the war room: %d", got)
	}
	w.wait(t, func(ev source.Event) bool { return ev.Kind == monitor.EventWarRoom && ev.Clear })
	if st, _ := e.State("shop"); st.WarRoom != (monitor.WarRoom{}) {
		t.Errorf("war room after ?for=0: %+v", st.WarRoom)
	}
	// a paused monitor is refused with a code of its own
	if got := do(t, c, "POST", ts.URL+"/api/v1/monitors/blog/pause", "admin", nil); got != 200 {
		t.Fatalf("pause: %d", got)
	}
	if got := do(t, c, "POST", ts.URL+"/api/v1/monitors/blog/warroom", "admin", nil); got != 409 {
		t.Errorf("war room on a paused monitor: %d, want 409", got)
	}
}

// GET /api/v1/summary counts monitors by status and names those down; a
// read-only token may read it.
func TestSummary(t *testing.T) {
	chk := newSwitch()
	chk.set("db", monitor.Result{Status: monitor.StatusDown, Class: "refused"})
	chk.set("api", monitor.Result{Status: monitor.StatusDegraded, Class: "slow"})
	cfg := config("eu", testMonitor("web", "http://127.0.0.1/"), testMonitor("db", "tcp://127.0.0.1:1"),
		testMonitor("api", "http://127.0.0.1/api"), testMonitor("cache", "tcp://127.0.0.1:2"))
	cfg.Stamp = "0123456789abcdef"
	e := runEngine(t, cfg, chk, engine.Options{})
	w := watch(e)
	defer w.Close()
	for _, n := range []string{"web", "db", "api", "cache"} {
		e.CheckNow(n)
	}
	for range 4 {
		w.wait(t, func(ev source.Event) bool { return ev.Kind == monitor.EventResult })
	}
	s := New(backend(e), Options{Token: "admin", ReadOnlyToken: "view"})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	var sum wire.Summary
	if got := do(t, ts.Client(), "GET", ts.URL+"/api/v1/summary", "", nil); got != 401 {
		t.Errorf("summary without a token off loopback: %d", got)
	}
	if got := do(t, ts.Client(), "GET", ts.URL+"/api/v1/summary", "view", &sum); got != 200 {
		t.Fatalf("summary: %d", got)
	}
	if sum.Total != 4 || sum.Down != 1 || sum.Degraded != 1 || sum.Up != 2 || !slices.Equal(sum.DownNames, []string{"db"}) || sum.Location != "eu" {
		t.Errorf("summary: %+v", sum)
	}

	// ?format=: what `upbeat status` prints, said in Upbeat-Format; the
	// config's stamp on every answer
	for format, want := range map[string]string{
		"plain":  "✕1 ▲1 ●2\n",
		"tmux":   "#[fg=red,bold]✕1#[default] #[fg=yellow]▲1#[default] #[fg=green]●2#[default]\n",
		"prompt": "✕1 ▲1 \n",
		"json":   `{"location":"eu","total":4,"down":1,"degraded":1,"up":2,"pending":0,"maintenance":0,"paused":0,"acked":0,"down_monitors":["db"],"warnings":0}` + "\n",
		"":       `{"location":"eu","total":4,"down":1,"degraded":1,"up":2,"pending":0,"maintenance":0,"paused":0,"acked":0,"down_monitors":["db"],"warnings":0}` + "\n",
		"html":   `{"error":"format is plain, tmux, prompt or json, not html","code":"bad_request"}` + "\n",
	} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/v1/summary?format="+format, nil)
		req.Header.Set("Authorization", "Bearer view")
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		wantFormat, wantCode := format+"; v=1", 200
		switch format {
		case "":
			wantFormat = ""
		case "html":
			wantFormat, wantCode = "", 400
		}
		if string(body) != want || resp.Header.Get("Upbeat-Format") != wantFormat || resp.StatusCode != wantCode ||
			resp.Header.Get("Upbeat-Config-Stamp") != "0123456789abcdef" {
			t.Errorf("format %q: %s %q, headers %v", format, resp.Status, body, resp.Header)
		}
	}
}
