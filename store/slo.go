package store

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Objective is a monitor's objective as configured: what the report
// measures its error budget against.
type Objective struct {
	Objective float64       // 0.999
	Window    time.Duration // 30 days by default
}

// SLOReport is how a monitor stands against its objective at the end of
// the report's period, over the objective's own window (not the report's
// period): the error budget left and how fast it burns.
type SLOReport struct {
	Objective  float64            `json:"objective"`
	Window     Millis             `json:"window_ms"`
	Checks     uint64             `json:"checks"`
	Failures   uint64             `json:"failures"`
	BudgetLeft float64            `json:"error_budget_remaining"` // 1 untouched, 0 spent, negative overspent
	Budget     Millis             `json:"error_budget_ms"`        // the budget as downtime over the window
	Spent      Millis             `json:"error_budget_spent_ms"`
	BurnRate   map[string]float64 `json:"burn_rate"` // by window: 5m, 30m, 1h, 6h
}

// sloReport measures a monitor against o as of `to`: checks over the
// window from the hourly rollups, burn rates from the last 6 hours'
// results counted by minute.
func sloReport(h *history.DB, name string, o Objective, to time.Time) (*SLOReport, error) {
	s := monitor.SLO{Objective: o.Objective, Window: o.Window}
	if s.Window <= 0 {
		s.Window = monitor.DefaultSLOWindow
	}
	sum, err := h.Sum(name, to.Add(-s.Window), to)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", name, err)
	}
	s.Checks, s.Failures = sum.Checks-sum.Excluded, sum.Failures
	var checks, failures [len(monitor.BurnWindows)]uint64
	longest := monitor.BurnWindows[len(monitor.BurnWindows)-1]
	err = h.CountChecks(name, to.Add(-longest), to, time.Minute, func(at time.Time, n, f uint64) {
		for i, w := range monitor.BurnWindows {
			if !at.Before(to.Add(-w)) {
				checks[i] += n
				failures[i] += f
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", name, err)
	}
	r := &SLOReport{Objective: s.Objective, Window: Millis(s.Window), Checks: s.Checks, Failures: s.Failures,
		BurnRate: map[string]float64{}}
	for i, w := range monitor.BurnWindows {
		s.Burn[i] = monitor.BurnRate(failures[i], checks[i], s.Objective)
		r.BurnRate[monitor.BurnWindowName(w)] = round6(s.Burn[i])
	}
	r.BudgetLeft = round6(s.BudgetLeft())
	budget, spent := s.BudgetTime()
	r.Budget, r.Spent = Millis(budget), Millis(spent)
	return r, nil
}

// writeObjectives writes the objectives section of the text report.
func (r *Report) writeObjectives(w io.Writer) error {
	any := false
	for i := range r.Monitors {
		any = any || r.Monitors[i].SLO != nil
	}
	if !any {
		return nil
	}
	fmt.Fprintf(w, "\nobjectives, as of %s UTC (each over its own window):\n", r.To.Format("2006-01-02 15:04"))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "  MONITOR\tOBJECTIVE\tWINDOW\tGOOD\tBUDGET LEFT\tSPENT\tBURN 5m\t30m\t1h\t6h\n")
	for i := range r.Monitors {
		s := r.Monitors[i].SLO
		if s == nil {
			continue
		}
		good := "-"
		if s.Checks > 0 {
			good = fmt.Sprintf("%.3f%%", 100*float64(s.Checks-s.Failures)/float64(s.Checks))
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%.0f%%\t%s of %s", engine.Sanitize(r.Monitors[i].Monitor, 40),
			monitor.FormatObjective(s.Objective), fmtSpan(time.Duration(s.Window)), good, 100*s.BudgetLeft,
			fmtSpan(time.Duration(s.Spent)), fmtSpan(time.Duration(s.Budget)))
		for _, bw := range monitor.BurnWindows {
			fmt.Fprintf(tw, "\t%.1f×", s.BurnRate[monitor.BurnWindowName(bw)])
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err := fmt.Fprintln(w, "  burn: how fast the error budget goes (1 spends it exactly over the window); 14.4 over 1h and 5m pages, 6 over 6h and 30m warns")
	return err
}

// round6 rounds to six decimals, so that JSON shows 0.25, not 0.24999999999999978.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
