// Package wire holds the JSON shapes of the daemon's HTTP API (documented
// in api/API.md) and their conversions to and from the engine's types. The
// server encodes them; the remote client decodes them.
//
// Field names follow `upbeat check --json`: monitor, kind, url, status,
// code, latency_ms, error, class, attempts. Durations are numbers with
// their unit in the name (latency_ms, interval_s); times are RFC 3339.
package wire

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Phases are an HTTP check's latency parts, in milliseconds.
type Phases struct {
	DNS       float64 `json:"dns"`
	Connect   float64 `json:"connect"`
	TLS       float64 `json:"tls"`
	FirstByte float64 `json:"first_byte"`
	Transfer  float64 `json:"transfer"`
}

// Result is one check's outcome.
type Result struct {
	Monitor     string         `json:"monitor"`
	Kind        monitor.Kind   `json:"kind"`
	URL         string         `json:"url"`
	Time        time.Time      `json:"time"`
	Status      monitor.Status `json:"status"`
	Code        int            `json:"code"`
	LatencyMS   float64        `json:"latency_ms"`
	Error       string         `json:"error"`
	Class       string         `json:"class"`
	Attempts    int            `json:"attempts"`
	Phases      *Phases        `json:"phases_ms,omitempty"`
	RetryAfterS float64        `json:"retry_after_s,omitempty"`
	FinalURL    string         `json:"final_url,omitempty"`
	BodySize    int64          `json:"body_size,omitempty"`
	CertExpiry  *time.Time     `json:"cert_expiry,omitempty"`
	CertIssuer  string         `json:"cert_issuer,omitempty"`
	CertDays    *int           `json:"cert_days,omitempty"`
	Registrar   string         `json:"registrar,omitempty"`
	Answers     []string       `json:"answers,omitempty"`
	Loss        float64        `json:"loss,omitempty"`
	// Issue 10: the protocol of the answer, redirects followed, an expiry
	// read from a chain that failed verification, the library's text.
	HTTPVersion    string `json:"http_version,omitempty"`
	Redirects      int    `json:"redirects,omitempty"`
	CertUnverified bool   `json:"cert_unverified,omitempty"`
	Detail         string `json:"detail,omitempty"`
}

// Sample is one point of a monitor's recent history. It encodes as a
// compact array [unix_ms, latency_ms, "status", code] because a snapshot
// holds up to 60 of them per monitor.
type Sample struct {
	Time      time.Time
	LatencyMS float64
	Status    monitor.Status
	Code      int
}

// MarshalJSON encodes s as [unix_ms, latency_ms, "status", code].
func (s Sample) MarshalJSON() ([]byte, error) {
	st, _ := s.Status.MarshalText()
	return fmt.Appendf(nil, "[%d,%s,%q,%d]", s.Time.UnixMilli(), fmtFloat(s.LatencyMS), st, s.Code), nil
}

// UnmarshalJSON decodes the array form written by MarshalJSON.
func (s *Sample) UnmarshalJSON(b []byte) error {
	var raw [4]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	var ms int64
	var st string
	if err := json.Unmarshal(raw[0], &ms); err != nil {
		return fmt.Errorf("sample time: %w", err)
	}
	if err := json.Unmarshal(raw[1], &s.LatencyMS); err != nil {
		return fmt.Errorf("sample latency: %w", err)
	}
	if err := json.Unmarshal(raw[2], &st); err != nil {
		return fmt.Errorf("sample status: %w", err)
	}
	if err := s.Status.UnmarshalText([]byte(st)); err != nil {
		return fmt.Errorf("sample status: %w", err)
	}
	if err := json.Unmarshal(raw[3], &s.Code); err != nil {
		return fmt.Errorf("sample code: %w", err)
	}
	s.Time = time.UnixMilli(ms)
	return nil
}

