package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/client"
	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
)

// End to end on loopback: a note typed in one attached dashboard shows in
// a second attached dashboard (through the daemon's API and event
// stream), is kept across a restart of the daemon, goes out in the
// resolve webhook, and is in `upbeat incident show --markdown`.
func TestNoteFromDashboardToWebhookAndPostmortem(t *testing.T) {
	t.Parallel()
	var healthy atomic.Bool
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer target.Close()
	hooks := make(chan alert.WebhookPayload, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m alert.WebhookPayload
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		hooks <- m
	}))
	defer hook.Close()
	dir := t.TempDir()
	histDir := filepath.Join(dir, "history")
	cfgPath := hookConfig(t, histDir, hook.URL, target.URL, "")
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	fast := func(o *alert.Options) { o.BurstWindow = -1; o.ResolveHold = -1 }
	sock := filepath.Join(dir, "upbeat.sock")

	// daemon runs upbeat with its API on sock until the returned stop.
	daemon := func() (*runtime, *source.Subscription, func()) {
		rt, err := newRuntime(cfg, runtimeOptions{getenv: os.Getenv, tuneAlerts: fast})
		if err != nil {
			t.Fatal(err)
		}
		sub := rt.eng.Subscribe()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { rt.eng.Run(ctx); close(done) }()
		srv := api.New(rt.localSource(cfgPath, false), api.Options{Socket: sock})
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		return rt, sub, func() { srv.Close(); sub.Close(); cancel(); <-done; rt.Close() }
	}
	nextHook := func(want string) alert.WebhookPayload {
		t.Helper()
		for {
			select {
			case m := <-hooks:
				if m.Event == want {
					return m
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("no %q webhook arrived", want)
			}
		}
	}

	rt, sub, stop := daemon()
	rt.eng.CheckNow("api")
	waitChange(t, sub, monitor.StatusDown)
	nextHook("down")

	// two dashboards attached to the daemon
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	attach := func(user string) (*teatest.TestModel, *client.Client) {
		c, err := client.Dial(ctx, []string{sock}, client.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.Ascii)
		m := tui.New(c, tui.Options{Renderer: r, NoColor: true, User: user})
		t.Cleanup(func() { m.Close(); c.Close() })
		return teatest.NewTestModel(t, m, teatest.WithInitialTermSize(200, 50)), c
	}
	one, _ := attach("alice")
	two, _ := attach("bob")
	waitScreen(t, one, "api")
	waitScreen(t, two, "api")

	one.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("n")})
	waitScreen(t, one, "note on api:")
	one.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("pool restarted on db-2"), Paste: true})
	typed := time.Now()
	one.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, two, "alice: pool restarted on db-2")
	t.Logf("the note showed in the second dashboard %s after enter in the first", time.Since(typed).Round(time.Millisecond))

	two.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("a")})
	waitScreen(t, two, "acknowledge api, reason:")
	two.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("looking"), Paste: true})
	two.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitScreen(t, one, "bob acknowledged: looking")
	for _, tm := range []*teatest.TestModel{one, two} {
		if err := tm.Quit(); err != nil {
			t.Fatal(err)
		}
		tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
	}
	stop()

	// after a restart the incident still carries its notes: the resolve
	// webhook has them
	rt, sub, stop = daemon()
	defer stop()
	healthy.Store(true)
	rt.eng.CheckNow("api")
	waitChange(t, sub, monitor.StatusUp)
	up := nextHook("up")
	if len(up.Monitors) != 1 || up.Monitors[0].Incident == nil {
		t.Fatalf("resolve webhook: %+v", up)
	}
	inc := up.Monitors[0].Incident
	if !hasNote(inc.Notes, "note", "alice", "pool restarted on db-2") || !hasNote(inc.Notes, "ack", "bob", "looking") {
		t.Fatalf("resolve webhook incident: %+v, want alice's note and bob's acknowledgement", inc)
	}
	if !strings.Contains(up.Text, "alice: pool restarted on db-2") {
		t.Errorf("resolve webhook text lacks the note:\n%s", up.Text)
	}
	stop()

	// the postmortem, from history on disk
	out, errOut, code := runCmd(t, "incident", "list", "--history-dir", histDir)
	id := regexp.MustCompile(`(?m)^([0-9a-f]{8})\s+api\s`).FindStringSubmatch(out)
	if code != exitOK || id == nil || id[1] != inc.ID {
		t.Fatalf("incident list: %d %q %q; want the webhook's incident %s", code, out, errOut, inc.ID)
	}
	md, errOut, code := runCmd(t, "incident", "show", id[1], "--markdown", "--history-dir", histDir, "--cost-per-hour", "120")
	t.Logf("incident show --markdown:\n%s", md)
	for _, want := range []string{"# Incident " + id[1], "first failed check: 502", "alice noted: pool restarted on db-2",
		"bob acknowledged: looking", "alert hook delivered", "resolved after", "| Downtime cost |"} {
		if code != exitOK || !strings.Contains(md, want) {
			t.Errorf("incident show --markdown lacks %q (exit %d, %q):\n%s", want, code, errOut, md)
		}
	}
}

func hasNote(ns []wire.Note, kind, author, text string) bool {
	for _, n := range ns {
		if n.Kind == kind && n.Author == author && n.Text == text {
			return true
		}
	}
	return false
}

// waitScreen waits until the program's output (since the last wait) holds s.
func waitScreen(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
		teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}
