package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// PastSpan is how much simulated history the demo starts with: enough
// for uptime over a week, percentiles, incidents and errors by hour of day
// to have something to show from the first second.
const PastSpan = 7 * 24 * time.Hour

// How often each monitor was checked in the simulated past: far less
// often than the live demo checks, so that a week of it is written in a
// blink. The last day, which the detail view charts check by check, has a
// result a minute; the days before it, which only count in uptime,
// incidents and errors by hour, one every five minutes (ten monitors, a
// week: about 32,000 results).
const (
	pastStep   = time.Minute
	oldStep    = 5 * time.Minute
	fineWindow = 24 * time.Hour
)

// quietBeforeEnd keeps the last minutes of the simulated past healthy, so
// that the live story starts from monitors that are up (as it does) and
// no incident is left open.
const quietBeforeEnd = 15 * time.Minute

// WritePast writes the simulated past of every demo monitor over span,
// ending at end, into a new history in dir: one result per monitor every
// few minutes, oldest first, a day at a time. The history is opened with
// a clock that follows the results written, so that it rolls them up
// hour by hour as if it had been running all week; it is closed before
// WritePast returns, ready for the engine to open and restore from. It
// returns how many results it wrote.
func (o *Origin) WritePast(dir string, end time.Time, span time.Duration) (int, error) {
	p := o.past(end, span)
	var clock atomic.Int64 // unix ns: the time of the last result written
	clock.Store(p.grid().UnixNano())
	db, err := history.Open(dir, history.Options{
		Now:          func() time.Time { return time.Unix(0, clock.Load()) },
		SyncInterval: -1,                     // nothing runs in the background: the clock is this goroutine's
		OpenFile:     history.OpenFileNoSync, // a crash takes the demo's temporary history with it
	})
	if err != nil {
		return 0, fmt.Errorf("write simulated history: %w", err)
	}
	n := 0
	for from := p.grid(); from.Before(end) && err == nil; from = from.Add(24 * time.Hour) {
		to := from.Add(24 * time.Hour)
		if to.After(end) {
			to = end
		}
		batch := p.results(from, to)
		clock.Store(to.UnixNano())
		err = db.AppendBatch(batch)
		n += len(batch)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("write simulated history: %w", err)
	}
	return n, nil
}

// Past returns the simulated results of every demo monitor in [end-span,
// end), oldest first (see WritePast).
func (o *Origin) Past(end time.Time, span time.Duration) []monitor.Result {
	p := o.past(end, span)
	return p.results(p.grid(), end)
}

// pastMonitor is one monitor of the simulated past with what happened to it.
type pastMonitor struct {
	m        *monitor.Monitor
	s        Scenario
	offset   time.Duration // within each step, so that monitors are not checked in the same instant
	episodes []episode     // oldest first, never overlapping
}

// episode is a stretch of the past when a scenario misbehaved: what, as
// the name of the story's phase it resembles.
type episode struct {
	from, to time.Time
	what     string
}

// pastPlan is the whole simulated past: the monitors and their episodes.
type pastPlan struct {
	start, end time.Time
	mons       []pastMonitor
	certExpiry time.Time
	seed       uint64
	speed      float64 // the monitors' budgets are scaled by it; the past is told at Speed 1
}

func (o *Origin) past(end time.Time, span time.Duration) *pastPlan {
	end = end.Truncate(time.Second)
	p := &pastPlan{start: end.Add(-span), end: end, certExpiry: o.certs.notAfter, seed: o.seed, speed: o.speed}
	cfg := o.Config()
	for i, m := range cfg.Monitors {
		pm := pastMonitor{m: m, s: Scenario(m.Name), offset: time.Duration(i) * pastStep / time.Duration(len(cfg.Monitors)+1)}
		pm.episodes = p.episodesOf(pm.s)
		p.mons = append(p.mons, pm)
	}
	return p
}

