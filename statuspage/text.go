package statuspage

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// textDays is how many days of the bar the text shows: one character
// each, so that a line fits 80 columns.
const textDays = 30

// dayGlyphs draw a day by its level: the taller, the better, so that the
// strip reads without colour.
var dayGlyphs = map[string]string{"n": "·", "u": "█", "m": "▆", "p": "▃", "d": "▁"}

// ANSI colours (SGR) of statuses and day levels, used only when asked.
var (
	statusSGR = [...]string{"90", "32", "33", "31", "34", "90"}
	levelSGR  = map[string]string{"n": "90", "u": "32", "m": "33", "p": "33", "d": "31"}
)

// WriteText renders the page as plain text for a terminal: 80 columns,
// with ANSI colours when color is set.
func (p *Page) WriteText(w io.Writer, color bool) error {
	var b strings.Builder
	paint := func(sgr, s string) string {
		if !color || sgr == "" {
			return s
		}
		return "\x1b[" + sgr + "m" + s + "\x1b[0m"
	}
	status := func(s monitor.Status, text string) string {
		sgr := ""
		if int(s) < len(statusSGR) {
			sgr = statusSGR[s]
		}
		return paint(sgr, text)
	}
	b.WriteString(paint("1", plain(p.Title)) + "\n")
	if p.Description != "" {
		b.WriteString(plain(p.Description) + "\n")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "%s  %s\n", status(p.Overall.Status, Glyph(p.Overall.Status)+" "+p.Overall.Text),
		"updated "+p.Generated.Format("2 Jan 2006 15:04 UTC"))

	if len(p.Incidents) > 0 {
		b.WriteString("\nOpen incidents\n")
		for _, in := range p.Incidents {
			fmt.Fprintf(&b, "  %s is %s since %s", status(in.Status, Glyph(in.Status)+" "+in.Monitor), in.Status,
				in.Start.UTC().Format("2 Jan 15:04 UTC"))
			if !in.Start.IsZero() && in.Start.Before(p.Generated) {
				fmt.Fprintf(&b, " (%s)", Duration(p.Generated.Sub(in.Start)))
			}
			b.WriteString("\n")
			for _, n := range in.Notes {
				author := ""
				if n.Author != "" {
					author = " " + plain(n.Author)
				}
				fmt.Fprintf(&b, "      %s%s: %s\n", n.Time.UTC().Format("15:04"), author, plain(n.Text))
			}
		}
	}
	if len(p.Maintenance) > 0 {
		b.WriteString("\nMaintenance\n")
		for _, m := range p.Maintenance {
			when := m.Start.UTC().Format("2 Jan 15:04") + " to " + m.End.UTC().Format("2 Jan 15:04 UTC")
			if m.Active {
				when = "now, until " + m.End.UTC().Format("2 Jan 15:04 UTC")
			}
			fmt.Fprintf(&b, "  %s  %s  (%s)\n", status(monitor.StatusMaintenance, Glyph(monitor.StatusMaintenance)+" "+m.Name),
				when, strings.Join(m.Monitors, ", "))
		}
	}

	nameW := 4
	for _, s := range p.Sections {
		for _, r := range s.Rows {
			nameW = max(nameW, ansi.StringWidth(r.Name))
		}
	}
	nameW = min(nameW, 24)
	for _, s := range p.Sections {
		b.WriteString("\n")
		if s.Name != "" {
			b.WriteString(paint("1", plain(s.Name)) + "\n")
		}
		for _, r := range s.Rows {
			word := Glyph(r.Status) + " " + r.Status.String()
			fmt.Fprintf(&b, "  %s %s  %7s %8s  ", status(r.Status, pad(word, 13)), pad(ansi.Truncate(r.Name, nameW, "…"), nameW),
				pctText(r.Days.Uptime), Latency(r.Latency))
			days := r.Days.Days[max(len(r.Days.Days)-textDays, 0):]
			for i := range days {
				lvl := days[i].Level()
				b.WriteString(paint(levelSGR[lvl], dayGlyphs[lvl]))
			}
			b.WriteString("\n")
			if extra := r.extra(); extra != "" {
				fmt.Fprintf(&b, "  %13s %s\n", "", plain(extra))
			}
		}
	}
	fmt.Fprintf(&b, "\n  %13s %s  %7s %8s  %s\n", "", pad("", nameW), "90 days", "latency", "last 30 days")
	_, err := io.WriteString(w, b.String())
	return err
}

func pctText(u monitor.Uptime) string {
	if !u.Valid {
		return "–"
	}
	return Percent(u.Ratio)
}

// pad fills s with spaces to width cells.
func pad(s string, width int) string {
	if n := ansi.StringWidth(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// plain makes text from the config or a person safe for a terminal:
// control characters (escape sequences among them) become spaces.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200d' {
			return ' '
		}
		return r
	}, s)
}

// extra is what a private page says of a row besides its figures.
func (r *Row) extra() string {
	var parts []string
	for _, s := range []string{r.URL, r.Detail} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}
