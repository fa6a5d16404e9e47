package alert

import (
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// A page that a channel fails to deliver is not dropped when its
// retries run out: it is kept, and sent once the channel works again,
// found by a later probe (its backoff capped at MaxBackoff) or by
// another message getting through. It is the same message (the same
// ID), its attempts counted on; nothing along the way says it was given
// up on.
func TestLostPageSentOnceTheChannelWorks(t *testing.T) {
	for _, c := range []struct {
		name  string
		other bool // another monitor's page gets through first
		want  []string
	}{
		{name: "a probe finds the channel back", want: []string{"down api is DOWN: 502 Bad Gateway"}},
		{name: "another message gets through", other: true,
			want: []string{"down shop is DOWN: 502 Bad Gateway", "down api is DOWN: 502 Bad Gateway"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				recv := &pager{down: true}
				var rec recorder
				api, shop := testMonitor("api"), testMonitor("shop")
				d := pagerDispatcher(recv, &rec, nil, api, shop)
				defer d.Close()
				e := newFakeEngine(d)
				e.up(api)
				e.up(shop)
				time.Sleep(time.Minute)
				e.down(api)
				settle()
				time.Sleep(10 * time.Minute) // its retries ran out long ago
				synctest.Wait()
				tried := recv.requests()
				if tried <= defaultMaxAttempts {
					t.Errorf("api's DOWN was tried %d times in 10 minutes, want more than its %d retries", tried, defaultMaxAttempts)
				}
				for _, ev := range rec.all() {
					if ev.Alert.OK || ev.Alert.GaveUp {
						t.Fatalf("while the receiver was down: %s", eventsText(rec.all()))
					}
				}

				recv.setDown(false)
				if c.other {
					e.down(shop)
					settle() // well before the next probe
				} else {
					time.Sleep(defaultMaxBackoff)
					synctest.Wait()
				}
				got := recv.delivered()
				if !slices.Equal(titles(got), c.want) {
					t.Fatalf("the receiver took %q, want %q", titles(got), c.want)
				}
				if page := got[len(got)-1]; page.ID != recv.got[0].ID {
					t.Errorf("the page went as a new message (%s), not as the one tried before (%s)", page.ID, recv.got[0].ID)
				}
				evs := rec.all()
				last := evs[len(evs)-1].Alert
				if !last.OK || last.Attempts != tried+1 || !slices.Equal(last.Monitors, []string{"api"}) {
					t.Errorf("api's DOWN delivered: %+v, want on attempt %d", last, tried+1)
				}
			})
		})
	}
}

