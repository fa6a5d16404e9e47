package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// fill records one result a minute for "api" over two days (30 minutes
// down with 502 then 504 on day one, 10 minutes down with 503 on day two,
// and down at the end) and for "new", which starts six hours before the
// end and has one 500.
func fill(t *testing.T, s *history.DB, c *clock) (end time.Time) {
	t.Helper()
	end = t0.Add(48 * time.Hour)
	i1, i2, i3 := t0.Add(5*time.Hour), t0.Add(30*time.Hour), end.Add(-20*time.Minute)
	for at := t0; at.Before(end); at = at.Add(time.Minute) {
		c.Set(at)
		st, code := monitor.StatusUp, 200
		switch {
		case !at.Before(i1) && at.Before(i1.Add(10*time.Minute)):
			st, code = monitor.StatusDown, 502
		case !at.Before(i1) && at.Before(i1.Add(30*time.Minute)):
			st, code = monitor.StatusDown, 504
		case !at.Before(i2) && at.Before(i2.Add(10*time.Minute)):
			st, code = monitor.StatusDown, 503
		case !at.Before(i3):
			st, code = monitor.StatusDown, 500
		}
		r := result("api", at, st, code)
		if err := s.Record(&r); err != nil {
			t.Fatal(err)
		}
		if !at.Before(end.Add(-6 * time.Hour)) {
			st, code := monitor.StatusUp, 200
			if at.Equal(end.Add(-time.Hour)) {
				st, code = monitor.StatusDown, 500
			}
			r := result("new", at, st, code)
			if err := s.Record(&r); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.Set(end)
	return end
}

func TestReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{now: t0}
	s := openStore(t, dir, c, nil)
	defer s.Close()
	end := fill(t, s, c)
	rep, err := BuildReport(s, ReportOptions{From: t0.Add(-24 * time.Hour), To: end, CostPerHour: 600})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Monitors) != 2 || rep.Monitors[0].Monitor != "api" || rep.Monitors[1].Monitor != "new" {
		t.Fatalf("monitors: %+v", rep.Monitors)
	}
	api, nw := rep.Monitors[0], rep.Monitors[1]
	// api: 2880 checks, 60 down; 3 incidents of 30, 10 and 20 minutes (the last still open).
	if api.Checks != 2880 || api.Failures != 60 || api.Incidents != 3 {
		t.Errorf("api counts: %+v", api.Summary)
	}
	if got := *api.Uptime; got != 100*float64(2880-60)/2880 {
		t.Errorf("api uptime %v", got)
	}
	if api.MTTR == nil || time.Duration(api.Longest) != 30*time.Minute || time.Duration(*api.MTTR) != 20*time.Minute ||
		time.Duration(api.Downtime) != 60*time.Minute || api.Cost != 600 || api.Open != 1 {
		t.Errorf("api durations: longest %v mttr %v downtime %v cost %v open %d", time.Duration(api.Longest),
			api.MTTR, time.Duration(api.Downtime), api.Cost, api.Open)
	}
	if want := []CodeCount{{500, 20}, {502, 10}, {503, 10}, {504, 20}}; !equalCodes(api.Codes5xx, want) {
		t.Errorf("api 5xx %+v", api.Codes5xx)
	}
	if len(api.IncidentList) != 3 || api.IncidentList[0].Codes[0] != 502 || api.IncidentList[0].Codes[1] != 504 {
		t.Errorf("api incidents %+v", api.IncidentList)
	}
	// new: counted from its first result, not from the start of the period.
	if !nw.Since.Equal(end.Add(-6*time.Hour)) || nw.Checks != 360 || *nw.Uptime != 100*359.0/360 {
		t.Errorf("new: %+v", nw.Summary)
	}
	if rep.Overall.Checks != 2880+360 || rep.Overall.Incidents != 4 || time.Duration(rep.Overall.Downtime) != 61*time.Minute ||
		rep.Overall.Cost != 610 || !rep.Overall.Since.Equal(t0) {
		t.Errorf("overall %+v", rep.Overall)
	}

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"MONITOR", "api", "97.917%", "30m00s", "20m00s", "1h00m", "600.00", "overall",
		"500×20  502×10  503×10  504×20", "new: 500×1"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	ov := back["overall"].(map[string]any)
	if ov["downtime_ms"].(float64) != 3660000 || ov["incidents"].(float64) != 4 || ov["cost"].(float64) != 610 {
		t.Errorf("json overall %v", ov)
	}

	// A period with nothing in it.
	empty, _ := BuildReport(s, ReportOptions{From: t0.Add(-72 * time.Hour), To: t0.Add(-48 * time.Hour)})
	text.Reset()
	empty.WriteText(&text)
	if len(empty.Monitors) != 0 || !strings.Contains(text.String(), "no results") {
		t.Errorf("empty report: %s", text.String())
	}
}

