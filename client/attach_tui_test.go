package client

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/tui"
)

// The real dashboard, attached to two daemons on loopback with different
// locations, one seeing the target down and the other up: it shows the
// monitor down (the worst) with both locations in the header.
func TestAttachDashboardToTwoDaemons(t *testing.T) {
	eu, us := newSwitch(), newSwitch()
	eu.set("shop", engine.Result{Status: engine.StatusDown, Code: 502, Class: "http_502", Error: "bad gateway"})
	eEU := runEngine(t, config("eu-west", monitor("shop", "https://shop.example/")), eu, engine.Options{})
	eUS := runEngine(t, config("us-east", monitor("shop", "https://shop.example/")), us, engine.Options{})
	sock := filepath.Join(t.TempDir(), "eu.sock")
	serve(t, eEU, api.Options{Socket: sock})
	sUS := serve(t, eUS, api.Options{Listen: "127.0.0.1:0"})
	c := dial(t, []string{sock, "http://" + sUS.TCPAddr()}, Options{})

	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	m := tui.New(c, tui.Options{Renderer: r, NoColor: true})
	defer m.Close()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(200, 30))
	if err := c.CheckNow("shop"); err != nil {
		t.Fatal(err)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte("eu-west, us-east")) && bytes.Contains(b, []byte("shop")) &&
			bytes.Contains(b, []byte("502"))
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	st, _ := find(c.Snapshot(), "shop")
	if LocationSummary(st) != "down from eu-west, up from us-east" {
		t.Errorf("summary %q", LocationSummary(st))
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