// A page that could not be delivered is moot once its incident has
// ended: it is not sent late, to wake someone for what is over. The
// resolve, which waited for it, goes instead and says the page never got
// through, so the person paged learns of the outage once, in one message
// that tells of both; the page's outcome says why it went no further. A
// channel that takes no resolves is sent nothing.
func TestLostPageOfAResolvedIncident(t *testing.T) {
	for _, c := range []struct {
		name     string
		on       []string
		upAfter  time.Duration // after api went down: during or after its DOWN's retries
		want     []string
		outcomes string // in the DOWN's outcome
	}{
		{name: "resolved after its retries", upAfter: 3 * time.Minute,
			want: []string{"up api is UP again after 3m"}, outcomes: "its incident ended before the channel worked again, and the resolve tells of it"},
		{name: "resolved during its retries", upAfter: 10 * time.Second,
			want: []string{"up api is UP again after 10s"}, outcomes: "its incident ended before the channel worked again, and the resolve tells of it"},
		{name: "a channel that takes no resolves", on: []string{"down"}, upAfter: 3 * time.Minute,
			outcomes: "its incident ended before the channel worked again"},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				recv := &pager{down: true}
				var rec recorder
				api := testMonitor("api")
				d := pagerDispatcher(recv, &rec, c.on, api)
				defer d.Close()
				e := newFakeEngine(d)
				e.up(api)
				time.Sleep(time.Minute)
				e.down(api)
				time.Sleep(c.upAfter)
				e.up(api)
				time.Sleep(5 * time.Minute) // every retry of the DOWN is over
				synctest.Wait()
				recv.setDown(false)
				time.Sleep(defaultMaxBackoff + time.Minute)
				synctest.Wait()

				got := recv.delivered()
				if !slices.Equal(titles(got), c.want) {
					t.Fatalf("the receiver took %q, want %q", titles(got), c.want)
				}
				if len(got) > 0 {
					text := got[0].Text
					if !strings.Contains(text, "The page that api was down") || !strings.Contains(text, "never got through this alert") ||
						!strings.Contains(text, "503 Service Unavailable") || !strings.Contains(text, "tells of both") {
						t.Errorf("the resolve does not say the page never got through:\n%s", text)
					}
				}
				var down *monitor.AlertEvent
				for _, ev := range rec.all() {
					if a := ev.Alert; strings.Contains(a.Subject, "DOWN") && (a.OK || a.GaveUp) {
						if down != nil || a.OK {
							t.Fatalf("the DOWN's outcomes: %s", eventsText(rec.all()))
						}
						down = a
					}
				}
				if down == nil || !strings.Contains(down.Error, c.outcomes) || !strings.Contains(down.Error, "503 Service Unavailable") ||
					c.on != nil && strings.Contains(down.Error, "resolve") {
					t.Errorf("the DOWN's outcome %+v, want given up: %q", down, c.outcomes)
				}
			})
		})
	}
}

// A message still undelivered when upbeat stops gets one last attempt,
// and when that fails it is reported as given up on: nothing more will be
// tried. So its outcome is on record, not left "retrying" forever.
func TestUndeliveredAtShutdownIsGivenUp(t *testing.T) {
	for _, c := range []struct {
		name    string
		stopped time.Duration // after api went down: during its retries, or once it is kept
	}{{"during its retries", 7 * time.Second}, {"kept", 5 * time.Minute}} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				recv := &pager{down: true}
				var rec recorder
				api := testMonitor("api")
				d := pagerDispatcher(recv, &rec, nil, api)
				e := newFakeEngine(d)
				e.up(api)
				time.Sleep(time.Minute)
				e.down(api)
				time.Sleep(c.stopped)
				synctest.Wait()
				before := recv.requests()
				d.Close()
				evs := rec.all()
				last := evs[len(evs)-1].Alert
				if recv.requests() != before+1 || last.OK || !last.GaveUp || last.Attempts != before+1 {
					t.Errorf("after %d attempts before Close, %d requests, last outcome %+v; want one more attempt, given up",
						before, recv.requests(), last)
				}
				for _, ev := range evs[:len(evs)-1] {
					if ev.Alert.GaveUp {
						t.Errorf("gave up before Close: %+v", ev.Alert)
					}
				}
			})
		})
	}
}

// A reload hands a kept page to the new channel of the same name, which
// sends it once the receiver works again.
func TestKeptPageSurvivesAReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recv := &pager{down: true}
		var rec recorder
		api := testMonitor("api")
		sw := NewSwitch(pagerDispatcher(recv, &rec, nil, api))
		defer sw.Close()
		e := newFakeEngine(sw)
		e.up(api)
		time.Sleep(time.Minute)
		e.down(api)
		time.Sleep(5 * time.Minute) // its retries ran out
		synctest.Wait()
		recv.setDown(false)
		sw.Replace(pagerDispatcher(recv, &rec, nil, api))
		// The reload is what mended the channel: the kept page goes on
		// the new one at once, not at the end of the old one's backoff.
		time.Sleep(time.Second)
		synctest.Wait()
		if got := titles(recv.delivered()); !slices.Equal(got, []string{"down api is DOWN: 502 Bad Gateway"}) {
			t.Errorf("a second after a reload, the receiver took %q, want the kept page", got)
		}
	})
}

