package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// clean passes text that may have come from a target through the
// engine's sanitizer once more, as cheap defence: it returns at once for
// clean strings.
func clean(s string) string { return engine.Sanitize(s, 0) }

// width is the number of terminal cells s takes (plain text or styled).
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// trunc cuts s (plain or styled) to at most w cells, ending in "…" when it
// was cut.
func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// cutMiddle cuts s to at most w cells by taking out its middle, for a
// name: monitors' names differ most at their ends (payments-gateway-eu-1,
// payments-gateway-eu-2), which a cut at the end would make look alike.
func cutMiddle(s string, w int) string {
	n := width(s)
	if n <= w {
		return s
	}
	if w < 8 {
		return trunc(s, w)
	}
	tail := (w - 1) / 3
	return ansi.Truncate(s, w-1-tail, "") + "…" + ansi.TruncateLeft(s, n-tail, "")
}

// fit cuts or pads plain text to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := width(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + spaces(w-n)
}

// fitRight is fit with the text aligned to the right.
func fitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := width(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return spaces(w-n) + s
}

// spaces returns n spaces; never panics on a negative n.
func spaces(n int) string { return repeat(" ", n) }

// repeat is strings.Repeat that treats a negative count as zero.
func repeat(s string, n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(s, n)
}

// fmtMS shows a latency in whole milliseconds for the phase breakdown
// ("340 ms"), with one decimal under 10 ms.
func fmtMS(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

// fmtDur is a compact duration with one unit: 12s, 4m, 3h, 3d.
func fmtDur(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// fmtDurLong is a duration with two units for incidents: 1h12m, 4m30s.
func fmtDurLong(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		m := int(d / time.Minute)
		s := int(d%time.Minute) / int(time.Second)
		if s == 0 {
			return fmt.Sprintf("%dm", m)
		}
		return fmt.Sprintf("%dm%02ds", m, s)
	case d < 48*time.Hour:
		h := int(d / time.Hour)
		m := int(d%time.Hour) / int(time.Minute)
		return fmt.Sprintf("%dh%02dm", h, m)
	}
	days := int(d / (24 * time.Hour))
	h := int(d%(24*time.Hour)) / int(time.Hour)
	return fmt.Sprintf("%dd%02dh", days, h)
}

// fmtUptime shows an uptime ratio; "—" when there is no result in the window.
func fmtUptime(u monitor.Uptime) string {
	if !u.Valid {
		return "—"
	}
	return fmtRatio(u.Ratio)
}

func fmtRatio(r float64) string {
	p := r * 100
	switch {
	case p >= 100:
		return "100%"
	case p >= 99.995:
		return "99.99%" // never round a failure up to 100%
	case p >= 99:
		return fmt.Sprintf("%.2f%%", p)
	case p < 0:
		return "0%"
	}
	return fmt.Sprintf("%.1f%%", p)
}

// codeLabel is what the CODE column shows for a result: the status code,
// else the failure class, else "—".
func codeLabel(r *monitor.Result) string {
	if r.Time.IsZero() {
		return "—"
	}
	if r.Code > 0 && r.Kind != monitor.KindDNS && r.Kind != monitor.KindGRPC { // a gRPC status number says less than its class
		return strconv.Itoa(r.Code)
	}
	if r.Class != "" {
		c := strings.TrimPrefix(clean(r.Class), "http_")
		switch r.Kind {
		case monitor.KindGRPC, monitor.KindWS, monitor.KindPostgres, monitor.KindMySQL, monitor.KindRedis, monitor.KindSMTP:
			// The kind is in its own column: postgres_auth_failed shows as auth_failed.
			c = strings.TrimPrefix(c, string(r.Kind)+"_")
		}
		return c
	}
	if r.Code > 0 {
		return strconv.Itoa(r.Code)
	}
	return "—"
}

// explain returns the knowledge-base entry for a result's code and class,
// never an empty one: an unknown code falls back to its family.
func explain(code int, class string) kb.Entry { return kb.ForResult(code, class) }

// explainLine is the one-line explanation shown beside an error:
// "502 Bad Gateway — the proxy got no valid answer from upstream".
func explainLine(code int, class string) string {
	e := explain(code, class)
	var head string
	switch {
	case code > 0 && e.Code == code:
		head = strconv.Itoa(code) + " " + e.Name
	case code > 0:
		head = e.Name + " (HTTP " + strconv.Itoa(code) + ")"
	default:
		head = e.Name
	}
	if e.Summary == "" {
		return clean(head)
	}
	return clean(head + " — " + e.Summary)
}
