package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

func TestSampleCompactRoundTrip(t *testing.T) {
	in := []Sample{{Time: time.UnixMilli(1795400584123), LatencyMS: 41.75, Status: monitor.StatusDown, Code: 502}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `[[1795400584123,41.75,"down",502]]` {
		t.Errorf("encoded %s", b)
	}
	var out []Sample
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !out[0].Time.Equal(in[0].Time) || out[0] != (Sample{Time: out[0].Time, LatencyMS: 41.75, Status: monitor.StatusDown, Code: 502}) {
		t.Errorf("decoded %+v", out[0])
	}
	for _, bad := range []string{`[1,2,"sideways",3]`, `[1,2]`, `{"t":1}`} {
		var s Sample
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}

func TestResultRoundTripAndSanitize(t *testing.T) {
	exp := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	r := monitor.Result{Monitor: "shop", Kind: monitor.KindHTTP, URL: "https://shop.example/", Time: time.Unix(1795400584, 0),
		Status: monitor.StatusDegraded, Code: 200, Latency: 1234567 * time.Microsecond, Class: "slow", Attempts: 2,
		Phases:     monitor.Phases{DNS: time.Millisecond, Connect: 2 * time.Millisecond, TLS: 3 * time.Millisecond, FirstByte: time.Second, Transfer: 4 * time.Millisecond},
		RetryAfter: 30 * time.Second, CertExpiry: exp, CertDays: 39, BodySize: 99, Answers: []string{"1.2.3.4"}}
	b, _ := json.Marshal(FromResult(&r))
	var w Result
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	back := w.ToDomain()
	back.Time, r.Time = back.Time.UTC(), r.Time.UTC()
	if back.Latency != r.Latency || back.Phases != r.Phases || back.RetryAfter != r.RetryAfter || !back.CertExpiry.Equal(exp) ||
		back.CertDays != 39 || back.Code != 200 || back.Status != monitor.StatusDegraded || back.Answers[0] != "1.2.3.4" {
		t.Errorf("round trip: %+v", back)
	}
	w.Error = "evil\x1b]0;title\x07 text"
	if got := w.ToDomain().Error; got != "evil text" {
		t.Errorf("not sanitized: %q", got)
	}
}

func TestRedactURL(t *testing.T) {
	mk := func(raw string, k monitor.Kind) *monitor.Monitor {
		u, _ := url.Parse(raw)
		return &monitor.Monitor{URL: raw, Parsed: u, Kind: k}
	}
	for _, tc := range []struct {
		m    *monitor.Monitor
		want string
	}{
		{mk("push://s3cret", monitor.KindPush), "push://…"},
		{mk("https://bob:pw@api.example/x", monitor.KindHTTP), "https://xxxxx@api.example/x"},
		{mk("tcp://db:5432", monitor.KindTCP), "tcp://db:5432"},
	} {
		if got := RedactURL(tc.m); got != tc.want {
			t.Errorf("RedactURL(%s) = %q, want %q", tc.m.URL, got, tc.want)
		}
	}
}

// walkKeys calls f with every object key in a decoded JSON value.
func walkKeys(v any, f func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			f(k)
			walkKeys(e, f)
		}
	case []any:
		for _, e := range x {
			walkKeys(e, f)
		}
	}
}

// fullState is a monitor state with every field the wire carries set.
func fullState() monitor.State {
	u, _ := url.Parse("https://shop.example/health")
	m := &monitor.Monitor{Name: "shop", URL: u.String(), Parsed: u, Kind: monitor.KindHTTP, Interval: 30 * time.Second,
		Timeout: 10 * time.Second, Retries: 2, RetryInterval: 5 * time.Second, MaxLatency: 800 * time.Millisecond,
		CertWarnDays: 14, Grace: time.Minute, Tags: []string{"prod"}, Alerts: []string{"oncall"}}
	t := time.Date(2026, 11, 24, 2, 5, 4, 0, time.UTC)
	r := monitor.Result{Monitor: "shop", Kind: monitor.KindHTTP, URL: m.URL, Time: t, Status: monitor.StatusDown, Code: 503,
		Latency: 1502300 * time.Microsecond, Phases: monitor.Phases{DNS: time.Millisecond, Transfer: time.Millisecond},
		Class: "http_503", Error: "service unavailable", Attempts: 3, RetryAfter: 2 * time.Minute,
		CertExpiry: t.Add(61 * 24 * time.Hour), CertDays: 61}
	return monitor.State{Monitor: m, Status: monitor.StatusDown, Since: t.Add(-time.Minute), Last: r,
		Recent:   []monitor.Sample{{Time: t, Latency: r.Latency, Status: r.Status, Code: r.Code}},
		Uptime24: monitor.Uptime{Ratio: 0.99, Valid: true}, Location: "eu-west", Checks: 3}
}

