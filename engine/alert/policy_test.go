package alert

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/alert/maint"
	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestOneAlertPerIncidentPlusRenotify(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		var incidents []monitor.Incident
		d := New(Options{
			Alerts:     []*Config{alertCfg("oncall", 30*time.Minute)},
			Channels:   map[string]Channel{"oncall": ch},
			OnIncident: func(in monitor.Incident) { incidents = append(incidents, in) },
		})
		defer d.Close()
		e := newFakeEngine(d)
		shop := testMonitor("shop")

		e.up(shop)
		start := time.Now()
		for range 95 { // down for 95 minutes, checked every minute
			time.Sleep(time.Minute)
			e.down(shop)
		}
		settle()
		wantEvents(t, ch, EventDown, EventReminder, EventReminder, EventReminder)
		msgs := ch.messages()
		if first := msgs[0]; !strings.Contains(first.Title, "shop is DOWN") || !first.Urgent {
			t.Errorf("first message %q urgent=%v", first.Title, first.Urgent)
		}
		if !strings.Contains(msgs[1].Title, "still DOWN after 30m") {
			t.Errorf("reminder title %q", msgs[1].Title)
		}

		time.Sleep(time.Minute)
		e.up(shop)
		for range 10 {
			time.Sleep(time.Minute)
			e.up(shop)
		}
		settle()
		wantEvents(t, ch, EventDown, EventReminder, EventReminder, EventReminder, EventUp)
		up := ch.messages()[4]
		if !strings.Contains(up.Title, "shop is UP again after 1h 35m") {
			t.Errorf("resolve title %q", up.Title)
		}
		in := up.Items[0].Incident
		if in == nil || !in.Start.Equal(start.Add(time.Minute)) || in.End.IsZero() || in.Codes[0] != 502 || in.Classes[0] != "http_502" {
			t.Errorf("resolved incident %+v", in)
		}
		if len(incidents) != 2 || !incidents[0].End.IsZero() || incidents[1].End.IsZero() {
			t.Errorf("OnIncident calls %+v", incidents)
		}
		if open := d.Incidents(); len(open) != 0 {
			t.Errorf("open incidents after resolve: %+v", open)
		}
	})
}

func TestResolveSentOnceAfterRecoverAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{
			Alerts:       []*Config{alertCfg("oncall", 0)},
			Channels:     map[string]Channel{"oncall": ch},
			RecoverAfter: 3,
		})
		defer d.Close()
		e := newFakeEngine(d)
		api := testMonitor("api")
		e.down(api)
		time.Sleep(time.Minute)
		e.check(api, monitor.StatusDown, 504, "http_504")
		settle()
		wantEvents(t, ch, EventDown)

		// Two good checks, then a failure: still the same incident, nothing sent.
		for _, s := range []monitor.Status{monitor.StatusUp, monitor.StatusUp, monitor.StatusDown} {
			time.Sleep(time.Minute)
			e.check(api, s, 0, "")
		}
		settle()
		wantEvents(t, ch, EventDown)

		// Three good checks in a row resolve it, once.
		for range 6 {
			time.Sleep(time.Minute)
			e.up(api)
		}
		settle()
		wantEvents(t, ch, EventDown, EventUp)
		if got := ch.messages()[1].Items[0].Incident; len(got.Codes) != 2 {
			t.Errorf("codes seen %v, want 502 and 504", got.Codes)
		}
	})
}

func TestAckStopsReminders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 10*time.Minute)}, Channels: map[string]Channel{"oncall": ch}})
		defer d.Close()
		e := newFakeEngine(d)
		db := testMonitor("db")
		e.down(db)
		time.Sleep(11 * time.Minute)
		synctest.Wait()
		d.Ack("db")
		if open := d.Incidents(); len(open) != 1 || !open[0].Acked {
			t.Fatalf("incidents after ack: %+v", open)
		}
		time.Sleep(time.Hour)
		e.up(db)
		settle()
		wantEvents(t, ch, EventDown, EventReminder, EventUp)
	})
}