func fmtFloat(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

// Uptime is the share of good checks per window; a window with no result
// is null.
type Uptime struct {
	H24 *float64 `json:"24h"`
	D7  *float64 `json:"7d"`
	D30 *float64 `json:"30d"`
}

// MonitorConfig is the part of a monitor's configuration a viewer shows.
// Headers, bodies and secrets are never sent.
type MonitorConfig struct {
	IntervalS      float64  `json:"interval_s"`
	TimeoutS       float64  `json:"timeout_s"`
	Retries        int      `json:"retries"`
	RetryIntervalS float64  `json:"retry_interval_s"`
	MaxLatencyMS   float64  `json:"max_latency_ms,omitempty"`
	CertWarnDays   int      `json:"cert_warn_days,omitempty"`
	ExpectStatus   []int    `json:"expect_status,omitempty"`
	Alerts         []string `json:"alerts,omitempty"`
	Insecure       bool     `json:"insecure,omitempty"`
	Method         string   `json:"method,omitempty"`
	GraceS         float64  `json:"grace_s,omitempty"`
}

// Location is a monitor's state as seen from one location.
type Location = monitor.LocationState

// Monitor is one monitor's state: the `check --json` fields of its last
// result at the top, then its state, configuration and recent samples.
type Monitor struct {
	Monitor   string         `json:"monitor"`
	Kind      monitor.Kind   `json:"kind"`
	URL       string         `json:"url"`
	Status    monitor.Status `json:"status"`
	Code      int            `json:"code"`
	LatencyMS float64        `json:"latency_ms"`
	Error     string         `json:"error"`
	Class     string         `json:"class"`
	Attempts  int            `json:"attempts"`

	Since       time.Time  `json:"since"`
	LastCheck   *time.Time `json:"last_check,omitempty"`
	Uptime      Uptime     `json:"uptime"`
	CertDays    *int       `json:"cert_days,omitempty"`
	CertExpiry  *time.Time `json:"cert_expiry,omitempty"`
	Tags        []string   `json:"tags"`
	Location    string     `json:"location"`
	Paused      bool       `json:"paused"`
	Acked       bool       `json:"acked"`
	Maintenance string     `json:"maintenance,omitempty"`
	Checks      uint64     `json:"checks"`
	Skipped     uint64     `json:"skipped"`

	Config    *MonitorConfig `json:"config,omitempty"`
	Last      *Result        `json:"last,omitempty"`
	Recent    []Sample       `json:"recent,omitempty"`
	Locations []Location     `json:"locations,omitempty"`
}

// State is the part of a monitor's state that an event changes: sent
// with every result and change event instead of the whole Monitor.
type State struct {
	Status      monitor.Status `json:"status"`
	Since       time.Time      `json:"since"`
	Uptime      Uptime         `json:"uptime"`
	Paused      bool           `json:"paused,omitempty"`
	Acked       bool           `json:"acked,omitempty"`
	Maintenance string         `json:"maintenance,omitempty"`
	Checks      uint64         `json:"checks"`
	Skipped     uint64         `json:"skipped,omitempty"`
}

// StateOf extracts the State of a monitor's state.
func StateOf(st *monitor.State) State {
	return State{Status: st.Status, Since: st.Since,
		Uptime: Uptime{H24: uptimePtr(st.Uptime24), D7: uptimePtr(st.Uptime7d), D30: uptimePtr(st.Uptime30)},
		Paused: st.Paused, Acked: st.Acked, Maintenance: st.InMaint, Checks: st.Checks, Skipped: st.Skipped}
}

// ApplyTo copies s onto st.
func (s *State) ApplyTo(st *monitor.State) {
	st.Status, st.Since = s.Status, s.Since
	st.Uptime24, st.Uptime7d, st.Uptime30 = uptimeOf(s.Uptime.H24), uptimeOf(s.Uptime.D7), uptimeOf(s.Uptime.D30)
	st.Paused, st.Acked, st.InMaint = s.Paused, s.Acked, clean(s.Maintenance)
	st.Checks, st.Skipped = s.Checks, s.Skipped
}

// Hello is the first event of every stream: who is talking and whether
// the stream resumes where the client left off (else a snapshot follows).
type Hello struct {
	Epoch      string   `json:"epoch"`
	Version    string   `json:"version,omitempty"`
	Location   string   `json:"location"`
	Config     string   `json:"config"`
	Warnings   []string `json:"warnings"`
	History    bool     `json:"history"`
	HeartbeatS float64  `json:"heartbeat_s"`
	Resumed    bool     `json:"resumed"`
}

// Snapshot is every monitor's state, in configuration order.
type Snapshot struct {
	Location string    `json:"location"`
	Monitors []Monitor `json:"monitors"`
}

// Event is one thing that happened (SSE event names: result, change,
// alert, warning, reload).
type Event struct {
	Kind    string              `json:"kind"`
	Time    time.Time           `json:"time"`
	Monitor string              `json:"monitor,omitempty"`
	From    *monitor.Status     `json:"from,omitempty"`
	To      *monitor.Status     `json:"to,omitempty"`
	Result  *Result             `json:"result,omitempty"`
	State   *State              `json:"state,omitempty"` // result, change: the monitor's state now
	Alert   *monitor.AlertEvent `json:"alert,omitempty"`
	Message string              `json:"message,omitempty"`
	Clear   bool                `json:"clear,omitempty"`
	// Warnings is the full list in force after a warning event.
	Warnings []string `json:"warnings,omitempty"`
}

// Error is the body of every error response.
type Error struct {
	Error string `json:"error"`
}

// Health is the body of GET /healthz.
type Health struct {
	Status   string `json:"status"` // "ok"
	Service  string `json:"service"`
	Version  string `json:"version,omitempty"`
	Monitors int    `json:"monitors"`
}

// ServiceName identifies an upbeat daemon in Health.Service.
const ServiceName = "upbeat"

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func fromMS(f float64) time.Duration {
	return time.Duration(f * float64(time.Millisecond))
}
func fromS(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// RedactURL is a monitor's URL as viewers see it (see monitor.RedactURL).
func RedactURL(m *monitor.Monitor) string {
	if m.Kind == monitor.KindPush {
		return monitor.PushURL
	}
	return monitor.RedactURL(m.URL)
}

// FromResult converts an engine result. Its URLs are redacted again:
// the engine writes them redacted, but history kept by an older version
// may hold a token in a query string.
func FromResult(r *monitor.Result) *Result {
	out := &Result{
		Monitor: r.Monitor, Kind: r.Kind, URL: monitor.RedactURL(r.URL), Time: r.Time, Status: r.Status, Code: r.Code,
		LatencyMS: ms(r.Latency), Error: r.Error, Class: r.Class, Attempts: r.Attempts,
		FinalURL: monitor.RedactURL(r.FinalURL), BodySize: r.BodySize, CertIssuer: r.CertIssuer, Registrar: r.Registrar,
		Answers: r.Answers, Loss: r.Loss,
		HTTPVersion: r.HTTPVersion, Redirects: r.Redirects, CertUnverified: r.CertUnverified, Detail: r.Detail,
	}
	if r.Kind == monitor.KindPush {
		out.URL = monitor.PushURL
	}
	if r.Phases != (monitor.Phases{}) {
		p := r.Phases
		out.Phases = &Phases{DNS: ms(p.DNS), Connect: ms(p.Connect), TLS: ms(p.TLS), FirstByte: ms(p.FirstByte), Transfer: ms(p.Transfer)}
	}
	if r.RetryAfter > 0 {
		out.RetryAfterS = r.RetryAfter.Seconds()
	}
	if !r.CertExpiry.IsZero() {
		t, d := r.CertExpiry, r.CertDays
		out.CertExpiry, out.CertDays = &t, &d
	}
	return out
}

// ToEngine converts back; every string is sanitized because it came from
// the network.
func (r *Result) ToEngine() monitor.Result {
	out := monitor.Result{
		Monitor: clean(r.Monitor), Kind: r.Kind, URL: clean(r.URL), Time: r.Time, Status: r.Status, Code: r.Code,
		Latency: fromMS(r.LatencyMS), Error: clean(r.Error), Class: clean(r.Class), Attempts: r.Attempts,
		RetryAfter: fromS(r.RetryAfterS), FinalURL: clean(r.FinalURL), BodySize: r.BodySize,
		CertIssuer: clean(r.CertIssuer), Registrar: clean(r.Registrar), Loss: r.Loss,
		HTTPVersion: clean(r.HTTPVersion), Redirects: r.Redirects, CertUnverified: r.CertUnverified, Detail: clean(r.Detail),
	}
	if p := r.Phases; p != nil {
		out.Phases = monitor.Phases{DNS: fromMS(p.DNS), Connect: fromMS(p.Connect), TLS: fromMS(p.TLS),
			FirstByte: fromMS(p.FirstByte), Transfer: fromMS(p.Transfer)}
	}
	if r.CertExpiry != nil {
		out.CertExpiry = *r.CertExpiry
	}
	if r.CertDays != nil {
		out.CertDays = *r.CertDays
	}
	for _, a := range r.Answers {
		out.Answers = append(out.Answers, clean(a))
	}
	return out
}

func clean(s string) string { return engine.Sanitize(s, 0) }

func uptimePtr(u monitor.Uptime) *float64 {
	if !u.Valid {
		return nil
	}
	r := u.Ratio
	return &r
}

func uptimeOf(p *float64) monitor.Uptime {
	if p == nil {
		return monitor.Uptime{}
	}
	return monitor.Uptime{Ratio: *p, Valid: true}
}

// What to include in a Monitor besides the state.
const (
	WithConfig = 1 << iota // the monitor's configuration
	WithLast               // the full last result
	WithRecent             // recent samples
)

// FromState converts a monitor's state; with says what to include besides
// the state itself (WithConfig, WithLast, WithRecent), recent caps the
// samples (0: all).
func FromState(st *monitor.State, with int, recent int) Monitor {
	m := st.Monitor
	out := Monitor{
		Monitor: m.Name, Kind: m.Kind, URL: RedactURL(m), Status: st.Status,
		Since: st.Since, Uptime: Uptime{H24: uptimePtr(st.Uptime24), D7: uptimePtr(st.Uptime7d), D30: uptimePtr(st.Uptime30)},
		Tags: m.Tags, Location: st.Location, Paused: st.Paused, Acked: st.Acked, Maintenance: st.InMaint,
		Checks: st.Checks, Skipped: st.Skipped, Locations: st.Locations,
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if l := &st.Last; !l.Time.IsZero() {
		out.Code, out.LatencyMS, out.Error, out.Class, out.Attempts = l.Code, ms(l.Latency), l.Error, l.Class, l.Attempts
		t := l.Time
		out.LastCheck = &t
		if !l.CertExpiry.IsZero() {
			e, d := l.CertExpiry, l.CertDays
			out.CertExpiry, out.CertDays = &e, &d
		}
		if with&WithLast != 0 {
			out.Last = FromResult(l)
		}
	}
	if with&WithConfig != 0 {
		out.Config = &MonitorConfig{
			IntervalS: m.Interval.Seconds(), TimeoutS: m.Timeout.Seconds(), Retries: m.Retries,
			RetryIntervalS: m.RetryInterval.Seconds(), MaxLatencyMS: ms(m.MaxLatency), CertWarnDays: m.CertWarnDays,
			ExpectStatus: m.ExpectStatus, Alerts: m.Alerts, Insecure: m.Insecure, Method: m.Method, GraceS: m.Grace.Seconds(),
		}
	}
	if with&WithRecent != 0 {
		rs := st.Recent
		if recent > 0 && len(rs) > recent {
			rs = rs[len(rs)-recent:]
		}
		out.Recent = make([]Sample, len(rs))
		for i, s := range rs {
			out.Recent[i] = Sample{Time: s.Time, LatencyMS: ms(s.Latency), Status: s.Status, Code: s.Code}
		}
	}
	return out
}

// MonitorOf rebuilds the engine's monitor configuration from m (which
// must carry Config). Strings are sanitized.
func (m *Monitor) MonitorOf() *monitor.Monitor {
	out := &monitor.Monitor{Name: clean(m.Monitor), URL: clean(m.URL), Kind: m.Kind}
	for _, t := range m.Tags {
		out.Tags = append(out.Tags, clean(t))
	}
	if u, err := url.Parse(out.URL); err == nil {
		out.Parsed = u
	}
	if c := m.Config; c != nil {
		out.Interval, out.Timeout, out.Retries = fromS(c.IntervalS), fromS(c.TimeoutS), c.Retries
		out.RetryInterval, out.MaxLatency, out.CertWarnDays = fromS(c.RetryIntervalS), fromMS(c.MaxLatencyMS), c.CertWarnDays
		out.ExpectStatus, out.Insecure, out.Method, out.Grace = c.ExpectStatus, c.Insecure, clean(c.Method), fromS(c.GraceS)
		for _, a := range c.Alerts {
			out.Alerts = append(out.Alerts, clean(a))
		}
	}
	return out
}

// ApplyTo copies the state fields of m (not its configuration, last
// result or samples) onto st.
func (m *Monitor) ApplyTo(st *monitor.State) {
	st.Status, st.Since = m.Status, m.Since
	st.Uptime24, st.Uptime7d, st.Uptime30 = uptimeOf(m.Uptime.H24), uptimeOf(m.Uptime.D7), uptimeOf(m.Uptime.D30)
	st.Paused, st.Acked, st.InMaint = m.Paused, m.Acked, clean(m.Maintenance)
	st.Checks, st.Skipped, st.Location = m.Checks, m.Skipped, clean(m.Location)
}

// ToState rebuilds a whole monitor state; mon is the configuration to
// point at (MonitorOf, or an equal one kept from before).
func (m *Monitor) ToState(mon *monitor.Monitor) monitor.State {
	st := monitor.State{Monitor: mon}
	m.ApplyTo(&st)
	if m.Last != nil {
		st.Last = m.Last.ToEngine()
	}
	if len(m.Recent) > 0 {
		st.Recent = make([]monitor.Sample, len(m.Recent))
		for i, s := range m.Recent {
			st.Recent[i] = monitor.Sample{Time: s.Time, Latency: fromMS(s.LatencyMS), Status: s.Status, Code: s.Code}
		}
	}
	return st
}

// FromEvent converts an engine event; state is the monitor's state now
// for result and change events (nil otherwise), warnings the full list
// for warning events.
func FromEvent(ev *monitor.Event, state *State, warnings []string) Event {
	out := Event{Kind: ev.Kind.String(), Time: ev.Time, Monitor: ev.Monitor, State: state,
		Alert: ev.Alert, Message: ev.Message, Clear: ev.Clear}
	if ev.Kind == monitor.EventResult || ev.Kind == monitor.EventChange {
		f, t := ev.From, ev.To
		out.From, out.To = &f, &t
	}
	if ev.Result != nil {
		out.Result = FromResult(ev.Result)
	}
	if ev.Kind == monitor.EventWarning {
		out.Warnings = warnings
		if out.Warnings == nil {
			out.Warnings = []string{}
		}
	}
	return out
}

// ToEngine converts back to an engine event; ok is false for a kind this
// version does not know.
func (e *Event) ToEngine() (ev monitor.Event, ok bool) {
	var k monitor.EventKind
	switch e.Kind {
	case "result":
		k = monitor.EventResult
	case "change":
		k = monitor.EventChange
	case "alert":
		k = monitor.EventAlert
	case "warning":
		k = monitor.EventWarning
	case "reload":
		k = monitor.EventReload
	default:
		return monitor.Event{}, false
	}
	ev = monitor.Event{Kind: k, Time: e.Time, Monitor: clean(e.Monitor), Message: clean(e.Message), Clear: e.Clear}
	if e.From != nil {
		ev.From = *e.From
	}
	if e.To != nil {
		ev.To = *e.To
	}
	if e.Result != nil {
		r := e.Result.ToEngine()
		ev.Result = &r
	}
	if e.Alert != nil {
		a := *e.Alert
		a.Channel, a.Kind, a.Subject, a.Error = clean(a.Channel), clean(a.Kind), clean(a.Subject), clean(a.Error)
		if a.Monitors != nil {
			ms := make([]string, len(a.Monitors))
			for i, m := range a.Monitors {
				ms[i] = clean(m)
			}
			a.Monitors = ms
		}
		ev.Alert = &a
	}
	return ev, true
}
