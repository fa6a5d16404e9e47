package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// amNodes plays the nodes of an Alertmanager cluster behind an
// in-memory transport (so that tests can run on fake time): it keeps
// every post each node took, and can make a node fail.
type amNodes struct {
	mu    sync.Mutex
	posts map[string][][]amAlert // host: the bodies it took, in order
	fail  map[string]int         // host: answer this status (0: connection refused)
}

func newAMNodes() *amNodes {
	return &amNodes{posts: map[string][][]amAlert{}, fail: map[string]int{}}
}

func (n *amNodes) RoundTrip(req *http.Request) (*http.Response, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if req.URL.Path != amPath || req.Method != http.MethodPost {
		return nil, fmt.Errorf("unexpected %s %s", req.Method, req.URL)
	}
	if code, ok := n.fail[req.URL.Host]; ok {
		if code == 0 {
			return nil, errors.New("connect: connection refused")
		}
		return &http.Response{StatusCode: code, Body: io.NopCloser(strings.NewReader(`{"code":400,"message":"bad alert"}`)), Request: req}, nil
	}
	var alerts []amAlert
	if err := json.NewDecoder(req.Body).Decode(&alerts); err != nil {
		return nil, err
	}
	n.posts[req.URL.Host] = append(n.posts[req.URL.Host], alerts)
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

func (n *amNodes) setFail(host string, code int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if code < 0 {
		delete(n.fail, host)
		return
	}
	n.fail[host] = code
}

// got returns the posts a node took.
func (n *amNodes) got(host string) [][]amAlert {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([][]amAlert(nil), n.posts[host]...)
}

func amConfig(urls ...string) *Config {
	return &Config{Name: "am", Kind: KindAlertmanager, Default: true, On: []string{"down", "up"}, URLs: urls,
		Labels: map[string]string{"team": "platform"}}
}

func TestAlertmanagerIncidentFromOpenToResolve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := newAMNodes()
		shop := testMonitor("shop", "prod", "db", "prod")
		var rec recorder
		d := New(Options{
			Alerts: []*Config{amConfig("http://am-1:9093", "http://am-2:9093/")}, Monitors: []*monitor.Monitor{shop},
			ChannelOptions: ChannelOptions{HTTPClient: &http.Client{Transport: nodes},
				Origin: Origin{Location: "eu-west", URL: "https://upbeat.example.test"}},
			BurstWindow: -1, ResolveHold: -1, OnDelivery: rec.add,
		})
		defer d.Close()
		e := newFakeEngine(d)
		start := time.Now()
		e.down(shop)
		synctest.Wait()

		wantLabels := map[string]string{
			"alertname": "UpbeatMonitorDown", "monitor": "shop", "location": "eu-west",
			"severity": "critical", "tags": ",db,prod,", "team": "platform",
		}
		for _, host := range []string{"am-1:9093", "am-2:9093"} {
			posts := nodes.got(host)
			if len(posts) != 1 || len(posts[0]) != 1 {
				t.Fatalf("%s got %d posts, want one alert: %+v", host, len(posts), posts)
			}
			a := posts[0][0]
			if !maps.Equal(a.Labels, wantLabels) {
				t.Errorf("labels %v, want %v", a.Labels, wantLabels)
			}
			if !a.StartsAt.Equal(start) || !a.EndsAt.Equal(start.Add(ResendLifetime*DefaultResend)) {
				t.Errorf("firing alert from %v to %v, want from %v for %v", a.StartsAt, a.EndsAt, start, ResendLifetime*DefaultResend)
			}
			an := a.Annotations
			if an["code"] != "502" || an["class"] != "http_502" || an["meaning"] == "" || an["first_step"] == "" ||
				!strings.HasPrefix(an["summary"], "shop is down: 502 Bad Gateway") ||
				an["since"] != start.UTC().Format(time.RFC3339) || an["url"] != shop.URL ||
				!strings.Contains(an["description"], "First step:") {
				t.Errorf("annotations %v", an)
			}
			if a.GeneratorURL != "https://upbeat.example.test/api/v1/monitors/shop" {
				t.Errorf("generatorURL %q", a.GeneratorURL)
			}
		}

		// While it stays open it is posted again every minute, with the
		// same labels and start and a later end, and the code as it is now.
		time.Sleep(30 * time.Second)
		e.check(shop, monitor.StatusDown, 504, "http_504")
		time.Sleep(3*time.Minute - 30*time.Second)
		synctest.Wait()
		posts := nodes.got("am-1:9093")
		if len(posts) != 4 {
			t.Fatalf("%d posts in 3 minutes, want the first and 3 resends", len(posts))
		}
		last := posts[3][0]
		if !maps.Equal(last.Labels, wantLabels) || !last.StartsAt.Equal(start) ||
			!last.EndsAt.Equal(time.Now().Add(ResendLifetime*DefaultResend)) || last.Annotations["code"] != "504" {
			t.Errorf("resent alert %+v", last)
		}
		if n := len(rec.all()); n != 1 {
			t.Errorf("%d deliveries reported, want only the first post (resends are routine)", n)
		}

		// Degraded is no incident: nothing is posted. Recovery ends the alert.
		time.Sleep(10 * time.Second)
		e.check(shop, monitor.StatusDegraded, 200, "slow")
		synctest.Wait()
		posts = nodes.got("am-1:9093")
		if len(posts) != 5 {
			t.Fatalf("%d posts after the recovery, want 5", len(posts))
		}
		end := posts[4][0]
		if !maps.Equal(end.Labels, wantLabels) || !end.StartsAt.Equal(start) || !end.EndsAt.Equal(time.Now()) {
			t.Errorf("resolved alert from %v to %v, want %v to now", end.StartsAt, end.EndsAt, start)
		}
		if !strings.HasPrefix(end.Annotations["summary"], "shop is up again after 3m 10s") {
			t.Errorf("resolved summary %q", end.Annotations["summary"])
		}
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if n := len(nodes.got("am-1:9093")); n != 5 {
			t.Errorf("%d posts once nothing is open, want still 5", n)
		}
	})
}