// episodesOf plans what went wrong with a scenario over the past, day by
// day, from a random source seeded by the scenario and the origin's seed,
// so that the same seed gives the same week. The patterns are those an
// on-call person learns to recognise: the payments upstream restarting
// every night around 03:00, the legacy port's nightly cron restart, the
// reports batch slowing its page every morning, search buckling under the
// afternoon peak on some days, 500 bursts after daytime deploys.
func (p *pastPlan) episodesOf(s Scenario) []episode {
	h := uint64(0)
	for _, c := range string(s) {
		h = h*131 + uint64(c)
	}
	rng := rand.New(rand.NewPCG(p.seed^h, h))
	minutes := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * time.Minute }
	var out []episode
	add := func(from time.Time, d time.Duration, what string) {
		to := from.Add(d)
		if from.Before(p.start) || to.After(p.end.Add(-quietBeforeEnd)) {
			return
		}
		if n := len(out); n > 0 && !from.After(out[n-1].to) {
			return // overlaps the one before
		}
		out = append(out, episode{from: from, to: to, what: what})
	}
	day0 := p.start.UTC().Truncate(24 * time.Hour)
	for d := 0; !day0.Add(time.Duration(d) * 24 * time.Hour).After(p.end); d++ {
		day := day0.Add(time.Duration(d) * 24 * time.Hour)
		at := func(h int, lo, hi int) time.Time { return day.Add(time.Duration(h)*time.Hour + minutes(lo, hi)) }
		switch s {
		case Payments:
			long := d%3 == 2
			if long {
				add(at(3, 0, 4), minutes(12, 20), "upstream-down")
			} else {
				add(at(3, 0, 4), minutes(5, 9), "upstream-down")
			}
			if d%4 == 3 {
				add(at(14, 10, 40), minutes(3, 5), "upstream-down")
			}
		case LegacyPort:
			add(at(4, 0, 3), minutes(5, 12), "closed")
		case Reports:
			add(at(6, 0, 10), minutes(25, 45), "slow")
		case Checkout:
			for range 1 + rng.IntN(2) {
				add(at(9+rng.IntN(10), 0, 59), minutes(2, 6), "burst")
			}
		case Search:
			if d%2 == 1 {
				from := at(13, 0, 60)
				add(from, 15*time.Minute, "slowing")
				add(from.Add(15*time.Minute+pastStep), minutes(4, 7), "backend-hung")
			}
		case StatusAPI:
			switch d % 5 {
			case 2:
				add(at(11, 15, 25), minutes(20, 28), "json-down")
			case 4:
				add(at(16, 40, 50), minutes(6, 10), "json-down")
			}
		case CDNEdge:
			switch d % 3 {
			case 0:
				add(at(9, 0, 59), minutes(2, 4), "origin-empty")
			case 1:
				add(at(22, 0, 40), minutes(8, 14), "origin-unreachable")
			}
			if rng.IntN(5) < 2 {
				add(at(17+rng.IntN(3), 0, 59), minutes(1, 3), "origin-slow")
			}
		case Billing:
			if d%3 == 1 {
				add(at(2, 0, 0), 15*time.Minute, "maintenance")
			}
		}
	}
	return out
}

// grid is the first instant the simulated checks are aligned to; the
// next come every step(t).
func (p *pastPlan) grid() time.Time { return p.start.Truncate(oldStep) }

// step is how long after a simulated check at t the next one comes.
func (p *pastPlan) step(t time.Time) time.Duration {
	if t.Before(p.end.Add(-fineWindow).Truncate(oldStep)) {
		return oldStep
	}
	return pastStep
}

// results returns every monitor's results in [from, to), in time order;
// from is on the grid (see grid and step).
func (p *pastPlan) results(from, to time.Time) []monitor.Result {
	n := int(to.Sub(from)/oldStep+1) * len(p.mons)
	if fine := p.end.Add(-fineWindow); to.After(fine) {
		n += int(to.Sub(fine)/pastStep) * len(p.mons)
	}
	out := make([]monitor.Result, 0, n)
	next := make([]int, len(p.mons)) // each monitor's first episode not yet over
	rng := rand.New(rand.NewPCG(p.seed, uint64(from.Unix())))
	for t := from; t.Before(to); t = t.Add(p.step(t)) {
		for i := range p.mons {
			pm := &p.mons[i]
			at := t.Add(pm.offset)
			if at.Before(p.start) || !at.Before(to) {
				continue
			}
			for next[i] < len(pm.episodes) && !at.Before(pm.episodes[next[i]].to) {
				next[i]++
			}
			var ep *episode
			if k := next[i]; k < len(pm.episodes) && !at.Before(pm.episodes[k].from) {
				ep = &pm.episodes[k]
			}
			out = append(out, p.result(pm, at, ep, rng))
		}
	}
	return out
}

// usual is each scenario's healthy latency at Speed 1 and the size of its
// healthy answer.
var usual = map[Scenario]struct {
	latency time.Duration
	body    int64
}{
	Shop: {35 * ms, 87}, Checkout: {60 * ms, 33}, Payments: {45 * ms, 33}, Billing: {50 * ms, 74},
	Search: {60 * ms, 28}, StatusAPI: {25 * ms, 56}, CDNEdge: {40 * ms, 29}, Reports: {150 * ms, 44},
}

// busy is how loaded the simulated services are at an hour of day (UTC):
// 0 at night, 1 at the afternoon peak.
func busy(t time.Time) float64 {
	h := float64(t.UTC().Hour()) + float64(t.UTC().Minute())/60
	return math.Max(0, math.Sin((h-7)/15*math.Pi))
}