// Every duration on the wire is in milliseconds, named *_ms: no field is
// in seconds any more (interval_s and the like were renamed).
func TestEveryDurationInMilliseconds(t *testing.T) {
	st := fullState()
	ev := monitor.Event{Kind: monitor.EventResult, Time: st.Last.Time, Monitor: "shop", Result: &st.Last}
	s := StateOf(&st)
	for name, v := range map[string]any{
		"monitor":  FromState(&st, WithConfig|WithLast|WithRecent, 0),
		"event":    FromEvent(&ev, &s, nil),
		"hello":    Hello{Epoch: "e", HeartbeatMS: 15000},
		"incident": FromIncident(&monitor.Incident{Monitor: "shop", Start: st.Since}),
	} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		json.Unmarshal(b, &doc)
		walkKeys(doc, func(k string) {
			if strings.HasSuffix(k, "_s") || strings.HasSuffix(k, "_seconds") || strings.HasSuffix(k, "_ns") {
				t.Errorf("%s: field %q is not in milliseconds", name, k)
			}
		})
	}
	b, _ := json.Marshal(FromState(&st, WithConfig|WithLast, 0))
	for _, want := range []string{`"interval_ms":30000`, `"timeout_ms":10000`, `"retry_interval_ms":5000`,
		`"max_latency_ms":800`, `"grace_ms":60000`, `"retry_after_ms":120000`, `"latency_ms":1502.3`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("monitor lacks %s: %s", want, b)
		}
	}
}

// A time that is not known is left out, never sent as 0001-01-01.
func TestNoZeroTimes(t *testing.T) {
	m := &monitor.Monitor{Name: "new", URL: "https://new.example/", Kind: monitor.KindHTTP}
	pending := monitor.State{Monitor: m} // never checked: no since, no last check
	open := monitor.Incident{Monitor: "new", Start: time.Unix(1795400584, 0)}
	st := StateOf(&pending)
	for name, v := range map[string]any{
		"monitor":  FromState(&pending, WithConfig|WithLast|WithRecent, 0),
		"state":    st,
		"result":   FromResult(&monitor.Result{Monitor: "new"}),
		"incident": FromIncident(&open),
		"event":    FromEvent(&monitor.Event{Kind: monitor.EventWarning, Message: "x"}, nil, nil),
		"alert":    FromEvent(&monitor.Event{Kind: monitor.EventAlert, Alert: &monitor.AlertEvent{Channel: "c"}}, nil, nil),
	} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "0001-01-01") {
			t.Errorf("%s carries a zero time: %s", name, b)
		}
	}
	if row := FromResult(&monitor.Result{Monitor: "new"}).CSVRecord(); row[0] != "" || row[17] != "" {
		t.Errorf("csv times of an unknown time: %q and %q, want empty", row[0], row[17])
	}
	b, _ := json.Marshal(FromIncident(&open))
	if strings.Contains(string(b), `"end"`) {
		t.Errorf("open incident has an end: %s", b)
	}
}

// A viewer still reads a daemon from before milliseconds: the _s fields
// it sends are taken (and converted), the _ms ones win when both are there.
func TestLegacySecondsAccepted(t *testing.T) {
	var m Monitor
	old := `{"monitor":"shop","kind":"http","url":"https://shop.example/","status":"up",
		"config":{"interval_s":30,"timeout_s":10,"retries":2,"retry_interval_s":5,"grace_s":60,"max_latency_ms":800},
		"last":{"monitor":"shop","status":"down","code":503,"retry_after_s":120}}`
	if err := json.Unmarshal([]byte(old), &m); err != nil {
		t.Fatal(err)
	}
	mon := m.MonitorOf()
	if mon.Interval != 30*time.Second || mon.Timeout != 10*time.Second || mon.RetryInterval != 5*time.Second ||
		mon.Grace != time.Minute || mon.MaxLatency != 800*time.Millisecond {
		t.Errorf("config from an old daemon: %+v", mon)
	}
	if r := m.Last.ToDomain(); r.RetryAfter != 2*time.Minute || r.Code != 503 {
		t.Errorf("result from an old daemon: retry after %v", r.RetryAfter)
	}
	var h Hello
	if err := json.Unmarshal([]byte(`{"epoch":"e","heartbeat_s":15}`), &h); err != nil || h.Heartbeat() != 15*time.Second {
		t.Errorf("old hello: heartbeat %v, %v", h.Heartbeat(), err)
	}
	if err := json.Unmarshal([]byte(`{"epoch":"e","heartbeat_s":15,"heartbeat_ms":2000}`), &h); err != nil || h.Heartbeat() != 2*time.Second {
		t.Errorf("both spellings: heartbeat %v, want the _ms one", h.Heartbeat())
	}
}

