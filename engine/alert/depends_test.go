package alert

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// behind returns n monitors that depend on parent.
func behind(parent string, n int) []*monitor.Monitor {
	var out []*monitor.Monitor
	for i := range n {
		m := testMonitor(fmt.Sprintf("app-%02d", i+1))
		m.DependsOn = []string{parent}
		out = append(out, m)
	}
	return out
}

// An edge router goes down and the 20 monitors behind it fail over the
// same half minute, some before the router's own check notices: each
// channel gets one message, about the router, naming how many are
// affected. When the router comes back, the children that come back with
// it send nothing; one still down a grace period later opens an incident
// of its own, with its own message.
func TestTwentyChildrenBehindAParentGiveOneMessagePerChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		oncall, chat := &fakeChannel{name: "oncall"}, &fakeChannel{name: "chat"}
		router := testMonitor("edge-router")
		// its check and retry can take 10s + 5s + 10s: the children wait that long, and 5s
		router.Timeout, router.Retries, router.RetryInterval = 10*time.Second, 1, 5*time.Second
		kids := behind("edge-router", 20)
		all := append([]*monitor.Monitor{router}, kids...)
		d := New(Options{
			Alerts:   []*Config{alertCfg("oncall", 0), alertCfg("chat", 0)},
			Channels: map[string]Channel{"oncall": oncall, "chat": chat},
			Monitors: all,
		})
		defer d.Close()
		e := newFakeEngine(d)
		for _, m := range all {
			e.up(m)
		}
		time.Sleep(time.Minute)

		// Twelve children notice first, one a second; then the router's
		// own check fails; then the other eight.
		for _, k := range kids[:12] {
			e.down(k)
			time.Sleep(time.Second)
		}
		e.check(router, monitor.StatusDown, 0, "refused")
		for _, k := range kids[12:] {
			time.Sleep(time.Second)
			e.down(k)
		}
		settle()
		for _, ch := range []*fakeChannel{oncall, chat} {
			wantEvents(t, ch, EventDown)
			msg := ch.messages()[0]
			if want := "edge-router is DOWN: Connection refused; 20 monitors behind it affected"; msg.Title != want {
				t.Errorf("%s: title %q, want %q", ch.name, msg.Title, want)
			}
			if !strings.Contains(msg.Text, "Behind it (depends_on): 20 monitors. Failing with it so far: app-01, app-02") {
				t.Errorf("%s: text does not name the monitors behind it:\n%s", ch.name, msg.Text)
			}
		}
		open := d.Incidents()
		if len(open) != 1 || open[0].Monitor != "edge-router" || len(open[0].Affected) != 20 {
			t.Fatalf("open incidents %+v, want the router's alone with 20 affected", open)
		}

		// Down for 15 minutes, with checks every minute; then it recovers.
		for range 15 {
			time.Sleep(time.Minute)
			e.check(router, monitor.StatusDown, 0, "refused")
			for _, k := range kids {
				e.down(k)
			}
		}
		settle()
		wantEvents(t, oncall, EventDown) // no reminders configured, nothing from the children
		e.up(router)
		stuck := kids[6]         // app-07 does not come back
		for _, k := range kids { // the engine checks them at once
			if k != stuck {
				time.Sleep(100 * time.Millisecond)
				e.up(k)
			}
		}
		settle()
		for _, ch := range []*fakeChannel{oncall, chat} {
			wantEvents(t, ch, EventDown, EventUp)
			up := ch.messages()[1]
			if !strings.HasPrefix(up.Title, "edge-router is UP again") ||
				!strings.Contains(up.Text, "20 monitors behind it failed with it; still down: app-07") {
				t.Errorf("%s: resolve %q:\n%s", ch.name, up.Title, up.Text)
			}
		}
		// app-07 stays down past its grace: an incident of its own.
		for range 3 {
			time.Sleep(30 * time.Second)
			e.down(stuck)
		}
		settle()
		for _, ch := range []*fakeChannel{oncall, chat} {
			wantEvents(t, ch, EventDown, EventUp, EventDown)
			if own := ch.messages()[2]; !strings.HasPrefix(own.Title, "app-07 is DOWN") {
				t.Errorf("%s: the stuck child's message is %q", ch.name, own.Title)
			}
		}
		open = d.Incidents()
		if len(open) != 1 || open[0].Monitor != "app-07" {
			t.Errorf("open incidents %+v, want app-07's own", open)
		}
	})
}

