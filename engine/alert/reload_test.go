package alert

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// incidentLog collects OnIncident calls.
type incidentLog struct {
	mu  sync.Mutex
	all []monitor.Incident
}

func (l *incidentLog) add(in monitor.Incident) {
	l.mu.Lock()
	l.all = append(l.all, in)
	l.mu.Unlock()
}

func (l *incidentLog) closed(name string) []monitor.Incident {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []monitor.Incident
	for _, in := range l.all {
		if in.Monitor == name && !in.End.IsZero() {
			out = append(out, in)
		}
	}
	return out
}

func TestReloadClosesIncidentsOfRemovedMonitors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, web := testMonitor("api"), testMonitor("web")
		alerts := []*Config{alertCfg("oncall", time.Second)}
		oldCh := &fakeChannel{name: "oncall"}
		var incs incidentLog
		sw := NewSwitch(New(Options{Alerts: alerts, Channels: map[string]Channel{"oncall": oldCh},
			Monitors: []*monitor.Monitor{api, web}, BurstWindow: -1, OnIncident: incs.add}))
		defer sw.Close()
		e := newFakeEngine(sw)
		e.down(api)
		e.down(web)
		synctest.Wait()
		wantEvents(t, oldCh, EventDown, EventDown)

		// api is taken out of the config while it is down.
		midCh := &fakeChannel{name: "oncall"}
		sw.Replace(New(Options{Alerts: alerts, Channels: map[string]Channel{"oncall": midCh},
			Monitors: []*monitor.Monitor{web}, BurstWindow: -1}))
		reloaded := time.Now()
		time.Sleep(10 * time.Second)
		synctest.Wait()
		msgs := midCh.messages()
		if len(msgs) != 10 {
			t.Errorf("%d reminders in 10s with a renotify of 1s, want 10 (about web only)", len(msgs))
		}
		for _, m := range msgs {
			for _, it := range m.Items {
				if it.Monitor != "web" {
					t.Fatalf("message about a monitor no longer configured: %q", m.Title)
				}
			}
		}
		if open := sw.Current().Incidents(); len(open) != 1 || open[0].Monitor != "web" {
			t.Errorf("open incidents after api was removed: %+v", open)
		}
		if gone := incs.closed("api"); len(gone) != 1 || !gone[0].End.Equal(reloaded) {
			t.Errorf("api's incident should be reported closed at the reload: %+v", gone)
		}

		// Every monitor is removed: nothing is left to remind of.
		lastCh := &fakeChannel{name: "oncall"}
		sw.Replace(New(Options{Alerts: alerts, Channels: map[string]Channel{"oncall": lastCh}, BurstWindow: -1}))
		time.Sleep(time.Minute)
		synctest.Wait()
		wantEvents(t, lastCh)
		if open := sw.Current().Incidents(); len(open) != 0 {
			t.Errorf("open incidents with no monitors configured: %+v", open)
		}
		wantEvents(t, oldCh, EventDown, EventDown) // closing them sent nothing
	})
}

func TestReloadKeepsReminderScheduleAndReason(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := testMonitor("api")
		var rec recorder
		build := func(alerts ...*Config) *Dispatcher {
			chans := map[string]Channel{}
			for _, a := range alerts {
				chans[a.Name] = &fakeChannel{name: a.Name}
			}
			return New(Options{Alerts: alerts, Channels: chans, Monitors: []*monitor.Monitor{api}, OnDelivery: rec.add})
		}
		sw := NewSwitch(build(alertCfg("oncall", 10*time.Minute)))
		defer sw.Close()
		e := newFakeEngine(sw)
		start := time.Now()
		e.check(api, monitor.StatusDown, 503, "http_503")
		// The config is edited every 4 minutes; the first edit adds a chat channel.
		for range 5 {
			time.Sleep(4 * time.Minute)
			sw.Replace(build(alertCfg("oncall", 10*time.Minute), alertCfg("chat", 10*time.Minute)))
		}
		time.Sleep(time.Minute + DefaultBurstWindow)
		synctest.Wait()

		type sent struct {
			channel string
			at      time.Duration
		}
		var got []sent
		for _, ev := range rec.all() {
			a := ev.Alert
			if !a.OK || !strings.Contains(a.Subject, "still DOWN") {
				continue
			}
			got = append(got, sent{a.Channel, ev.Time.Sub(start)})
			if !strings.Contains(a.Subject, "503") || strings.Contains(a.Subject, "no reason given") {
				t.Errorf("reminder without its reason: %q", a.Subject)
			}
		}
		// oncall: every 10 minutes from the page; chat: from when it was added.
		want := []sent{
			{"oncall", 10*time.Minute + DefaultBurstWindow},
			{"chat", 14*time.Minute + DefaultBurstWindow},
			{"oncall", 20*time.Minute + DefaultBurstWindow},
		}
		if len(got) != len(want) {
			t.Fatalf("reminders %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("reminder %d: %+v, want %+v", i, got[i], want[i])
			}
		}
	})
}

func TestReloadDuringBackoffDeliversOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		oldCh := &fakeChannel{name: "hook", failFirst: 2}
		var rec recorder
		opts := func(ch Channel) Options {
			return Options{Alerts: []*Config{alertCfg("hook", 0)}, Channels: map[string]Channel{"hook": ch},
				Backoff: 2 * time.Second, OnDelivery: rec.add}
		}
		sw := NewSwitch(New(opts(oldCh)))
		defer sw.Close()
		start := time.Now()
		newFakeEngine(sw).down(testMonitor("api"))
		// Attempts at 5s (after the burst window) and 7s fail; the third is due at 11s.
		time.Sleep(9 * time.Second)
		synctest.Wait()
		newCh := &fakeChannel{name: "hook"}
		sw.Replace(New(opts(newCh)))
		time.Sleep(time.Minute)
		synctest.Wait()

		if n := len(oldCh.messages()) + len(newCh.messages()); n != 1 {
			t.Fatalf("delivered %d times, want exactly once", n)
		}
		wantEvents(t, newCh, EventDown) // through the channel as the new config has it
		evs := rec.all()
		if len(evs) != 3 {
			t.Fatalf("%d delivery events, want 3: %+v", len(evs), evs)
		}
		last := evs[2]
		if !last.Alert.OK || last.Alert.Attempts != 3 || last.Monitor != "api" {
			t.Errorf("last attempt %+v %+v", last, last.Alert)
		}
		if at := last.Time.Sub(start); at != 11*time.Second {
			t.Errorf("third attempt at %s, want 11s: the retry schedule goes on", at)
		}
	})
}

// gateChannel holds every Send until the test answers it.
type gateChannel struct {
	name  string
	calls chan Message
	reply chan error
}

func (g *gateChannel) Name() string { return g.name }

func (g *gateChannel) Send(ctx context.Context, m Message) error {
	g.calls <- m
	select {
	case err := <-g.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestReloadKeepsOrderBehindAnAttemptInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate := &gateChannel{name: "hook", calls: make(chan Message), reply: make(chan error)}
		opts := func(ch Channel) Options {
			return Options{Alerts: []*Config{alertCfg("hook", 0)}, Channels: map[string]Channel{"hook": ch},
				BurstWindow: -1, ResolveHold: -1, Backoff: 2 * time.Second}
		}
		sw := NewSwitch(New(opts(gate)))
		defer sw.Close()
		e := newFakeEngine(sw)
		api := testMonitor("api")
		e.down(api)
		first := <-gate.calls // the down is being sent when the config is reloaded
		newCh := &fakeChannel{name: "hook"}
		sw.Replace(New(opts(newCh)))
		time.Sleep(time.Second)
		e.up(api) // the resolve goes to the new dispatcher
		synctest.Wait()
		wantEvents(t, newCh) // not before the down it follows
		gate.reply <- errors.New("fake: receiver unavailable")
		time.Sleep(time.Minute)
		synctest.Wait()
		wantEvents(t, newCh, EventDown, EventUp)
		if newCh.messages()[0].ID != first.ID {
			t.Error("the retried down is not the message that failed")
		}
	})
}

