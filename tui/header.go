package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/upbeat-monitor/upbeat/engine"
)

// Header is the top of the dashboard: counts by status, overall uptime, a
// clock, the config in use, and a warning line when something about
// upbeat itself is wrong.
type Header struct {
	sty      *Styles
	w        int
	counts   [6]int
	total    int
	uptime   engine.Uptime
	info     SourceInfo
	warnings []string
	now      time.Time
}

// NewHeader returns an empty header.
func NewHeader(sty *Styles) *Header { return &Header{sty: sty} }

// SetSize sets the width; the height follows from the content (see Height).
func (h *Header) SetSize(w, _ int) { h.w = w }

// SetData gives the header what it shows. warnings are the current
// problems with upbeat itself, oldest first.
func (h *Header) SetData(states []engine.MonitorState, info SourceInfo, warnings []string, now time.Time) {
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
	h.uptime = engine.Uptime{}
	if n > 0 {
		h.uptime = engine.Uptime{Ratio: sum / float64(n), Valid: true}
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
	order := []engine.Status{engine.StatusDown, engine.StatusDegraded, engine.StatusUp,
		engine.StatusPending, engine.StatusMaintenance, engine.StatusPaused}
	for _, st := range order {
		c := h.counts[st]
		if c == 0 && st != engine.StatusDown && st != engine.StatusUp && st != engine.StatusDegraded {
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
	var src []string
	if h.info.Demo {
		src = append(src, s.Warn.Render("demo")+s.Dim.Render(": simulated targets on loopback · ")+s.Key.Render("upbeat init")+s.Dim.Render(" writes a config"))
	} else if h.info.Config != "" {
		src = append(src, s.Dim.Render("config "+clean(h.info.Config)))
	}
	if h.info.Location != "" {
		src = append(src, s.Dim.Render("location "+clean(h.info.Location)))
	}
	src = append(src, s.Dim.Render(fmt.Sprintf("%d monitors", h.total)))
	var right []string
	if h.uptime.Valid {
		right = append(right, s.Dim.Render("uptime 24h ")+s.Bold.Render(fmtRatio(h.uptime.Ratio)))
	}
	if !h.now.IsZero() {
		right = append(right, h.now.Format("15:04:05"))
	}
	line2 := joinLR(strings.Join(src, s.Dim.Render(" · ")), right, h.w)
	if len(h.warnings) == 0 {
		return line1 + "\n" + line2
	}
	w := "! " + clean(h.warnings[len(h.warnings)-1])
	if len(h.warnings) > 1 {
		w += fmt.Sprintf(" (+%d more)", len(h.warnings)-1)
	}
	return line1 + "\n" + line2 + "\n" + s.Warn.Render(trunc(w, h.w))
}

// joinLR puts left at the left and the parts of right at the right edge,
// dropping right-hand parts (last first) and then cutting left to fit.
func joinLR(left string, right []string, w int) string {
	for len(right) > 0 {
		r := strings.Join(right, "  ")
		if width(left)+2+width(r) <= w {
			return left + spaces(w-width(left)-width(r)) + r
		}
		right = right[:len(right)-1]
	}
	return trunc(left, w)
}