// A child that fails while its parent is fine waits for the parent's
// next check; once that check is good, the child pages on its own at
// once, its incident starting when it failed. A child that comes back
// while it waits sends nothing at all.
func TestChildAlonePagesOnceItsParentIsCheckedGood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		db := testMonitor("db")
		db.Timeout, db.Retries, db.RetryInterval = 10*time.Second, 1, 5*time.Second
		kids := behind("db", 2)
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch},
			Monitors: append([]*monitor.Monitor{db}, kids...)})
		defer d.Close()
		e := newFakeEngine(d)
		e.up(db)
		for _, k := range kids {
			e.up(k)
		}
		time.Sleep(time.Minute)
		failed := time.Now()
		e.down(kids[0])
		e.down(kids[1])
		time.Sleep(3 * time.Second)
		e.up(kids[1]) // a blip: back before anything was decided
		time.Sleep(4 * time.Second)
		e.up(db) // the parent's check, asked for by the engine, is good
		settle()
		wantEvents(t, ch, EventDown)
		msg := ch.messages()[0]
		if !strings.HasPrefix(msg.Title, "app-01 is DOWN") || !msg.Items[0].Incident.Start.Equal(failed) {
			t.Errorf("message %q about an incident from %v, want app-01's from %v", msg.Title, msg.Items[0].Incident.Start, failed)
		}
		if got := msg.Items[0].DependsOn; !slices.Equal(got, []string{"db"}) {
			t.Errorf("item depends on %v", got)
		}
	})
}

// With no verdict from the parent (its checks do not come), the child
// pages once the wait has run out: as long as the parent's check and
// retries can take, here 10s + 5s + 10s, plus 5s.
func TestChildPagesWhenTheWaitRunsOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		db := testMonitor("db")
		db.Timeout, db.Retries, db.RetryInterval = 10*time.Second, 1, 5*time.Second
		kid := behind("db", 1)[0]
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch},
			Monitors: []*monitor.Monitor{db, kid}})
		defer d.Close()
		e := newFakeEngine(d)
		e.up(db)
		e.up(kid)
		e.down(kid)
		time.Sleep(29 * time.Second)
		synctest.Wait()
		if got := ch.events(); len(got) != 0 {
			t.Fatalf("paged before the wait ran out: %v", got)
		}
		settle()
		wantEvents(t, ch, EventDown)
	})
}

// Three levels: router, db behind it, app behind db. The app's failure
// joins the router's incident (through db's, which joined it too).
func TestGrandchildJoinsTheRootIncident(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := &fakeChannel{name: "oncall"}
		router, db, app := testMonitor("router"), testMonitor("db"), testMonitor("app")
		db.DependsOn, app.DependsOn = []string{"router"}, []string{"db"}
		d := New(Options{Alerts: []*Config{alertCfg("oncall", 0)}, Channels: map[string]Channel{"oncall": ch},
			Monitors: []*monitor.Monitor{router, db, app}})
		defer d.Close()
		e := newFakeEngine(d)
		for _, m := range []*monitor.Monitor{router, db, app} {
			e.up(m)
		}
		e.down(app)
		time.Sleep(time.Second)
		e.down(db)
		time.Sleep(time.Second)
		e.down(router)
		settle()
		wantEvents(t, ch, EventDown)
		if msg := ch.messages()[0]; !strings.HasSuffix(msg.Title, "; 2 monitors behind it affected") ||
			!strings.HasPrefix(msg.Title, "router is DOWN") {
			t.Errorf("title %q", msg.Title)
		}
	})
}

// The label Alertmanager's inhibition rules match: every ancestor, sorted,
// between commas.
func TestDependsOnLabel(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"edge-router"}, ",edge-router,"},
		{[]string{"edge-router", "db", "db"}, ",db,edge-router,"},
	} {
		if got := DependsOnLabel(c.in); got != c.want {
			t.Errorf("DependsOnLabel(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