// A named error crosses the wire as a code and comes back as itself, in
// the daemon's words.
func TestErrorCodesRoundTrip(t *testing.T) {
	for _, named := range []error{source.ErrNoMonitor, source.ErrNoIncident, source.ErrForbidden,
		source.ErrUnauthorized, source.ErrNoHistory} {
		sent := fmt.Errorf("%w: shop is not down", named)
		b, _ := json.Marshal(Error{Error: sent.Error(), Code: CodeOf(sent)})
		var e Error
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		got := e.Err()
		if !errors.Is(got, named) || got.Error() != sent.Error() {
			t.Errorf("%v came back as %v", sent, got)
		}
	}
	if c := CodeOf(errors.New("disk full")); c != "" {
		t.Errorf("code of an unnamed error: %q", c)
	}
	if err := (&Error{Error: "boom", Code: CodeInternal}).Err(); err != nil {
		t.Errorf("internal error mapped to %v", err)
	}
}

// An objective's figures and depends_on go to viewers and come back as
// they were, with the state events carry too.
func TestSLOAndDependsOnRoundTrip(t *testing.T) {
	slo := monitor.SLO{Objective: 0.999, Window: 30 * 24 * time.Hour, Checks: 86400, Failures: 12,
		Burn: [4]float64{0, 1.5, 14.4, 2}}
	m := &monitor.Monitor{Name: "api", URL: "https://api.example.com/", Kind: monitor.KindHTTP, DependsOn: []string{"edge-router"}}
	st := monitor.State{Monitor: m, Status: monitor.StatusUp, SLO: slo}
	b, err := json.Marshal(FromState(&st, WithConfig, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"burn":{"1h":14.4,"30m":1.5,"5m":0,"6h":2}`) || !strings.Contains(string(b), `"depends_on":["edge-router"]`) {
		t.Errorf("JSON %s", b)
	}
	var back Monitor
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	got := back.ToState(back.MonitorOf())
	if got.SLO != slo || !slices.Equal(got.Monitor.DependsOn, m.DependsOn) {
		t.Errorf("back: %+v depends on %v", got.SLO, got.Monitor.DependsOn)
	}
	var ev monitor.State
	s := StateOf(&st)
	s.ApplyTo(&ev)
	if ev.SLO != slo {
		t.Errorf("state event: %+v", ev.SLO)
	}
	none := StateOf(&monitor.State{Monitor: m})
	if none.SLO != nil {
		t.Errorf("an objective for a monitor without one: %+v", none.SLO)
	}
}

// An incident says whether it is open, so a script need not infer it from
// a missing end.
func TestIncidentState(t *testing.T) {
	start := time.Unix(1795400584, 0)
	for _, tc := range []struct {
		in   monitor.Incident
		want string
	}{
		{monitor.Incident{Monitor: "shop", Start: start}, `"state":"open"`},
		{monitor.Incident{Monitor: "shop", Start: start, End: start.Add(time.Minute)}, `"state":"resolved"`},
	} {
		b, err := json.Marshal(FromIncident(&tc.in))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tc.want) {
			t.Errorf("incident %s lacks %s", b, tc.want)
		}
	}
}

// An incident's breaks and its end by a pause reach an attached
// dashboard as history has them.
func TestIncidentBreaksRoundTrip(t *testing.T) {
	start := time.Unix(1795400584, 0).UTC()
	in := monitor.Incident{Monitor: "shop", Start: start, End: start.Add(time.Hour), Paused: true,
		Breaks: []monitor.Break{{Start: start.Add(time.Minute), End: start.Add(2 * time.Minute), Status: monitor.StatusMaintenance},
			{Start: start.Add(3 * time.Minute), End: start.Add(4 * time.Minute), Status: monitor.StatusPaused, Stalled: true}}}
	b, err := json.Marshal(FromIncident(&in))
	if err != nil {
		t.Fatal(err)
	}
	var back Incident
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.ToDomain(); !got.Paused || !reflect.DeepEqual(got.Breaks, in.Breaks) ||
		!strings.Contains(string(b), `"breaks":[{"start":"2026-11-23T02:24:04Z"`) || !strings.Contains(string(b), `"status":"maintenance"`) {
		t.Errorf("%s came back as %+v", b, got)
	}
}

// Times go out to the millisecond, as history keeps them: a result seen
// live and the same result read back from history carry the same time.
func TestTimesToTheMillisecond(t *testing.T) {
	at := time.Date(2026, 12, 4, 5, 26, 25, 193676202, time.UTC)
	b, err := json.Marshal(FromResult(&monitor.Result{Monitor: "m", Time: at}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"time":"2026-12-04T05:26:25.193Z"`) {
		t.Errorf("result time not to the millisecond: %s", b)
	}
}
