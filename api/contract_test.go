package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source/local"
)

// raw sends a request and returns the status and the body.
func raw(t *testing.T, c *http.Client, method, u, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// Every error answer carries a code a client tells apart without reading
// the text: a read-only token acting is "forbidden", an acknowledgement
// of a monitor that is not down "no_incident", and so on.
func TestErrorsCarryCodes(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	s := startServer(t, New(backend(e), Options{Listen: "127.0.0.1:0", Token: "admin-tok", ReadOnlyToken: "view-tok"}))
	base := "http://" + s.TCPAddr() + "/api/v1/monitors"
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	for _, tc := range []struct {
		method, path, token string
		status              int
		code                string
	}{
		{"POST", "/a/check", "view-tok", 403, wire.CodeForbidden},
		{"POST", "/a/check", "", 401, wire.CodeUnauthorized},
		{"POST", "/a/check", "wrong", 401, wire.CodeUnauthorized},
		{"POST", "/nope/check", "admin-tok", 404, wire.CodeNoMonitor},
		{"GET", "/nope", "view-tok", 404, wire.CodeNoMonitor},
		{"POST", "/a/ack", "admin-tok", 409, wire.CodeNoIncident}, // pending: nothing to acknowledge
		{"POST", "/a/maintenance?for=soon", "admin-tok", 400, wire.CodeBadRequest},
		{"GET", "/a/history", "view-tok", 501, wire.CodeNoHistory},
	} {
		status, body := raw(t, c, tc.method, base+tc.path, tc.token)
		var e wire.Error
		if err := json.Unmarshal(body, &e); err != nil || status != tc.status || e.Code != tc.code || e.Error == "" {
			t.Errorf("%s %s token=%q: %d %s, want %d with code %q", tc.method, tc.path, tc.token, status, body, tc.status, tc.code)
		}
	}
}

// openQuerier is history with one open incident of "a" and one before it.
type openQuerier struct{ start time.Time }

func (openQuerier) Results(string, time.Time, time.Time) ([]monitor.Result, error) { return nil, nil }
func (q openQuerier) Incidents(m string, from, to time.Time) ([]monitor.Incident, error) {
	return []monitor.Incident{
		{Monitor: m, Start: q.start.Add(-time.Hour), End: q.start.Add(-50 * time.Minute), Codes: []int{500}},
		{Monitor: m, Start: q.start, Codes: []int{502}},
	}, nil
}
func (openQuerier) ErrorsByHour(string, time.Time, time.Time) ([24]int, error) { return [24]int{}, nil }

// The alerting's view of the open incident (acknowledged, flapping)
// reaches the incidents a viewer reads; an open incident has no end,
// rather than the zero time.
func TestIncidentFlagsReachTheAPI(t *testing.T) {
	start := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{Querier: openQuerier{start}})
	live := &local.Incidents{}
	sock := socketPath(t)
	startServer(t, New(local.New(e, local.Options{Incidents: live}), Options{Socket: sock}))
	c := unixClient(t, sock)
	u := "http://localhost/api/v1/monitors/a/incidents?since=1d"

	var ins []wire.Incident
	if code := do(t, c, "GET", u, "", &ins); code != 200 || len(ins) != 2 || ins[1].Acked || ins[1].Flapping {
		t.Fatalf("before the alerting says anything: %d %+v", code, ins)
	}
	// the alert dispatcher reports the incident acknowledged and flapping
	live.Update(monitor.Incident{Monitor: "a", Start: start, Acked: true, Flapping: true})
	status, body := raw(t, c, "GET", u, "")
	if err := json.Unmarshal(body, &ins); err != nil || status != 200 {
		t.Fatalf("incidents: %d %s", status, body)
	}
	if !ins[1].Acked || !ins[1].Flapping || ins[0].Acked || ins[0].Flapping {
		t.Errorf("flags: %s, want the open incident acked and flapping, the one before it neither", body)
	}
	if strings.Contains(string(body), "0001-01-01") || !ins[1].End.IsZero() || ins[0].End.IsZero() {
		t.Errorf("open incident with an end, or a zero time: %s", body)
	}
	// resolved: the alerting forgets it
	live.Update(monitor.Incident{Monitor: "a", Start: start, End: time.Now()})
	var after []wire.Incident
	if do(t, c, "GET", u, "", &after); len(after) != 2 || after[1].Acked || after[1].Flapping {
		t.Errorf("after it resolved: %+v", after)
	}
}

// A monitor never checked has no since, no last check: the API leaves
// them out rather than writing the zero time.
func TestNoZeroTimeInMonitors(t *testing.T) {
	e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{})
	sock := socketPath(t)
	startServer(t, New(backend(e), Options{Socket: sock}))
	c := unixClient(t, sock)
	for _, u := range []string{"http://localhost/api/v1/monitors?recent=5", "http://localhost/api/v1/monitors/a"} {
		status, body := raw(t, c, "GET", u, "")
		if status != 200 || strings.Contains(string(body), "0001-01-01") || strings.Contains(string(body), `"last_check"`) {
			t.Errorf("GET %s: %d %s", u, status, body)
		}
	}
}
