package store

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// ReportOptions choose what a report covers.
type ReportOptions struct {
	From, To    time.Time
	CostPerHour float64  // what an hour of downtime costs; 0: no cost shown
	Monitors    []string // empty: every monitor with results in the period
	// Objectives are the monitors' objectives (slo) by name, from the
	// config: each gets its error budget and burn rates as of To.
	Objectives map[string]Objective
}

// Report is uptime, incidents and the cost of downtime over a period, per
// monitor and overall.
type Report struct {
	From        time.Time       `json:"from"`
	To          time.Time       `json:"to"`
	CostPerHour float64         `json:"cost_per_hour"`
	Monitors    []MonitorReport `json:"monitors"`
	Overall     Summary         `json:"overall"`
}

// MonitorReport is one monitor's part of a report.
type MonitorReport struct {
	Monitor string `json:"monitor"`
	Summary
	IncidentList []monitor.Incident `json:"-"`             // in JSON as the API writes incidents (MarshalJSON)
	SLO          *SLOReport         `json:"slo,omitempty"` // the monitor has an objective
}

// MarshalJSON writes the report line with its incidents as the API
// writes them (wire.Incident: an id, a state, no end while open), the
// one JSON shape of an incident upbeat has.
func (m MonitorReport) MarshalJSON() ([]byte, error) {
	type plain MonitorReport // without this method
	return json.Marshal(struct {
		plain
		IncidentList []*wire.Incident `json:"incident_list"`
	}{plain(m), wire.FromIncidents(m.IncidentList)})
}

// Summary holds the figures of a report line. Uptime counts from the
// first result in the period, never from before a monitor existed.
type Summary struct {
	Since     time.Time `json:"since"` // first result in the period
	Checks    uint64    `json:"checks"`
	Failures  uint64    `json:"failures"`
	Uptime    *float64  `json:"uptime_pct"` // nil when no check counts
	Incidents int       `json:"incidents"`
	// Open counts the incidents still open at the end of the period.
	Open int `json:"open_incidents"`
	// Longest, MTTR and Downtime are in milliseconds in JSON. An incident
	// that a maintenance window or a pause interrupted is one incident,
	// as its alerts said: Longest and MTTR take its duration from the
	// first failure to the recovery, and Downtime leaves the window out
	// (a window is neither up nor down).
	Longest Millis `json:"longest_outage_ms"`
	// MTTR is the mean duration of the incidents that ended; nil (null in
	// JSON) when none did: an incident still open has no time to repair yet.
	MTTR     *Millis     `json:"mttr_ms"`
	Downtime Millis      `json:"downtime_ms"`
	Cost     float64     `json:"cost"`
	Codes5xx []CodeCount `json:"codes_5xx"`

	excluded uint64
	resolved int
	repair   time.Duration
}

// CodeCount is how many checks answered with one status code.
type CodeCount struct {
	Code  int    `json:"code"`
	Count uint64 `json:"count"`
}

// Millis is a duration that encodes as milliseconds in JSON, as every
// duration upbeat writes does.
type Millis time.Duration

// MarshalJSON writes the duration in milliseconds.
func (s Millis) MarshalJSON() ([]byte, error) {
	return json.Marshal(math.Round(float64(time.Duration(s).Microseconds())) / 1000)
}

// BuildReport computes a report from the history: uptime and 5xx counts
// from rollups (hour granularity at the period's start), incidents from
// status transitions, downtime clipped to the period.
func BuildReport(h *history.DB, o ReportOptions) (*Report, error) {
	rep := &Report{From: o.From.UTC(), To: o.To.UTC(), CostPerHour: o.CostPerHour}
	infos := h.Monitors()
	want := map[string]bool{}
	for _, m := range o.Monitors {
		want[m] = true
	}
	codes := map[int]uint64{}
	for _, info := range infos {
		if len(want) > 0 && !want[info.Name] {
			continue
		}
		if !info.First.Before(o.To) || info.Last.Before(o.From) {
			continue // did not exist in the period, or nothing left of it
		}
		mr, err := monitorReport(h, info, o)
		if err != nil {
			return nil, err
		}
		rep.Monitors = append(rep.Monitors, *mr)
		addSummary(&rep.Overall, &mr.Summary)
		for _, c := range mr.Codes5xx {
			codes[c.Code] += c.Count
		}
	}
	rep.Overall.Codes5xx = sortedCodes(codes)
	finish(&rep.Overall, o.CostPerHour)
	return rep, nil
}

