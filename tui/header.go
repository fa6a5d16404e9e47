package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
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
	states   []monitor.State // for the war room banner
	home     string          // written ~ at the start of the paths named
}

// NewHeader returns an empty header.
func NewHeader(sty *Styles) *Header { return &Header{sty: sty} }

// SetHome sets the home directory, which the paths the header names start
// with "~" in place of (as shells write them); "" names them whole.
func (h *Header) SetHome(dir string) { h.home = dir }

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
	h.states = states
}

// SetNow moves the clock.
func (h *Header) SetNow(now time.Time) { h.now = now }

// Update does nothing: the header only shows what it is given.
func (h *Header) Update(tea.Msg) (*Header, tea.Cmd) { return h, nil }

// Height is the number of lines View returns: two, a line about the
// daemons of a fleet, and one of warnings.
func (h *Header) Height() int {
	n := 2
	if len(h.info.Daemons) > 1 {
		n++
	}
	if len(h.warnings) > 0 {
		n++
	}
	if len(activeWarRooms(h.states, h.now)) > 0 {
		n++
	}
	return n
}

// Stale reports whether the figures shown are the last ones seen, not
// live ones: the connection to the daemon is lost (or was never made),
// or to every daemon of a fleet.
func (h *Header) Stale() bool {
	if lastConnectionWarning(h.warnings) < 0 {
		return false
	}
	for _, d := range h.info.Daemons {
		if d.Reachable {
			return false
		}
	}
	return true
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
	title := s.Title.Render("upbeat") + "  "
	if h.Stale() {
		title += s.Warn.Render("stale:") + " "
	}
	line1 := trunc(title+strings.Join(parts, "  "), h.w)

	// Line 2: where the data comes from; uptime and the clock on the right.
	out := line1 + "\n" + h.sourceLine()
	if len(h.info.Daemons) > 1 {
		out += "\n" + h.daemonsLine()
	}
	if ws := activeWarRooms(h.states, h.now); len(ws) > 0 {
		out += "\n" + warRoomBanner(s, ws, h.now, h.w)
	}
	if len(h.warnings) == 0 {
		return out
	}
	return out + "\n" + s.Warn.Render(h.warningLine())
}

// warningLine is the warning that matters most and how many more there
// are, in the width. A lost connection to a daemon outranks every other
// warning (while it lasts, the figures on screen are stale); otherwise the
// newest one shows. The count of the others is never cut off: the text is
// cut before it, and a daemon's address the text names is cut as the
// source line cuts one (from the left, at a directory), so that
// "retrying" and the reason stay in sight.
func (h *Header) warningLine() string {
	shown := h.warnings[len(h.warnings)-1]
	if i := lastConnectionWarning(h.warnings); i >= 0 {
		shown = h.warnings[i]
	}
	more := ""
	if len(h.warnings) > 1 {
		more = fmt.Sprintf(" (+%d more)", len(h.warnings)-1)
	}
	w := "! " + warningText(shown) + more
	if width(w) <= h.w {
		return w
	}
	if before, addr, after, ok := monitor.ConnectionAddr(clean(shown)); ok {
		room := h.w - width("! "+before+after+more)
		if short := cutPath(tilde(addr, h.home), room, false); short != "" {
			return "! " + before + short + after + more
		}
	}
	if line, ok := h.deliveryWarning(clean(shown), more); ok {
		return line
	}
	if room := h.w - width(more); more != "" && room >= width("! x…") {
		return trunc("! "+warningText(shown), room) + more
	}
	return trunc(w, h.w)
}

// deliveryWarning fits an alert channel's warning ("alert "hook" failing:
// dial tcp 127.0.0.1:9: connect: connection refused; retrying "api is
// DOWN", not delivered yet") in the width by keeping its cause in sight:
// what follows the cause goes first, then the cause loses its start,
// where an error carries least. false for another warning, or too narrow
// a header.
func (h *Header) deliveryWarning(text, more string) (string, bool) {
	// over several daemons, the daemon's name comes first: "eu-west: alert …"
	at := strings.Index(text, `alert "`)
	if at < 0 || at > 0 && (!strings.HasSuffix(text[:at], ": ") || strings.ContainsAny(text[:at-2], `": `)) {
		return "", false
	}
	label := text[:at]
	head, cause, ok := strings.Cut(text[at:], ": ")
	if !ok {
		return "", false
	}
	head = label + head
	// what follows the cause is a quoted subject: "; retrying \"…" or "; \"…"
	if i := strings.Index(cause, `; retrying "`); i >= 0 {
		cause = cause[:i]
	} else if i := strings.Index(cause, `; "`); i >= 0 {
		cause = cause[:i]
	}
	room := h.w - width("! "+head+": "+more)
	if room < 12 {
		return "", false
	}
	if width(cause) > room {
		cause = "…" + ansi.TruncateLeft(cause, width(cause)-(room-1), "")
	}
	return "! " + head + ": " + cause + more, true
}

