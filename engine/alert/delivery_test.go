package alert

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// A delivery event names every monitor its message is about, so that a
// viewer can attribute a grouped message (a burst, everything down) to
// each of them; a single message names its monitor in both places.
func TestDeliveryEventsNameEveryMonitorOfTheMessage(t *testing.T) {
	for _, c := range []struct {
		name    string
		down    []string // the monitors that go down together
		netDown bool     // the connectivity check fails
		event   string   // the message sent
		monitor string   // Event.Monitor
	}{
		{name: "single", down: []string{"api"}, event: EventDown, monitor: "api"},
		{name: "burst", down: []string{"api", "shop", "blog"}, event: EventGroup},
		{name: "everything down", down: []string{"api", "shop", "blog", "cache"}, netDown: true, event: EventNetwork},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ch := &fakeChannel{name: "oncall", failFirst: 1} // every attempt is reported
				var rec recorder
				var mons []*monitor.Monitor
				for _, n := range []string{"api", "shop", "blog", "cache"} {
					mons = append(mons, testMonitor(n))
				}
				d := New(Options{
					Alerts:     []*Config{alertCfg("oncall", 0)},
					Channels:   map[string]Channel{"oncall": ch},
					Monitors:   mons,
					OnDelivery: rec.add,
					Connectivity: func(context.Context) error {
						if c.netDown {
							return errors.New("dial tcp: network is unreachable")
						}
						return nil
					},
				})
				defer d.Close()
				e := newFakeEngine(d)
				for _, m := range mons {
					e.up(m)
				}
				time.Sleep(time.Minute)
				for _, m := range mons {
					if slices.Contains(c.down, m.Name) {
						e.down(m)
					}
				}
				settle()
				time.Sleep(time.Minute) // the retry after the failed first attempt
				synctest.Wait()
				wantEvents(t, ch, c.event)
				evs := rec.all()
				if len(evs) != 2 {
					t.Fatalf("%d delivery events, want 2 (a failure, then success): %s", len(evs), eventsText(evs))
				}
				for i, ev := range evs {
					a := ev.Alert
					if ev.Kind != monitor.EventAlert || a == nil || a.Attempts != i+1 || a.OK != (i == 1) {
						t.Fatalf("event %d: %s", i, eventsText(evs))
					}
					if ev.Monitor != c.monitor {
						t.Errorf("event %d: Monitor %q, want %q", i, ev.Monitor, c.monitor)
					}
					if !slices.Equal(a.Monitors, c.down) {
						t.Errorf("event %d: Monitors %v, want %v", i, a.Monitors, c.down)
					}
				}
				// and they travel in the event's JSON
				b, err := json.Marshal(wire.FromEvent(&evs[1], nil, nil))
				if err != nil {
					t.Fatal(err)
				}
				if want := `"monitors":["` + strings.Join(c.down, `","`) + `"]`; !strings.Contains(string(b), want) {
					t.Errorf("JSON lacks %s: %s", want, b)
				}
			})
		})
	}
}

// A test message is about no monitor: its events name none.
func TestTestMessageNamesNoMonitor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		var rec recorder
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}, OnDelivery: rec.add})
		defer d.Close()
		if err := d.Test(t.Context(), "oncall"); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		evs := rec.all()
		if len(evs) != 1 || evs[0].Monitor != "" || evs[0].Alert == nil || evs[0].Alert.Monitors != nil {
			t.Fatalf("test message events: %s", eventsText(evs))
		}
		if b, _ := json.Marshal(evs[0]); strings.Contains(string(b), "monitors") {
			t.Errorf("an empty list is left out of the JSON: %s", b)
		}
	})
}
