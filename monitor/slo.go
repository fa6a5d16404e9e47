package monitor

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DefaultSLOWindow is the rolling window of an objective that names none.
const DefaultSLOWindow = 30 * 24 * time.Hour

// BurnWindows are the windows a burn rate is measured over: the short and
// long windows of the multiwindow, multi-burn-rate alerts of Google's SRE
// workbook (5m with 1h, 30m with 6h).
var BurnWindows = [4]time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 6 * time.Hour}

// BurnRule is one severity of burn-rate alert, as Google's SRE workbook
// sets them: the budget burns at least Rate times faster than it may over
// both Long and Short.
type BurnRule struct {
	Severity    string // "page" or "warn"
	Long, Short time.Duration
	Rate        float64
}

// BurnRules are the burn-rate alerts, most severe first: 2% of a 30-day
// budget in an hour pages, 5% in six hours warns.
var BurnRules = [2]BurnRule{
	{"page", time.Hour, 5 * time.Minute, 14.4},
	{"warn", 6 * time.Hour, 30 * time.Minute, 6},
}

// Holds reports whether r holds for s: the burn rate over both of r's
// windows is at least r.Rate.
func (r *BurnRule) Holds(s *SLO) bool {
	long, _ := s.BurnRate(r.Long)
	short, _ := s.BurnRate(r.Short)
	return long >= r.Rate && short >= r.Rate
}

// SLO is how a monitor stands against its service level objective: the
// objective, and its checks over the rolling window and the burn windows.
// The zero value is a monitor without one.
type SLO struct {
	Objective float64       // the share of checks that must not be down, e.g. 0.999; 0: none
	Window    time.Duration // the rolling window the objective is measured over
	Checks    uint64        // checks counted in the window (maintenance and stalls are not)
	Failures  uint64        // of them, down
	// Burn holds the burn rate over each of BurnWindows: the share of
	// failed checks divided by the share the objective allows (1 spends
	// the budget exactly over the window; 14.4 spends 2% of a 30-day
	// budget in an hour). 0 when no check fell in that window.
	Burn [len(BurnWindows)]float64
}

// Set reports whether the monitor has an objective.
func (s *SLO) Set() bool { return s.Objective > 0 && s.Objective < 1 }

// Allowed is the share of checks the objective lets fail: 0.001 for 99.9%.
func (s *SLO) Allowed() float64 { return 1 - s.Objective }

// BudgetLeft is the share of the error budget not spent over the window:
// 1 with no failure, 0 when exactly spent, negative when overspent. It is
// 1 with no check at all.
func (s *SLO) BudgetLeft() float64 {
	if !s.Set() || s.Checks == 0 {
		return 1
	}
	return 1 - BurnRate(s.Failures, s.Checks, s.Objective)
}

// BudgetTime is the error budget as time (43m12s for 99.9% over 30 days)
// and how much of it has been spent, counting each failed check as its
// share of the window.
func (s *SLO) BudgetTime() (budget, spent time.Duration) {
	budget = time.Duration(s.Allowed() * float64(s.Window))
	if s.Checks > 0 {
		spent = time.Duration(float64(s.Failures) / float64(s.Checks) * float64(s.Window))
	}
	return budget, spent
}

// BurnRate returns the burn rate over w, one of BurnWindows; ok is false
// for another window.
func (s *SLO) BurnRate(w time.Duration) (rate float64, ok bool) {
	for i, bw := range BurnWindows {
		if bw == w {
			return s.Burn[i], true
		}
	}
	return 0, false
}

// BurnRate is how fast failures out of checks spend the error budget of
// objective: their failed share divided by the share it allows.
func BurnRate(failures, checks uint64, objective float64) float64 {
	if checks == 0 || objective <= 0 || objective >= 1 {
		return 0
	}
	return float64(failures) / float64(checks) / (1 - objective)
}

// BurnWindowName names a burn window as metrics and JSON do: "5m",
// "30m", "1h", "6h".
func BurnWindowName(w time.Duration) string {
	if w%time.Hour == 0 {
		return strconv.Itoa(int(w/time.Hour)) + "h"
	}
	return strconv.Itoa(int(w/time.Minute)) + "m"
}

// ParseObjective reads an objective as written in the config: "99.9%"
// (the % may be left out). It returns the share, 0.999.
func ParseObjective(s string) (float64, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a percentage; write e.g. \"99.9%%\"", s)
	}
	if v <= 0 || v >= 100 {
		return 0, fmt.Errorf("%q must be more than 0%% and less than 100%%", s)
	}
	return v / 100, nil
}

// FormatObjective writes an objective for a person: "99.9%".
func FormatObjective(o float64) string {
	return strconv.FormatFloat(math.Round(o*1e6)/1e4, 'f', -1, 64) + "%"
}
