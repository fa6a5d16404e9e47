package alert

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// pickyChannel fails every message about one monitor and records, in
// order, what it was sent and whether it took it.
type pickyChannel struct {
	failing string // every message about this monitor fails

	mu   sync.Mutex
	sent []string // "event monitor ok|failed", in the order tried
}

func (p *pickyChannel) Name() string { return "hook" }

func (p *pickyChannel) Send(_ context.Context, m Message) error {
	about := m.monitors()
	fail := slices.Contains(about, p.failing) && m.Event == EventDown
	p.mu.Lock()
	defer p.mu.Unlock()
	line := m.Event + " " + about[0]
	if fail {
		p.sent = append(p.sent, line+" failed")
		return errors.New("HTTP 501")
	}
	p.sent = append(p.sent, line+" ok")
	return nil
}

func (p *pickyChannel) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.sent)
}

// A message being retried on a failing channel does not hold back the
// messages queued after it about other monitors: they go at once, not
// after its last attempt. A message about the same monitor (its
// resolve) still waits for it, so that a resolve never overtakes its DOWN.
func TestRetriesDoNotHoldBackLaterMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &pickyChannel{failing: "api"}
		var rec recorder
		api, shop := testMonitor("api"), testMonitor("shop")
		d := New(Options{Alerts: []*Config{alertCfg("hook", 0)}, Channels: map[string]Channel{"hook": ch},
			Monitors: []*monitor.Monitor{api, shop}, OnDelivery: rec.add, ResolveHold: -1})
		defer d.Close()
		e := newFakeEngine(d)
		e.up(api)
		e.up(shop)
		time.Sleep(time.Minute)
		e.down(api)
		settle() // api's DOWN fails its first attempt, and is retried in 2s, 4s, 8s, …
		start := time.Now()
		time.Sleep(time.Second)
		e.down(shop)
		settle()
		if got := ch.log(); !slices.Contains(got, "down shop ok") {
			t.Fatalf("%s after api's DOWN began its retries, the channel was sent %v: shop's DOWN waits behind them",
				time.Since(start), got)
		}
		e.up(api) // its resolve must wait for its DOWN
		settle()
		time.Sleep(10 * time.Minute) // every retry is over
		synctest.Wait()
		got := ch.log()
		iUp := slices.Index(got, "up api ok")
		if iUp < 0 || slices.Contains(got[iUp:], "down api failed") {
			t.Fatalf("api's resolve went before its DOWN was given up on: %v", got)
		}
		if n := countOf(got, "down api failed"); n != defaultMaxAttempts {
			t.Errorf("api's DOWN was tried %d times, want %d: %v", n, defaultMaxAttempts, got)
		}
		gaveUp := 0
		for _, ev := range rec.all() {
			if ev.Alert != nil && ev.Alert.GaveUp {
				gaveUp++
			}
		}
		if gaveUp != 1 {
			t.Errorf("%d events gave up, want 1 (the last attempt at api's DOWN): %s", gaveUp, eventsText(rec.all()))
		}
	})
}

func countOf(ss []string, s string) int {
	n := 0
	for _, x := range ss {
		if x == s {
			n++
		}
	}
	return n
}
