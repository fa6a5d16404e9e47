package tuitest

import (
	"hash/fnv"
	"net/url"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Monitor returns a monitor configuration for rawURL with the kind its
// scheme decides.
func Monitor(name, rawURL string, tags ...string) *monitor.Monitor {
	u, _ := url.Parse(rawURL)
	m := &monitor.Monitor{Name: name, URL: rawURL, Parsed: u, Tags: tags,
		Interval: 30 * time.Second, Timeout: 10 * time.Second, Retries: 2, CertWarnDays: 14}
	if u != nil {
		m.Kind, _ = monitor.KindOf(u.Scheme)
	}
	return m
}

// jitter is a small deterministic pseudo-random source, so that fixtures
// (and golden files) are the same on every run.
type jitter struct{ x uint64 }

func newJitter(name string) *jitter {
	h := fnv.New64a()
	h.Write([]byte(name))
	return &jitter{x: h.Sum64() | 1}
}

// next returns a number in [0, 1).
func (j *jitter) next() float64 {
	j.x ^= j.x << 13
	j.x ^= j.x >> 7
	j.x ^= j.x << 17
	return float64(j.x>>11) / float64(1<<53)
}

// Samples makes n samples ending at now, every interval, with latencies
// around base (±spread) and the given status; shape, when not nil, may
// change each sample (i counts from the oldest).
func Samples(name string, now time.Time, n int, interval, base, spread time.Duration, st monitor.Status, code int,
	shape func(i int, s *monitor.Sample)) []monitor.Sample {
	j := newJitter(name)
	out := make([]monitor.Sample, n)
	for i := range out {
		lat := base + time.Duration((j.next()*2-1)*float64(spread))
		if lat < 0 {
			lat = base / 2
		}
		out[i] = monitor.Sample{Time: now.Add(-time.Duration(n-1-i) * interval), Latency: lat, Status: st, Code: code}
		if shape != nil {
			shape(i, &out[i])
		}
	}
	return out
}

// State builds a monitor state whose last result matches its last sample.
func State(m *monitor.Monitor, st monitor.Status, since time.Time, samples []monitor.Sample, last monitor.Result) monitor.State {
	last.Monitor, last.Kind, last.URL = m.Name, m.Kind, m.URL
	if last.Status == monitor.StatusPending && st != monitor.StatusPending {
		last.Status = st
	}
	if len(samples) > 0 && last.Time.IsZero() {
		s := samples[len(samples)-1]
		last.Time, last.Latency, last.Code = s.Time, s.Latency, s.Code
		if last.Attempts == 0 {
			last.Attempts = 1
		}
	}
	return monitor.State{Monitor: m, Status: st, Since: since, Last: last, Recent: samples,
		Checks: uint64(len(samples))}
}

func up(r float64) monitor.Uptime { return monitor.Uptime{Ratio: r, Valid: true} }

// Fixture returns a dashboard's worth of monitors in every status and with
// the failures the demo shows: a 502, a slow 504, a 200 whose JSON says
// DOWN, a refused port, a certificate expiring in days, a Cloudflare 522,
// a 503 maintenance, a paused and a pending monitor, a 0.4 ms cache and a
// name too long for any column. It is the same on every call for a given now.
func Fixture(now time.Time) []monitor.State {
	const n = 120
	iv := 30 * time.Second
	var out []monitor.State
	add := func(s monitor.State, u24, u7, u30 float64) {
		if u24 >= 0 {
			s.Uptime24 = up(u24)
		}
		if u7 >= 0 {
			s.Uptime7d = up(u7)
		}
		if u30 >= 0 {
			s.Uptime30 = up(u30)
		}
		out = append(out, s)
	}

	shop := Monitor("shop", "https://shop.example.test/health", "prod", "web")
	shop.MaxLatency = 800 * time.Millisecond
	s := State(shop, monitor.StatusUp, now.Add(-76*time.Hour), Samples("shop", now, n, iv, 120*time.Millisecond, 25*time.Millisecond, monitor.StatusUp, 200, nil),
		monitor.Result{Status: monitor.StatusUp, CertExpiry: now.Add(62 * 24 * time.Hour), CertDays: 62, CertIssuer: "Example Test CA",
			Phases: monitor.Phases{DNS: 2 * time.Millisecond, Connect: 9 * time.Millisecond, TLS: 41 * time.Millisecond, FirstByte: 64 * time.Millisecond, Transfer: time.Millisecond}})
	add(s, 0.9995, 0.9991, 0.9987)

	api := Monitor("api", "https://api.example.test/v1/health", "prod")
	s = State(api, monitor.StatusDown, now.Add(-4*time.Minute-10*time.Second), Samples("api", now, n, iv, 90*time.Millisecond, 20*time.Millisecond, monitor.StatusUp, 200,
		func(i int, s *monitor.Sample) {
			if i >= n-9 {
				s.Status, s.Code, s.Latency = monitor.StatusDown, 502, 3*time.Millisecond
			}
		}), monitor.Result{Status: monitor.StatusDown, Class: "http_502", Error: "502 Bad Gateway from nginx", Attempts: 3})
	add(s, 0.982, 0.996, 0.998)

	co := Monitor("checkout", "https://shop.example.test/checkout", "prod", "web")
	co.MaxLatency = 800 * time.Millisecond
	s = State(co, monitor.StatusDegraded, now.Add(-12*time.Minute), Samples("checkout", now, n, iv, 300*time.Millisecond, 60*time.Millisecond, monitor.StatusUp, 200,
		func(i int, s *monitor.Sample) {
			s.Latency += time.Duration(i*i) * 80 * time.Microsecond // creeping up
			if s.Latency > 800*time.Millisecond {
				s.Status = monitor.StatusDegraded
			}
		}), monitor.Result{Status: monitor.StatusDegraded, Class: "slow",
		Phases: monitor.Phases{DNS: 2 * time.Millisecond, Connect: 10 * time.Millisecond, TLS: 340 * time.Millisecond, FirstByte: 1100 * time.Millisecond, Transfer: 4 * time.Millisecond}})
	add(s, 0.9931, 0.9988, 0.9995)

	db := Monitor("db-port", "tcp://db.example.test:5432", "prod", "data")
	s = State(db, monitor.StatusDown, now.Add(-63*time.Minute), Samples("db-port", now, n, iv, 800*time.Microsecond, 200*time.Microsecond, monitor.StatusDown, 0, nil),
		monitor.Result{Status: monitor.StatusDown, Class: "refused", Error: "dial tcp 192.0.2.7:5432: connect: connection refused", Attempts: 3})
	s.Acked = true
	add(s, 0.95, 0.992, 0.998)

	js := Monitor("status-json", "https://api.example.test/status", "prod")
	js.ExpectJSON = []string{`.status == "UP"`}
	s = State(js, monitor.StatusDown, now.Add(-2*time.Minute), Samples("status-json", now, n, iv, 45*time.Millisecond, 10*time.Millisecond, monitor.StatusUp, 200,
		func(i int, s *monitor.Sample) {
			if i >= n-4 {
				s.Status = monitor.StatusDown
			}
		}), monitor.Result{Status: monitor.StatusDown, Class: "json_assertion", Error: `.status == "UP" is false (status is "DOWN")`})
	add(s, 0.9966, 0.9995, 0.9998)

	cdn := Monitor("cdn-origin", "https://cdn.example.test/", "edge")
	s = State(cdn, monitor.StatusDown, now.Add(-17*time.Minute), Samples("cdn-origin", now, n, iv, 60*time.Millisecond, 15*time.Millisecond, monitor.StatusUp, 200,
		func(i int, s *monitor.Sample) {
			if i >= n-34 {
				s.Status, s.Code, s.Latency = monitor.StatusDown, 522, 19*time.Second
			}
		}), monitor.Result{Status: monitor.StatusDown, Class: "http_522", Attempts: 3})
	add(s, 0.88, 0.982, 0.994)

	bill := Monitor("billing", "https://billing.example.test/health", "prod")
	s = State(bill, monitor.StatusMaintenance, now.Add(-25*time.Minute), Samples("billing", now, n, iv, 70*time.Millisecond, 10*time.Millisecond, monitor.StatusUp, 200,
		func(i int, s *monitor.Sample) {
			if i >= n-50 {
				s.Status, s.Code = monitor.StatusMaintenance, 503
			}
		}), monitor.Result{Status: monitor.StatusMaintenance, Class: "http_503", RetryAfter: 20 * time.Minute})
	s.InMaint = "deploy"
	add(s, 1, 0.9999, 0.9999)

	cache := Monitor("cache", "tcp://127.0.0.1:6379", "data")
	s = State(cache, monitor.StatusUp, now.Add(-9*24*time.Hour), Samples("cache", now, n, iv, 400*time.Microsecond, 150*time.Microsecond, monitor.StatusUp, 0, nil),
		monitor.Result{Status: monitor.StatusUp})
	s.Last.Latency = 400 * time.Microsecond
	add(s, 1, 1, 1)

	tls := Monitor("shop-cert", "tls://shop.example.test:443", "web")
	s = State(tls, monitor.StatusDegraded, now.Add(-26*time.Hour), Samples("shop-cert", now, n, iv, 35*time.Millisecond, 8*time.Millisecond, monitor.StatusDegraded, 0, nil),
		monitor.Result{Status: monitor.StatusDegraded, Class: "tls_expiring", CertExpiry: now.Add(5*24*time.Hour + time.Hour), CertDays: 5, CertIssuer: "Example Test CA"})
	add(s, 1, 1, 1)

	dom := Monitor("shop-domain", "domain://example.test", "web")
	s = State(dom, monitor.StatusUp, now.Add(-30*24*time.Hour), nil,
		monitor.Result{Status: monitor.StatusUp, Time: now.Add(-3 * time.Hour), Latency: 310 * time.Millisecond,
			CertExpiry: now.Add(97 * 24 * time.Hour), CertDays: 97, Registrar: "Example Registrar"})
	add(s, 1, 1, 1)

	dns := Monitor("resolver", "dns://127.0.0.53/example.test?type=A", "data")
	s = State(dns, monitor.StatusUp, now.Add(-5*24*time.Hour), Samples("resolver", now, n, iv, 2100*time.Microsecond, 900*time.Microsecond, monitor.StatusUp, 0, nil),
		monitor.Result{Status: monitor.StatusUp, Answers: []string{"192.0.2.10"}})
	add(s, 1, 1, 1)

	slow := Monitor("reports", "https://reports.example.test/", "internal")
	s = State(slow, monitor.StatusDown, now.Add(-6*time.Minute), Samples("reports", now, n, iv, 200*time.Millisecond, 40*time.Millisecond, monitor.StatusUp, 200,
		func(i int, s *monitor.Sample) {
			s.Latency += time.Duration(i) * 60 * time.Millisecond
			if s.Latency > 10*time.Second || i >= n-12 {
				s.Status, s.Code, s.Latency = monitor.StatusDown, 504, 10*time.Second
			} else if s.Latency > 2*time.Second {
				s.Status = monitor.StatusDegraded
			}
		}), monitor.Result{Status: monitor.StatusDown, Class: "http_504", Attempts: 3})
	add(s, 0.91, 0.987, 0.996)

	long := Monitor("payments-gateway-eu-west-1-primary-with-a-long-name", "https://pay.example.test/health", "prod")
	s = State(long, monitor.StatusUp, now.Add(-50*time.Hour), Samples("payments", now, n, iv, 180*time.Millisecond, 30*time.Millisecond, monitor.StatusUp, 200, nil),
		monitor.Result{Status: monitor.StatusUp})
	add(s, 0.9999, 0.9997, 0.9996)

	legacy := Monitor("legacy-ftp", "tcp://legacy.example.test:21", "internal")
	s = State(legacy, monitor.StatusPaused, now.Add(-48*time.Hour), Samples("legacy", now.Add(-48*time.Hour), 40, iv, 30*time.Millisecond, 5*time.Millisecond, monitor.StatusUp, 0, nil),
		monitor.Result{Status: monitor.StatusUp})
	s.Paused = true
	add(s, -1, 0.97, 0.99)

	fresh := Monitor("new-service", "https://new.example.test/health")
	s = State(fresh, monitor.StatusPending, time.Time{}, nil, monitor.Result{})
	add(s, -1, -1, -1)
	return out
}

// TwoLocations returns the Fixture as a viewer attached to two daemons
// sees it, one in eu-west and one in us-east: the merged states (each
// monitor's status is the worst of the two) and, by monitor name, both
// locations' view, for Source.SetLocations. "api" is down 502 from
// eu-west only (up from us-east), "checkout" is degraded from eu-west
// only, "reports" is down from us-east only; the others look the same
// from both.
func TwoLocations(now time.Time) ([]monitor.State, map[string][]source.LocationState) {
	states := Fixture(now)
	locs := make(map[string][]source.LocationState, len(states))
	for i := range states {
		st := &states[i]
		r := &st.Last
		eu := source.LocationState{Location: "eu-west", Status: st.Status, Code: r.Code, Class: r.Class, Latency: r.Latency, Since: st.Since}
		us := eu
		us.Location = "us-east"
		if !r.Time.IsZero() {
			us.Latency = r.Latency + r.Latency*2/5 // farther away
		}
		good := source.LocationState{Location: "us-east", Status: monitor.StatusUp, Code: 200, Latency: 88 * time.Millisecond,
			Since: now.Add(-76 * time.Hour)}
		switch st.Monitor.Name {
		case "api", "checkout":
			us = good
		case "reports":
			eu = good
			eu.Location = "eu-west"
		}
		st.Location = ""
		locs[st.Monitor.Name] = []source.LocationState{eu, us}
	}
	return states, locs
}