// lastConnectionWarning is the index of the newest warning about the
// connection to a daemon (lost, or never made), or -1.
func lastConnectionWarning(ws []string) int {
	for i := len(ws) - 1; i >= 0; i-- {
		if _, _, _, ok := monitor.ConnectionAddr(clean(ws[i])); ok {
			return i
		}
	}
	return -1
}

// daemonsLine says, for a dashboard over several daemons (a fleet), how
// many answer, in how many locations and shards, and which do not:
// "daemons 7/8 reachable · 2 locations · 4 shards · not reachable:
// https://us-2:9477 (connection refused)".
func (h *Header) daemonsLine() string {
	s := h.sty
	ds := h.info.Daemons
	up := 0
	var locs, shards, gone []string
	for _, d := range ds {
		if d.Reachable {
			up++
		} else {
			why := clean(d.Error)
			if why == "" {
				why = "not reachable"
			}
			gone = append(gone, clean(d.Addr)+" ("+why+")")
		}
		if d.Location != "" && !slices.Contains(locs, d.Location) {
			locs = append(locs, d.Location)
		}
		if d.Shard != "" && !slices.Contains(shards, d.Shard) {
			shards = append(shards, d.Shard)
		}
	}
	head := fmt.Sprintf("daemons %d/%d reachable", up, len(ds))
	parts := []string{}
	if len(locs) > 1 {
		parts = append(parts, fmt.Sprintf("%d locations", len(locs)))
	}
	if len(shards) > 0 {
		parts = append(parts, fmt.Sprintf("%d shards", len(shards)))
	}
	line := s.Dim.Render(head)
	if len(gone) > 0 {
		line = s.Warn.Render(head)
	}
	for _, p := range parts {
		line += s.Dim.Render(" · " + p)
	}
	if len(gone) > 0 {
		line += s.Warn.Render(" · not reachable: " + strings.Join(gone, ", "))
	}
	return trunc(line, h.w)
}

// sourceLine is the header's second line: where the data comes from
// (config or demo, or the daemon attached to; location; number of
// monitors) on the left, the 24h uptime and the clock on the right. When it
// does not fit, whole parts go, least useful first: the number of monitors
// (line 1 counts them), the clock, then the config and daemon are named
// shorter (see nameSource), the uptime rather than the last directory of a
// path, the rest of the config; the location stays, and with several its
// labels go whole from the end ("location eu-west +2").
func (h *Header) sourceLine() string {
	p := h.sourceParts()
	loc := p.location(len(p.labels))
	tries := []sourceItems{
		{p.config(), loc, p.count, p.uptime, p.clock},
		{p.config(), loc, "", p.uptime, p.clock},
		{p.config(), loc, "", p.uptime, ""},
	}
	for _, c := range p.shorterConfigs() {
		tries = append(tries, sourceItems{c, loc, "", p.uptime, ""})
	}
	// a path cut from the left to the room there is: first keeping its
	// last directory, with the uptime or without; then its name alone
	room := p.w
	if loc != "" {
		room -= width(p.sep) + width(loc)
	}
	withUptime := room
	if p.uptime != "" {
		withUptime -= 2 + width(p.uptime)
	}
	if c := p.cutConfig(withUptime, true); c != "" {
		tries = append(tries, sourceItems{c, loc, "", p.uptime, ""})
	}
	if c := p.cutConfig(room, true); c != "" {
		tries = append(tries, sourceItems{c, loc, "", "", ""})
	}
	if c := p.cutConfig(withUptime, false); c != "" {
		tries = append(tries, sourceItems{c, loc, "", p.uptime, ""})
	}
	cfg := p.leastConfig()
	tries = append(tries, sourceItems{cfg, loc, "", p.uptime, ""})
	for n := len(p.labels); n >= 1; n-- {
		tries = append(tries, sourceItems{cfg, p.location(n), "", "", ""})
	}
	for _, t := range tries {
		if line := p.layout(t); width(line) <= h.w {
			return line
		}
	}
	return trunc(p.layout(sourceItems{cfg, p.location(min(1, len(p.labels))), "", "", ""}), h.w)
}

