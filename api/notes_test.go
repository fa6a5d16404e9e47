package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// post sends a JSON body (raw when body is a string) and returns the
// status and the error code of the answer.
func post(t *testing.T, c *http.Client, u, token string, body any) (int, string) {
	t.Helper()
	var b []byte
	switch v := body.(type) {
	case nil:
	case string:
		b = []byte(v)
	default:
		b, _ = json.Marshal(v)
	}
	req, err := http.NewRequest("POST", u, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e wire.Error
	json.NewDecoder(resp.Body).Decode(&e)
	return resp.StatusCode, e.Code
}

// POST /monitors/{name}/notes and a reason on /ack: the typed errors,
// the bounds, the read-only token, and the notes in the incidents JSON
// and on the event stream.
func TestNotesAPI(t *testing.T) {
	db, err := history.Open(t.TempDir(), history.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	chk := newSwitch()
	chk.set("shop", monitor.Result{Status: monitor.StatusUp, Code: 200})
	e := runEngine(t, config("x", testMonitor("shop", "http://127.0.0.1/")), chk,
		engine.Options{Recorder: db, Restorer: db, Querier: db, Notes: db})
	s := startServer(t, New(backend(e), Options{Listen: "127.0.0.1:0", Token: "admin-tok", ReadOnlyToken: "view-tok"}))
	base := "http://" + s.TCPAddr() + "/api/v1/monitors/shop"
	c := &http.Client{Timeout: 10 * time.Second}
	defer c.CloseIdleConnections()
	w := watch(e)
	defer w.Close()

	e.CheckNow("shop")
	w.wait(t, isResult("shop"))
	if code, ec := post(t, c, base+"/notes", "admin-tok", wire.NoteRequest{Text: "hi"}); code != 409 || ec != wire.CodeNoIncident {
		t.Errorf("note while up: %d %q, want 409 %s", code, ec, wire.CodeNoIncident)
	}
	chk.set("shop", monitor.Result{Status: monitor.StatusDown, Code: 502, Class: "http_502"})
	e.CheckNow("shop")
	w.wait(t, func(ev source.Event) bool { return ev.Kind == monitor.EventChange && ev.To == monitor.StatusDown })

	sse := openSSE(t, c, "http://"+s.TCPAddr()+"/api/v1/events?token=view-tok", "")
	defer sse.close()
	for _, tc := range []struct {
		name, path, token string
		body              any
		want              int
		code              string
	}{
		{"read-only token", "/notes", "view-tok", wire.NoteRequest{Text: "hi"}, 403, wire.CodeForbidden},
		{"empty", "/notes", "admin-tok", wire.NoteRequest{Text: "  "}, 400, wire.CodeBadNote},
		{"escapes only", "/notes", "admin-tok", wire.NoteRequest{Text: "\x1b[2J"}, 400, wire.CodeBadNote},
		{"too long", "/notes", "admin-tok", wire.NoteRequest{Text: strings.Repeat("é", monitor.MaxNoteLen+1)}, 400, wire.CodeBadNote},
		{"not JSON", "/notes", "admin-tok", "{text", 400, wire.CodeBadRequest},
		{"unknown monitor", "/../nope/notes", "admin-tok", wire.NoteRequest{Text: "hi"}, 404, wire.CodeNoMonitor},
		{"a note", "/notes", "admin-tok", wire.NoteRequest{Text: "pool \x1b[31mrestarted", Author: "alice"}, 200, ""},
		{"ack with a reason", "/ack", "admin-tok", wire.NoteRequest{Text: "looking"}, 200, ""},
		{"ack without a body", "/ack", "admin-tok", nil, 200, ""},
	} {
		path := base + tc.path
		if tc.name == "unknown monitor" {
			path = "http://" + s.TCPAddr() + "/api/v1/monitors/nope/notes"
		}
		if code, ec := post(t, c, path, tc.token, tc.body); code != tc.want || ec != tc.code {
			t.Errorf("%s: %d %q, want %d %q", tc.name, code, ec, tc.want, tc.code)
		}
	}
	ev := sse.nextNamed(t, "note")
	got := decode[wire.Event](t, ev.data)
	if got.Note == nil || got.Note.Text != "pool restarted" || got.Note.Author != "alice" || got.Note.Kind != "note" ||
		got.State == nil || got.Monitor != "shop" {
		t.Errorf("note event: %+v", got)
	}
	ev = sse.nextNamed(t, "note")
	if got := decode[wire.Event](t, ev.data); got.Note == nil || got.Note.Kind != "ack" || got.Note.Author != "api" || got.Note.Text != "looking" ||
		got.State == nil || !got.State.Acked {
		t.Errorf("ack event: %+v", got)
	}

	var ins []wire.Incident
	if code := do(t, c, "GET", base+"/incidents?since=1h", "view-tok", &ins); code != 200 || len(ins) != 1 {
		t.Fatalf("incidents: %d %+v", code, ins)
	}
	in := ins[0]
	if in.ID == "" || in.ID != monitor.IncidentID("shop", in.Start) || len(in.Notes) != 3 || in.Notes[0].Text != "pool restarted" ||
		in.Notes[1].Kind != "ack" || in.Notes[2].Text != "" {
		t.Errorf("incident JSON: %+v", in)
	}
}