// A monitor whose only incident is still open has no MTTR yet: the report
// says "-" (null in JSON), never 0, and counts the incident as open.
func TestReportMTTROfAnOpenIncident(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{now: t0}
	s := openStore(t, dir, c, nil)
	defer s.Close()
	end := t0.Add(2 * time.Hour)
	for at := t0; at.Before(end); at = at.Add(time.Minute) {
		c.Set(at)
		st, code := monitor.StatusUp, 200
		if !at.Before(t0.Add(time.Hour)) {
			st, code = monitor.StatusDown, 502
		}
		r := result("solo", at, st, code)
		if err := s.Record(&r); err != nil {
			t.Fatal(err)
		}
	}
	c.Set(end)
	rep, err := BuildReport(s, ReportOptions{From: t0, To: end})
	if err != nil {
		t.Fatal(err)
	}
	solo := rep.Monitors[0]
	if solo.Incidents != 1 || solo.Open != 1 || solo.MTTR != nil {
		t.Errorf("one open incident: %d incidents, %d open, MTTR %v; want 1, 1, none", solo.Incidents, solo.Open, solo.MTTR)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	line := ""
	for _, l := range strings.Split(text.String(), "\n") {
		if strings.HasPrefix(l, "solo") {
			line = l
		}
	}
	if f := strings.Fields(line); len(f) < 7 || !strings.Contains(line, "1 (1 open)") || f[len(f)-2] != "-" {
		t.Errorf("text line %q, want 1 (1 open) and MTTR -:\n%s", line, text.String())
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(js.String(), `"mttr_ms": null`) || !strings.Contains(js.String(), `"open_incidents": 1`) {
		t.Errorf("json lacks a null MTTR and the open incident:\n%s", js.String())
	}
	// The incidents read as the API's do: snake_case, an id and a state,
	// and an open incident has no end rather than the zero time.
	var back struct {
		Monitors []struct {
			Monitor   string           `json:"monitor"`
			Incidents []map[string]any `json:"incident_list"`
		} `json:"monitors"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	for _, m := range back.Monitors {
		if m.Monitor != "solo" {
			continue
		}
		if len(m.Incidents) != 1 {
			t.Fatalf("solo's incident_list: %v", m.Incidents)
		}
		in := m.Incidents[0]
		if in["state"] != "open" || in["id"] == nil || in["start"] == nil || in["monitor"] != "solo" {
			t.Errorf("solo's open incident reads %v, want monitor, id, start and state open", in)
		}
		if _, ok := in["end"]; ok {
			t.Errorf("an open incident has an end: %v", in)
		}
	}
	if strings.Contains(js.String(), "0001-01-01") || strings.Contains(js.String(), `"ID"`) {
		t.Errorf("json has a zero time or a Go field name:\n%s", js.String())
	}
}

func equalCodes(a, b []CodeCount) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{now: t0}
	s := openStore(t, dir, c, nil)
	defer s.Close()
	r := fullResult(t0)
	r.Error = "=HYPERLINK(\"x\")\x1b[31m red"
	s.Record(&r)
	r2 := result("shop", t0.Add(time.Minute), monitor.StatusUp, 200)
	s.Record(&r2)
	from, to := t0.Add(-time.Hour), t0.Add(time.Hour)

	var b bytes.Buffer
	if err := Export(context.Background(), &b, s, "shop", from, to, "csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "time" || rows[1][5] != "503" {
		t.Fatalf("csv: %v %v", rows, err)
	}
	if rows[1][13] != "'"+r.Error || rows[1][6] != "1234" {
		t.Errorf("csv row: %q", rows[1])
	}
	if col := slices.Index(rows[0], "retry_after_ms"); col < 0 || rows[1][col] != strconv.Itoa(int(r.RetryAfter.Milliseconds())) || r.RetryAfter == 0 {
		t.Errorf("csv lacks the 503's Retry-After: %q / %q", rows[0], rows[1])
	}

	b.Reset()
	if err := Export(context.Background(), &b, s, "shop", from, to, "json"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("json lines: %q", lines)
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &obj); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"monitor": "shop", "status": "degraded", "code": 503.0, "latency_ms": 1234.0,
		"class": "http_503", "attempts": 2.0, "cert_days": 20.0, "kind": "http"} {
		if obj[k] != want {
			t.Errorf("json %s = %v, want %v", k, obj[k], want)
		}
	}

	b.Reset()
	if err := Export(context.Background(), &b, s, "shop", from, to, "table"); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.Contains(out, "degraded") || !strings.Contains(out, "1.23s") || strings.Contains(out, "\x1b") {
		t.Errorf("table:\n%s", out)
	}
	b.Reset()
	Export(context.Background(), &b, s, "nobody", from, to, "table")
	if !strings.Contains(b.String(), "no results for nobody") {
		t.Errorf("empty table: %q", b.String())
	}
	if err := Export(context.Background(), &b, s, "shop", from, to, "xml"); !errors.Is(err, ErrFormat) {
		t.Errorf("unknown format: %v", err)
	}
}

func TestCommandsReadWhileDaemonWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{now: t0}
	w := openStore(t, dir, c, nil)
	defer w.Close()
	end := fill(t, w, c)
	// The history and report commands open the same directory read-only
	// while the writer holds it.
	r := openStore(t, dir, c, func(o *history.Options) { o.ReadOnly = true })
	defer r.Close()
	var b bytes.Buffer
	if err := Export(context.Background(), &b, r, "api", end.Add(-time.Hour), end, "csv"); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 61 {
		t.Errorf("%d csv lines", n)
	}
	rep, err := BuildReport(r, ReportOptions{From: t0, To: end})
	if err != nil || len(rep.Monitors) != 2 || rep.Overall.Incidents != 4 {
		t.Fatalf("report from a reader: %+v %v", rep, err)
	}
	// The writer keeps writing.
	res := result("api", end, monitor.StatusUp, 200)
	if err := w.Record(&res); err != nil {
		t.Fatal(err)
	}
	if err := r.Record(&res); !errors.Is(err, history.ErrReadOnly) {
		t.Errorf("reader record: %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour,
		"36h": 36 * time.Hour, "1.5d": 36 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("%s: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"", "d", "-3d", "7x", "abc"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("%q parsed", in)
		}
	}
}

// A monitor with an objective gets its error budget over the objective's
// window and its burn rates as of the report's end; one without, none.
func TestReportObjectives(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := &clock{now: t0}
	s := openStore(t, dir, c, nil)
	defer s.Close()
	end := fill(t, s, c)
	rep, err := BuildReport(s, ReportOptions{From: end.Add(-24 * time.Hour), To: end,
		Objectives: map[string]Objective{"api": {Objective: 0.95, Window: 30 * 24 * time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	api, nw := rep.Monitors[0], rep.Monitors[1]
	if nw.SLO != nil {
		t.Errorf("an objective for new: %+v", nw.SLO)
	}
	o := api.SLO
	// over the window (all of api's two days): 60 of 2880 failed where 5% may
	if o == nil || o.Checks != 2880 || o.Failures != 60 || math.Abs(o.BudgetLeft-(1-60.0/2880/0.05)) > 1e-6 {
		t.Fatalf("api objective %+v", o)
	}
	// down for the last 20 minutes
	for w, want := range map[string]float64{"5m": 20, "30m": 20.0 / 30 / 0.05, "1h": 20.0 / 60 / 0.05, "6h": 20.0 / 360 / 0.05} {
		if got := o.BurnRate[w]; math.Abs(got-want) > 1e-6 {
			t.Errorf("burn over %s = %v, want %v", w, got, want)
		}
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "objectives, as of") || !regexp.MustCompile(`api\s+95%\s+30d00h\s+97\.917%\s+58%`).MatchString(b.String()) {
		t.Errorf("text report:\n%s", b.String())
	}
}

// A span reads as its largest two units, and a downtime under a second
// as "<1s", not "0s" beside a cost that is not zero.
func TestFmtSpan(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{0: "0", 900 * time.Millisecond: "<1s", 59 * time.Second: "59s",
		61 * time.Second: "1m01s", 90 * time.Minute: "1h30m", 49 * time.Hour: "2d01h"} {
		if got := fmtSpan(d); got != want {
			t.Errorf("fmtSpan(%s) = %q, want %q", d, got, want)
		}
	}
}