func TestNothingDuringMaintenanceAcrossDST(t *testing.T) {
	for _, engineKnows := range []bool{true, false} {
		t.Run(fmt.Sprintf("engine applies windows=%v", engineKnows), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// A nightly window at 02:30 New York time. On 2026-03-08 the clocks jump from
				// 02:00 to 03:00, so that night it runs from 03:00 EDT (07:00 UTC) to 08:00 UTC.
				w, err := maint.New([]*maint.Config{{
					Name: "nightly", At: "02:30", Duration: time.Hour, Timezone: "America/New_York", Monitors: []string{"api"},
				}})
				if err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Until(time.Date(2026, 3, 8, 6, 50, 0, 0, time.UTC)))
				ch := &fakeChannel{name: "oncall"}
				d := New(Options{
					Alerts:      []*Config{alertCfg("oncall", 5*time.Minute)},
					Channels:    map[string]Channel{"oncall": ch},
					Maintenance: w,
				})
				defer d.Close()
				e := newFakeEngine(d)
				if engineKnows {
					e.maint = w
				}
				api := testMonitor("api")
				e.up(api)

				// 06:55 UTC is 01:55 EST: no window yet. Up.
				time.Sleep(5 * time.Minute)
				e.up(api)
				// 07:00–07:59 UTC: inside the window. Down the whole time, with reminders due.
				for range 12 {
					time.Sleep(5 * time.Minute)
					e.down(api)
				}
				settle()
				wantEvents(t, ch) // nothing at all
				if len(d.Incidents()) != 0 {
					t.Errorf("incident opened in maintenance: %+v", d.Incidents())
				}

				// 08:05 UTC: the window is over and api is still down: now it pages.
				time.Sleep(6 * time.Minute)
				e.down(api)
				settle()
				wantEvents(t, ch, EventDown)
			})
		})
	}
}

func TestMaintenanceSilencesRemindersOfOpenIncident(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		w, _ := maint.New(nil)
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 10*time.Minute)}, Channels: map[string]Channel{"oncall": ch}, Maintenance: w})
		defer d.Close()
		e := newFakeEngine(d)
		e.maint = w
		web := testMonitor("web")
		e.down(web)
		settle()
		w.Add("web", time.Now().Add(time.Hour)) // the m key
		for range 11 {
			time.Sleep(5 * time.Minute)
			e.down(web)
		}
		settle()
		wantEvents(t, ch, EventDown)
		time.Sleep(10 * time.Minute)
		e.up(web)
		settle()
		wantEvents(t, ch, EventDown, EventUp)
	})
}

func TestFlappingGivesOneMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		var flaps int
		d := New(Options{
			Alerts:   []*Config{alertCfg("oncall", 0)},
			Channels: map[string]Channel{"oncall": ch},
			OnIncident: func(in monitor.Incident) {
				if in.Flapping && in.End.IsZero() {
					flaps++
				}
			},
		})
		defer d.Close()
		e := newFakeEngine(d)
		lb := testMonitor("lb")
		e.up(lb)
		// Down and up every minute for 30 minutes: 30 changes.
		e.flap(lb, 30)
		settle()
		// The first down pages at once; every later change is part of the same
		// incident (each resolve was held and then cancelled), so nothing more.
		wantEvents(t, ch, EventDown)
		if flaps != 1 {
			t.Errorf("flapping incidents %d, want 1", flaps)
		}
		if open := d.Incidents(); len(open) != 1 || !open[0].Flapping {
			t.Fatalf("open incidents %+v, want one flapping", open)
		}
		// Steady for FlapQuiet: one resolve, and only then.
		lastChange := time.Now().Add(-DefaultBurstWindow - time.Second)
		for range 10 {
			time.Sleep(time.Minute)
			e.up(lb)
		}
		settle()
		wantEvents(t, ch, EventDown, EventUp)
		last := ch.messages()[1]
		if got := last.Time.Sub(lastChange); got < DefaultFlapQuiet || got > DefaultFlapQuiet+DefaultBurstWindow {
			t.Errorf("resolve sent %s after the last change, want FlapQuiet (%s) plus grouping", got, DefaultFlapQuiet)
		}
		in := last.Items[0].Incident
		if in == nil || !in.Flapping || !in.End.Equal(lastChange) {
			t.Errorf("resolved incident %+v should be the flapping one, ending when it came back", in)
		}
		if last.Items[0].Flaps != 15 || !strings.Contains(last.Text, "flapped 15 times") {
			t.Errorf("resolve should say it flapped 15 times: flaps %d\n%s", last.Items[0].Flaps, last.Text)
		}
		if last.Title != "lb is UP again after 29m" {
			t.Errorf("resolve title %q", last.Title)
		}
		if open := d.Incidents(); len(open) != 0 {
			t.Errorf("open incidents after the resolve: %+v", open)
		}
	})
}

func TestFlappingRemindersAndAck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		// 10m30s: reminders never fall on the same instant as a change.
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 10*time.Minute+30*time.Second)}, Channels: map[string]Channel{"oncall": ch}})
		defer d.Close()
		e := newFakeEngine(d)
		lb := testMonitor("lb")
		e.up(lb)
		for i := range 30 {
			time.Sleep(time.Minute)
			if i%2 == 0 {
				e.down(lb)
			} else {
				e.up(lb)
			}
			if i == 24 {
				synctest.Wait()
				wantEvents(t, ch, EventDown, EventReminder, EventReminder)
				d.Ack("lb")
			}
		}
		settle()
		msgs := ch.messages()
		for i, want := range []string{"lb is still FLAPPING after 10m 30s", "lb is still FLAPPING after 21m"} {
			if !strings.HasPrefix(msgs[i+1].Title, want) {
				t.Errorf("reminder %d title %q, want %q…", i+1, msgs[i+1].Title, want)
			}
		}
		if open := d.Incidents(); len(open) != 1 || !open[0].Acked || !open[0].Flapping {
			t.Fatalf("open incidents %+v, want one acknowledged and flapping", open)
		}
		// Acknowledged: no reminder at 31m 30s; the resolve still comes once it settles.
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		wantEvents(t, ch, EventDown, EventReminder, EventReminder, EventUp)
	})
}

func TestFlappingThatSettlesDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}, RecoverAfter: 2})
		defer d.Close()
		e := newFakeEngine(d)
		lb := testMonitor("lb")
		e.up(lb)
		e.flap(lb, 12)
		for range 10 {
			time.Sleep(time.Minute)
			e.down(lb)
		}
		settle()
		// recover_after 2 holds every resolve, so the first incident turns flapping
		// at the fourth change. When it stops flapping while down, the incident
		// stays open and nothing more is sent: its one message already said down.
		wantEvents(t, ch, EventDown)
		open := d.Incidents()
		if len(open) != 1 || !open[0].Flapping {
			t.Fatalf("open incidents %+v, want one flapping", open)
		}
		// It recovers for good: one resolve, which tells of the flapping.
		for range 3 {
			time.Sleep(time.Minute)
			e.up(lb)
		}
		settle()
		wantEvents(t, ch, EventDown, EventUp)
		if up := ch.messages()[1]; up.Items[0].Flaps != 7 || !strings.Contains(up.Text, "flapped 7 times") {
			t.Errorf("resolve: flaps %d\n%s", up.Items[0].Flaps, up.Text)
		}
	})
}

func TestCleanOutageResolvesWithoutHold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}})
		defer d.Close()
		e := newFakeEngine(d)
		api := testMonitor("api")
		e.up(api)
		time.Sleep(time.Minute)
		e.down(api)
		for range 9 { // down for 10 minutes, checked every minute
			time.Sleep(time.Minute)
			e.down(api)
		}
		time.Sleep(time.Minute)
		e.up(api)
		upAt := time.Now()
		settle()
		// No hold: the resolve goes out with the next burst, not ResolveHold later.
		wantEvents(t, ch, EventDown, EventUp)
		up := ch.messages()[1]
		if got := up.Time.Sub(upAt); got > DefaultBurstWindow {
			t.Errorf("resolve sent %s after recovery, want within the %s burst window", got, DefaultBurstWindow)
		}
		if up.Title != "api is UP again after 10m" || up.Items[0].Flaps != 0 {
			t.Errorf("resolve %q flaps %d", up.Title, up.Items[0].Flaps)
		}
	})
}

func TestBlipGivesOneDownAndOneResolve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		var opened, resolved int
		d := New(Options{
			Alerts:   []*Config{alertCfg("oncall", 0)},
			Channels: map[string]Channel{"oncall": ch},
			OnIncident: func(in monitor.Incident) {
				if in.End.IsZero() {
					opened++
				} else {
					resolved++
				}
			},
		})
		defer d.Close()
		e := newFakeEngine(d)
		web := testMonitor("web")
		e.up(web)
		time.Sleep(time.Minute)
		e.down(web) // a real outage pages at once
		downAt := time.Now()
		settle()
		wantEvents(t, ch, EventDown)
		if got := ch.messages()[0].Time.Sub(downAt); got > DefaultBurstWindow {
			t.Errorf("down sent %s after the failure", got)
		}
		time.Sleep(30*time.Second - DefaultBurstWindow - time.Second)
		e.up(web) // back 30s later, then steady
		upAt := time.Now()
		for range 8 {
			time.Sleep(30 * time.Second)
			e.up(web)
			if time.Since(upAt) < DefaultResolveHold {
				synctest.Wait()
				wantEvents(t, ch, EventDown) // held: not yet
			}
		}
		settle()
		wantEvents(t, ch, EventDown, EventUp)
		up := ch.messages()[1]
		if got := up.Time.Sub(upAt); got < DefaultResolveHold || got > DefaultResolveHold+DefaultBurstWindow {
			t.Errorf("resolve sent %s after recovery, want the %s hold plus grouping", got, DefaultResolveHold)
		}
		if in := up.Items[0].Incident; in == nil || !in.End.Equal(upAt) || in.Flapping {
			t.Errorf("resolved incident %+v should end when web came back", in)
		}
		if up.Title != "web is UP again after 30s" {
			t.Errorf("resolve title %q", up.Title)
		}
		if opened != 1 || resolved != 1 {
			t.Errorf("incidents opened %d, resolved %d; want one of each", opened, resolved)
		}
	})
}

