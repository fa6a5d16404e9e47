package alert

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// A resolve carries the check it is about, as a DOWN does (WEBHOOK.md:
// each entry of monitors is the API's Result of that check): its kind,
// time, latency and attempts, so that a receiver that routes on kind
// routes resolves too. It is the good check that resolved the incident,
// also when the resolve was held and goes at its end or at a stop; for
// a flapping incident that settled, the latest good check; after a
// restart, the latest check known. Nothing failed: the knowledge base
// explains nothing in it.
func TestResolveCarriesItsCheck(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func(d *Dispatcher, e *fakeEngine, api *monitor.Monitor) (checked time.Time)
	}{
		{"at once", func(d *Dispatcher, e *fakeEngine, api *monitor.Monitor) time.Time {
			e.down(api)
			time.Sleep(20 * time.Minute) // long enough to resolve at once
			e.up(api)
			return time.Now()
		}},
		{"held", func(d *Dispatcher, e *fakeEngine, api *monitor.Monitor) time.Time {
			e.down(api)
			time.Sleep(time.Minute)
			e.up(api) // a short outage: its resolve is held
			at := time.Now()
			for range 5 {
				time.Sleep(30 * time.Second)
				e.up(api)
			}
			return at
		}},
		{"held, sent at a stop", func(d *Dispatcher, e *fakeEngine, api *monitor.Monitor) time.Time {
			e.down(api)
			time.Sleep(time.Minute)
			e.up(api)
			at := time.Now()
			time.Sleep(30 * time.Second)
			e.up(api)
			d.Close()
			return at
		}},
		{"flapping, settled", func(d *Dispatcher, e *fakeEngine, api *monitor.Monitor) time.Time {
			e.flap(api, 8)
			at := time.Now()
			time.Sleep(DefaultFlapQuiet + time.Minute)
			return at
		}},
		{"late, after a restart", func(d *Dispatcher, e *fakeEngine, api *monitor.Monitor) time.Time {
			at := time.Now().Add(-90 * time.Second)
			last := &monitor.Result{Monitor: "api", Kind: api.Kind, URL: api.URL, Time: at, Status: monitor.StatusUp,
				Code: 200, Latency: 42 * time.Millisecond, Attempts: 1}
			in := monitor.Incident{Monitor: "api", Start: at.Add(-time.Minute), End: at, Codes: []int{502}}
			if !d.ResolveLate("api", in, last) {
				panic("no late resolve")
			}
			return at
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				recv := &pager{}
				var rec recorder
				api := testMonitor("api")
				d := New(Options{
					Alerts:         []*Config{{Name: "oncall", Kind: KindWebhook, URL: "http://127.0.0.1:9/hook", Default: true}},
					ChannelOptions: ChannelOptions{HTTPClient: &http.Client{Transport: handlerTransport{recv}}},
					Monitors:       []*monitor.Monitor{api}, OnDelivery: rec.add,
				})
				defer d.Close()
				e := newFakeEngine(d)
				if !strings.HasPrefix(c.name, "late") {
					e.up(api)
					time.Sleep(time.Minute)
				}
				checked := c.run(d, e, api)
				settle()
				var up *WebhookMonitor
				for _, pl := range recv.delivered() {
					if pl.Event == EventUp {
						up = &pl.Monitors[0]
					}
				}
				if up == nil {
					t.Fatalf("no resolve; the receiver took %q", titles(recv.delivered()))
				}
				b, _ := json.Marshal(up)
				if up.Monitor != "api" || up.Kind != monitor.KindHTTP || !up.Time.Equal(checked) || up.Status != monitor.StatusUp ||
					up.Code != 200 || up.LatencyMS != 42 || up.Attempts != 1 || up.Event != EventUp {
					t.Errorf("the resolve's entry is not the check at %s that it is about: %s", checked.UTC().Format(time.TimeOnly), b)
				}
				if up.Name != "" || up.FirstStep != "" || up.Class != "" {
					t.Errorf("the resolve explains a good check: %s", b)
				}
			})
		})
	}
}
