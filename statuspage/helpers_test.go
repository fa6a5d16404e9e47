package statuspage

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// now is the fixed time of the tests: a Thursday, 10:30 UTC.
var now = time.Date(2026, 3, 12, 10, 30, 0, 0, time.UTC)

// fakeLive is an engine the test sets states on; every change is an event.
type fakeLive struct {
	mu     sync.Mutex
	states []monitor.State
	subs   []*fakeSub
	snaps  int // Snapshot calls
}

type fakeSub struct {
	ready   chan struct{}
	mu      sync.Mutex
	changed bool
	closed  bool
}

func (s *fakeSub) Ready() <-chan struct{} { return s.ready }
func (s *fakeSub) Drain() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.changed
	s.changed = false
	return c
}
func (s *fakeSub) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

func (l *fakeLive) Snapshot() []monitor.State {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.snaps++
	out := make([]monitor.State, len(l.states))
	copy(out, l.states)
	return out
}

func (l *fakeLive) Subscribe() Events {
	s := &fakeSub{ready: make(chan struct{}, 1)}
	l.mu.Lock()
	l.subs = append(l.subs, s)
	l.mu.Unlock()
	return s
}

// set changes a monitor's status and tells the subscribers.
func (l *fakeLive) set(name string, st monitor.Status, lat time.Duration) {
	l.mu.Lock()
	for i := range l.states {
		if l.states[i].Monitor.Name == name {
			l.states[i].Status = st
			l.states[i].Since = now
			l.states[i].Last.Status = st
			l.states[i].Last.Latency = lat
		}
	}
	subs := l.subs
	l.mu.Unlock()
	for _, s := range subs {
		s.mu.Lock()
		s.changed = true
		s.mu.Unlock()
		select {
		case s.ready <- struct{}{}:
		default:
		}
	}
}

// secretMonitors are monitors whose URLs, addresses and errors hold
// everything a public page must never show.
func secretMonitors() []monitor.State {
	mk := func(name, rawURL string, st monitor.Status, code int, class, errText string, tags ...string) monitor.State {
		u, _ := url.Parse(rawURL)
		m := &monitor.Monitor{Name: name, URL: rawURL, Parsed: u, Tags: tags, Interval: time.Minute,
			Headers: map[string]string{"Authorization": "Bearer hdr-SECRET-77"}, Password: "pw-SECRET-55"}
		return monitor.State{Monitor: m, Status: st, Since: now.Add(-7 * time.Minute),
			Last: monitor.Result{Monitor: name, URL: monitor.RedactURL(rawURL), Time: now.Add(-10 * time.Second), Status: st,
				Code: code, Class: class, Error: errText, Detail: errText + " (detail)", Latency: 123 * time.Millisecond,
				FinalURL: rawURL, Answers: []string{"10.1.2.3"}},
			Uptime24: monitor.Uptime{Ratio: 0.9931, Valid: true}, Uptime7d: monitor.Uptime{Ratio: 0.999, Valid: true},
			Uptime30: monitor.Uptime{Ratio: 1, Valid: true}}
	}
	return []monitor.State{
		mk("shop", "https://admin:s3cr3t-PASS@internal-shop.corp.example:8443/health?token=tok-SECRET-99", monitor.StatusUp, 200, "", "", "web"),
		mk("checkout-api", "https://10.1.2.3:9443/v1/health?api_key=key-SECRET-11", monitor.StatusDown, 502, "http_502",
			"502 Bad Gateway from upstream 10.1.2.3:9443 (dial tcp 10.1.2.3:9443: connection refused)", "web"),
		mk("db", "postgres://upbeat:pg-SECRET-33@db-7.corp.example:5432/shop", monitor.StatusDegraded, 0, "postgres_query_timeout",
			"query on db-7.corp.example timed out", "infra"),
		mk("edge", "tcp://[2001:db8::17]:443", monitor.StatusMaintenance, 0, "refused", "connect to [2001:db8::17]:443 refused", "infra"),
	}
}

// forbidden are the strings of secretMonitors that a public page must
// never show, whatever is asked.
var forbidden = []string{
	"s3cr3t", "PASS", "tok-SECRET", "key-SECRET", "pg-SECRET", "hdr-SECRET", "pw-SECRET", "SECRET",
	"admin", "internal-shop", "corp.example", "8443", "9443", "10.1.2.3", "2001:db8", "5432",
	"Bad Gateway", "http_502", "connection refused", "dial tcp", "timed out", "postgres_query_timeout",
	"upstream", "(detail)", "https://", "postgres://", "tcp://", "Bearer", "xxxxx",
}

// newTestServer serves pages over fake live states.
func newTestServer(t *testing.T, live *fakeLive, pages ...*Config) (*Server, *httptest.Server) {
	t.Helper()
	s := NewServer(pages, Options{Live: live, History: fakeHistory{}, Now: func() time.Time { return now },
		MinGap: time.Millisecond})
	s.Start()
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.CloseClientConnections()
		s.Close()
		ts.Close()
	})
	return s, ts
}

// fakeHistory answers every monitor with a few failures a day and one
// incident three hours ago.
type fakeHistory struct{}

func (fakeHistory) Daily(name string, n int, now time.Time) ([]history.DayCount, error) {
	out := make([]history.DayCount, n)
	for i := range out {
		out[i] = history.DayCount{Counted: 100, Down: uint64(i % 3)}
	}
	return out, nil
}

func (fakeHistory) Incidents(name string, from, to time.Time) ([]monitor.Incident, error) {
	return []monitor.Incident{{Monitor: name, Start: to.Add(-3 * time.Hour), End: to.Add(-2 * time.Hour)}}, nil
}

func get(t *testing.T, rawURL string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}