func TestBounceDuringHoldContinuesTheIncident(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		var opened int
		d := New(Options{
			Alerts:      []*Config{alertCfg("oncall", 0)},
			Channels:    map[string]Channel{"oncall": ch},
			FlapChanges: 10, // not enough changes to flap: the hold alone keeps it one incident
			OnIncident: func(in monitor.Incident) {
				if in.End.IsZero() && !in.Acked {
					opened++
				}
			},
		})
		defer d.Close()
		e := newFakeEngine(d)
		web := testMonitor("web")
		e.up(web)
		for _, s := range []monitor.Status{monitor.StatusDown, monitor.StatusUp, monitor.StatusDown, monitor.StatusUp} {
			time.Sleep(30 * time.Second)
			e.check(web, s, 0, "refused")
		}
		upAt := time.Now()
		settle()
		wantEvents(t, ch, EventDown)
		time.Sleep(DefaultResolveHold)
		synctest.Wait()
		wantEvents(t, ch, EventDown, EventUp)
		up := ch.messages()[1]
		if in := up.Items[0].Incident; in == nil || !in.End.Equal(upAt) || in.Flapping {
			t.Errorf("resolved incident %+v", in)
		}
		if up.Items[0].Flaps != 2 || !strings.Contains(up.Text, "went down 2 times") {
			t.Errorf("resolve: flaps %d\n%s", up.Items[0].Flaps, up.Text)
		}
		if opened != 1 {
			t.Errorf("%d incidents opened, want 1", opened)
		}
	})
}

func TestResolveHoldNegativeSendsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}, ResolveHold: -1})
		defer d.Close()
		e := newFakeEngine(d)
		web := testMonitor("web")
		e.up(web)
		time.Sleep(time.Minute)
		e.down(web)
		time.Sleep(30 * time.Second)
		e.up(web)
		settle()
		wantEvents(t, ch, EventDown, EventUp)
	})
}

func TestRestartWhileDownSendsNoDuplicateAndStillResolves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		cfg := alertCfg("oncall", time.Hour)
		pay := testMonitor("pay")
		d1 := New(Options{Alerts: []*Config{cfg}, Channels: map[string]Channel{"oncall": ch}})
		e1 := newFakeEngine(d1)
		e1.down(pay)
		settle()
		d1.Close()
		wantEvents(t, ch, EventDown)

		// upbeat restarts. The engine restored pay as down from history: its
		// results are down and it reports no change.
		time.Sleep(time.Minute)
		d2 := New(Options{Alerts: []*Config{cfg}, Channels: map[string]Channel{"oncall": ch}, Monitors: []*monitor.Monitor{pay}})
		defer d2.Close()
		e2 := newFakeEngine(d2)
		e2.status["pay"] = monitor.StatusDown
		for range 30 {
			time.Sleep(time.Minute)
			e2.down(pay)
		}
		settle()
		wantEvents(t, ch, EventDown) // no duplicate
		if open := d2.Incidents(); len(open) != 1 || open[0].Monitor != "pay" {
			t.Fatalf("restored incident not taken over: %+v", open)
		}
		// Reminders go on from the restart, not from zero.
		time.Sleep(40 * time.Minute)
		synctest.Wait()
		wantEvents(t, ch, EventDown, EventReminder)
		if got := ch.messages()[1].Title; got != "pay is still DOWN: 502 Bad Gateway" {
			t.Errorf("reminder after restart: %q", got)
		}

		time.Sleep(time.Minute)
		e2.up(pay)
		settle()
		wantEvents(t, ch, EventDown, EventReminder, EventUp)
	})
}

func TestRestartResolveWithoutObserve(t *testing.T) {
	// An engine that restored the monitor as down and recovers on its
	// first check: the change alone resolves the incident nobody here saw open.
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}})
		defer d.Close()
		e := newFakeEngine(d)
		e.status["pay"] = monitor.StatusDown
		time.Sleep(time.Minute)
		e.up(testMonitor("pay"))
		settle()
		wantEvents(t, ch, EventUp)
		if !strings.Contains(ch.messages()[0].Text, "before upbeat started") {
			t.Errorf("text %q", ch.messages()[0].Text)
		}
	})
}

func TestRestoreGivesTheResolveItsStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}})
		defer d.Close()
		start := time.Now().Add(-2 * time.Hour)
		d.Restore("pay", monitor.Incident{Start: start, Codes: []int{503}, Classes: []string{"http_503"}})
		e := newFakeEngine(d)
		e.status["pay"] = monitor.StatusDown
		time.Sleep(time.Minute)
		e.down(testMonitor("pay"))
		time.Sleep(time.Minute)
		e.up(testMonitor("pay"))
		settle()
		wantEvents(t, ch, EventUp)
		if got := ch.messages()[0].Title; got != "pay is UP again after 2h 2m" {
			t.Errorf("title %q", got)
		}
	})
}

