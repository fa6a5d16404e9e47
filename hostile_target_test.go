package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/upbeat-monitor/upbeat/engine/check"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// A hostile target: every part of its answer holds escape sequences (an
// OSC 52 of its own among them). The real HTTP check runs against it; the
// dashboard's detail view of the result shows none of them, and y writes
// exactly one OSC 52 sequence whose text is the sanitized command.
func TestCopyReproduceWithHostileTarget(t *testing.T) {
	t.Parallel()
	evil := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("rm -rf ~")) + "\x07\x1b[2J\x1b]0;pwned\x07\u202e\u009b31m\x9b32m"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Evil", strings.ReplaceAll(evil, "\x07", "")) // a header value may not hold BEL
		w.Header().Set("Location", "http://127.0.0.1:1/"+url.PathEscape(evil))
		w.Header().Set("Retry-After", evil)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(evil + strings.Repeat(evil, 100)))
	}))
	defer ts.Close()
	u, _ := url.Parse(strings.Replace(ts.URL, "127.0.0.1", "localhost", 1) + "/health?token=sekrit")
	mon := &monitor.Monitor{Name: "evil", URL: u.String(), Parsed: u, Kind: monitor.KindHTTP, Timeout: 2 * time.Second,
		MaxBody: 1 << 20, MaxRedirects: 3, ExpectBody: "ok", Headers: map[string]string{"Authorization": "Bearer sekrit"}}
	res := check.New(check.Options{})[monitor.KindHTTP].Check(context.Background(), mon)
	if res.Status != monitor.StatusDown || res.Remote == "" {
		t.Fatalf("the check: %s, remote %q, %s", res.Status, res.Remote, res.Error)
	}
	now := time.Date(2026, 11, 24, 14, 3, 0, 0, time.UTC)
	res.Error += evil // as if a library had quoted the target
	res.Detail = evil
	res.Monitor, res.Time = "evil", now
	src := tuitest.New(monitor.State{Monitor: mon, Status: monitor.StatusDown, Since: now.Add(-time.Minute), Last: res})
	var clip bytes.Buffer
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	m := tui.New(src, tui.Options{Now: func() time.Time { return now }, Renderer: r, NoColor: true, User: "alice", Clipboard: &clip})
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
	v := m.View()
	if strings.ContainsAny(v, "\x1b\x07\u009b\u202e") || strings.Contains(v, "\x9b") {
		t.Errorf("the detail view holds a control or format character: %q", v)
	}
	if !strings.Contains(v, "Reproduce") {
		t.Fatalf("no command in the detail view:\n%s", v)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")})
	out := clip.String()
	if !strings.HasPrefix(out, "\x1b]52;c;") || !strings.HasSuffix(out, "\x07") || strings.Count(out, "\x1b") != 1 || strings.Count(out, "\x07") != 1 {
		t.Fatalf("clipboard bytes: %q, want one OSC 52 sequence", out)
	}
	text, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(out, "\x1b]52;c;"), "\x07"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := string(text)
	for _, want := range []string{"curl ", "--resolve localhost:" + u.Port() + ":" + res.Remote[:strings.LastIndex(res.Remote, ":")], "token=xxxxx"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("copied command lacks %q: %s", want, cmd)
		}
	}
	for _, bad := range []string{"sekrit", "pwned", "rm -rf", "\x1b", "\x07", "\u202e", "\u009b", "\x9b"} {
		if strings.Contains(cmd, bad) {
			t.Errorf("copied command holds %q: %q", bad, cmd)
		}
	}
	if !strings.Contains(m.View(), "copied: curl") {
		t.Errorf("no word of the copy:\n%s", m.View())
	}
}
