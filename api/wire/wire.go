// Package wire holds every JSON shape upbeat writes: the daemon's HTTP API
// (documented in api/API.md), `upbeat check --json`, `upbeat history
// --format json|csv` and the webhook payload (which wraps Incident). It
// is also the one place where the domain types of package monitor are
// converted to and from these shapes: nothing else copies a result field
// by field.
//
// The conventions, the same everywhere:
//   - Field names follow `upbeat check --json`: monitor, kind, url, status,
//     code, latency_ms, error, class, attempts.
//   - Every duration is a number of milliseconds whose name ends in _ms
//     (latency_ms, interval_ms, retry_after_ms; phases_ms holds the
//     phases of an HTTP check, each in milliseconds).
//   - Times are RFC 3339 in UTC; a time that is not known is left out,
//     never written as the zero time.
//
// Daemons before this convention wrote some durations in seconds (_s);
// decoding accepts both spellings (see legacy.go).
package wire

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Phases are an HTTP check's latency parts, in milliseconds.
type Phases struct {
	DNS       float64 `json:"dns"`
	Connect   float64 `json:"connect"`
	TLS       float64 `json:"tls"`
	FirstByte float64 `json:"first_byte"`
	Transfer  float64 `json:"transfer"`
}

// Result is one check's outcome: a line of `check --json` and of
// `history --format json`, an item of the API's history, the result of
// a result event.
type Result struct {
	Monitor      string         `json:"monitor"`
	Kind         monitor.Kind   `json:"kind"`
	URL          string         `json:"url"`
	Time         time.Time      `json:"time,omitzero"`
	Status       monitor.Status `json:"status"`
	Code         int            `json:"code"`
	LatencyMS    float64        `json:"latency_ms"`
	Error        string         `json:"error"`
	Class        string         `json:"class"`
	Attempts     int            `json:"attempts"`
	Phases       *Phases        `json:"phases_ms,omitempty"`
	RetryAfterMS float64        `json:"retry_after_ms,omitempty"`
	FinalURL     string         `json:"final_url,omitempty"`
	BodySize     int64          `json:"body_size,omitempty"`
	CertExpiry   time.Time      `json:"cert_expiry,omitzero"`
	CertIssuer   string         `json:"cert_issuer,omitempty"`
	CertDays     *int           `json:"cert_days,omitempty"`
	Registrar    string         `json:"registrar,omitempty"`
	Answers      []string       `json:"answers,omitempty"`
	Loss         float64        `json:"loss,omitempty"`
	// The protocol of the answer, the redirects followed, an expiry read
	// from a chain that failed verification, the library's own text.
	HTTPVersion    string `json:"http_version,omitempty"`
	Redirects      int    `json:"redirects,omitempty"`
	CertUnverified bool   `json:"cert_unverified,omitempty"`
	Detail         string `json:"detail,omitempty"`
	// Remote is the address the check connected to ("203.0.113.7:443").
	Remote string `json:"remote,omitempty"`
	// Explanation is the knowledge base's one-line meaning of Class:
	// `check --json` says it; the API and the export leave it to the reader.
	Explanation string `json:"explanation,omitempty"`

	// RetryAfterS is RetryAfterMS as daemons from before milliseconds
	// sent it, in seconds: read (see legacy.go), never written.
	RetryAfterS float64 `json:"retry_after_s,omitempty"`
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
	IntervalMS      float64  `json:"interval_ms"`
	TimeoutMS       float64  `json:"timeout_ms"`
	Retries         int      `json:"retries"`
	RetryIntervalMS float64  `json:"retry_interval_ms"`
	MaxLatencyMS    float64  `json:"max_latency_ms,omitempty"`
	CertWarnDays    int      `json:"cert_warn_days,omitempty"`
	ExpectStatus    []int    `json:"expect_status,omitempty"`
	Alerts          []string `json:"alerts,omitempty"`
	Insecure        bool     `json:"insecure,omitempty"`
	Method          string   `json:"method,omitempty"`
	GraceMS         float64  `json:"grace_ms,omitempty"`
	DependsOn       []string `json:"depends_on,omitempty"`
}

