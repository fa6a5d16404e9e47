package tui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Styles holds every style the dashboard draws with. All of them come
// from one renderer, so that a dashboard served to an SSH session renders
// with that session's colour profile, not the server's.
//
// Colours are the 16 basic ANSI ones only (no adaptive colours, so nothing
// asks the terminal for its background), and nothing depends on colour to
// be understood: every status also has a glyph and a word.
type Styles struct {
	R       *lipgloss.Renderer
	NoColor bool

	Status   [6]lipgloss.Style // indexed by monitor.Status
	Plain    lipgloss.Style
	Bold     lipgloss.Style
	Dim      lipgloss.Style
	Title    lipgloss.Style // the product name in the header
	Rule     lipgloss.Style // section rules and their titles
	ColHead  lipgloss.Style // table column headings
	Selected lipgloss.Style // the selected table row
	Group    lipgloss.Style // tag group headings
	Warn     lipgloss.Style // warnings about upbeat itself, slow phases
	Bad      lipgloss.Style // errors, failed deliveries, expired certificates
	Good     lipgloss.Style // successful deliveries
	Key      lipgloss.Style // key names in help and the footer
	Heat     [5]lipgloss.Style
}

// Status glyphs and words. The glyphs are narrow in every common terminal
// font (no emoji), and each status has its own so that a monochrome
// screenshot still tells them apart.
var (
	statusGlyphs = [...]string{"○", "●", "▲", "✕", "◆", "‖"}
	statusShort  = [...]string{"pending", "up", "degraded", "down", "maint", "paused"}
)

// Glyph returns the one-cell symbol of a status.
func Glyph(s monitor.Status) string {
	if int(s) < len(statusGlyphs) {
		return statusGlyphs[s]
	}
	return "?"
}

// shortWord is the status word used where room is short ("maint").
func shortWord(s monitor.Status) string {
	if int(s) < len(statusShort) {
		return statusShort[s]
	}
	return s.String()
}

// NewStyles builds the styles from r. With noColor the renderer is set to
// the ASCII profile: no colour and no attributes at all, only text.
func NewStyles(r *lipgloss.Renderer, noColor bool) *Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	// Say it outright so that nothing ever asks the terminal (over SSH the
	// question can go unanswered and stall start-up).
	r.SetHasDarkBackground(true)
	if noColor {
		r.SetColorProfile(termenv.Ascii)
	}
	n := r.NewStyle
	c := func(s string) lipgloss.Color { return lipgloss.Color(s) }
	s := &Styles{R: r, NoColor: noColor}
	s.Status[monitor.StatusPending] = n().Faint(true)
	s.Status[monitor.StatusUp] = n().Foreground(c("2"))
	s.Status[monitor.StatusDegraded] = n().Foreground(c("3")).Bold(true)
	s.Status[monitor.StatusDown] = n().Foreground(c("1")).Bold(true)
	s.Status[monitor.StatusMaintenance] = n().Foreground(c("6"))
	s.Status[monitor.StatusPaused] = n().Faint(true)
	s.Plain = n()
	s.Bold = n().Bold(true)
	s.Dim = n().Faint(true)
	s.Title = n().Bold(true).Foreground(c("6"))
	s.Rule = n().Foreground(c("4"))
	s.ColHead = n().Bold(true).Faint(true)
	s.Selected = n().Reverse(true)
	s.Group = n().Bold(true).Foreground(c("4"))
	s.Warn = n().Foreground(c("3")).Bold(true)
	s.Bad = n().Foreground(c("1"))
	s.Good = n().Foreground(c("2"))
	s.Key = n().Bold(true)
	s.Heat = [5]lipgloss.Style{
		n().Faint(true),
		n().Foreground(c("3")),
		n().Foreground(c("3")).Bold(true),
		n().Foreground(c("1")),
		n().Foreground(c("1")).Bold(true),
	}
	return s
}

// status returns the style of a status.
func (s *Styles) status(st monitor.Status) lipgloss.Style {
	if int(st) < len(s.Status) {
		return s.Status[st]
	}
	return s.Plain
}