func monitorReport(h *history.DB, info history.MonitorInfo, o ReportOptions) (*MonitorReport, error) {
	mr := &MonitorReport{Monitor: info.Name}
	sm := &mr.Summary
	sm.Since = o.From.UTC()
	if info.First.After(o.From) {
		sm.Since = info.First.UTC()
	}
	sum, err := h.Sum(info.Name, o.From, o.To)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", info.Name, err)
	}
	sm.Checks, sm.Failures, sm.excluded = sum.Checks, sum.Failures, sum.Excluded
	codes := map[int]uint64{}
	for _, c := range sum.Codes {
		if c.Code >= 500 && c.Code <= 599 {
			codes[c.Code] += c.Checks
		}
	}
	sm.Codes5xx = sortedCodes(codes)
	incs, err := h.Incidents(info.Name, o.From, o.To)
	if err != nil {
		return nil, err
	}
	mr.IncidentList = incs
	if mr.IncidentList == nil {
		mr.IncidentList = []monitor.Incident{}
	}
	for i := range incs {
		in := &incs[i]
		end := in.End
		if end.IsZero() || end.After(o.To) {
			end = o.To
		}
		full := end.Sub(in.Start)
		switch {
		case in.End.IsZero() || in.End.After(o.To):
			sm.Open++
		case in.Paused: // paused while down: no time to repair is known
		default:
			sm.resolved++
			sm.repair += full
		}
		sm.Longest = Millis(max(time.Duration(sm.Longest), full))
		sm.Downtime += Millis(in.Downtime(sm.Since, o.To))
	}
	sm.Incidents = len(incs)
	finish(sm, o.CostPerHour)
	if obj, ok := o.Objectives[info.Name]; ok && obj.Objective > 0 {
		if mr.SLO, err = sloReport(h, info.Name, obj, o.To); err != nil {
			return nil, err
		}
	}
	return mr, nil
}

func addSummary(all, m *Summary) {
	if all.Since.IsZero() || m.Since.Before(all.Since) {
		all.Since = m.Since
	}
	all.Checks += m.Checks
	all.Failures += m.Failures
	all.excluded += m.excluded
	all.Incidents += m.Incidents
	all.Open += m.Open
	all.Longest = Millis(max(time.Duration(all.Longest), time.Duration(m.Longest)))
	all.Downtime += m.Downtime
	all.resolved += m.resolved
	all.repair += m.repair
}

func finish(sm *Summary, costPerHour float64) {
	if sm.Checks > sm.excluded {
		n := sm.Checks - sm.excluded
		u := 100 * float64(n-sm.Failures) / float64(n)
		sm.Uptime = &u
	}
	if sm.resolved > 0 {
		mttr := Millis(sm.repair / time.Duration(sm.resolved))
		sm.MTTR = &mttr
	}
	sm.Cost = math.Round(time.Duration(sm.Downtime).Hours()*costPerHour*100) / 100
	if sm.Codes5xx == nil {
		sm.Codes5xx = []CodeCount{}
	}
}

func sortedCodes(m map[int]uint64) []CodeCount {
	out := make([]CodeCount, 0, len(m))
	for c, n := range m {
		out = append(out, CodeCount{c, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// WriteText writes the report as aligned columns for a terminal.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "upbeat report  %s → %s UTC (%s)\n", r.From.Format("2006-01-02 15:04"),
		r.To.Format("2006-01-02 15:04"), fmtSpan(r.To.Sub(r.From)))
	if len(r.Monitors) == 0 {
		_, err := fmt.Fprintln(w, "\nno results in this period")
		return err
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "MONITOR\tUPTIME\tCHECKS\tINCIDENTS\tLONGEST\tMTTR\tDOWNTIME"
	if r.CostPerHour > 0 {
		head += "\tCOST"
	}
	fmt.Fprintln(tw, head)
	line := func(name string, s *Summary) {
		up := "-"
		if s.Uptime != nil {
			up = fmt.Sprintf("%.3f%%", *s.Uptime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s", engine.Sanitize(name, 40), up, s.Checks, incidentsText(s),
			fmtSpan(time.Duration(s.Longest)), mttrText(s), fmtSpan(time.Duration(s.Downtime)))
		if r.CostPerHour > 0 {
			fmt.Fprintf(tw, "\t%.2f", s.Cost)
		}
		fmt.Fprintln(tw)
	}
	for i := range r.Monitors {
		line(r.Monitors[i].Monitor, &r.Monitors[i].Summary)
	}
	if len(r.Monitors) > 1 {
		line("overall", &r.Overall)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if r.CostPerHour > 0 {
		fmt.Fprintf(w, "\ncost: %.2f per hour of downtime\n", r.CostPerHour)
	}
	fmt.Fprintln(w, "\n5xx responses by code:")
	any5xx := false
	for i := range r.Monitors {
		if c := fmtCodes(r.Monitors[i].Codes5xx); c != "" {
			fmt.Fprintf(w, "  %s: %s\n", engine.Sanitize(r.Monitors[i].Monitor, 40), c)
			any5xx = true
		}
	}
	if !any5xx {
		fmt.Fprintln(w, "  none")
	} else if len(r.Monitors) > 1 {
		fmt.Fprintf(w, "  overall: %s\n", fmtCodes(r.Overall.Codes5xx))
	}
	return r.writeObjectives(w)
}

func fmtCodes(cs []CodeCount) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%d×%d", c.Code, c.Count)
	}
	return strings.Join(parts, "  ")
}

// fmtSpan prints a duration briefly: 0, 45s, 12m30s, 3h05m, 2d04h.
// incidentsText is the INCIDENTS cell: how many, and how many of them
// are still open ("3 (1 open)").
func incidentsText(s *Summary) string {
	if s.Open == 0 {
		return strconv.Itoa(s.Incidents)
	}
	return fmt.Sprintf("%d (%d open)", s.Incidents, s.Open)
}

// mttrText is the MTTR cell: "-" while no incident has ended (an open one
// has no time to repair yet, and 0 would say it took none).
func mttrText(s *Summary) string {
	if s.MTTR == nil {
		return "-"
	}
	return fmtSpan(time.Duration(*s.MTTR))
}

func fmtSpan(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Second: // not "0s" beside the cost of it
		return "<1s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
}