// A page kept for a monitor that a reload then removed is not sent when
// the channel works again: its incident was closed with the monitor, and
// no resolve would ever follow it. A page about a monitor still there is.
func TestKeptPageOfARemovedMonitorIsNotSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recv := &pager{down: true}
		var rec recorder
		api, shop := testMonitor("api"), testMonitor("shop")
		sw := NewSwitch(pagerDispatcher(recv, &rec, nil, api, shop))
		defer sw.Close()
		e := newFakeEngine(sw)
		e.up(api)
		e.up(shop)
		time.Sleep(time.Minute)
		e.down(api)
		time.Sleep(5 * time.Minute) // its retries ran out: kept
		synctest.Wait()
		sw.Replace(pagerDispatcher(recv, &rec, nil, shop)) // api is gone
		recv.setDown(false)
		e.down(shop)
		time.Sleep(defaultMaxBackoff)
		synctest.Wait()
		if got := titles(recv.delivered()); !slices.Equal(got, []string{"down shop is DOWN: 502 Bad Gateway"}) {
			t.Errorf("after api was removed, the receiver took %q, want shop's page alone", got)
		}
	})
}

// A resolve that tells of its incident's page that never got through
// says so in a grouped message too, on its own line.
func TestGroupedResolveSaysItsPageNeverGotThrough(t *testing.T) {
	c := composer{loc: time.UTC}
	up := resultItem(EventUp, testMonitor("api"), "api", nil)
	up.Duration, up.missed = 3*time.Minute, &missedPage{at: time.Now(), attempts: 7, err: "503 Service Unavailable"}
	m := c.group([]Item{up, itemFrom(EventDown, testMonitor("shop"), "shop", nil)}, "", time.Now())
	if !strings.Contains(m.Text, "● api UP after 3m (its DOWN never got through this alert)\n") {
		t.Errorf("grouped resolve:\n%s", m.Text)
	}
}

// A queue that fills up behind a page its channel keeps drops what is
// least worth a page, not the oldest message: notices of slowness that
// came after it go, and the page of the outage is delivered once the
// channel works.
func TestFullQueueKeepsTheKeptPage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recv := &pager{down: true}
		var rec recorder
		api := testMonitor("api")
		mons := []*monitor.Monitor{api}
		for _, n := range []string{"cdn", "search", "shop", "docs"} {
			mons = append(mons, testMonitor(n))
		}
		d := pagerDispatcherWith(recv, &rec, mons, func(o *Options) { o.BurstWindow, o.QueueSize = -1, 3 })
		defer d.Close()
		e := newFakeEngine(d)
		for _, m := range mons {
			e.up(m)
		}
		time.Sleep(time.Minute)
		e.down(api)
		settle()
		time.Sleep(10 * time.Minute) // its retries ran out: kept
		synctest.Wait()
		for _, m := range mons[1:] { // four notices into a queue of three
			e.check(m, monitor.StatusDegraded, 200, "slow")
			settle()
		}
		var dropped []string
		for _, ev := range rec.all() {
			if !ev.Alert.OK && ev.Alert.GaveUp && strings.Contains(ev.Alert.Error, "queue full") {
				dropped = append(dropped, strings.Join(ev.Alert.Monitors, ","))
			}
		}
		if !slices.Equal(dropped, []string{"cdn", "search"}) {
			t.Errorf("a full queue dropped %q, want the oldest notices of slowness: %s", dropped, eventsText(rec.all()))
		}
		recv.setDown(false)
		time.Sleep(defaultMaxBackoff)
		synctest.Wait()
		if got := titles(recv.delivered()); !slices.Contains(got, "down api is DOWN: 502 Bad Gateway") {
			t.Errorf("the receiver took %q, not api's DOWN", got)
		}
	})
}

