package alert

import (
	"context"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// fakeJury answers from a script; a nil answer hangs until ctx is done.
type fakeJury struct {
	mu      sync.Mutex
	answers []*Verdict
	asked   []time.Time
}

func (j *fakeJury) Deliberate(ctx context.Context, name string) Verdict {
	j.mu.Lock()
	j.asked = append(j.asked, time.Now())
	var v *Verdict
	if len(j.answers) > 0 {
		v, j.answers = j.answers[0], j.answers[1:]
	}
	j.mu.Unlock()
	if v == nil {
		<-ctx.Done()
		return Verdict{}
	}
	return *v
}

func (j *fakeJury) times() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.asked)
}

func TestJuryDecidesWhetherAnIncidentOpens(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		jury := &fakeJury{answers: []*Verdict{
			{Text: "down from 1 of 3 locations (eu-west); up from ap-south, us-east: fewer than the quorum of 2"},
			{Page: true, Text: "down from 2 of 3 locations (eu-west, us-east); up from ap-south"},
		}}
		ch := &fakeChannel{name: "oncall"}
		shop := testMonitor("shop")
		var log strings.Builder
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch},
			Monitors: []*monitor.Monitor{shop}, BurstWindow: -1, Jury: jury, Logger: newTextLogger(&log)})
		defer d.Close()
		e := newFakeEngine(d)
		first := time.Now()
		e.down(shop)
		synctest.Wait()
		if n := len(ch.messages()); n != 0 || jury.times() != 1 || len(d.Incidents()) != 0 {
			t.Fatalf("down here only: %d messages, asked %d times, incidents %v; want none, once, none", n, jury.times(), d.Incidents())
		}
		if !strings.Contains(log.String(), "fewer than the quorum of 2") {
			t.Errorf("what the locations said is not logged:\n%s", log.String())
		}
		time.Sleep(time.Minute)
		e.down(shop) // the next check: still down; asked again, and now confirmed
		synctest.Wait()
		msgs := ch.messages()
		if len(msgs) != 1 || msgs[0].Event != EventDown || jury.times() != 2 {
			t.Fatalf("confirmed: %d messages (%v), asked %d times; want one down, twice", len(msgs), ch.events(), jury.times())
		}
		if !strings.Contains(msgs[0].Text, "Locations: down from 2 of 3 locations (eu-west, us-east); up from ap-south.") {
			t.Errorf("the message does not say what the locations saw:\n%s", msgs[0].Text)
		}
		if inc := d.Incidents(); len(inc) != 1 || !inc[0].Start.Equal(first) {
			t.Errorf("the incident should start when the monitor went down here (%v): %+v", first, inc)
		}
		time.Sleep(time.Hour)
		e.up(shop)
		synctest.Wait()
		wantEvents(t, ch, EventDown, EventUp)
	})
}

// A monitor that recovers before the jury confirmed anything sends
// nothing: no incident opened, none resolves.
func TestOutvotedMonitorRecoversQuietly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		jury := &fakeJury{answers: []*Verdict{{Text: "down from 1 of 2 locations"}}}
		ch := &fakeChannel{name: "oncall"}
		shop := testMonitor("shop")
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch},
			Monitors: []*monitor.Monitor{shop}, BurstWindow: -1, Jury: jury})
		defer d.Close()
		e := newFakeEngine(d)
		e.down(shop)
		synctest.Wait()
		time.Sleep(time.Minute)
		e.up(shop)
		time.Sleep(time.Hour)
		synctest.Wait()
		wantEvents(t, ch)
	})
}

// A jury that never answers holds nothing up: Close ends the question,
// and a reload asks the next Dispatcher's jury again.
func TestHungJuryEndsWithTheDispatcher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hung := &fakeJury{}
		shop := testMonitor("shop")
		ch := &fakeChannel{name: "oncall"}
		opts := Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch},
			Monitors: []*monitor.Monitor{shop}, BurstWindow: -1, Jury: hung}
		sw := NewSwitch(New(opts))
		newFakeEngine(sw).down(shop)
		synctest.Wait()
		next := &fakeJury{answers: []*Verdict{{Page: true, Text: "down from 2 of 2 locations"}}}
		opts.Jury = next
		sw.Replace(New(opts))
		synctest.Wait()
		if hung.times() != 1 || next.times() != 1 {
			t.Errorf("asked the old jury %d times and the new one %d; want once each", hung.times(), next.times())
		}
		wantEvents(t, ch, EventDown)
		sw.Close()
	})
}
