package check

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// wsHandler is a WebSocket server with one behaviour per path: /echo
// answers each message with "echo: " and the message, /json with a JSON
// document, /push sends a message on connect, /close closes with 1011,
// /silent reads and never answers, /auth wants a bearer token; anything
// else is 404.
func wsHandler(t testing.TB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		switch path {
		case "/echo", "/json", "/push", "/close", "/silent":
		case "/auth":
			if r.Header.Get("Authorization") != "Bearer s3cret" {
				http.Error(w, "who are you?", http.StatusForbidden)
				return
			}
		default:
			http.NotFound(w, r)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		switch path {
		case "/push":
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"price": 42}`))
		case "/close":
			_, _, _ = c.Read(ctx)
			_ = c.Close(websocket.StatusInternalError, "database gone")
			return
		case "/silent": // reads until the client goes, answers nothing
			for {
				if _, _, err := c.Read(ctx); err != nil {
					return
				}
			}
		}
		for {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			reply := "echo: " + string(msg)
			if path == "/json" {
				reply = `{"op": "pong", "ok": true}`
			}
			if err := c.Write(ctx, websocket.MessageText, []byte(reply)); err != nil {
				return
			}
		}
	})
}

func TestWS(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(wsHandler(t))
	t.Cleanup(plain.Close)
	p := pki(t)
	secure := tlsServer(t, p.valid, wsHandler(t))
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, p.caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ws := "ws://" + strings.TrimPrefix(plain.URL, "http://")
	wss := "wss://" + strings.TrimPrefix(secure.URL, "https://")
	send := func(msg string, set func(m *monitor.Monitor)) func(m *monitor.Monitor) {
		return func(m *monitor.Monitor) {
			m.Send = msg
			if set != nil {
				set(m)
			}
		}
	}
	checkCases(t, []serviceCase{
		{name: "handshake only", m: svcMonitor(ws+"/echo", nil), status: monitor.StatusUp, code: 101},
		{name: "message and reply", m: svcMonitor(ws+"/echo", send("ping", func(m *monitor.Monitor) { m.ExpectBody = "echo: ping" })),
			status: monitor.StatusUp, answer: "reply "},
		{name: "JSON reply", m: svcMonitor(ws+"/json", send("ping", func(m *monitor.Monitor) { m.ExpectJSON = []string{`.op == "pong"`, ".ok"} })),
			status: monitor.StatusUp},
		{name: "pushed message", m: svcMonitor(ws+"/push", func(m *monitor.Monitor) { m.ExpectJSON = []string{".price > 0"} }),
			status: monitor.StatusUp},
		{name: "over verified TLS", m: svcMonitor(wss+"/echo", send("ping", func(m *monitor.Monitor) {
			m.CAFile, m.CertWarnDays = caFile, 14
		})), status: monitor.StatusUp, cert: true},
		{name: "with headers", m: svcMonitor(ws+"/auth", func(m *monitor.Monitor) { m.Headers = map[string]string{"Authorization": "Bearer s3cret"} }),
			status: monitor.StatusUp},
		{name: "unexpected reply", m: svcMonitor(ws+"/echo", send("ping", func(m *monitor.Monitor) { m.ExpectBody = "pong" })),
			status: monitor.StatusDown, class: ClassWSReplyMismatch, errHas: `"echo: ping"`},
		{name: "JSON assertion false", m: svcMonitor(ws+"/json", send("ping", func(m *monitor.Monitor) { m.ExpectJSON = []string{`.op == "ping"`} })),
			status: monitor.StatusDown, class: ClassWSReplyMismatch},
		{name: "closed by the server", m: svcMonitor(ws+"/close", send("ping", nil)), status: monitor.StatusDown,
			class: ClassWSClosed, code: 1011, errHas: "internal error"},
		{name: "upgrade refused", m: svcMonitor(ws+"/auth", nil), status: monitor.StatusDown, class: ClassWSHandshake,
			code: 403, errHas: "who are you?"},
		{name: "no such path", m: svcMonitor(ws+"/nothing", nil), status: monitor.StatusDown, class: ClassWSHandshake, code: 404},
		{name: "stopped", m: svcMonitor("ws://"+closedPort(t)+"/echo", nil), status: monitor.StatusDown, class: ClassRefused},
		{name: "TLS required by the check, not offered", m: svcMonitor("wss://"+strings.TrimPrefix(plain.URL, "http://")+"/echo", nil),
			status: monitor.StatusDown, class: ClassTLSUnavailable},
		{name: "TLS required by the server, not offered", m: svcMonitor("ws://"+strings.TrimPrefix(secure.URL, "https://")+"/echo", nil),
			status: monitor.StatusDown, class: ClassTLSRequired},
		{name: "certificate of an unknown CA", m: svcMonitor(wss+"/echo", nil), status: monitor.StatusDown, class: ClassTLSUnknownCA},
		{name: "hung", m: svcMonitor("ws://"+hungServer(t)+"/echo", nil), timeout: 300 * time.Millisecond,
			status: monitor.StatusDown, class: ClassWSHandshakeTimeout},
		{name: "no reply", m: svcMonitor(ws+"/silent", send("ping", nil)), timeout: 300 * time.Millisecond,
			status: monitor.StatusDown, class: ClassWSReplyTimeout},
	}, "")
}