// What a full queue drops is judged by what a message tells, not by its
// wrapping: a group of notices of slowness, and the notice that an error
// budget is no longer burning, go before the page of an outage, as a
// single notice of slowness does.
func TestFullQueueRanksByWhatTheMessageTells(t *testing.T) {
	item := func(event, name string) Item { return Item{Result: monitor.Result{Monitor: name}, Event: event} }
	single := func(it Item) *delivery {
		return &delivery{msg: Message{Event: it.Event, Items: []Item{it}}, monitor: it.Monitor}
	}
	page := single(item(EventDown, "api")) // kept by a failing channel: the oldest
	for _, tc := range []struct {
		name string
		next func() *delivery
	}{
		{"a group of notices of slowness", func() *delivery {
			return &delivery{msg: Message{Event: EventGroup, Items: []Item{item(EventDegraded, "cdn"), item(EventDegraded, "shop")}}}
		}},
		{"a budget no longer burning", func() *delivery { return single(item(EventBurnOver, "cdn")) }},
	} {
		o := &outlet{q: []*delivery{page, tc.next()}}
		if i := o.victim(tc.next()); i >= 0 && o.q[i] == page {
			t.Errorf("%s: a full queue drops the page of the outage", tc.name)
		}
	}
	// A group holding a page is worth as much as the page.
	o := &outlet{q: []*delivery{page}}
	down := &delivery{msg: Message{Event: EventGroup, Items: []Item{item(EventDegraded, "cdn"), item(EventDown, "shop")}}}
	if i := o.victim(down); i != 0 {
		t.Errorf("a group holding a DOWN: victim %d, want the oldest page (0)", i)
	}
}

// A page that a full queue drops never reaches its people: the resolve of
// its incident says so ("tells of both") rather than resolving a page
// nobody had, whether it comes after the drop or was queued already (then
// the page is the one dropped: its incident is over).
func TestFullQueueDroppedPageIsToldByItsResolve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		recv := &pager{down: true}
		var rec recorder
		mons := map[string]*monitor.Monitor{}
		var list []*monitor.Monitor
		for _, n := range []string{"api", "shop", "docs", "cdn", "search"} {
			mons[n] = testMonitor(n)
			list = append(list, mons[n])
		}
		d := pagerDispatcherWith(recv, &rec, list, func(o *Options) { o.BurstWindow, o.QueueSize = -1, 2 })
		defer d.Close()
		e := newFakeEngine(d)
		for _, m := range list {
			e.up(m)
		}
		time.Sleep(time.Minute)
		step := func(f func(*monitor.Monitor), name string) {
			f(mons[name])
			settle()
		}
		// a page dropped before its resolve comes
		step(e.down, "api")
		step(e.down, "shop")
		step(e.down, "docs") // a third page into a queue of two: api's, the oldest, goes
		recv.setDown(false)
		time.Sleep(defaultMaxBackoff)
		synctest.Wait()
		step(e.up, "api")
		synctest.Wait()
		// a page whose resolve comes while both would be queued
		recv.setDown(true)
		step(e.down, "cdn")
		step(e.down, "search")
		step(e.up, "cdn") // the queue is full: cdn's page goes, its resolve tells of it
		recv.setDown(false)
		time.Sleep(2 * defaultMaxBackoff)
		synctest.Wait()

		texts := map[string]string{}
		for _, pl := range recv.delivered() {
			texts[pl.Event+" "+pl.Monitors[0].Monitor] = pl.Text
		}
		got := titles(recv.delivered())
		for _, name := range []string{"api", "cdn"} {
			if _, ok := texts["down "+name]; ok {
				t.Errorf("%s's dropped page was delivered: %q", name, got)
			}
			text, ok := texts["up "+name]
			if !ok || !strings.Contains(text, "The page that "+name+" was down") || !strings.Contains(text, "queue was full") {
				t.Errorf("%s's resolve does not say its page was dropped:\n%s\n(delivered: %q)", name, text, got)
			}
		}
		for _, name := range []string{"shop", "docs", "search"} {
			if _, ok := texts["down "+name]; !ok {
				t.Errorf("%s's page, never dropped, was not delivered: %q", name, got)
			}
		}
	})
}