// SLO is a monitor's objective and how it stands against it; absent for a
// monitor without one.
type SLO struct {
	Objective  float64            `json:"objective"` // 0.999 for 99.9%
	WindowMS   float64            `json:"window_ms"`
	Checks     uint64             `json:"checks"`      // in the window
	Failures   uint64             `json:"failures"`    // of them, down
	BudgetLeft float64            `json:"budget_left"` // 1 untouched, 0 spent, negative overspent
	Burn       map[string]float64 `json:"burn"`        // burn rate by window: "5m", "30m", "1h", "6h"
}

// sloOf converts an objective's figures; nil without one.
func sloOf(s *monitor.SLO) *SLO {
	if !s.Set() {
		return nil
	}
	out := &SLO{Objective: s.Objective, WindowMS: Milliseconds(s.Window), Checks: s.Checks, Failures: s.Failures,
		BudgetLeft: s.BudgetLeft(), Burn: make(map[string]float64, len(s.Burn))}
	for i, w := range monitor.BurnWindows {
		out.Burn[monitor.BurnWindowName(w)] = s.Burn[i]
	}
	return out
}

// toDomain rebuilds the figures; the zero value for nil.
func (s *SLO) toDomain() monitor.SLO {
	if s == nil {
		return monitor.SLO{}
	}
	out := monitor.SLO{Objective: s.Objective, Window: fromMS(s.WindowMS), Checks: s.Checks, Failures: s.Failures}
	for i, w := range monitor.BurnWindows {
		out.Burn[i] = s.Burn[monitor.BurnWindowName(w)]
	}
	return out
}

// Location is a monitor's state as seen from one location: the shape of
// a merged view's locations (a client of several daemons). A daemon,
// which is one location, never sends it.
type Location struct {
	Location  string         `json:"location"`
	Status    monitor.Status `json:"status"`
	Code      int            `json:"code"`
	Class     string         `json:"class,omitempty"`
	LatencyMS float64        `json:"latency_ms"`
	Since     time.Time      `json:"since,omitzero"`
}

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

	Since       time.Time `json:"since,omitzero"`
	LastCheck   time.Time `json:"last_check,omitzero"`
	Uptime      Uptime    `json:"uptime"`
	CertDays    *int      `json:"cert_days,omitempty"`
	CertExpiry  time.Time `json:"cert_expiry,omitzero"`
	Tags        []string  `json:"tags"`
	Location    string    `json:"location"`
	Paused      bool      `json:"paused"`
	Acked       bool      `json:"acked"`
	Maintenance string    `json:"maintenance,omitempty"`
	Checks      uint64    `json:"checks"`
	Skipped     uint64    `json:"skipped"`
	SLO         *SLO      `json:"slo,omitempty"`
	WarRoom     *WarRoom  `json:"war_room,omitempty"`

	Config    *MonitorConfig `json:"config,omitempty"`
	Last      *Result        `json:"last,omitempty"`
	Recent    []Sample       `json:"recent,omitempty"`
	Locations []Location     `json:"locations,omitempty"`
}

// State is the part of a monitor's state that an event changes: sent
// with every result and change event instead of the whole Monitor.
type State struct {
	Status      monitor.Status `json:"status"`
	Since       time.Time      `json:"since,omitzero"`
	Uptime      Uptime         `json:"uptime"`
	Paused      bool           `json:"paused,omitempty"`
	Acked       bool           `json:"acked,omitempty"`
	Maintenance string         `json:"maintenance,omitempty"`
	Checks      uint64         `json:"checks"`
	Skipped     uint64         `json:"skipped,omitempty"`
	SLO         *SLO           `json:"slo,omitempty"`
	WarRoom     *WarRoom       `json:"war_room,omitempty"`
}

// WarRoom is a war room in force on a monitor: checked every every_ms
// from start until until; checks and failures count what it saw so far.
type WarRoom struct {
	Start    time.Time `json:"start"`
	Until    time.Time `json:"until"`
	EveryMS  float64   `json:"every_ms"`
	Checks   int       `json:"checks"`
	Failures int       `json:"failures"`
}

