package client

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// A war room started from an attached dashboard runs on the daemon: the
// viewer sees it in the monitor's state and its start and end in the
// event stream; a read-only token may not start one, nor end one.
func TestWarRoomThroughTheDaemon(t *testing.T) {
	cfg := config("x", testMonitor("shop", "https://shop.example/"), testMonitor("paused", "https://p.example/"))
	cfg.Settings.WarRoomInterval = 2 * time.Second
	e := runEngine(t, cfg, newSwitch(), engine.Options{})
	if err := e.SetPaused("paused", true); err != nil {
		t.Fatal(err)
	}
	s := serve(t, e, api.Options{Listen: "127.0.0.1:0", Token: "admin-tok", ReadOnlyToken: "view-tok"})
	addr := "http://" + s.TCPAddr()

	viewer := dial(t, []string{addr}, Options{Token: "view-tok"})
	if err := viewer.WarRoom(bg, "shop", 0); !errors.Is(err, source.ErrForbidden) {
		t.Errorf("read-only token starting a war room: %v, want ErrForbidden", err)
	}
	admin := dial(t, []string{addr}, Options{Token: "admin-tok"})
	sub := admin.Subscribe()
	defer sub.Close()
	if err := admin.WarRoom(bg, "shop", 10*time.Minute); err != nil {
		t.Fatal(err)
	}
	waitForEvent(t, sub, "the war room's start", func(ev source.Event) bool {
		return ev.Kind == monitor.EventWarRoom && !ev.Clear && strings.Contains(ev.Message, "every 2s for 10m")
	})
	waitFor(t, sub, "the war room in the mirrored state", func() bool {
		st, _ := find(admin.Snapshot(), "shop")
		return st.WarRoom.Every == 2*time.Second && st.WarRoom.Until.Sub(st.WarRoom.Start) == 10*time.Minute
	})
	if err := viewer.WarRoom(bg, "shop", -1); !errors.Is(err, source.ErrForbidden) {
		t.Errorf("read-only token ending a war room: %v, want ErrForbidden", err)
	}
	if err := admin.WarRoom(bg, "shop", -1); err != nil {
		t.Fatal(err)
	}
	waitForEvent(t, sub, "the war room's end", func(ev source.Event) bool { return ev.Kind == monitor.EventWarRoom && ev.Clear })
	waitFor(t, sub, "no war room in the mirrored state", func() bool {
		st, _ := find(admin.Snapshot(), "shop")
		return st.WarRoom == (monitor.WarRoom{})
	})
	if err := admin.WarRoom(bg, "paused", 0); !errors.Is(err, source.ErrPaused) {
		t.Errorf("war room on a paused monitor: %v, want ErrPaused", err)
	}
}
