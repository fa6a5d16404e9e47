package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Header is the top of the dashboard: counts by status, overall uptime, a
// clock, the config in use, and a warning line when something about
// upbeat itself is wrong.
type Header struct {
	sty      *Styles
	w        int
	counts   [6]int
	total    int
	uptime   monitor.Uptime
	info     source.Info
	warnings []string
	now      time.Time
}

// NewHeader returns an empty header.
func NewHeader(sty *Styles) *Header { return &Header{sty: sty} }

// SetSize sets the width; the height follows from the content (see Height).
func (h *Header) SetSize(w, _ int) { h.w = w }

// SetData gives the header what it shows. warnings are the current
// problems with upbeat itself, oldest first.
func (h *Header) SetData(states []monitor.State, info source.Info, warnings []string, now time.Time) {
	h.counts = [6]int{}
	var sum float64
	var n int
	for i := range states {
		st := &states[i]
		if int(st.Status) < len(h.counts) {
			h.counts[st.Status]++
		}
		if st.Uptime24.Valid {
			sum += st.Uptime24.Ratio
			n++
		}
	}
	h.total = len(states)
	h.uptime = monitor.Uptime{}
	if n > 0 {
		h.uptime = monitor.Uptime{Ratio: sum / float64(n), Valid: true}
	}
	h.info = info
	h.warnings = warnings
	h.now = now
}

// SetNow moves the clock.
func (h *Header) SetNow(now time.Time) { h.now = now }

// Update does nothing: the header only shows what it is given.
func (h *Header) Update(tea.Msg) (*Header, tea.Cmd) { return h, nil }

// Height is the number of lines View returns.
func (h *Header) Height() int {
	if len(h.warnings) > 0 {
		return 3
	}
	return 2
}

// Counts returns the number of monitors by status (pending is its own
// count: a monitor that has not been checked yet is not up).
func (h *Header) Counts() [6]int { return h.counts }

// View renders the header lines.
func (h *Header) View() string {
	if h.w <= 0 {
		return strings.Repeat("\n", h.Height()-1)
	}
	s := h.sty
	// Line 1: name, counts (worst first), uptime and clock on the right.
	var parts []string
	order := []monitor.Status{monitor.StatusDown, monitor.StatusDegraded, monitor.StatusUp,
		monitor.StatusPending, monitor.StatusMaintenance, monitor.StatusPaused}
	for _, st := range order {
		c := h.counts[st]
		if c == 0 && st != monitor.StatusDown && st != monitor.StatusUp && st != monitor.StatusDegraded {
			continue
		}
		txt := Glyph(st) + " " + strconv.Itoa(c) + " " + st.String()
		if c == 0 {
			parts = append(parts, s.Dim.Render(txt))
		} else {
			parts = append(parts, s.status(st).Render(txt))
		}
	}
	line1 := trunc(s.Title.Render("upbeat")+"  "+strings.Join(parts, "  "), h.w)

	// Line 2: where the data comes from; uptime and the clock on the right.
	line2 := h.sourceLine()
	if len(h.warnings) == 0 {
		return line1 + "\n" + line2
	}
	w := "! " + warningText(h.warnings[len(h.warnings)-1])
	if len(h.warnings) > 1 {
		w += fmt.Sprintf(" (+%d more)", len(h.warnings)-1)
	}
	return line1 + "\n" + line2 + "\n" + s.Warn.Render(trunc(w, h.w))
}

// sourceLine is the header's second line: where the data comes from
// (config or demo, location, number of monitors) on the left, the 24h
// uptime and the clock on the right. When it does not fit, whole parts go,
// least useful first: the number of monitors (line 1 counts them), the
// clock, the config (shortened first), the uptime; the location stays, and
// with several its labels go whole from the end ("location eu-west +2").
func (h *Header) sourceLine() string {
	s := h.sty
	sep := s.Dim.Render(" · ")
	var cfgs []string // the config part, longest form first
	if h.info.Demo {
		cfgs = []string{
			s.Warn.Render("demo") + s.Dim.Render(": simulated targets on loopback · ") + s.Key.Render("upbeat init") + s.Dim.Render(" writes a config"),
			s.Warn.Render("demo") + s.Dim.Render(": simulated targets on loopback"),
			s.Warn.Render("demo"),
		}
	} else if h.info.Config != "" {
		cfgs = []string{s.Dim.Render("config " + clean(h.info.Config))}
	}
	var labels []string
	for _, l := range strings.Split(h.info.Location, ",") {
		if l = strings.TrimSpace(clean(l)); l != "" {
			labels = append(labels, l)
		}
	}
	count := s.Dim.Render(fmt.Sprintf("%d monitors", h.total))
	var uptime, clock string
	if h.uptime.Valid {
		uptime = s.Dim.Render("uptime 24h ") + s.Bold.Render(fmtRatio(h.uptime.Ratio))
	}
	if !h.now.IsZero() {
		clock = h.now.Format("15:04:05")
	}
	location := func(n int) string { // the first n labels
		if len(labels) == 0 {
			return ""
		}
		txt := "location " + strings.Join(labels[:n], ", ")
		if n < len(labels) {
			txt += " +" + strconv.Itoa(len(labels)-n)
		}
		return s.Dim.Render(txt)
	}
	layout := func(cfg, loc, count, uptime, clock string) string {
		var left, right []string
		for _, p := range []string{cfg, loc, count} {
			if p != "" {
				left = append(left, p)
			}
		}
		for _, p := range []string{uptime, clock} {
			if p != "" {
				right = append(right, p)
			}
		}
		l, r := strings.Join(left, sep), strings.Join(right, "  ")
		if r == "" {
			return l
		}
		if l == "" {
			return spaces(h.w-width(r)) + r
		}
		return l + spaces(max(2, h.w-width(l)-width(r))) + r
	}
	fits := func(line string) bool { return width(line) <= h.w }
	cfg := ""
	if len(cfgs) > 0 {
		cfg = cfgs[0]
	}
	loc := location(len(labels))
	if line := layout(cfg, loc, count, uptime, clock); fits(line) {
		return line
	}
	if line := layout(cfg, loc, "", uptime, clock); fits(line) {
		return line
	}
	if line := layout(cfg, loc, "", uptime, ""); fits(line) {
		return line
	}
	// the config, shorter: the demo's shorter forms, or the path cut to the room left
	if len(cfgs) > 0 {
		for _, c := range cfgs[1:] {
			if line := layout(c, loc, "", uptime, ""); fits(line) {
				return line
			}
		}
		if !h.info.Demo {
			room := h.w
			if loc != "" {
				room -= width(sep) + width(loc)
			}
			if uptime != "" {
				room -= 2 + width(uptime)
			}
			if room >= 20 {
				if line := layout(trunc(cfgs[0], room), loc, "", uptime, ""); fits(line) {
					return line
				}
			}
		}
		if h.info.Demo {
			cfg = cfgs[len(cfgs)-1] // "demo" stays: the data is not real
		} else {
			cfg = ""
		}
	}
	if line := layout(cfg, loc, "", uptime, ""); fits(line) {
		return line
	}
	for n := len(labels); n >= 1; n-- {
		if line := layout(cfg, location(n), "", "", ""); fits(line) {
			return line
		}
	}
	return trunc(layout(cfg, location(min(1, len(labels))), "", "", ""), h.w)
}