func warRoomOf(w *monitor.WarRoom) *WarRoom {
	if w.Until.IsZero() {
		return nil
	}
	return &WarRoom{Start: utc(w.Start), Until: utc(w.Until), EveryMS: Milliseconds(w.Every), Checks: w.Checks, Failures: w.Failures}
}

func (w *WarRoom) toDomain() monitor.WarRoom {
	if w == nil {
		return monitor.WarRoom{}
	}
	return monitor.WarRoom{Start: w.Start, Until: w.Until, Every: fromMS(w.EveryMS), Checks: w.Checks, Failures: w.Failures}
}

// Incident is one stretch of time a monitor was down; end is absent
// while it is open. Flapping and acked are the alerting's view of it.
type Incident struct {
	ID       string    `json:"id,omitempty"` // short and stable: from the monitor and the start (upbeat incident show ID)
	Monitor  string    `json:"monitor"`
	Start    time.Time `json:"start,omitzero"`
	End      time.Time `json:"end,omitzero"`
	State    string    `json:"state,omitempty"` // "open" or "resolved" (whether end is set), for scripts
	Codes    []int     `json:"codes,omitempty"`
	Classes  []string  `json:"classes,omitempty"`
	Flapping bool      `json:"flapping,omitempty"`
	Acked    bool      `json:"acked,omitempty"`
	Affected []string  `json:"affected,omitempty"` // monitors behind it (depends_on) whose failures joined it
	Notes    []Note    `json:"notes,omitempty"`    // what people wrote on it and why they acknowledged it, oldest first
	// Breaks are the maintenance windows and pauses within it: part of
	// its duration, not of its downtime; the last may have no end yet.
	Breaks []Break `json:"breaks,omitempty"`
	// Paused: its monitor was paused (or removed) while down and is not
	// checked since; the end is the pause, not a recovery.
	Paused bool `json:"paused,omitempty"`
}

// Break is a stretch of an incident when its monitor was not judged.
type Break struct {
	Start   time.Time      `json:"start"`
	End     time.Time      `json:"end,omitzero"`
	Status  monitor.Status `json:"status"`            // maintenance, paused or pending
	Stalled bool           `json:"stalled,omitempty"` // paused because upbeat itself stalled
}

// Alert is one delivery attempt of an alert (the alert event's data).
type Alert struct {
	Channel  string `json:"channel"` // the [[alert]] name
	Kind     string `json:"kind"`    // webhook, email, …
	Subject  string `json:"subject"`
	OK       bool   `json:"ok"`
	Error    string `json:"error,omitempty"`
	Attempts int    `json:"attempts"`
	// GaveUp: this failed attempt was the last; the message is not tried again.
	GaveUp   bool     `json:"gave_up,omitempty"`
	Monitors []string `json:"monitors,omitempty"`
}

// Hello is the first event of every stream: who is talking and whether
// the stream resumes where the client left off (else a snapshot follows).
type Hello struct {
	Epoch       string   `json:"epoch"`
	Version     string   `json:"version,omitempty"`
	Location    string   `json:"location"`
	Config      string   `json:"config"`
	Warnings    []string `json:"warnings"`
	Shard       string   `json:"shard,omitempty"` // "2/4" for a daemon that checks one shard of the monitors
	History     bool     `json:"history"`
	HeartbeatMS float64  `json:"heartbeat_ms"`
	Resumed     bool     `json:"resumed"`
}

// Heartbeat is the interval of the stream's keep-alive comments (0 when
// the daemon did not say).
func (h *Hello) Heartbeat() time.Duration { return fromMS(h.HeartbeatMS) }

// Snapshot is every monitor's state, in configuration order.
type Snapshot struct {
	Location string    `json:"location"`
	Monitors []Monitor `json:"monitors"`
	// Log is the daemon's journal up to the snapshot, oldest first: the
	// events a viewer's log tells of, from the problems in force when the
	// daemon started on (see source.Journal), so that a viewer that
	// attaches now tells the story one attached all along does.
	Log []Event `json:"log,omitempty"`
}

