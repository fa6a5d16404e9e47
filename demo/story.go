package demo

import (
	"math"
	"time"
)

// Scenario names one misbehaviour of the demo origin. The demo config has
// one monitor per scenario, named like the scenario.
type Scenario string

// The scenarios, one per monitor of the demo config.
const (
	Shop       Scenario = "shop"           // a healthy site with a little natural jitter
	Checkout   Scenario = "checkout-api"   // an app that throws bursts of 500s
	Payments   Scenario = "payments-proxy" // a reverse proxy whose upstream process dies (502)
	Billing    Scenario = "billing"        // planned maintenance: 503 with Retry-After
	Search     Scenario = "search"         // a backend that slows down until the proxy gives up (504)
	StatusAPI  Scenario = "status-api"     // 200 with a JSON body that says DOWN
	CDNEdge    Scenario = "cdn-edge"       // a Cloudflare-style edge: 520, 522, 524 in turns
	LegacyPort Scenario = "legacy-port"    // a TCP port that is closed part of the time
	AuthTLS    Scenario = "auth-tls"       // a TLS endpoint whose certificate expires in days
	Reports    Scenario = "reports"        // slow but working: over max_latency, so degraded
)

// Scenarios lists every scenario in the order the demo config lists its
// monitors. The slice is the caller's.
func Scenarios() []Scenario {
	return []Scenario{Shop, Checkout, Payments, Billing, Search, StatusAPI, CDNEdge, LegacyPort, AuthTLS, Reports}
}

// Cycle is the length of one full story at Speed 1; the story then repeats.
//
// It is told in four acts. The first 30 seconds show every failure once,
// a few seconds apart so that each can be read as it comes: a 500 burst,
// a slow report, the payments upstream dying (502), a health JSON saying
// DOWN, search latency creeping up until its proxy gives up (504), a
// Cloudflare 520, a refused port and billing's planned maintenance (503
// with Retry-After), beside a certificate that expires in days. Then
// everything recovers and stays quiet for half a minute; a second act
// brings the other edge codes (522, 524) and the failures again in
// another order; the last seconds are quiet before the story starts over.
const Cycle = 120 * time.Second

// Opening is how long the first act lasts: by its end the story has shown
// every failure it has.
const Opening = 30 * time.Second

// Phase is what one scenario does during one stretch of the story.
type Phase struct {
	// Name is a short stable identifier: "healthy", "burst", "upstream-down", …
	Name string
	// Note says in one line what is going on, for a caption.
	Note string
	// Code is the HTTP status a client of the scenario gets; 0 when it
	// gets none (a refused or plain TCP/TLS endpoint).
	Code int
	// Latency is the delay the backend adds at this moment, at Speed 1 and
	// before jitter. For a backend that hangs it is longer than any timeout.
	Latency time.Duration
	// Jitter is the relative spread around Latency (0.2 = ±20 %).
	Jitter float64
	// Start and End place the phase within the cycle.
	Start, End time.Duration
}

// Open reports whether the scenario's listener accepts connections in this
// phase; only the legacy port and the payments upstream ever close.
func (p Phase) Open() bool { return p.Name != "closed" && p.Name != "upstream-down" }

// segment is one stretch of a scenario's timeline, from the previous
// segment's end (or 0) to end. A segment with rampTo set has a latency
// that grows linearly from latency to rampTo across it.
type segment struct {
	end     time.Duration
	name    string
	note    string
	code    int
	latency time.Duration
	rampTo  time.Duration
	jitter  float64
}

const (
	ms  = time.Millisecond
	sec = time.Second
	// hang is how long a backend "hangs": longer than every timeout in the demo.
	hang = 30 * sec
)

// ok is a healthy stretch ending at end.
func ok(end, latency time.Duration, jitter float64) segment {
	return segment{end: end, name: "healthy", note: "answering normally", code: 200, latency: latency, jitter: jitter}
}

// Notes of the phases that come back in several scenarios or acts.
const (
	noteBurst    = "unhandled exceptions: the app answers 500"
	noteUpstream = "the upstream process is gone; the proxy answers 502"
	noteSlowing  = "the backend gets slower and slower"
	noteHung     = "the backend no longer answers in time; the proxy gives up with 504"
	noteJSONDown = "200, but the health JSON says DOWN (database unreachable)"
	noteOpen     = "the port accepts connections"
	noteClosed   = "nothing listens on the port: connections are refused"
	noteSlow     = "working, but slower than the latency budget"
)

