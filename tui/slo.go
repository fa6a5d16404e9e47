package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// SetBehind names the monitors folded under the one shown: down behind it
// while it is down (depends_on).
func (d *Detail) SetBehind(names []string) {
	if !slices.Equal(names, d.behind) {
		d.behind = names
		d.drawn.clear()
	}
}

// behindLine says which monitors are down behind this one, or nil.
func (d *Detail) behindLine() []string {
	n := len(d.behind)
	if n == 0 {
		return nil
	}
	word := "monitors are"
	if n == 1 {
		word = "monitor is"
	}
	line := fmt.Sprintf("%d %s down behind it (depends_on), folded under it: %s", n, word, clean(strings.Join(d.behind, ", ")))
	return []string{d.sty.Bad.Render(trunc(line, d.w))}
}

// slo is the section on the monitor's objective: how much of the error
// budget is left, the checks behind it, and how fast it burns over each
// window against the thresholds that alert. Nil without an objective.
func (d *Detail) slo(w int) []string {
	s := d.st.SLO
	if !s.Set() {
		return nil
	}
	sty := d.sty
	title := fmt.Sprintf("Objective %s over %s", monitor.FormatObjective(s.Objective), fmtWindow(s.Window))
	out := []string{d.rule(title, w)}
	if s.Checks == 0 {
		return append(out, sty.Dim.Render("no check counted yet"))
	}
	left := s.BudgetLeft()
	budget, spent := s.BudgetTime()
	bar := budgetBar(left, 10)
	txt := fmt.Sprintf("%.0f%% left", 100*max(left, 0))
	if left < 0 {
		txt = fmt.Sprintf("spent, %.0f%% over", -100*left)
	}
	line := fmt.Sprintf("error budget  %s %s · %s of %s spent", bar, txt, fmtDurLong(spent), fmtDurLong(budget))
	switch {
	case left < 0:
		line = sty.Bad.Render(line)
	case left < 0.25:
		line = sty.Warn.Render(line)
	}
	out = append(out, line)
	good := 100 * float64(s.Checks-s.Failures) / float64(s.Checks)
	out = append(out, fmt.Sprintf("good checks   %s of %s (%s failed)", fmtPercent(good), fmtCount(s.Checks), fmtCount(s.Failures)))

	var rates []string
	for i, bw := range monitor.BurnWindows {
		r := fmt.Sprintf("%s %.1f×", monitor.BurnWindowName(bw), s.Burn[i])
		switch burnSeverity(s.Burn[i], bw) {
		case "page":
			r = sty.Bad.Render(r)
		case "warn":
			r = sty.Warn.Render(r)
		}
		rates = append(rates, r)
	}
	out = append(out, "burn rate     "+strings.Join(rates, "  "))
	var rules []string
	for _, r := range monitor.BurnRules {
		state := ""
		if r.Holds(&s) {
			state = " (now)"
		}
		rules = append(rules, fmt.Sprintf("%s at %.4g× over %s and %s%s", r.Severity, r.Rate,
			monitor.BurnWindowName(r.Long), monitor.BurnWindowName(r.Short), state))
	}
	out = append(out, sty.Dim.Render("alerts        "+strings.Join(rules, " · ")))
	return out
}

// burnSeverity is the severity of the burn rule that uses window w and
// whose rate the burn over w reaches; "" when none.
func burnSeverity(rate float64, w time.Duration) string {
	for _, r := range monitor.BurnRules {
		if (r.Long == w || r.Short == w) && rate >= r.Rate {
			return r.Severity
		}
	}
	return ""
}

// budgetBar draws the share of the budget left in n cells: full cells for
// what is left.
func budgetBar(left float64, n int) string {
	full := int(max(0, min(left, 1))*float64(n) + 0.5)
	return repeat("█", full) + repeat("░", n-full)
}

// fmtPercent writes a share of good checks with the precision it needs:
// 99.962%, 100%.
func fmtPercent(p float64) string {
	switch {
	case p >= 100:
		return "100%"
	case p >= 99:
		return fmt.Sprintf("%.3f%%", p)
	}
	return fmt.Sprintf("%.1f%%", p)
}

// fmtWindow writes an objective's window: "30 days", "36h".
func fmtWindow(w time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case w == day:
		return "1 day"
	case w%day == 0:
		return fmt.Sprintf("%d days", w/day)
	}
	return fmtDurLong(w)
}

// fmtCount writes a count with thousands separated: 86,400.
func fmtCount(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