// Event is one thing that happened (SSE event names: result, change,
// alert, warning, reload, note).
type Event struct {
	Kind    string          `json:"kind"`
	Time    time.Time       `json:"time,omitzero"`
	Monitor string          `json:"monitor,omitempty"`
	From    *monitor.Status `json:"from,omitempty"`
	To      *monitor.Status `json:"to,omitempty"`
	Result  *Result         `json:"result,omitempty"`
	State   *State          `json:"state,omitempty"` // result, change: the monitor's state now
	Alert   *Alert          `json:"alert,omitempty"`
	Note    *Note           `json:"note,omitempty"` // note: what was written, by whom
	Message string          `json:"message,omitempty"`
	Clear   bool            `json:"clear,omitempty"`
	// Warnings is the full list in force after a warning event.
	Warnings []string `json:"warnings,omitempty"`
	// Repeats, in a snapshot's log only: the same failure that many
	// times in a row, the first at time, result the newest (see
	// source.Event.Repeats).
	Repeats int `json:"repeats,omitempty"`
}

// Health is the body of GET /healthz.
type Health struct {
	Status   string   `json:"status"` // "ok"
	Service  string   `json:"service"`
	Version  string   `json:"version,omitempty"`
	Monitors int      `json:"monitors"`
	Shard    string   `json:"shard,omitempty"`    // "2/4" for a daemon that checks one shard of the monitors
	Warnings []string `json:"warnings,omitempty"` // problems with upbeat itself in force ("upbeat itself was stalled for 9m12s …")
}

// ServiceName identifies an upbeat daemon in Health.Service.
const ServiceName = "upbeat"

// Milliseconds is a duration as every JSON shape writes it: a number of
// milliseconds, to the microsecond.
func Milliseconds(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fromMS is the inverse of ms.
func fromMS(f float64) time.Duration {
	return time.Duration(math.Round(f*1000)) * time.Microsecond
}

// utc is t in UTC for the wire; the zero time stays zero (and is left out).
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Millisecond)
}

// RedactURL is a monitor's URL as viewers see it (see monitor.RedactURL).
func RedactURL(m *monitor.Monitor) string {
	if m.Kind == monitor.KindPush {
		return monitor.PushURL
	}
	return monitor.RedactURL(m.URL)
}

// FromResult converts a result. Its URLs are redacted again: the engine
// writes them redacted, but history kept by an older version may hold a
// token in a query string.
func FromResult(r *monitor.Result) *Result {
	out := &Result{
		Monitor: r.Monitor, Kind: r.Kind, URL: monitor.RedactURL(r.URL), Time: utc(r.Time), Status: r.Status, Code: r.Code,
		LatencyMS: Milliseconds(r.Latency), Error: r.Error, Class: r.Class, Attempts: r.Attempts,
		RetryAfterMS: Milliseconds(r.RetryAfter), FinalURL: monitor.RedactURL(r.FinalURL), BodySize: r.BodySize,
		CertIssuer: r.CertIssuer, Registrar: r.Registrar, Answers: r.Answers, Loss: r.Loss,
		HTTPVersion: r.HTTPVersion, Redirects: r.Redirects, CertUnverified: r.CertUnverified, Detail: r.Detail,
		Remote: r.Remote,
	}
	if r.Kind == monitor.KindPush {
		out.URL = monitor.PushURL
	}
	if r.Phases != (monitor.Phases{}) {
		p := r.Phases
		out.Phases = &Phases{DNS: Milliseconds(p.DNS), Connect: Milliseconds(p.Connect), TLS: Milliseconds(p.TLS), FirstByte: Milliseconds(p.FirstByte), Transfer: Milliseconds(p.Transfer)}
	}
	if !r.CertExpiry.IsZero() {
		d := r.CertDays
		out.CertExpiry, out.CertDays = r.CertExpiry.UTC(), &d
	}
	return out
}