func Test200MonitorsDownAtOnceGiveOneMessagePerChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := &fakeChannel{name: "chat"}, &fakeChannel{name: "mail"}
		var mons []*monitor.Monitor
		for i := range 201 {
			mons = append(mons, testMonitor(fmt.Sprintf("site-%03d", i)))
		}
		d := New(Options{
			Alerts:   []*Config{alertCfg("chat", 0), alertCfg("mail", 0)},
			Channels: map[string]Channel{"chat": a, "mail": b},
			Monitors: mons,
		})
		defer d.Close()
		e := newFakeEngine(d)
		for _, m := range mons {
			e.up(m)
		}
		time.Sleep(time.Minute)
		for _, m := range mons[:200] { // one stays up: not "everything is down"
			time.Sleep(10 * time.Millisecond)
			e.down(m)
		}
		settle()
		for _, ch := range []*fakeChannel{a, b} {
			msgs := ch.messages()
			if len(msgs) != 1 {
				t.Fatalf("%s got %d messages, want 1", ch.name, len(msgs))
			}
			m := msgs[0]
			if m.Event != EventGroup || len(m.Items) != 200 || m.Title != "200 monitors down" {
				t.Errorf("%s: event %s, %d items, title %q", ch.name, m.Event, len(m.Items), m.Title)
			}
			if !strings.Contains(m.Text, "site-000 DOWN: 502 Bad Gateway") || !strings.Contains(m.Text, "… and 160 more.") {
				t.Errorf("grouped text:\n%s", m.Text)
			}
			if strings.Contains(m.Text, "network") {
				t.Errorf("one monitor is up, so the network is not suspect:\n%s", m.Text)
			}
		}
		// They come back together: one message per channel again, once they
		// have stayed up for the resolve hold (the outage was short).
		time.Sleep(time.Minute)
		for _, m := range mons[:200] {
			e.up(m)
		}
		settle()
		for _, ch := range []*fakeChannel{a, b} {
			if n := len(ch.messages()); n != 1 {
				t.Errorf("%s: %d messages during the resolve hold, want 1", ch.name, n)
			}
		}
		time.Sleep(DefaultResolveHold)
		synctest.Wait()
		for _, ch := range []*fakeChannel{a, b} {
			if msgs := ch.messages(); len(msgs) != 2 || msgs[1].Title != "200 recovered" {
				t.Errorf("%s: %d messages, last %q", ch.name, len(msgs), msgs[len(msgs)-1].Title)
			}
		}
	})
}

func TestEveryMonitorDownSuspectsOwnNetwork(t *testing.T) {
	for _, netDown := range []bool{true, false} {
		t.Run(fmt.Sprintf("network down=%v", netDown), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a, b := &fakeChannel{name: "desk"}, &fakeChannel{name: "hook"}
				var checks atomic.Int32
				var mons []*monitor.Monitor
				for i := range 20 {
					mons = append(mons, testMonitor(fmt.Sprintf("m%02d", i)))
				}
				d := New(Options{
					Alerts:             []*Config{alertCfg("desk", 0), alertCfg("hook", 0)},
					Channels:           map[string]Channel{"desk": a, "hook": b},
					Monitors:           mons,
					ConnectivityTarget: "https://connectivity.example.test/",
					Connectivity: func(ctx context.Context) error {
						checks.Add(1)
						if netDown {
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
					e.check(m, monitor.StatusDown, 0, "timeout")
				}
				settle()
				if n := checks.Load(); n != 1 {
					t.Errorf("connectivity checked %d times, want 1", n)
				}
				for _, ch := range []*fakeChannel{a, b} {
					msgs := ch.messages()
					if len(msgs) != 1 {
						t.Fatalf("%s got %d messages, want 1", ch.name, len(msgs))
					}
					m := msgs[0]
					if netDown {
						if m.Event != EventNetwork || !strings.Contains(m.Title, "own network looks down") ||
							!strings.Contains(m.Text, "network is unreachable") || len(m.Items) != 20 {
							t.Errorf("%s: %s %q\n%s", ch.name, m.Event, m.Title, m.Text)
						}
					} else if m.Event != EventGroup || !strings.Contains(m.Text, "connectivity check passed") {
						t.Errorf("%s: %s %q\n%s", ch.name, m.Event, m.Title, m.Text)
					}
				}
			})
		})
	}
}

func TestDegradedIsGentleAndSeparate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pager := &fakeChannel{name: "pager"}
		chat := &fakeChannel{name: "chat"}
		d := New(Options{
			Alerts: []*Config{
				alertCfg("pager", 0, "down", "up"),
				alertCfg("chat", 0, "down", "up", "degraded"),
			},
			Channels: map[string]Channel{"pager": pager, "chat": chat},
		})
		defer d.Close()
		e := newFakeEngine(d)
		cdn := testMonitor("cdn")
		e.up(cdn)
		time.Sleep(time.Minute)
		e.check(cdn, monitor.StatusDegraded, 200, "slow")
		time.Sleep(time.Minute)
		e.up(cdn)
		// Degraded again within the hour: not repeated.
		time.Sleep(time.Minute)
		e.check(cdn, monitor.StatusDegraded, 200, "slow")
		settle()
		wantEvents(t, pager)
		wantEvents(t, chat, EventDegraded, EventNormal)
		if m := chat.messages()[0]; m.Urgent || !strings.Contains(m.Title, "cdn is degraded") {
			t.Errorf("degraded message %q urgent=%v", m.Title, m.Urgent)
		}
		// Degraded then down: the down goes to both.
		time.Sleep(time.Minute)
		e.down(cdn)
		settle()
		wantEvents(t, pager, EventDown)
		wantEvents(t, chat, EventDegraded, EventNormal, EventDown)
	})
}