// demoPast is what the header says of the demo's history: the demo
// writes a week of simulated results before its live story starts.
const demoPast = "7 days of simulated history"

// sourceParts are the parts the source line is made of, styled.
type sourceParts struct {
	w      int
	demo   bool
	sep    string
	cfgs   []string   // the config part, longest form first
	name   sourceName // what cfgs name (not the demo)
	labels []string   // the locations
	count  string
	uptime string
	clock  string
	sty    *Styles
}

// sourceItems are the parts on one try at the source line, left to right:
// config, location, count, uptime and clock ("" for a part left out).
type sourceItems [5]string

func (h *Header) sourceParts() *sourceParts {
	s := h.sty
	p := &sourceParts{w: h.w, demo: h.info.Demo, sep: s.Dim.Render(" · "), sty: s}
	if h.info.Demo {
		// the demo starts with a simulated past (demo.PastSpan) before its
		// live story: neither is real, and the header says so
		past := s.Warn.Render("demo") + s.Dim.Render(": "+demoPast)
		p.cfgs = []string{
			past + s.Dim.Render(", then live targets on loopback · ") + s.Key.Render("upbeat init") + s.Dim.Render(" writes a config"),
			past + s.Dim.Render(", then live targets on loopback"),
			past,
			s.Warn.Render("demo"),
		}
	} else {
		p.name = nameSource(h.info, h.home)
		for _, f := range p.name.forms {
			p.cfgs = append(p.cfgs, s.Dim.Render(f))
		}
	}
	for _, l := range strings.Split(h.info.Location, ",") {
		if l = strings.TrimSpace(clean(l)); l != "" {
			p.labels = append(p.labels, l)
		}
	}
	p.count = s.Dim.Render(humanize.Count(h.total, "monitor", "monitors"))
	if h.info.Shard != "" {
		p.count = s.Dim.Render(fmt.Sprintf("shard %s: %s", clean(h.info.Shard), humanize.Count(h.total, "monitor", "monitors")))
	}
	if h.uptime.Valid {
		p.uptime = s.Dim.Render("uptime 24h ") + s.Bold.Render(fmtRatio(h.uptime.Ratio))
	}
	if !h.now.IsZero() {
		p.clock = h.now.Format("15:04:05")
	}
	return p
}

// config is the config part in full.
func (p *sourceParts) config() string {
	if len(p.cfgs) == 0 {
		return ""
	}
	return p.cfgs[0]
}

// shorterConfigs are the config part's shorter forms, longest first.
func (p *sourceParts) shorterConfigs() []string {
	if len(p.cfgs) == 0 {
		return nil
	}
	return slices.Clone(p.cfgs[1:])
}

// cutConfig is the config part with its path cut from the left to fit in
// room cells, keeping at least its last directory when keepDir is set; ""
// when it does not fit, or for the demo.
func (p *sourceParts) cutConfig(room int, keepDir bool) string {
	if c := p.name.cut(room, keepDir); c != "" {
		return p.sty.Dim.Render(c)
	}
	return ""
}

// leastConfig is what stays of the config part when nothing shorter fits:
// "demo", since the data is not real; nothing for a config.
func (p *sourceParts) leastConfig() string {
	if p.demo && len(p.cfgs) > 0 {
		return p.cfgs[len(p.cfgs)-1]
	}
	return ""
}

// location names the first n locations.
func (p *sourceParts) location(n int) string {
	if len(p.labels) == 0 {
		return ""
	}
	txt := "location " + strings.Join(p.labels[:n], ", ")
	if n < len(p.labels) {
		txt += " +" + strconv.Itoa(len(p.labels)-n)
	}
	return p.sty.Dim.Render(txt)
}

// layout puts the parts on one line: the first three on the left, the
// others on the right.
func (p *sourceParts) layout(it sourceItems) string {
	var left, right []string
	for _, s := range it[:3] {
		if s != "" {
			left = append(left, s)
		}
	}
	for _, s := range it[3:] {
		if s != "" {
			right = append(right, s)
		}
	}
	l, r := strings.Join(left, p.sep), strings.Join(right, "  ")
	if r == "" {
		return l
	}
	if l == "" {
		return spaces(p.w-width(r)) + r
	}
	return l + spaces(max(2, p.w-width(l)-width(r))) + r
}