// ToDomain converts back; every string is sanitized because it came from
// the network.
func (r *Result) ToDomain() monitor.Result {
	out := monitor.Result{
		Monitor: clean(r.Monitor), Kind: r.Kind, URL: clean(r.URL), Time: r.Time, Status: r.Status, Code: r.Code,
		Latency: fromMS(r.LatencyMS), Error: clean(r.Error), Class: clean(r.Class), Attempts: r.Attempts,
		RetryAfter: fromMS(r.retryAfterMS()), FinalURL: clean(r.FinalURL), BodySize: r.BodySize,
		CertExpiry: r.CertExpiry, CertIssuer: clean(r.CertIssuer), Registrar: clean(r.Registrar), Loss: r.Loss,
		HTTPVersion: clean(r.HTTPVersion), Redirects: r.Redirects, CertUnverified: r.CertUnverified, Detail: clean(r.Detail),
		Remote: clean(r.Remote),
	}
	if p := r.Phases; p != nil {
		out.Phases = monitor.Phases{DNS: fromMS(p.DNS), Connect: fromMS(p.Connect), TLS: fromMS(p.TLS),
			FirstByte: fromMS(p.FirstByte), Transfer: fromMS(p.Transfer)}
	}
	if r.CertDays != nil {
		out.CertDays = *r.CertDays
	}
	if r.Answers != nil {
		out.Answers = cleanAll(r.Answers)
	}
	return out
}

// FromIncident converts an incident.
func FromIncident(in *monitor.Incident) *Incident {
	out := &Incident{Monitor: in.Monitor, Start: utc(in.Start), End: utc(in.End), Codes: in.Codes,
		Classes: in.Classes, Flapping: in.Flapping, Acked: in.Acked, Affected: in.Affected, Notes: FromNotes(in.Notes),
		Paused: in.Paused}
	for _, b := range in.Breaks {
		out.Breaks = append(out.Breaks, Break{Start: utc(b.Start), End: utc(b.End), Status: b.Status, Stalled: b.Stalled})
	}
	if !in.Start.IsZero() {
		out.ID, out.State = in.ID(), IncidentOpen
		if !in.End.IsZero() {
			out.State = IncidentResolved
		}
	}
	return out
}

// The values of Incident.State.
const (
	IncidentOpen     = "open"
	IncidentResolved = "resolved"
)

// FromIncidents converts a list of incidents; nil becomes empty.
func FromIncidents(ins []monitor.Incident) []*Incident {
	out := make([]*Incident, len(ins))
	for i := range ins {
		out[i] = FromIncident(&ins[i])
	}
	return out
}

// ToDomain converts back, sanitized.
func (in *Incident) ToDomain() monitor.Incident {
	out := monitor.Incident{Monitor: clean(in.Monitor), Start: in.Start, End: in.End, Codes: in.Codes,
		Flapping: in.Flapping, Acked: in.Acked, Paused: in.Paused}
	for _, b := range in.Breaks {
		out.Breaks = append(out.Breaks, monitor.Break{Start: b.Start, End: b.End, Status: b.Status, Stalled: b.Stalled})
	}
	if in.Classes != nil {
		out.Classes = cleanAll(in.Classes)
	}
	if in.Affected != nil {
		out.Affected = cleanAll(in.Affected)
	}
	out.Notes = ToNotes(in.Notes, out.Monitor)
	return out
}

// FromAlert converts an alert delivery report.
func FromAlert(a *monitor.AlertEvent) *Alert {
	return &Alert{Channel: a.Channel, Kind: a.Kind, Subject: a.Subject, OK: a.OK, Error: a.Error,
		Attempts: a.Attempts, GaveUp: a.GaveUp, Monitors: a.Monitors}
}

// ToDomain converts back, sanitized.
func (a *Alert) ToDomain() monitor.AlertEvent {
	out := monitor.AlertEvent{Channel: clean(a.Channel), Kind: clean(a.Kind), Subject: clean(a.Subject), OK: a.OK,
		Error: clean(a.Error), Attempts: a.Attempts, GaveUp: a.GaveUp}
	if a.Monitors != nil {
		out.Monitors = cleanAll(a.Monitors)
	}
	return out
}

func clean(s string) string { return engine.Sanitize(s, 0) }

func cleanAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = clean(s)
	}
	return out
}

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

func uptimes(st *monitor.State) Uptime {
	return Uptime{H24: uptimePtr(st.Uptime24), D7: uptimePtr(st.Uptime7d), D30: uptimePtr(st.Uptime30)}
}