func TestRoutingByMonitorAlerts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		def := &fakeChannel{name: "default"}
		team := &fakeChannel{name: "team"}
		teamCfg := alertCfg("team", 0)
		teamCfg.Default = false
		d := New(Options{Alerts: []*Config{alertCfg("default", 0), teamCfg},
			Channels: map[string]Channel{"default": def, "team": team}})
		defer d.Close()
		e := newFakeEngine(d)
		named := testMonitor("billing")
		named.Alerts = []string{"team"}
		e.down(named)
		time.Sleep(time.Minute)
		e.down(testMonitor("blog"))
		settle()
		wantEvents(t, team, EventDown)
		wantEvents(t, def, EventDown)
		if team.messages()[0].Items[0].Monitor != "billing" || def.messages()[0].Items[0].Monitor != "blog" {
			t.Error("routed to the wrong channel")
		}
	})
}

func TestFailsTwiceThenDeliversOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "hook", failFirst: 2}
		var rec recorder
		d := New(Options{
			Alerts:     []*Config{alertCfg("hook", 0)},
			Channels:   map[string]Channel{"hook": ch},
			OnDelivery: rec.add,
			Backoff:    2 * time.Second,
		})
		defer d.Close()
		e := newFakeEngine(d)
		e.down(testMonitor("api"))
		settle()                    // first attempt fails
		time.Sleep(2 * time.Second) // second, after 2s, fails
		synctest.Wait()
		time.Sleep(4 * time.Second) // third, after 4s more, works
		synctest.Wait()
		if got := len(ch.messages()); got != 1 {
			t.Fatalf("delivered %d times, want 1", got)
		}
		evs := rec.all()
		if len(evs) != 3 {
			t.Fatalf("%d delivery events, want 3: %+v", len(evs), evs)
		}
		for i, ev := range evs {
			a := ev.Alert
			if ev.Kind != monitor.EventAlert || a.Channel != "hook" || a.Kind != "fake" || a.Attempts != i+1 || a.OK != (i == 2) || ev.Monitor != "api" {
				t.Errorf("event %d: %+v %+v", i, ev, a)
			}
			if i < 2 && a.Error != "fake: receiver unavailable" {
				t.Errorf("event %d error %q", i, a.Error)
			}
		}
		if gap := evs[2].Time.Sub(evs[1].Time); gap != 4*time.Second {
			t.Errorf("second backoff %s, want 4s", gap)
		}
	})
}

func TestHungChannelDelaysNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hung := &fakeChannel{name: "smtp", hang: true}
		fast := &fakeChannel{name: "chat"}
		var rec recorder
		d := New(Options{
			Alerts:      []*Config{alertCfg("smtp", 0), alertCfg("chat", 0)},
			Channels:    map[string]Channel{"smtp": hung, "chat": fast},
			SendTimeout: 20 * time.Second,
			MaxAttempts: 2,
			QueueSize:   60,
			OnDelivery:  rec.add,
			BurstWindow: -1, // no grouping: every change is its own message
		})
		defer d.Close()
		e := newFakeEngine(d)
		// 50 monitors go down while the SMTP channel hangs; no Notify or
		// Observe call may wait, so fake time must not move during them.
		before := time.Now()
		for i := range 50 {
			e.down(testMonitor(fmt.Sprintf("m%d", i)))
		}
		if spent := time.Since(before); spent != 0 {
			t.Fatalf("checks were held up for %s", spent)
		}
		synctest.Wait()
		if got := len(fast.messages()); got != 50 {
			t.Errorf("the working channel got %d messages while the other hung, want 50", got)
		}
		// 20 more: the hung channel's queue overflows; the working one keeps up.
		for i := range 20 {
			e.down(testMonitor(fmt.Sprintf("n%d", i)))
		}
		synctest.Wait()
		if got := len(fast.messages()); got != 70 {
			t.Errorf("the working channel got %d messages, want 70", got)
		}
		// The hung attempt times out and is reported; the full queue dropped the oldest.
		time.Sleep(21 * time.Second)
		synctest.Wait()
		var timeouts, dropped int
		for _, ev := range rec.all() {
			if ev.Alert.Channel != "smtp" {
				continue
			}
			switch {
			case strings.Contains(ev.Alert.Error, "deadline exceeded"):
				timeouts++
			case strings.Contains(ev.Alert.Error, "queue full"):
				dropped++
			}
		}
		if timeouts != 1 || dropped != 9 {
			t.Errorf("smtp: %d timeouts, %d dropped", timeouts, dropped)
		}
	})
}

func TestCloseSendsWhatIsWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", time.Minute)}, Channels: map[string]Channel{"oncall": ch}})
		e := newFakeEngine(d)
		e.down(testMonitor("api"))
		d.Close() // inside the burst window
		wantEvents(t, ch, EventDown)
		d.Close() // twice is fine
		e.up(testMonitor("api"))
		if err := d.Test(context.Background(), "oncall"); !errors.Is(err, ErrClosed) {
			t.Errorf("Test after Close: %v", err)
		}
	})
}

func TestCloseCancelsAHungChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hung := &fakeChannel{name: "smtp", hang: true}
		d := New(Options{Alerts: []*Config{alertCfg("smtp", 0)}, Channels: map[string]Channel{"smtp": hung},
			BurstWindow: -1, SendTimeout: time.Hour, DrainTimeout: 3 * time.Second})
		newFakeEngine(d).down(testMonitor("api"))
		synctest.Wait()
		start := time.Now()
		d.Close()
		if waited := time.Since(start); waited != 3*time.Second {
			t.Errorf("Close waited %s, want the 3s drain timeout", waited)
		}
	})
}

func TestTestSendsThroughOneChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := &fakeChannel{name: "a"}, &fakeChannel{name: "b", failFirst: 1}
		d := New(Options{Alerts: []*Config{alertCfg("a", 0), alertCfg("b", 0)}, Channels: map[string]Channel{"a": a, "b": b}})
		defer d.Close()
		if err := d.Test(context.Background(), "a"); err != nil {
			t.Fatal(err)
		}
		wantEvents(t, a, EventTest)
		wantEvents(t, b)
		if err := d.Test(context.Background(), "b"); err == nil || err.Error() != "fake: receiver unavailable" {
			t.Errorf("failing test: %v", err)
		}
		if err := d.Test(context.Background(), "nope"); !errors.Is(err, ErrUnknownChannel) {
			t.Errorf("unknown: %v", err)
		}
	})
}

func TestUnbuildableChannelIsReported(t *testing.T) {
	d := New(Options{Alerts: []*Config{
		{Name: "tg", Kind: KindTelegram, ChatID: "1"}, // no token
		{Name: "x", Kind: "carrier-pigeon"},
	}})
	defer d.Close()
	err := d.Err()
	if err == nil || !errors.Is(err, ErrMissing) || !errors.Is(err, ErrUnknownKind) {
		t.Fatalf("Err() = %v", err)
	}
	if err := d.Test(context.Background(), "tg"); !errors.Is(err, ErrMissing) {
		t.Errorf("Test on a broken channel: %v", err)
	}
}

func TestSwitchKeepsIncidentsAcrossReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		oldCh, newCh := &fakeChannel{name: "oncall"}, &fakeChannel{name: "oncall"}
		sw := NewSwitch(New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": oldCh}}))
		e := newFakeEngine(sw)
		api := testMonitor("api")
		e.check(api, monitor.StatusDown, 503, "http_503")
		settle()
		sw.Ack("api")
		// The config is reloaded: a new dispatcher takes over the open, acknowledged incident.
		sw.Replace(New(Options{Alerts: []*Config{alertCfg("oncall", time.Minute)}, Channels: map[string]Channel{"oncall": newCh}}))
		if open := sw.Current().Incidents(); len(open) != 1 || !open[0].Acked || open[0].Codes[0] != 503 {
			t.Fatalf("incidents after reload: %+v", open)
		}
		time.Sleep(10 * time.Minute) // acknowledged: no reminders from the new one either
		e.up(api)
		settle()
		wantEvents(t, oldCh, EventDown)
		wantEvents(t, newCh, EventUp)
		sw.Current().Close()
	})
}

func TestSwitchKeepsHeldResolveAcrossReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		oldCh, newCh := &fakeChannel{name: "oncall"}, &fakeChannel{name: "oncall"}
		sw := NewSwitch(New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": oldCh}}))
		e := newFakeEngine(sw)
		api := testMonitor("api")
		e.up(api)
		time.Sleep(time.Minute)
		e.down(api)
		time.Sleep(30 * time.Second)
		e.up(api) // a short outage: its resolve is held
		upAt := time.Now()
		settle()
		// Reloaded during the hold; api stays up, so the engine reports no change.
		sw.Replace(New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": newCh}}))
		defer func() { sw.Current().Close() }()
		for range 6 {
			time.Sleep(30 * time.Second)
			e.up(api)
		}
		settle()
		wantEvents(t, oldCh, EventDown)
		wantEvents(t, newCh, EventUp)
		if in := newCh.messages()[0].Items[0].Incident; in == nil || !in.End.Equal(upAt) {
			t.Errorf("resolved incident %+v should end when api came back", in)
		}
		if open := sw.Current().Incidents(); len(open) != 0 {
			t.Errorf("open after the resolve: %+v", open)
		}
	})
}

func TestSwitchKeepsFlappingAcrossReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		oldCh, newCh := &fakeChannel{name: "oncall"}, &fakeChannel{name: "oncall"}
		sw := NewSwitch(New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": oldCh}}))
		e := newFakeEngine(sw)
		lb := testMonitor("lb")
		e.up(lb)
		e.flap(lb, 8)
		lastChange := time.Now()
		time.Sleep(time.Minute)
		sw.Replace(New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": newCh}}))
		defer func() { sw.Current().Close() }()
		if open := sw.Current().Incidents(); len(open) != 1 || !open[0].Flapping {
			t.Fatalf("incidents after reload: %+v", open)
		}
		// Still settling: nothing before FlapQuiet after the last change, then one resolve.
		time.Sleep(DefaultFlapQuiet - 2*time.Minute)
		e.up(lb)
		synctest.Wait()
		wantEvents(t, newCh)
		time.Sleep(time.Minute)
		settle()
		wantEvents(t, oldCh, EventDown)
		wantEvents(t, newCh, EventUp)
		up := newCh.messages()[0]
		if in := up.Items[0].Incident; in == nil || !in.Flapping || !in.End.Equal(lastChange) {
			t.Errorf("resolved incident %+v", in)
		}
		if up.Items[0].Flaps != 4 {
			t.Errorf("flaps %d, want 4", up.Items[0].Flaps)
		}
	})
}

// OnIncident tells viewers every change of an incident's state, once
// each: opened, flapping, acknowledged, resolved, with the flags set.
func TestOnIncidentReportsEveryStateChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		var incs incidentLog
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch}, OnIncident: incs.add})
		defer d.Close()
		e := newFakeEngine(d)
		lb := testMonitor("lb")
		e.up(lb)
		e.flap(lb, 5) // down, up, down, up, down: flapping at the fourth change
		d.Ack("lb")
		d.Ack("lb") // twice changes nothing
		time.Sleep(time.Minute)
		e.up(lb)
		time.Sleep(DefaultFlapQuiet)
		settle()
		wantEvents(t, ch, EventDown, EventUp)

		type state struct{ flapping, acked, resolved bool }
		want := []state{{}, {flapping: true}, {flapping: true, acked: true}, {flapping: true, acked: true, resolved: true}}
		incs.mu.Lock()
		defer incs.mu.Unlock()
		if len(incs.all) != len(want) {
			t.Fatalf("OnIncident calls %+v, want %d", incs.all, len(want))
		}
		for i, in := range incs.all {
			if got := (state{in.Flapping, in.Acked, !in.End.IsZero()}); got != want[i] || in.Monitor != "lb" || in.Start.IsZero() {
				t.Errorf("call %d: %+v, want %+v", i, in, want[i])
			}
		}
	})
}

// A failed attempt says that nothing more will be tried (GaveUp) only
// when that is so: after a refusal (a permanent error), not after the
// last attempt of the retries, when the message is kept (kept.go). A
// daemon warns from the first failed attempt until the channel works.
func TestOnlyAFinalFailureGivesUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &refusingChannel{name: "hook", refuseAt: 5}
		var rec recorder
		d := New(Options{
			Alerts:      []*Config{alertCfg("hook", 0)},
			Channels:    map[string]Channel{"hook": ch},
			OnDelivery:  rec.add,
			Backoff:     time.Second,
			MaxAttempts: 3,
		})
		defer d.Close()
		newFakeEngine(d).down(testMonitor("api"))
		settle()
		time.Sleep(time.Hour) // every backoff, and the probes of the kept message
		synctest.Wait()
		evs := rec.all()
		if len(evs) != 5 {
			t.Fatalf("%d delivery events, want 5 (3 attempts, 2 probes, the second refused): %s", len(evs), eventsText(evs))
		}
		for i, ev := range evs {
			if a := ev.Alert; a.OK || a.Attempts != i+1 || a.GaveUp != (i == 4) {
				t.Errorf("attempt %d: ok %v, gave up %v; want only the refused one to give up", a.Attempts, a.OK, a.GaveUp)
			}
		}
	})
}

// refusingChannel fails every attempt, and from its refuseAt-th on
// refuses the message for good (Permanent).
type refusingChannel struct {
	name     string
	refuseAt int

	mu    sync.Mutex
	calls int
}

func (r *refusingChannel) Name() string { return r.name }

func (r *refusingChannel) Send(context.Context, Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.calls >= r.refuseAt {
		return Permanent(errors.New("HTTP 400"))
	}
	return errors.New("HTTP 503")
}
