package alert

import (
	"fmt"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Burn-rate alerts follow the multiwindow, multi-burn-rate method of
// Google's SRE workbook: an objective's error budget burning 14.4 times
// faster than it may (2% of a 30-day budget in an hour) over both the
// last hour and the last 5 minutes pages; 6 times over both 6 hours and
// 30 minutes (5% in 6 hours) warns. The long window keeps a blip from
// alerting; the short one keeps a burn that has already stopped from
// raising one. An alert ends (burn_over) once its long window falls
// under the rate. They go to the alerts whose on names "burn", and
// nowhere else.

// Burn severities (monitor.BurnRules).
const (
	BurnPage = "page"
	BurnWarn = "warn"
)

// Burn is what a burn-rate message says: the rule that holds (none once
// it is over) and the figures behind it.
type Burn struct {
	Severity    string        // BurnPage, BurnWarn; "" when the burning is over
	Objective   float64       // 0.999
	Window      time.Duration // the objective's window
	Long, Short time.Duration // the rule's windows (of the rule that held, for the end)
	LongRate    float64       // burn rate over Long
	ShortRate   float64       // burn rate over Short
	Threshold   float64       // the rule's rate
	BudgetLeft  float64       // share of the error budget left (negative when overspent)
}

// burnLevel is the rule that holds for slo, or nil.
func burnLevel(slo *monitor.SLO) *monitor.BurnRule {
	for i := range monitor.BurnRules {
		if r := &monitor.BurnRules[i]; r.Holds(slo) {
			return r
		}
	}
	return nil
}

// burnFacts describes slo under rule r (the one that held, for the end).
func burnFacts(slo *monitor.SLO, r *monitor.BurnRule, severity string) *Burn {
	long, _ := slo.BurnRate(r.Long)
	short, _ := slo.BurnRate(r.Short)
	return &Burn{Severity: severity, Objective: slo.Objective, Window: slo.Window, Long: r.Long, Short: r.Short,
		LongRate: long, ShortRate: short, Threshold: r.Rate, BudgetLeft: slo.BudgetLeft()}
}

// burnState is where one monitor stands with burn-rate alerts.
type burnState struct {
	rule *monitor.BurnRule // the rule that holds now; nil: none
}

// observeSLO takes a monitor's figures after a result. A rule that
// starts to hold over both its windows, or a more severe one than before,
// sends a burn message. The alert then holds while its long window stays
// at the rule's rate (a short window dipping between two failures does
// not end it, so a steady burn is one message, not one an hour); once it
// falls under, a milder rule that holds takes over quietly, or, with
// none, the end is sent. Called with the serial lock held.
func (p *policy) observeSLO(e *entry, slo monitor.SLO, at time.Time) {
	r := burnLevel(&slo)
	prev := e.burn.rule
	switch {
	case r != nil && (prev == nil || r.Rate > prev.Rate):
		it := itemFrom(EventBurn, e.m, e.name, nil)
		it.Burn = burnFacts(&slo, r, r.Severity)
		it.Since = at
		e.burn.rule = r
		p.burst.add(it, p.post.routes(e.m))
	case prev == nil:
	case holds(&slo, prev):
	case r != nil:
		e.burn.rule = r
	default:
		it := itemFrom(EventBurnOver, e.m, e.name, nil)
		it.Burn = burnFacts(&slo, prev, "")
		it.Since = at
		e.burn.rule = nil
		p.burst.add(it, p.post.routes(e.m))
	}
}

// holds reports whether an alert raised by r still holds: its long window
// is still at r's rate.
func holds(slo *monitor.SLO, r *monitor.BurnRule) bool {
	long, _ := slo.BurnRate(r.Long)
	return long >= r.Rate
}

// ObserveSLO implements engine.SLOObserver: burn-rate alerts.
func (d *Dispatcher) ObserveSLO(name string, slo monitor.SLO, at time.Time) {
	if !d.gate.enter() {
		return
	}
	defer d.gate.unlock()
	d.policy.observeSLO(d.policy.entry(name), slo, at)
}

// burnTitle is a burn message's title.
func burnTitle(it Item) string {
	b := it.Burn
	obj := monitor.FormatObjective(b.Objective)
	if b.Severity == "" {
		return fmt.Sprintf("%s no longer burns its error budget too fast (SLO %s)", it.Monitor, obj)
	}
	how := "fast"
	if b.Severity == BurnWarn {
		how = "steadily"
	}
	return fmt.Sprintf("%s is burning its error budget %s: %s over %s, %s over %s (SLO %s)", it.Monitor, how,
		rateText(b.LongRate), human(b.Long), rateText(b.ShortRate), human(b.Short), obj)
}

// burnText is a burn message's text.
func burnText(sb *strings.Builder, it Item) {
	b := it.Burn
	budget := time.Duration((1 - b.Objective) * float64(b.Window))
	left := fmt.Sprintf("%.0f%%", 100*b.BudgetLeft)
	if b.BudgetLeft < 0 {
		left = "none (overspent)"
	}
	if b.Severity == "" {
		fmt.Fprintf(sb, "%s's failures have slowed down: its error budget burns at %s over the last %s, under the %s that raised the alert.\n",
			it.Monitor, rateText(b.LongRate), human(b.Long), rateText(b.Threshold))
		fmt.Fprintf(sb, "Error budget left over %s: %s.\n", human(b.Window), left)
		return
	}
	fmt.Fprintf(sb, "%s's objective is %s of checks good over %s: an error budget of %s of downtime. ",
		it.Monitor, monitor.FormatObjective(b.Objective), human(b.Window), human(budget))
	fmt.Fprintf(sb, "Over the last %s it failed %s as often as the budget allows (%s over the last %s); ",
		human(b.Long), rateText(b.LongRate), rateText(b.ShortRate), human(b.Short))
	if b.LongRate > 0 && b.BudgetLeft > 0 {
		fmt.Fprintf(sb, "at that rate what is left lasts %s.\n", human(time.Duration(b.BudgetLeft*float64(b.Window)/b.LongRate)))
	} else {
		sb.WriteString("the budget is spent.\n")
	}
	fmt.Fprintf(sb, "Error budget left: %s. This alert holds while the rate over the last %s stays at %s or more.\n",
		left, human(b.Long), rateText(b.Threshold))
	if it.URL != "" {
		fmt.Fprintf(sb, "URL: %s\n", it.URL)
	}
}

// rateText writes a burn rate: "14.4×".
func rateText(r float64) string { return fmt.Sprintf("%.1f×", r) }