func TestAlertmanagerOneNodeIsEnough(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := newAMNodes()
		nodes.setFail("am-1:9093", 0)
		shop := testMonitor("shop")
		var rec recorder
		d := New(Options{
			Alerts: []*Config{amConfig("http://am-1:9093", "http://am-2:9093")}, Monitors: []*monitor.Monitor{shop},
			ChannelOptions: ChannelOptions{HTTPClient: &http.Client{Transport: nodes}},
			BurstWindow:    -1, ResolveHold: -1, OnDelivery: rec.add,
		})
		defer d.Close()
		e := newFakeEngine(d)
		e.down(shop)
		synctest.Wait()
		if len(nodes.got("am-2:9093")) != 1 {
			t.Fatal("the node that answers did not get the alert")
		}
		if evs := rec.all(); len(evs) != 1 || !evs[0].Alert.OK || evs[0].Alert.Attempts != 1 {
			t.Fatalf("one node down should not fail the delivery: %s", eventsText(evs))
		}

		// Both down: retried with backoff until one is back.
		nodes.setFail("am-2:9093", http.StatusServiceUnavailable)
		time.Sleep(time.Second)
		e.up(shop)
		synctest.Wait()
		time.Sleep(3 * time.Second)
		nodes.setFail("am-1:9093", -1)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		evs := rec.all()
		if len(evs) < 3 || evs[1].Alert.OK || !evs[len(evs)-1].Alert.OK {
			t.Fatalf("want a failed attempt then a delivered one: %s", eventsText(evs))
		}
		if msg := evs[1].Alert.Error; !strings.Contains(msg, "am-1:9093") || !strings.Contains(msg, "503") {
			t.Errorf("the error should name each node and what it said: %q", msg)
		}
		if posts := nodes.got("am-1:9093"); len(posts) != 1 || posts[0][0].EndsAt.After(time.Now()) {
			t.Errorf("the resolve should reach the node that came back: %+v", posts)
		}
	})
}

func TestAlertmanagerRefusedAlertIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := newAMNodes()
		nodes.setFail("am-1:9093", http.StatusBadRequest)
		shop := testMonitor("shop")
		var rec recorder
		d := New(Options{
			Alerts: []*Config{amConfig("http://am-1:9093")}, Monitors: []*monitor.Monitor{shop},
			ChannelOptions: ChannelOptions{HTTPClient: &http.Client{Transport: nodes}},
			BurstWindow:    -1, OnDelivery: rec.add,
		})
		defer d.Close()
		newFakeEngine(d).down(shop)
		time.Sleep(30 * time.Second)
		synctest.Wait()
		evs := rec.all()
		if len(evs) != 1 || evs[0].Alert.OK || !strings.Contains(evs[0].Alert.Error, "bad alert") {
			t.Fatalf("a refused alert is tried once and says why: %s", eventsText(evs))
		}
	})
}