// timelines is the story, per scenario: contiguous segments covering
// [0, Cycle). Every failure phase lasts long enough for a check and its
// retry to see it (the longest demo interval is 5 s), so that each one
// turns its monitor down or degraded, not only shows a code. Read-only.
var timelines = map[Scenario][]segment{
	Shop: {
		ok(Cycle, 35*ms, 0.35),
	},
	Checkout: {
		ok(2*sec, 60*ms, 0.3),
		{end: 10 * sec, name: "burst", note: noteBurst, code: 500, latency: 15 * ms, jitter: 0.3},
		ok(64*sec, 60*ms, 0.3),
		{end: 72 * sec, name: "burst", note: noteBurst, code: 500, latency: 15 * ms, jitter: 0.3},
		ok(Cycle, 60*ms, 0.3),
	},
	Reports: {
		ok(4*sec, 150*ms, 0.2),
		{end: 22 * sec, name: "slow", note: noteSlow, code: 200, latency: 1100 * ms, jitter: 0.1},
		ok(80*sec, 150*ms, 0.2),
		{end: 95 * sec, name: "slow", note: noteSlow, code: 200, latency: 1100 * ms, jitter: 0.1},
		ok(Cycle, 150*ms, 0.2),
	},
	Payments: {
		ok(6*sec, 45*ms, 0.25),
		{end: 17 * sec, name: "upstream-down", note: noteUpstream, code: 502},
		ok(76*sec, 45*ms, 0.25),
		{end: 86 * sec, name: "upstream-down", note: noteUpstream, code: 502},
		ok(Cycle, 45*ms, 0.25),
	},
	StatusAPI: {
		ok(10*sec, 25*ms, 0.3),
		{end: 21 * sec, name: "json-down", note: noteJSONDown, code: 200, latency: 25 * ms, jitter: 0.3},
		ok(90*sec, 25*ms, 0.3),
		{end: 98 * sec, name: "json-down", note: noteJSONDown, code: 200, latency: 25 * ms, jitter: 0.3},
		ok(Cycle, 25*ms, 0.3),
	},
	Search: {
		ok(1*sec, 60*ms, 0.15),
		{end: 14 * sec, name: "slowing", note: noteSlowing, code: 200, latency: 80 * ms, rampTo: 1350 * ms, jitter: 0.04},
		{end: 26 * sec, name: "backend-hung", note: noteHung, code: 504, latency: hang},
		ok(72*sec, 60*ms, 0.15),
		{end: 84 * sec, name: "slowing", note: noteSlowing, code: 200, latency: 80 * ms, rampTo: 1350 * ms, jitter: 0.04},
		{end: 92 * sec, name: "backend-hung", note: noteHung, code: 504, latency: hang},
		ok(Cycle, 60*ms, 0.15),
	},
	CDNEdge: {
		ok(12*sec, 40*ms, 0.3),
		{end: 22 * sec, name: "origin-empty", note: "the origin sends an empty or garbled reply; the edge answers 520", code: 520},
		ok(60*sec, 40*ms, 0.3),
		{end: 70 * sec, name: "origin-unreachable", note: "the edge cannot complete a TCP handshake with the origin: 522", code: 522},
		ok(96*sec, 40*ms, 0.3),
		{end: 106 * sec, name: "origin-slow", note: "the origin accepts but never answers in time: 524", code: 524, latency: hang},
		ok(Cycle, 40*ms, 0.3),
	},
	LegacyPort: {
		{end: 16 * sec, name: "open", note: noteOpen},
		{end: 28 * sec, name: "closed", note: noteClosed},
		{end: 100 * sec, name: "open", note: noteOpen},
		{end: 108 * sec, name: "closed", note: noteClosed},
		{end: Cycle, name: "open", note: noteOpen},
	},
	Billing: {
		ok(19*sec, 50*ms, 0.25),
		{end: 30 * sec, name: "maintenance", note: "planned maintenance: 503 with Retry-After", code: 503, latency: 5 * ms},
		ok(Cycle, 50*ms, 0.25),
	},
	AuthTLS: {
		{end: Cycle, name: "expiring", note: "the certificate expires in a few days", code: 200, latency: 5 * ms},
	},
}

// PhaseAt returns what scenario s does at story time t, taken modulo
// Cycle (a negative t counts as 0). It is a pure function of its
// arguments. An unknown scenario gets the zero Phase.
func PhaseAt(s Scenario, t time.Duration) Phase {
	segs := timelines[s]
	if len(segs) == 0 {
		return Phase{}
	}
	if t < 0 {
		t = 0
	}
	t %= Cycle
	var start time.Duration
	for _, g := range segs {
		if t < g.end {
			p := Phase{Name: g.name, Note: g.note, Code: g.code, Latency: g.latency, Jitter: g.jitter, Start: start, End: g.end}
			if g.rampTo != 0 {
				frac := float64(t-start) / float64(g.end-start)
				p.Latency = g.latency + time.Duration(math.Round(frac*float64(g.rampTo-g.latency)))
			}
			return p
		}
		start = g.end
	}
	return Phase{} // unreachable for a well-formed table
}