func TestReloadLetsARemovedChannelFinishItsRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gone := &fakeChannel{name: "old", failFirst: 2}
		var rec recorder
		sw := NewSwitch(New(Options{Alerts: []*Config{alertCfg("old", 0)}, Channels: map[string]Channel{"old": gone},
			Backoff: 2 * time.Second, OnDelivery: rec.add}))
		defer sw.Close()
		newFakeEngine(sw).down(testMonitor("api"))
		time.Sleep(9 * time.Second) // two attempts failed; the third is due at 11s
		synctest.Wait()
		kept := &fakeChannel{name: "new"}
		sw.Replace(New(Options{Alerts: []*Config{alertCfg("new", 0)}, Channels: map[string]Channel{"new": kept}}))
		time.Sleep(time.Minute)
		synctest.Wait()
		wantEvents(t, gone, EventDown)
		wantEvents(t, kept)
		if evs := rec.all(); len(evs) != 3 || !evs[2].Alert.OK {
			t.Errorf("delivery events %+v", evs)
		}
	})
}

func TestReloadGivesUpOnARemovedChannelThatNeverWorks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		broken := &fakeChannel{name: "old", failFirst: 1000}
		var rec recorder
		old := New(Options{Alerts: []*Config{alertCfg("old", 0)}, Channels: map[string]Channel{"old": broken},
			Backoff: 2 * time.Second, OnDelivery: rec.add})
		sw := NewSwitch(old)
		defer sw.Close()
		newFakeEngine(sw).down(testMonitor("api"))
		time.Sleep(6 * time.Second)
		synctest.Wait()
		sw.Replace(New(Options{}))
		time.Sleep(time.Hour)
		synctest.Wait()
		// Its normal retry limit, then nothing more: the retired dispatcher is done.
		if evs := rec.all(); len(evs) != defaultMaxAttempts {
			t.Errorf("%d attempts, want %d", len(evs), defaultMaxAttempts)
		}
		select {
		case <-old.post.done:
		default:
			t.Error("the replaced dispatcher is still running")
		}
	})
}

// TestWebhookRetriedAcrossReload: a webhook that fails twice, then works;
// the config is reloaded while the message waits to be retried. It
// arrives once, through the reloaded channel.
func TestWebhookRetriedAcrossReload(t *testing.T) {
	var (
		mu       sync.Mutex
		requests []string // the delivery id of every request
		ok       int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		requests = append(requests, r.Header.Get(HeaderDelivery))
		if len(requests) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		ok++
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	cfg := func() []*Config {
		return []*Config{{Name: "hook", Kind: KindWebhook, URL: srv.URL, Default: true}}
	}
	copts := ChannelOptions{HTTPClient: srv.Client()}

	failed := make(chan struct{})
	replaced := make(chan struct{})
	var old *Dispatcher
	old = New(Options{Alerts: cfg(), ChannelOptions: copts, BurstWindow: -1, Backoff: 20 * time.Millisecond,
		OnDelivery: func(ev monitor.Event) {
			if ev.Alert.Attempts == 2 {
				// Hold the retry until the reload has happened.
				close(failed)
				select {
				case <-replaced:
				case <-old.post.draining:
				}
			}
		}})
	sw := NewSwitch(old)
	defer sw.Close()
	delivered := make(chan monitor.Event, 10)
	next := New(Options{Alerts: cfg(), ChannelOptions: copts, BurstWindow: -1, Backoff: 20 * time.Millisecond,
		OnDelivery: func(ev monitor.Event) { delivered <- ev }})

	newFakeEngine(sw).down(testMonitor("api"))
	<-failed
	sw.Replace(next)
	close(replaced)
	sw.Close() // whether the retry is due yet or not, it is not lost
	close(delivered)
	var evs []monitor.Event
	for ev := range delivered {
		evs = append(evs, ev)
	}
	if len(evs) != 1 || !evs[0].Alert.OK || evs[0].Alert.Attempts != 3 || evs[0].Alert.Channel != "hook" {
		t.Errorf("deliveries through the reloaded channel: %+v", evs)
	}
	mu.Lock()
	defer mu.Unlock()
	if ok != 1 || len(requests) != 3 {
		t.Fatalf("%d requests, %d delivered; want 3 and 1", len(requests), ok)
	}
	if requests[0] == "" || requests[1] != requests[0] || requests[2] != requests[0] {
		t.Errorf("delivery ids %v: a retry must be the same message", requests)
	}
}
