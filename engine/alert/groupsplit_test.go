package alert

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// handlerTransport answers a client's requests with a handler in this
// process: the webhook channel makes real HTTP requests, without a
// socket, so that they run on a synctest bubble's clock.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, r)
	return w.Result(), nil
}

// choosyReceiver is a webhook receiver that answers 500 to every message
// about one monitor and keeps, in order, what it was sent.
type choosyReceiver struct {
	failing string

	mu  sync.Mutex
	got []WebhookPayload
	ok  []bool
}

func (c *choosyReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var p WebhookPayload
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fail := slices.ContainsFunc(p.Monitors, func(m WebhookMonitor) bool { return m.Monitor == c.failing })
	c.mu.Lock()
	c.got, c.ok = append(c.got, p), append(c.ok, !fail)
	c.mu.Unlock()
	if fail {
		http.Error(w, "receiver error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// requests returns every request, as "event monitor,monitor ok|failed".
func (c *choosyReceiver) requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.got))
	for i, p := range c.got {
		var names []string
		for _, m := range p.Monitors {
			names = append(names, m.Event+" "+m.Monitor)
		}
		out[i] = p.Event + " [" + strings.Join(names, ", ") + "] " + map[bool]string{true: "ok", false: "failed"}[c.ok[i]]
	}
	return out
}

// delivered returns the payloads the receiver took.
func (c *choosyReceiver) delivered() []WebhookPayload {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []WebhookPayload
	for i, p := range c.got {
		if c.ok[i] {
			out = append(out, p)
		}
	}
	return out
}

// A grouped message is not held back, for the monitors in it with nothing
// pending, while an older message about another of its monitors is
// retried: api's resolve fails and backs off, and shop's new outage,
// grouped with api's next message, pages at once. The group is split:
// the part about the others goes now and reads as its own message (a
// group of one as a single DOWN), the part about api waits for api's
// older message, so that api's messages still go in order. Each part is
// reported, given up on or delivered, about its own monitors alone.
func TestGroupNotHeldBackByAnotherMonitorsRetries(t *testing.T) {
	for _, c := range []struct {
		name    string
		others  []string // go down with api's next change, in one burst
		netDown bool     // every monitor fails at once, the connectivity check too: api goes down again
		event   string   // the message about the others
		title   string   // in its title
		text    string   // in its text
		// what api's messages were, in order: its DOWN, tried until its
		// incident resolved, then the resolve, kept and tried again
		// (the messages after it wait for it)
		apiSent []string
	}{
		{name: "one other monitor", others: []string{"shop"}, event: EventDown, title: "shop is DOWN: 502 Bad Gateway",
			text: "shop is down since", apiSent: []string{"down [down api]", "up [up api]"}},
		{name: "two other monitors", others: []string{"shop", "blog"}, event: EventGroup, title: "2 monitors down",
			text: "✕ blog DOWN", apiSent: []string{"down [down api]", "up [up api]"}},
		{name: "everything down", others: []string{"shop", "blog"}, netDown: true, event: EventNetwork,
			title: "all 3 monitors failed at once", text: "Failing: shop, blog (and api, in another message).",
			apiSent: []string{"down [down api]", "up [up api]"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				recv := &choosyReceiver{failing: "api"}
				var rec recorder
				api := testMonitor("api")
				mons := []*monitor.Monitor{api}
				for _, n := range c.others {
					mons = append(mons, testMonitor(n))
				}
				d := pagerDispatcherWith(recv, &rec, mons, func(o *Options) {
					o.Alerts[0].Name = "hook"
					o.Connectivity = func(context.Context) error { return errors.New("dial tcp: network is unreachable") }
				})
				defer d.Close()
				e := newFakeEngine(d)
				for _, m := range mons {
					e.up(m)
				}
				time.Sleep(time.Minute)
				e.down(api)
				settle() // api's DOWN fails; it is retried in 2s, 4s, 8s, … and given up on after about a minute
				time.Sleep(time.Second)
				if c.netDown {
					e.up(api) // its resolve waits for its DOWN
					settle()
					time.Sleep(time.Second)
					e.down(api) // api's next message: the burst's
				} else {
					e.up(api)
				}
				for _, m := range mons[1:] {
					e.down(m)
				}
				settle()
				if got := recv.delivered(); len(got) != 1 {
					t.Fatalf("right after the burst, the receiver took %d messages, want the others' at once; it was sent:\n%s",
						len(got), strings.Join(recv.requests(), "\n"))
				}
				p := recv.delivered()[0]
				var names []string
				for _, m := range p.Monitors {
					names = append(names, m.Monitor)
				}
				if p.Event != c.event || !strings.Contains(p.Title, c.title) || !strings.Contains(p.Text, c.text) ||
					!slices.Equal(names, c.others) || strings.Contains(p.Text, "api is") {
					t.Errorf("the others' message: %s %v %q\n%s", p.Event, names, p.Title, p.Text)
				}

				time.Sleep(10 * time.Minute) // every retry is over
				synctest.Wait()
				// api's messages went one after the other, in order; the
				// others' went once
				var wantAPI, wantOthers []string
				for _, r := range c.apiSent {
					wantAPI = append(wantAPI, r+" failed")
				}
				var downs []string
				for _, n := range c.others {
					downs = append(downs, "down "+n)
				}
				wantOthers = append(wantOthers, c.event+" ["+strings.Join(downs, ", ")+"] ok")
				var gotAPI, gotOthers []string
				for _, r := range recv.requests() {
					if strings.Contains(r, " api") {
						gotAPI = append(gotAPI, r)
					} else {
						gotOthers = append(gotOthers, r)
					}
				}
				apiDowns := countOf(gotAPI, c.apiSent[0]+" failed")
				if gotAPI = slices.Compact(gotAPI); !slices.Equal(gotAPI, wantAPI) || !slices.Equal(gotOthers, wantOthers) ||
					apiDowns != defaultMaxAttempts {
					t.Errorf("the receiver was sent\n%s\nwant api's, each tried one or more times (its DOWN %d times)\n%s\nand the others'\n%s",
						strings.Join(recv.requests(), "\n"), defaultMaxAttempts, strings.Join(wantAPI, "\n"), strings.Join(wantOthers, "\n"))
				}
				// each outcome names the monitors of its own part
				for _, ev := range rec.all() {
					a := ev.Alert
					switch {
					case a.OK && !slices.Equal(a.Monitors, c.others), !a.OK && !slices.Equal(a.Monitors, []string{"api"}):
						t.Errorf("outcome %q (ok %v, gave up %v) for %v", a.Subject, a.OK, a.GaveUp, a.Monitors)
					case a.OK && len(c.others) == 1 && ev.Monitor != c.others[0]:
						t.Errorf("a group of one is not reported as its monitor's: Monitor %q", ev.Monitor)
					}
				}
			})
		})
	}
}