// result is one simulated check, shaped like the live checks of the same
// monitor: the same classes, codes, messages and phases.
func (p *pastPlan) result(pm *pastMonitor, at time.Time, ep *episode, rng *rand.Rand) monitor.Result {
	m := pm.m
	r := monitor.Result{Monitor: m.Name, Kind: m.Kind, URL: m.URL, Time: at, Status: monitor.StatusUp, Attempts: 1}
	jit := func(d time.Duration, spread float64) time.Duration {
		return time.Duration(float64(d) * (1 + (rng.Float64()*2-1)*spread))
	}
	what := ""
	if ep != nil {
		what = ep.what
	}
	switch pm.s {
	case LegacyPort:
		if what == "closed" {
			addr := m.Parsed.Host
			r.Status, r.Class, r.Attempts = monitor.StatusDown, "refused", 2
			r.Error = "nothing accepts connections on " + addr + " (connection refused)"
			r.Detail = "dial tcp " + addr + ": connect: connection refused"
			r.Latency = jit(300*time.Microsecond, 0.3)
			return r
		}
		r.Latency = jit(350*time.Microsecond, 0.3)
		r.Phases.Connect = r.Latency
		return r
	case AuthTLS:
		r.Phases.Connect = jit(150*time.Microsecond, 0.3)
		r.Phases.TLS = jit(3*ms, 0.3)
		r.Latency = r.Phases.Connect + r.Phases.TLS
		r.CertExpiry, r.CertIssuer = p.certExpiry, "upbeat demo CA"
		r.CertDays = monitor.DaysLeft(p.certExpiry, at)
		if r.CertDays < m.CertWarnDays {
			r.Status, r.Class = monitor.StatusDegraded, "tls_expiring"
			r.Error = fmt.Sprintf("certificate expires in %s (%s), under cert_warn_days %d",
				humanize.Count(r.CertDays, "day", "days"), p.certExpiry.UTC().Format("2006-01-02"), m.CertWarnDays)
		}
		return r
	}

	// HTTP
	u := usual[pm.s]
	lat := jit(u.latency, 0.3)
	if pm.s == Search || pm.s == Checkout || pm.s == Shop {
		lat = time.Duration(float64(lat) * (1 + 0.8*busy(at)))
	}
	code, body := http.StatusOK, u.body
	switch what {
	case "burst":
		code, lat, body = 500, jit(15*ms, 0.3), 73
	case "upstream-down":
		code, lat, body = 502, jit(3*ms, 0.3), 108
	case "maintenance":
		code, lat, body = 503, jit(5*ms, 0.3), 64
		r.RetryAfter = ep.to.Sub(at).Round(time.Second)
	case "backend-hung":
		code, lat, body = 504, jit(proxyTimeout, 0.02), 116
	case "origin-empty":
		code, lat, body = 520, jit(5*ms, 0.3), 16
	case "origin-unreachable":
		code, lat, body = 522, jit(edgeConnectTimeout, 0.02), 16
	case "origin-slow":
		code, lat, body = 524, jit(edgeOriginTimeout, 0.02), 16
	case "slow":
		lat = jit(1100*ms, 0.15)
	case "slowing":
		frac := float64(at.Sub(ep.from)) / float64(ep.to.Sub(ep.from))
		lat = jit(150*ms+time.Duration(frac*float64(1250*ms)), 0.04)
	case "json-down":
		body = 106
	}
	r.Code, r.Latency, r.BodySize, r.HTTPVersion = code, lat, body, "1.1"
	r.Phases.Connect = jit(200*time.Microsecond, 0.4)
	r.Phases.Transfer = jit(80*time.Microsecond, 0.4)
	r.Phases.FirstByte = max(lat-r.Phases.Connect-r.Phases.Transfer, 0)
	switch {
	case code >= 500:
		text := http.StatusText(code)
		if text == "" {
			text = "status code " + strconv.Itoa(code)
		}
		r.Status, r.Class, r.Attempts = monitor.StatusDown, "http_"+strconv.Itoa(code), 2
		r.Error = "HTTP " + strconv.Itoa(code) + " " + text
		if r.RetryAfter > 0 {
			r.Error += ", Retry-After " + humanize.RetryAfter(r.RetryAfter)
		}
	case what == "json-down":
		r.Status, r.Class, r.Attempts = monitor.StatusDown, "json_assertion", 2
		r.Error = `expect_json ".status == \"UP\"" is false; body starts "{\"checks\":{\"database\":\"DOWN\",\"queue\":\"UP\"},\"error\":\"database: connection pool ex…"`
	case m.MaxLatency > 0 && lat > p.budget(m):
		r.Status, r.Class = monitor.StatusDegraded, "slow"
		r.Error = fmt.Sprintf("took %s, more than max_latency %s", lat.Round(time.Millisecond), p.budget(m))
	}
	return r
}

// budget is a monitor's max_latency at Speed 1, as the past is told.
func (p *pastPlan) budget(m *monitor.Monitor) time.Duration {
	return time.Duration(float64(m.MaxLatency) * p.speed)
}