// TestAlertmanagerResendsDoNotPileUp: while every node is down for an
// hour, resends replace each other in the queue instead of filling it.
func TestAlertmanagerResendsDoNotPileUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := newAMNodes()
		nodes.setFail("am-1:9093", 0)
		shop := testMonitor("shop")
		var rec recorder
		d := New(Options{
			Alerts: []*Config{amConfig("http://am-1:9093")}, Monitors: []*monitor.Monitor{shop},
			ChannelOptions: ChannelOptions{HTTPClient: &http.Client{Transport: nodes}},
			BurstWindow:    -1, QueueSize: 3, OnDelivery: rec.add,
		})
		defer d.Close()
		newFakeEngine(d).down(shop)
		time.Sleep(time.Hour)
		synctest.Wait()
		for _, ev := range rec.all() {
			if !ev.Alert.OK && ev.Alert.Attempts == 0 {
				t.Fatalf("a message was dropped from the queue: %s", eventsText(rec.all()))
			}
		}
		nodes.setFail("am-1:9093", -1)
		// The DOWN, kept since its retries ran out, is tried again within
		// the longest backoff; once it gets through, what waited goes.
		for range 2 * defaultMaxBackoff / (10 * time.Second) {
			if len(nodes.got("am-1:9093")) > 0 {
				break
			}
			time.Sleep(10 * time.Second)
			synctest.Wait()
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if posts := nodes.got("am-1:9093"); len(posts) == 0 || len(posts) > 4 {
			t.Errorf("%d posts once the node is back, want a few (resends replaced each other)", len(posts))
		}
	})
}

func TestAlertmanagerResendSurvivesReloads(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := newAMNodes()
		shop := testMonitor("shop")
		build := func() *Dispatcher {
			return New(Options{
				Alerts: []*Config{amConfig("http://am-1:9093")}, Monitors: []*monitor.Monitor{shop},
				ChannelOptions: ChannelOptions{HTTPClient: &http.Client{Transport: nodes}}, BurstWindow: -1,
			})
		}
		sw := NewSwitch(build())
		defer sw.Close()
		newFakeEngine(sw).down(shop)
		// The config is saved every 40 s, more often than resends go out.
		for range 6 {
			time.Sleep(40 * time.Second)
			sw.Replace(build())
		}
		synctest.Wait()
		if n := len(nodes.got("am-1:9093")); n != 1+4 {
			t.Errorf("%d posts in 4 minutes of reloads, want the first and 4 resends", n)
		}
	})
}

func TestAlertmanagerTestAlert(t *testing.T) {
	var got []amAlert
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/prefix/api/v2/alerts" {
			http.NotFound(w, r)
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
	}))
	defer srv.Close()
	d := New(Options{Alerts: []*Config{amConfig(srv.URL + "/prefix")}, ChannelOptions: ChannelOptions{Origin: Origin{Location: "lab"}}})
	defer d.Close()
	if err := d.Test(context.Background(), "am"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Labels["alertname"] != AlertnameTest || got[0].Labels["location"] != "lab" ||
		!got[0].EndsAt.After(got[0].StartsAt) {
		t.Errorf("test alert %+v", got)
	}
}

func TestAlertmanagerSecretsStayOut(t *testing.T) {
	cfg := amConfig("http://upbeat:s3cret-pass@am-1:9093")
	cfg.Headers = map[string]string{"Authorization": "Bearer tok-123456"}
	red := NewRedactor([]*Config{cfg})
	for _, s := range []string{"s3cret-pass", "tok-123456"} {
		if got := red.Redact("failed: " + s); strings.Contains(got, s) {
			t.Errorf("%q not redacted: %q", s, got)
		}
	}
}

// An alert about a monitor behind others carries depends_on, every
// monitor it depends on, so that an inhibition rule can mute it while its
// parent's alert fires; a monitor that depends on none has no such label.
func TestAlertmanagerDependsOnLabel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := newAMNodes()
		router, db := testMonitor("edge-router"), testMonitor("db")
		db.DependsOn = []string{"edge-router"}
		api := testMonitor("api")
		api.DependsOn = []string{"db"}
		d := New(Options{
			Alerts: []*Config{amConfig("http://am-1:9093")}, Monitors: []*monitor.Monitor{router, db, api},
			ChannelOptions: ChannelOptions{HTTPClient: &http.Client{Transport: nodes}},
			BurstWindow:    -1, ResolveHold: -1,
		})
		defer d.Close()
		e := newFakeEngine(d)
		e.down(api) // its parents stay up: after the wait for them, it pages on its own
		time.Sleep(DefaultDependencyWait + time.Second)
		synctest.Wait()
		e.down(router)
		synctest.Wait()
		got := map[string]string{}
		for _, post := range nodes.got("am-1:9093") {
			for _, a := range post {
				got[a.Labels[LabelMonitor]] = a.Labels[LabelDependsOn]
			}
		}
		want := map[string]string{"api": ",db,edge-router,", "edge-router": ""}
		if !maps.Equal(got, want) {
			t.Errorf("depends_on labels by monitor %v, want %v", got, want)
		}
	})
}
