package alert

import (
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// failWith reports a failing result of m that names what the check
// connected to and the certificate it saw.
func (e *fakeEngine) failWith(m *monitor.Monitor, class, remote, fingerprint string) {
	now := time.Now()
	r := &monitor.Result{Monitor: m.Name, URL: m.URL, Time: now, Status: monitor.StatusDown, Class: class,
		Error: "the check failed", Remote: remote, CertFingerprint: fingerprint}
	from := e.status[m.Name]
	e.d.Observe(r)
	e.status[m.Name] = monitor.StatusDown
	e.d.Notify(monitor.Event{Kind: monitor.EventChange, Time: now, Monitor: m.Name, Result: r, From: from, To: monitor.StatusDown},
		&monitor.State{Monitor: m, Status: monitor.StatusDown, Since: now})
}

// Seven monitors on different names that all connect to 203.0.113.7:443
// fail within one burst window: each channel gets one message, and its
// title names the address they share and how they failed. An eighth
// monitor failing at the same time elsewhere is listed too, as another.
func TestSevenMonitorsOnOneAddressGiveOneMessageNamingIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		oncall, chat := &fakeChannel{name: "oncall"}, &fakeChannel{name: "chat"}
		d := New(Options{
			Alerts:   []*Config{alertCfg("oncall", 0), alertCfg("chat", 0)},
			Channels: map[string]Channel{"oncall": oncall, "chat": chat},
		})
		defer d.Close()
		e := newFakeEngine(d)
		var ms []*monitor.Monitor
		for i := range 7 {
			m := testMonitor(fmt.Sprintf("site-%d", i+1)) // site-N.example.test: seven names, one address
			ms = append(ms, m)
			e.up(m)
		}
		other := testMonitor("billing")
		e.up(other)
		e.up(testMonitor("status-page")) // stays up: not everything failed at once
		time.Sleep(time.Minute)
		for _, m := range ms {
			e.failWith(m, "refused", "203.0.113.7:443", "")
			time.Sleep(400 * time.Millisecond)
		}
		e.failWith(other, "timeout", "198.51.100.9:443", "")
		settle()
		for _, ch := range []*fakeChannel{oncall, chat} {
			wantEvents(t, ch, EventGroup)
			msg := ch.messages()[0]
			if want := "7 monitors behind 203.0.113.7:443 down: Connection refused; 1 monitor down"; msg.Title != want {
				t.Errorf("%s: title %q, want %q", ch.name, msg.Title, want)
			}
			if !strings.HasPrefix(msg.Text, "7 monitors went down within seconds and all connect to 203.0.113.7:443: site-1, site-2") {
				t.Errorf("%s: text:\n%s", ch.name, msg.Text)
			}
			if !strings.Contains(msg.Text, "✕ billing DOWN") {
				t.Errorf("%s: the other monitor is not listed:\n%s", ch.name, msg.Text)
			}
		}
	})
}

// Without an address (the name did not resolve), the host and port they
// check is what they share; with a certificate that expired, its
// fingerprint.
func TestCommonCauses(t *testing.T) {
	item := func(name, url, class, remote, fp string) Item {
		it := itemFrom(EventDown, &monitor.Monitor{Name: name, URL: url}, name,
			&monitor.Result{Status: monitor.StatusDown, Class: class, Remote: remote, CertFingerprint: fp})
		return it
	}
	const fp = "3fa9c210aa55bb66cc77dd88ee99ff00112233445566778899aabbccddeeff00"
	for _, c := range []struct {
		name  string
		items []Item
		want  []string // the titles of the causes found
	}{
		{"host and port, no address", []Item{
			item("a", "https://api.example.com/a", "dns_nxdomain", "", ""),
			item("b", "https://api.example.com/b", "dns_nxdomain", "", ""),
			item("c", "tls://api.example.com:443", "dns_nxdomain", "", ""),
			item("d", "https://www.example.com/", "dns_nxdomain", "", ""),
		}, []string{"3 monitors on api.example.com:443 down: Domain name not found (NXDOMAIN)"}},
		{"a certificate on several hosts", []Item{
			item("a", "https://a.example.com/", "tls_expired", "192.0.2.1:443", fp),
			item("b", "https://b.example.com/", "tls_expired", "192.0.2.2:443", fp),
			item("c", "https://c.example.com/", "tls_expired", "192.0.2.3:443", fp),
		}, []string{"3 monitors sharing certificate 3f:a9:c2:10:aa:55:bb:66:… down: Certificate expired"}},
		{"two groups, mixed failures", []Item{
			item("a", "https://a.example.com/", "refused", "192.0.2.1:443", ""),
			item("b", "https://b.example.com/", "timeout", "192.0.2.1:443", ""),
			item("c", "tcp://db.example.com:5432", "refused", "192.0.2.9:5432", ""),
			item("d", "tcp://db.example.com:5432", "refused", "192.0.2.8:5432", ""),
		}, []string{"2 monitors behind 192.0.2.1:443 down", "2 monitors on db.example.com:5432 down: Connection refused"}},
		{"nothing shared", []Item{
			item("a", "https://a.example.com/", "refused", "192.0.2.1:443", ""),
			item("b", "https://b.example.com/", "refused", "192.0.2.2:443", ""),
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, cs := range commonCauses(c.items) {
				got = append(got, cs.title(c.items))
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("causes %q, want %q", got, c.want)
			}
		})
	}
}