// StateOf extracts the State of a monitor's state.
func StateOf(st *monitor.State) State {
	return State{Status: st.Status, Since: utc(st.Since), Uptime: uptimes(st), Paused: st.Paused, Acked: st.Acked,
		Maintenance: st.InMaint, Checks: st.Checks, Skipped: st.Skipped, SLO: sloOf(&st.SLO), WarRoom: warRoomOf(&st.WarRoom)}
}

// ApplyTo copies s onto st.
func (s *State) ApplyTo(st *monitor.State) {
	st.Status, st.Since = s.Status, s.Since
	st.Uptime24, st.Uptime7d, st.Uptime30 = uptimeOf(s.Uptime.H24), uptimeOf(s.Uptime.D7), uptimeOf(s.Uptime.D30)
	st.Paused, st.Acked, st.InMaint = s.Paused, s.Acked, clean(s.Maintenance)
	st.Checks, st.Skipped = s.Checks, s.Skipped
	st.SLO = s.SLO.toDomain()
	st.WarRoom = s.WarRoom.toDomain()
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
		Monitor: m.Name, Kind: m.Kind, URL: RedactURL(m), Status: st.Status, Since: utc(st.Since), Uptime: uptimes(st),
		Tags: m.Tags, Location: st.Location, Paused: st.Paused, Acked: st.Acked, Maintenance: st.InMaint,
		Checks: st.Checks, Skipped: st.Skipped, SLO: sloOf(&st.SLO), WarRoom: warRoomOf(&st.WarRoom),
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if l := &st.Last; !l.Time.IsZero() {
		out.Code, out.LatencyMS, out.Error, out.Class, out.Attempts = l.Code, Milliseconds(l.Latency), l.Error, l.Class, l.Attempts
		out.LastCheck = l.Time.UTC()
		if !l.CertExpiry.IsZero() {
			d := l.CertDays
			out.CertExpiry, out.CertDays = l.CertExpiry.UTC(), &d
		}
		if with&WithLast != 0 {
			out.Last = FromResult(l)
		}
	}
	if with&WithConfig != 0 {
		out.Config = &MonitorConfig{
			IntervalMS: Milliseconds(m.Interval), TimeoutMS: Milliseconds(m.Timeout), Retries: m.Retries,
			RetryIntervalMS: Milliseconds(m.RetryInterval), MaxLatencyMS: Milliseconds(m.MaxLatency), CertWarnDays: m.CertWarnDays,
			ExpectStatus: m.ExpectStatus, Alerts: m.Alerts, Insecure: m.Insecure, Method: m.Method, GraceMS: Milliseconds(m.Grace),
			DependsOn: m.DependsOn,
		}
	}
	if with&WithRecent != 0 {
		rs := st.Recent
		if recent > 0 && len(rs) > recent {
			rs = rs[len(rs)-recent:]
		}
		out.Recent = make([]Sample, len(rs))
		for i, s := range rs {
			out.Recent[i] = Sample{Time: s.Time, LatencyMS: Milliseconds(s.Latency), Status: s.Status, Code: s.Code}
		}
	}
	return out
}

// MonitorOf rebuilds a monitor's configuration from m (which must carry
// Config). Strings are sanitized.
func (m *Monitor) MonitorOf() *monitor.Monitor {
	out := &monitor.Monitor{Name: clean(m.Monitor), URL: clean(m.URL), Kind: m.Kind}
	if m.Tags != nil {
		out.Tags = cleanAll(m.Tags)
	}
	if u, err := url.Parse(out.URL); err == nil {
		out.Parsed = u
	}
	if c := m.Config; c != nil {
		out.Interval, out.Timeout, out.Retries = fromMS(c.IntervalMS), fromMS(c.TimeoutMS), c.Retries
		out.RetryInterval, out.MaxLatency, out.CertWarnDays = fromMS(c.RetryIntervalMS), fromMS(c.MaxLatencyMS), c.CertWarnDays
		out.ExpectStatus, out.Insecure, out.Method, out.Grace = c.ExpectStatus, c.Insecure, clean(c.Method), fromMS(c.GraceMS)
		if c.Alerts != nil {
			out.Alerts = cleanAll(c.Alerts)
		}
		for _, p := range c.DependsOn {
			out.DependsOn = append(out.DependsOn, clean(p))
		}
	}
	return out
}