// A resend to a Resender (every open incident, routinely) is split as a
// group is: the incidents of monitors with nothing pending go at once,
// and the part held back is what the next resend replaces.
func TestResendSplitAroundARetriedMessage(t *testing.T) {
	p := newCourier(withDefaults(Options{}), realClock{})
	p.add(&Config{Name: "am", Kind: "fake"}, &fakeChannel{name: "am"})
	o := p.outlets[0]
	now := time.Now()
	item := func(event, name string) Item { return itemFrom(event, testMonitor(name), name, nil) }
	retried := &delivery{msg: p.comp.single(item(EventUp, "api"), now), monitor: "api"}
	o.push(retried)
	o.q[0].attempts, o.q[0].due = 1, now.Add(time.Minute) // failed once, backing off
	o.push(p.resend([]Item{item(EventResend, "api"), item(EventResend, "db"), item(EventResend, "shop")}, now))

	i, _ := o.pick(now, false)
	if i != 1 || !slices.Equal(o.q[i].msg.monitors(), nil) || !slices.Equal(o.q[i].msg.about(), []string{"db", "shop"}) ||
		o.q[i].msg.Title != "2 incidents still open" || !o.q[i].routine {
		t.Fatalf("picked %d of %d: %+v", i, len(o.q), o.q[min(max(i, 0), len(o.q)-1)].msg)
	}
	o.q = slices.Delete(o.q, i, i+1)
	if len(o.q) != 2 || !slices.Equal(o.q[1].msg.about(), []string{"api"}) || o.q[1].replaces != EventResend {
		t.Fatalf("left queued: %d, the second about %v", len(o.q), o.q[len(o.q)-1].msg.about())
	}
	if i, _ := o.pick(now, false); i != -1 {
		t.Fatalf("picked %d: api's part of the resend went before api's retry", i)
	}
	o.push(p.resend([]Item{item(EventResend, "api"), item(EventResend, "db")}, now))
	if len(o.q) != 2 || !slices.Equal(o.q[1].msg.about(), []string{"api", "db"}) {
		t.Fatalf("the next resend did not replace the part held back: %d queued", len(o.q))
	}
}