// ToState rebuilds a whole monitor state; mon is the configuration to
// point at (MonitorOf, or an equal one kept from before).
func (m *Monitor) ToState(mon *monitor.Monitor) monitor.State {
	st := monitor.State{Monitor: mon, Status: m.Status, Since: m.Since,
		Uptime24: uptimeOf(m.Uptime.H24), Uptime7d: uptimeOf(m.Uptime.D7), Uptime30: uptimeOf(m.Uptime.D30),
		Paused: m.Paused, Acked: m.Acked, InMaint: clean(m.Maintenance), Checks: m.Checks, Skipped: m.Skipped,
		Location: clean(m.Location), SLO: m.SLO.toDomain(), WarRoom: m.WarRoom.toDomain()}
	if m.Last != nil {
		st.Last = m.Last.ToDomain()
	}
	if len(m.Recent) > 0 {
		st.Recent = make([]monitor.Sample, len(m.Recent))
		for i, s := range m.Recent {
			st.Recent[i] = monitor.Sample{Time: s.Time, Latency: fromMS(s.LatencyMS), Status: s.Status, Code: s.Code}
		}
	}
	return st
}

// FromEvent converts an event; state is the monitor's state now for
// result and change events (nil otherwise), warnings the full list for
// warning events.
func FromEvent(ev *monitor.Event, state *State, warnings []string) Event {
	out := Event{Kind: ev.Kind.String(), Time: utc(ev.Time), Monitor: ev.Monitor, State: state,
		Message: ev.Message, Clear: ev.Clear}
	if ev.Kind == monitor.EventResult || ev.Kind == monitor.EventChange {
		f, t := ev.From, ev.To
		out.From, out.To = &f, &t
	}
	if ev.Result != nil {
		out.Result = FromResult(ev.Result)
	}
	if ev.Alert != nil {
		out.Alert = FromAlert(ev.Alert)
	}
	if ev.Note != nil {
		n := FromNote(ev.Note)
		out.Note = &n
	}
	if ev.Kind == monitor.EventWarning {
		out.Warnings = warnings
		if out.Warnings == nil {
			out.Warnings = []string{}
		}
	}
	return out
}

// FromJournal converts a journal for a snapshot's log.
func FromJournal(evs []source.Event) []Event {
	if len(evs) == 0 {
		return nil
	}
	out := make([]Event, len(evs))
	for i := range evs {
		out[i] = FromEvent(&evs[i].Event, nil, nil)
		out[i].Warnings = nil // the list in force is the hello's and the snapshot's
		out[i].Repeats = evs[i].Repeats
	}
	return out
}

// ToJournal converts a snapshot's log back, sanitized, leaving out the
// events of kinds this version does not know.
func ToJournal(in []Event) []source.Event {
	out := make([]source.Event, 0, len(in))
	for i := range in {
		if ev, ok := in[i].ToDomain(); ok {
			out = append(out, source.Event{Event: ev, Repeats: max(in[i].Repeats, 0)})
		}
	}
	return out
}

var eventKinds = map[string]monitor.EventKind{
	"result": monitor.EventResult, "change": monitor.EventChange, "alert": monitor.EventAlert,
	"warning": monitor.EventWarning, "reload": monitor.EventReload, "war_room": monitor.EventWarRoom,
	"note": monitor.EventNote,
}

// ToDomain converts back, sanitized; ok is false for a kind this version
// does not know.
func (e *Event) ToDomain() (ev monitor.Event, ok bool) {
	k, ok := eventKinds[e.Kind]
	if !ok {
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
		r := e.Result.ToDomain()
		ev.Result = &r
	}
	if e.Alert != nil {
		a := e.Alert.ToDomain()
		ev.Alert = &a
	}
	if e.Note != nil {
		n := e.Note.ToDomain(ev.Monitor)
		ev.Note = &n
	}
	if ev.Kind == monitor.EventNote && ev.Note == nil {
		return monitor.Event{}, false
	}
	return ev, true
}
