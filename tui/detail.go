package tui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// History windows of the detail view.
const (
	detailWindow   = 24 * time.Hour      // latency chart, phases, timeline
	incidentWindow = 30 * 24 * time.Hour // incidents and errors by hour
)

// HistoryData is what the detail view learns from the history about one
// monitor: its results of the last 24h, its incidents and its failed checks
// by hour of day over 30 days. QueryHistory makes one.
type HistoryData struct {
	name      string
	from, to  time.Time
	results   []monitor.Result
	incidents []monitor.Incident
	byHour    [24]int
	err       error
}

// historyMsg carries a history answer back to the model.
type historyMsg struct{ data *HistoryData }

// QueryHistory asks q about a monitor's past as of now. Errors are kept in
// the result and shown by the detail view.
func QueryHistory(ctx context.Context, q source.Querier, name string, now time.Time) *HistoryData {
	h := &HistoryData{name: name, from: now.Add(-detailWindow), to: now}
	end := now.Add(time.Second)
	var e1, e2, e3 error
	h.results, e1 = q.Results(ctx, name, h.from, end)
	h.incidents, e2 = q.Incidents(ctx, name, now.Add(-incidentWindow), end)
	h.byHour, e3 = q.ErrorsByHour(ctx, name, now.Add(-incidentWindow), end)
	h.err = errors.Join(e1, e2, e3)
	return h
}

// loadHistory runs QueryHistory off the UI goroutine.
func loadHistory(ctx context.Context, q source.Querier, name string, now time.Time) tea.Cmd {
	return func() tea.Msg { return historyMsg{data: QueryHistory(ctx, q, name, now)} }
}

// Detail is the view of one monitor: latency over time with percentiles,
// the phases of the last check against their usual values, a status
// timeline, incidents, the alerts sent about it, errors by hour of day,
// certificate and domain dates and the knowledge-base entry for the
// current error.
type Detail struct {
	sty     *Styles
	keys    KeyMap
	w, h    int
	now     time.Time
	st      monitor.State
	related []monitor.State        // tls and domain monitors of the same host
	locs    []source.LocationState // how each location sees it, from a merged source
	hist    *HistoryData
	histOff bool                      // the source keeps no history
	offset  int                       // first line on screen, as last scrolled to (see shownOffset)
	sent    alertLog                  // alerts sent about each monitor (AddEvents)
	behind  []string                  // monitors down behind this one, folded under it (depends_on)
	live    map[string][]monitor.Note // notes that arrived as events, by monitor (AddNotes)

	// caches of what was drawn, not state: View shows the same whether
	// they are full or empty
	chart latencyChart
	drawn lineCache // every line of the content
}

// lineCache keeps rendered lines between frames. Whoever changes what they
// are drawn from empties it.
type lineCache struct{ lines []string }

func (c *lineCache) clear() { c.lines = nil }

// NewDetail returns an empty detail view.
func NewDetail(sty *Styles, keys KeyMap) *Detail {
	return &Detail{sty: sty, keys: keys}
}

// SetSize sets the view's size.
func (d *Detail) SetSize(w, h int) {
	d.w, d.h = max(w, 0), max(h, 0)
	d.drawn.clear()
}

// SetNow sets the time durations are measured to.
func (d *Detail) SetNow(now time.Time) {
	if !now.Equal(d.now) {
		d.now = now
		d.drawn.clear()
	}
}

// Open shows a monitor, starting at the top; histOff says the source keeps
// no history, so the view draws from the recent samples alone.
func (d *Detail) Open(st monitor.State, related []monitor.State, histOff bool) {
	d.st, d.related, d.histOff = st, related, histOff
	d.hist = nil
	d.offset = 0
	d.drawn.clear()
}

// SetState refreshes the monitor shown.
func (d *Detail) SetState(st monitor.State, related []monitor.State) {
	d.st, d.related = st, related
	d.drawn.clear()
}

// SetLocations says how each location sees the monitor shown, when the
// source merges several daemons (nil otherwise).
func (d *Detail) SetLocations(locs []source.LocationState) {
	d.locs = locs
	d.drawn.clear()
}

// SetHistory gives the view the answer of loadHistory.
func (d *Detail) SetHistory(h *HistoryData) {
	if h == nil || d.st.Monitor == nil || h.name != d.st.Monitor.Name {
		return
	}
	d.hist = h
	d.drawn.clear()
}

// Name returns the name of the monitor shown.
func (d *Detail) Name() string {
	if d.st.Monitor == nil {
		return ""
	}
	return d.st.Monitor.Name
}

// Update scrolls on navigation keys and the mouse wheel.
func (d *Detail) Update(msg tea.Msg) (*Detail, tea.Cmd) {
	d.clampOffset() // move from where the person sees it
	switch msg := msg.(type) {
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelDown:
			d.offset++
		case tea.MouseButtonWheelUp:
			d.offset--
		}
	case tea.KeyMsg:
		d.scroll(msg)
	}
	d.clampOffset()
	return d, nil
}

func (d *Detail) scroll(k tea.KeyMsg) {
	page := max(d.h-1, 1)
	switch {
	case d.keys.Down.Matches(k):
		d.offset++
	case d.keys.Up.Matches(k):
		d.offset--
	case d.keys.PageDown.Matches(k):
		d.offset += page
	case d.keys.PageUp.Matches(k):
		d.offset -= page
	case d.keys.Top.Matches(k):
		d.offset = 0
	case d.keys.Bottom.Matches(k):
		d.offset = len(d.content())
	}
}

// page is the number of content lines on screen: one less than the height
// when the content does not fit, for the line that says where we are.
func (d *Detail) page() int {
	if len(d.content()) > d.h {
		return max(d.h-1, 0)
	}
	return d.h
}

func (d *Detail) clampOffset() { d.offset = d.shownOffset() }

// shownOffset is the first line on screen: the offset kept, within what
// the content has now (it may have shrunk, or the view grown, since the
// offset was set).
func (d *Detail) shownOffset() int {
	return max(0, min(d.offset, len(d.content())-d.page()))
}

// View renders the lines on screen.
func (d *Detail) View() string {
	if d.w <= 0 || d.h <= 0 {
		return ""
	}
	lines := d.content()
	off := d.shownOffset()
	page := d.page()
	end := min(len(lines), off+page)
	vis := lines[off:end]
	if page < d.h {
		k, desc := d.keys.Scroll.hint()
		more := fmt.Sprintf("── %d-%d of %d lines · %s %s ──", off+1, end, len(lines), k, desc)
		vis = append(slices.Clone(vis), d.sty.Dim.Render(trunc(more, d.w)))
	}
	return strings.Join(vis, "\n")
}

// content returns every line of the view, rebuilt when something changed.
func (d *Detail) content() []string {
	if d.drawn.lines == nil {
		d.drawn.lines = d.build()
	}
	return d.drawn.lines
}

func (d *Detail) build() []string {
	if d.st.Monitor == nil || d.w <= 0 {
		return []string{""}
	}
	out := d.top()
	if d.w >= 120 {
		lw := d.w*11/20 - 1
		rw := d.w - lw - 2
		left := d.charts(lw)
		right := d.facts(rw)
		for i := range left {
			left[i] = trunc(left[i], lw)
		}
		for i := range right {
			right[i] = trunc(right[i], rw)
		}
		out = append(out, sideBySide(left, right, lw, 2)...)
	} else {
		// one column: where and what the error means first, then the charts
		if s := d.slo(d.w); s != nil {
			out = append(out, s...)
			out = append(out, "")
		}
		out = append(out, d.byLocation(d.w)...)
		out = append(out, d.rule("What this means", d.w))
		out = append(out, d.explanation(d.w)...)
		out = append(out, "")
		out = append(out, d.charts(d.w)...)
		out = append(out, "", d.rule("Incidents, last 30 days", d.w))
		out = append(out, d.incidents(d.w)...)
		out = append(out, "", d.rule("Alerts", d.w))
		out = append(out, d.alerts(d.w)...)
		if dates := d.dates(); len(dates) > 0 {
			out = append(out, "", d.rule("Certificate and domain", d.w))
			out = append(out, dates...)
		}
	}
	for i := range out {
		out[i] = trunc(out[i], d.w)
	}
	return out
}

// sideBySide joins two columns of lines, the left padded to lw cells.
func sideBySide(left, right []string, lw, gap int) []string {
	n := max(len(left), len(right))
	out := make([]string, n)
	for i := 0; i < n; i++ {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		if r == "" {
			out[i] = l
			continue
		}
		out[i] = l + spaces(lw-width(l)+gap) + r
	}
	return out
}

// rule is a section title: "── Latency, last 24h ─────".
func (d *Detail) rule(title string, w int) string {
	t := "── " + title + " "
	return d.sty.Rule.Render(trunc(t+repeat("─", w-width(t)), w))
}

func (d *Detail) top() []string {
	s := d.sty
	st := &d.st
	title := s.status(st.Status).Render(Glyph(st.Status)+" "+st.Status.String()) + "  " + s.Bold.Render(clean(st.Monitor.Name))
	if st.Acked {
		title += s.Dim.Render("  (acknowledged)")
	}
	if st.InMaint != "" {
		title += s.Dim.Render("  maintenance window " + strconv.Quote(clean(st.InMaint)))
	}
	lines := []string{title}
	if sum := LocationSummary(d.locs); sum != "" {
		// "down from eu-west, up from us-east": is it down for everyone?
		lines = append(lines, s.status(st.Status).Render(Glyph(st.Status))+" "+sum)
	}
	lines = append(lines, s.Dim.Render(trunc(strings.Join(d.settingsFacts(), " · "), d.w)), d.nowLine())
	lines = append(lines, d.behindLine()...)
	lines = append(lines, d.historyLines()...)
	return append(lines, "")
}

// settingsFacts are what the monitor is configured to do: its URL (its
// password left out), kind, interval, timeout or grace, tags.
func (d *Detail) settingsFacts() []string {
	m := d.st.Monitor
	facts := []string{clean(monitor.RedactURL(m.URL)), string(m.Kind)} // the local dashboard has the config's URL, password and all
	if m.Interval > 0 {
		facts = append(facts, "every "+humanize.Setting(m.Interval))
	}
	push := m.Kind == monitor.KindPush
	if m.Timeout > 0 && !push { // a push monitor waits for beats; it times nothing out
		facts = append(facts, "timeout "+humanize.Setting(m.Timeout))
	}
	if push && m.Grace > 0 {
		facts = append(facts, "grace "+humanize.Setting(m.Grace))
	}
	if len(m.Tags) > 0 {
		facts = append(facts, "tags "+clean(strings.Join(m.Tags, ", ")))
	}
	if m.Insecure {
		facts = append(facts, d.sty.Warn.Render("certificate not verified (insecure)"))
	}
	return facts
}

// nowLine says how the monitor stands: since when, what its last check
// found, its beats. Narrow, the date goes first. It gives no count of
// checks: the engine counts them from its own start, and after a restart
// the status is restored from history with the time it began, so "down
// for 3h · 12 checks" would count only the checks since the restart. The
// history line below counts the failed checks of the last 30 days.
func (d *Detail) nowLine() string {
	st := &d.st
	var now []string
	if !st.Since.IsZero() {
		now = append(now, fmt.Sprintf("%s for %s (since %s)", st.Status, fmtDurLong(d.now.Sub(st.Since)), st.Since.In(d.now.Location()).Format("Jan 2 15:04:05")))
	}
	now = append(now, d.lastCheckFacts()...)
	if st.Monitor.Kind == monitor.KindPush {
		if t, ok := d.lastBeat(); ok {
			now = append(now, "last beat "+t.In(d.now.Location()).Format("15:04:05")+" ("+fmtDur(d.now.Sub(t))+" ago)")
		} else if d.hist != nil {
			now = append(now, "no beat in the last 24h")
		}
	}
	if st.Skipped > 0 {
		now = append(now, d.sty.Warn.Render(fmt.Sprintf("%d skipped (previous check still running)", st.Skipped)))
	}
	line := strings.Join(now, " · ")
	if width(line) > d.w && !st.Since.IsZero() { // narrow: the facts of the last check before the date
		now[0] = fmt.Sprintf("%s for %s", st.Status, fmtDurLong(d.now.Sub(st.Since)))
		line = strings.Join(now, " · ")
	}
	return line
}

// lastCheckFacts are what the last check found: when, its code, Retry-After,
// latency, attempts, protocol, where redirects led, the service's facts.
func (d *Detail) lastCheckFacts() []string {
	m, r := d.st.Monitor, &d.st.Last
	if r.Time.IsZero() {
		return []string{"not checked yet"}
	}
	facts := []string{"last check " + r.Time.In(d.now.Location()).Format("15:04:05")}
	if l := codeLabel(r); l != "—" {
		facts = append(facts, l)
	}
	if r.RetryAfter > 0 { // beside the code, so that 80 columns still show it
		facts = append(facts, "Retry-After "+humanize.Setting(r.RetryAfter))
	}
	if m.Kind != monitor.KindPush {
		facts = append(facts, humanize.Latency(r.Latency))
	}
	if r.Attempts > 1 {
		facts = append(facts, fmt.Sprintf("%d attempts", r.Attempts))
	}
	if r.HTTPVersion != "" {
		facts = append(facts, "HTTP/"+clean(r.HTTPVersion))
	}
	if r.FinalURL != "" && r.FinalURL != monitor.RedactURL(m.URL) {
		facts = append(facts, "→ "+clean(r.FinalURL))
	}
	return append(facts, serviceFacts(m.Kind, r)...)
}

// historyLines are the last 30 days in a line, or two when the screen is
// narrow, or why there is none.
func (d *Detail) historyLines() []string {
	s := d.sty
	switch {
	case d.histOff:
		return []string{s.Warn.Render("history is off: showing the last " + humanize.Count(len(d.st.Recent), "check", "checks") + " only")}
	case d.hist == nil:
		return []string{s.Dim.Render("loading history…")}
	case d.hist.err != nil:
		return []string{s.Warn.Render("history: " + clean(d.hist.err.Error()))}
	}
	return d.summary30d()
}

// summary30d is the story of the last 30 days, on one line where it fits;
// else it breaks between its parts, so that no word is cut.
func (d *Detail) summary30d() []string {
	failed := 0
	for _, c := range d.hist.byHour {
		failed += c
	}
	n := len(d.hist.incidents)
	txt := "last 30 days: "
	switch n {
	case 0:
		txt += "no incident"
	case 1:
		txt += "1 incident"
	default:
		txt += fmt.Sprintf("%d incidents", n)
	}
	var total time.Duration
	open := false
	for i := range d.hist.incidents {
		in := &d.hist.incidents[i]
		total += in.Downtime(in.Start, d.now) // as upbeat report counts it: windows and pauses are not downtime
		open = open || in.End.IsZero()
	}
	if n > 0 {
		txt += ", down " + fmtDurLong(total) + " in all"
	}
	if open {
		txt += " (one still open)"
	}
	lines := joinFit([]string{txt, humanize.Count(failed, "failed check", "failed checks")}, " · ", d.w)
	if n == 0 && failed == 0 {
		for i := range lines {
			lines[i] = d.sty.Good.Render(lines[i])
		}
	}
	return lines
}

// joinFit joins parts with sep into lines of at most w cells, breaking
// only between parts; a part wider than a line is wrapped at its spaces.
func joinFit(parts []string, sep string, w int) []string {
	var out []string
	line := ""
	for _, p := range parts {
		switch {
		case line == "":
			line = p
		case width(line)+width(sep)+width(p) <= w:
			line += sep + p
		default:
			out = append(out, line)
			line = p
		}
		if width(line) > w && w > 0 {
			wrapped := wrap(line, w)
			out = append(out, wrapped[:len(wrapped)-1]...)
			line = wrapped[len(wrapped)-1]
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// points returns the latency samples of successful checks and the window
// they cover, from the history when there is one, else from Recent; and
// how many checks were in a maintenance window, which are left out: a
// window hides whether they failed (a refused connection's latency is next
// to nothing).
func (d *Detail) points() (pts []latPoint, fails []time.Time, windowed int, from, to time.Time, span string) {
	add := func(t time.Time, lat time.Duration, st monitor.Status) {
		switch st {
		case monitor.StatusDown:
			fails = append(fails, t)
		case monitor.StatusMaintenance:
			windowed++
		default:
			pts = append(pts, latPoint{t, lat})
		}
	}
	if d.hist != nil && len(d.hist.results) > 0 {
		for i := range d.hist.results {
			r := &d.hist.results[i]
			add(r.Time, r.Latency, r.Status)
		}
		from = d.hist.from
		if first := d.hist.results[0].Time; first.After(from) {
			from = first // a monitor younger than the window: chart what exists
		}
		return pts, fails, windowed, from, d.hist.to, "in 24h"
	}
	rec := d.st.Recent
	for i := range rec {
		add(rec[i].Time, rec[i].Latency, rec[i].Status)
	}
	if len(rec) > 0 {
		from, to = rec[0].Time, rec[len(rec)-1].Time
	}
	return pts, fails, windowed, from, to, "recently"
}

// charts is the left column: latency, phases, timeline, errors by hour.
func (d *Detail) charts(w int) []string {
	s := d.sty
	var out []string
	if d.st.Monitor.Kind == monitor.KindPush {
		// beats and how late they came: a push monitor has no latency
		out = append(out, d.rule("Beats, last 24h", w))
		out = append(out, d.beats(w)...)
		out = append(out, "")
	} else {
		pts, fails, windowed, from, to, span := d.points()
		title := "Latency, last 24h"
		if span != "in 24h" {
			title = "Latency, recent checks"
		}
		out = append(out, d.rule(title, w))
		ch := max(6, min(12, d.h/3))
		if lines := d.chart.view(s, pts, fails, from, to, w, ch); lines != nil {
			out = append(out, lines...)
		}
		out = append(out, s.Dim.Render(percentileLine(pts, len(fails), windowed, span)), "")

		out = append(out, d.rule("Phases of the last check", w))
		out = append(out, d.phases()...)
		out = append(out, "")
	}

	out = append(out, d.rule("Status timeline", w))
	out = append(out, d.timeline(w)...)
	out = append(out, "")

	out = append(out, d.rule("Errors by hour of day (UTC)", w))
	out = append(out, d.heatmap(w)...)
	return out
}

// beatTimes are a push monitor's beats known to the view, oldest first:
// from the history of the last 24h, and the last result if it is one.
func (d *Detail) beatTimes() []time.Time {
	var out []time.Time
	if d.hist != nil {
		for i := range d.hist.results {
			if r := &d.hist.results[i]; r.IsBeat() {
				out = append(out, r.Time)
			}
		}
	}
	if r := &d.st.Last; r.IsBeat() && (len(out) == 0 || r.Time.After(out[len(out)-1])) {
		out = append(out, r.Time)
	}
	return out
}

// lastBeat is when a push monitor's last beat known came.
func (d *Detail) lastBeat() (time.Time, bool) {
	b := d.beatTimes()
	if len(b) == 0 {
		return time.Time{}, false
	}
	return b[len(b)-1], true
}

// beats draws a push monitor's beats over the last 24h, one cell per
// slice of the window (│ where a beat came), and sums them up: how many,
// how often they were due, the longest wait between two, the last.
func (d *Detail) beats(w int) []string {
	s := d.sty
	m := d.st.Monitor
	due := "expected every " + humanize.Setting(m.Interval)
	if m.Grace > 0 {
		due += ", down after " + humanize.Setting(m.Interval+m.Grace)
	}
	if d.hist == nil {
		if d.histOff {
			return []string{s.Dim.Render("beats are kept in the history, which is off · " + due)}
		}
		return []string{s.Dim.Render("loading history… · " + due)}
	}
	beats := d.beatTimes()
	from, to := d.hist.from, d.hist.to
	n := max(w-2, 1)
	cells := make([]bool, n)
	span := max(to.Sub(from), time.Second)
	var longest time.Duration
	var longestEnd time.Time
	prev := time.Time{}
	for _, b := range beats {
		if i := int(float64(b.Sub(from)) / float64(span) * float64(n)); i >= 0 && i < n {
			cells[i] = true
		}
		if !prev.IsZero() && b.Sub(prev) > longest {
			longest, longestEnd = b.Sub(prev), b
		}
		prev = b
	}
	var strip strings.Builder
	for _, c := range cells {
		if c {
			strip.WriteString(s.status(monitor.StatusUp).Render("│"))
		} else {
			strip.WriteString(s.Dim.Render("·"))
		}
	}
	legend := s.Dim.Render("24h ago" + spaces(n-len("24h ago")-len("now")) + "now")
	if len(beats) == 0 {
		return []string{strip.String(), legend, s.Warn.Render("no beat in the last 24h") + s.Dim.Render(" · "+due)}
	}
	sum := []string{humanize.Count(len(beats), "beat", "beats"), due}
	if longest > 0 {
		sum = append(sum, "longest wait "+fmtDurLong(longest)+" (until "+longestEnd.In(d.now.Location()).Format("Jan 2 15:04")+")")
	}
	sum = append(sum, "last "+fmtDur(d.now.Sub(prev))+" ago")
	out := []string{strip.String(), legend}
	return append(out, wrap(strings.Join(sum, " · "), w)...)
}

// byLocation lists the monitor as each location sees it (when several
// daemons are merged): status, code, latency and for how long.
func (d *Detail) byLocation(w int) []string {
	locs := d.locs
	if len(locs) < 2 {
		return nil
	}
	s := d.sty
	lw := 0
	for _, l := range locs {
		lw = max(lw, width(clean(l.Location)))
	}
	lw = min(lw, 20)
	sw := 0
	for _, l := range locs {
		sw = max(sw, width(l.Status.String())+2)
	}
	out := []string{d.rule("By location", w)}
	for _, l := range locs {
		line := fit(clean(l.Location), lw) + "  " + s.status(l.Status).Render(fit(Glyph(l.Status)+" "+l.Status.String(), sw))
		var parts []string
		if c := codeOrClass(l.Code, l.Class); c != "" {
			parts = append(parts, fit(codeFor(c, codeMinW), codeMinW))
		}
		if l.Latency > 0 {
			parts = append(parts, fitRight(humanize.Latency(l.Latency), 7))
		}
		if !l.Since.IsZero() {
			parts = append(parts, "for "+fmtDurLong(d.now.Sub(l.Since)))
		}
		if len(parts) > 0 {
			line += " " + strings.Join(parts, "  ")
		}
		out = append(out, trunc(line, w))
	}
	return append(out, "")
}

// facts is the right column: the explanation, incidents, alerts, dates.
func (d *Detail) facts(w int) []string {
	var out []string
	if s := d.slo(w); s != nil {
		out = append(out, s...)
		out = append(out, "")
	}
	out = append(out, d.byLocation(w)...)
	out = append(out, d.rule("What this means", w))
	out = append(out, d.explanation(w)...)
	out = append(out, "")
	out = append(out, d.rule("Incidents, last 30 days", w))
	out = append(out, d.incidents(w)...)
	out = append(out, "", d.rule("Alerts", w))
	out = append(out, d.alerts(w)...)
	if dates := d.dates(); len(dates) > 0 {
		out = append(out, "", d.rule("Certificate and domain", w))
		out = append(out, dates...)
	}
	return out
}

var phaseNames = [5]string{"DNS", "connect", "TLS", "first byte", "transfer"}

// phaseNamesOf names the phases of a kind's check: the services behind a
// site record their handshake and their request where HTTP records the
// first byte and the transfer (see monitor.Phases).
func phaseNamesOf(k monitor.Kind) [5]string {
	hs, req := "", ""
	switch k {
	case monitor.KindPostgres, monitor.KindMySQL:
		hs, req = "login", "query"
	case monitor.KindRedis:
		hs, req = "login", "command"
	case monitor.KindGRPC:
		hs, req = "HTTP/2", "health call"
	case monitor.KindWS:
		hs, req = "upgrade", "message"
	case monitor.KindSMTP:
		hs, req = "greeting", "QUIT"
	default:
		return phaseNames
	}
	return [5]string{phaseNames[0], phaseNames[1], phaseNames[2], hs, req}
}

func phaseValues(p monitor.Phases) [5]time.Duration {
	return [5]time.Duration{p.DNS, p.Connect, p.TLS, p.FirstByte, p.Transfer}
}

// serviceFacts are the short facts a service check records (the server's
// version, the value its query returned, the SMTP greeting), for the
// detail view's status line.
func serviceFacts(k monitor.Kind, r *monitor.Result) []string {
	switch k {
	case monitor.KindGRPC, monitor.KindWS, monitor.KindPostgres, monitor.KindMySQL, monitor.KindRedis, monitor.KindSMTP:
	default:
		return nil
	}
	out := make([]string, 0, len(r.Answers))
	for _, a := range r.Answers {
		out = append(out, trunc(clean(a), 48))
	}
	return out
}

// phases compares the last check's phases with their usual values (the
// median of the last 24h).
func (d *Detail) phases() []string {
	s := d.sty
	last := phaseValues(d.st.Last.Phases)
	if last == [5]time.Duration{} {
		if d.st.Last.Time.IsZero() {
			return []string{s.Dim.Render("no check yet")}
		}
		if d.st.Monitor.Kind == monitor.KindHTTP {
			return []string{s.Dim.Render("the last check has no phase timings (it failed before they were taken)")}
		}
		return []string{s.Dim.Render("no phase timings for a " + string(d.st.Monitor.Kind) + " check")}
	}
	var usual [5]time.Duration
	haveUsual := false
	if d.hist != nil {
		var cols [5][]time.Duration
		for i := range d.hist.results {
			r := &d.hist.results[i]
			if r.Status == monitor.StatusDown || r.Time.Equal(d.st.Last.Time) {
				continue
			}
			for j, v := range phaseValues(r.Phases) {
				if v > 0 {
					cols[j] = append(cols[j], v)
				}
			}
		}
		for j := range cols {
			if len(cols[j]) > 0 {
				slices.Sort(cols[j])
				usual[j] = cols[j][len(cols[j])/2]
				haveUsual = true
			}
		}
	}
	var out []string
	names := phaseNamesOf(d.st.Monitor.Kind)
	for j, v := range last {
		if v == 0 && usual[j] == 0 {
			continue
		}
		line := fit(names[j], 11) + fitRight(fmtMS(v), 9)
		if usual[j] > 0 {
			line += "  usually " + fmtMS(usual[j])
			if v >= 2*usual[j] && v-usual[j] >= 10*time.Millisecond {
				line = s.Warn.Render(line + fmt.Sprintf("  ▲ %.1f× slower", float64(v)/float64(usual[j])))
			}
		}
		out = append(out, line)
	}
	if !haveUsual {
		why := "usual values need history"
		if !d.histOff && d.hist == nil {
			why = "usual values: loading history…"
		}
		out = append(out, s.Dim.Render(why))
	}
	return out
}

// timelineGlyphs draw a status as a bar: the taller, the worse, so that it
// reads without colour.
var timelineGlyphs = [6]string{"·", "▁", "▄", "█", "░", " "}

// timeline draws the worst status of each slice of the window.
func (d *Detail) timeline(w int) []string {
	s := d.sty
	n := max(w-2, 1)
	type slot struct {
		st  monitor.Status
		set bool
	}
	slots := make([]slot, n)
	put := func(i int, st monitor.Status) {
		if i < 0 || i >= n {
			return
		}
		if !slots[i].set || st.Severity() < slots[i].st.Severity() {
			slots[i] = slot{st, true}
		}
	}
	var left, right string
	if d.hist != nil && len(d.hist.results) >= n {
		from := d.hist.from
		if first := d.hist.results[0].Time; first.After(from) {
			from = first
		}
		span := max(d.hist.to.Sub(from), time.Second)
		for i := range d.hist.results {
			r := &d.hist.results[i]
			put(int(float64(r.Time.Sub(from))/float64(span)*float64(n)), r.Status)
		}
		left, right = fmtDur(d.hist.to.Sub(from))+" ago", "now"
	} else {
		// one cell per check: the recent samples, or a young monitor's history
		rec := d.st.Recent
		if d.hist != nil && len(d.hist.results) > len(rec) {
			rec = make([]monitor.Sample, len(d.hist.results))
			for i := range d.hist.results {
				rec[i] = monitor.Sample{Time: d.hist.results[i].Time, Status: d.hist.results[i].Status}
			}
		}
		if len(rec) > n {
			rec = rec[len(rec)-n:]
		}
		for i := range rec {
			put(n-len(rec)+i, rec[i].Status)
		}
		if len(rec) > 0 {
			left, right = humanize.Count(len(rec), "check", "checks")+" ago", "now"
		}
	}
	var b strings.Builder
	for _, sl := range slots {
		if !sl.set {
			b.WriteByte(' ')
			continue
		}
		b.WriteString(s.status(sl.st).Render(timelineGlyphs[sl.st]))
	}
	legend := s.Dim.Render(left + spaces(n-width(left)-width(right)) + right)
	key := s.Dim.Render("▁ up  ▄ degraded  █ down  ░ maintenance  · pending")
	return []string{b.String(), legend, key}
}

var heatGlyphs = [5]string{"·", "░", "▒", "▓", "█"}

// heatmap draws failed checks by hour of day, one cell group per hour,
// darker for more, so that "502s every night at 3 AM" stands out.
func (d *Detail) heatmap(w int) []string {
	s := d.sty
	var counts [24]int
	note := "last 30 days"
	if d.hist != nil {
		counts = d.hist.byHour
	} else {
		for _, r := range d.st.Recent {
			if r.Status == monitor.StatusDown {
				counts[r.Time.UTC().Hour()]++
			}
		}
		note = "from the last " + humanize.Count(len(d.st.Recent), "check", "checks")
		if !d.histOff {
			note = "loading history…"
		}
	}
	total, peak, peakH := 0, 0, 0
	for h, c := range counts {
		total += c
		if c > peak {
			peak, peakH = c, h
		}
	}
	cw := max(1, min(3, (w-1)/24))
	var row, labels strings.Builder
	for h, c := range counts {
		lvl := 0
		if c > 0 {
			lvl = 1 + (c*4-1)/max(peak, 1)
			lvl = min(lvl, 4)
		}
		row.WriteString(s.Heat[lvl].Render(repeat(heatGlyphs[lvl], cw)))
		if h%6 == 0 && cw*6 >= 3 {
			lbl := fmt.Sprintf("%02d", h)
			labels.WriteString(lbl + spaces(cw*6-len(lbl)))
		}
	}
	out := []string{row.String()}
	if labels.Len() > 0 {
		out = append(out, s.Dim.Render(strings.TrimRight(labels.String(), " ")))
	}
	if total == 0 {
		for _, l := range wrap("no failed checks ("+note+")", w) {
			out = append(out, s.Dim.Render(l))
		}
		return out
	}
	// wrapped, never cut: the caption is what the row means
	caption := wrap(fmt.Sprintf("most at %02d:00 UTC: %d of %s (%s)", peakH, peak,
		humanize.Count(total, "failed check", "failed checks"), note), w)
	const darker = " · darker is more"
	if last := len(caption) - 1; width(caption[last])+width(darker) <= w {
		caption[last] += s.Dim.Render(darker)
	} else {
		caption = append(caption, s.Dim.Render(strings.TrimPrefix(darker, " · ")))
	}
	return append(out, caption...)
}

// explanation is the knowledge-base entry for the current (or latest) error.
func (d *Detail) explanation(w int) []string {
	s := d.sty
	st := &d.st
	r := &st.Last
	if source.HasError(r) {
		return d.explain(r, w)
	}
	f, found := d.lastFailure()
	var out []string
	if st.Status == monitor.StatusDown || st.Status == monitor.StatusDegraded {
		// The status says down (or degraded) though the last check carries
		// no error: a passive check still waiting for its first beat after
		// a restart, say. Never "no error now": the failure that made it
		// so stands until a check says otherwise.
		line := s.status(st.Status).Render(st.Status.String())
		if !st.Since.IsZero() {
			line += s.Dim.Render(" since " + st.Since.In(d.now.Location()).Format("Jan 2 15:04:05"))
		}
		switch {
		case r.Time.IsZero():
			line += s.Dim.Render(" · not checked since upbeat started")
		case r.Error != "":
			line += s.Dim.Render(" · the last check is " + r.Status.String() + ": " + clean(r.Error))
		default:
			line += s.Dim.Render(" · the last check is " + r.Status.String())
		}
		out = append(out, wrap(line, w)...)
		switch {
		case !found:
			return out
		case f.Code == 0 && f.Class == "":
			return append(out, s.Dim.Render("the last failure was "+fmtDur(d.now.Sub(f.Time))+" ago"))
		}
		out = append(out, s.Dim.Render("the last failure, "+fmtDur(d.now.Sub(f.Time))+" ago:"))
		return append(out, d.explain(&f, w)...)
	}
	if !found {
		return []string{s.Good.Render("no error in the recent checks")}
	}
	head := s.Good.Render("no error now") + s.Dim.Render(" · the last failure was "+fmtDur(d.now.Sub(f.Time))+" ago")
	if f.Code == 0 && f.Class == "" {
		// a failure known from the recent samples only, which keep no
		// class: say when, and no colon with nothing after it
		if d.hist == nil && !d.histOff {
			head += s.Dim.Render(" (its details: loading history…)")
		}
		return []string{head}
	}
	return append([]string{head + s.Dim.Render(":")}, d.explain(&f, w)...)
}

// lastFailure is the latest failed check known: from the history, which
// keeps its class and message, or from the recent samples, which are
// newer than the history last loaded but keep only the code.
func (d *Detail) lastFailure() (monitor.Result, bool) {
	var f monitor.Result
	found := false
	if d.hist != nil {
		for i := len(d.hist.results) - 1; i >= 0; i-- {
			if r := &d.hist.results[i]; r.Status == monitor.StatusDown {
				f, found = *r, true
				break
			}
		}
	}
	for i := len(d.st.Recent) - 1; i >= 0; i-- {
		if sm := d.st.Recent[i]; sm.Status == monitor.StatusDown {
			if !found || sm.Time.After(f.Time) {
				f = monitor.Result{Time: sm.Time, Status: sm.Status, Code: sm.Code, Latency: sm.Latency}
				found = true
			}
			break
		}
	}
	return f, found
}

// explain is the knowledge-base entry for a failed result, with its
// message and detail.
func (d *Detail) explain(r *monitor.Result, w int) []string {
	s := d.sty
	code, class, errText := r.Code, r.Class, r.Error
	var out []string
	e := explain(code, class)
	for _, l := range wrap(explainLine(code, class), w) {
		out = append(out, s.Bold.Render(l))
	}
	if e.Family != "" {
		out = append(out, s.Dim.Render(clean(e.Family)))
	}
	if e.Meaning != "" {
		out = append(out, wrap(clean(e.Meaning), w)...)
	}
	if len(e.Causes) > 0 {
		out = append(out, "", s.Bold.Render("Common causes"))
		for _, c := range e.Causes {
			for i, l := range wrap(clean(c), w-2) {
				if i == 0 {
					out = append(out, "• "+l)
				} else {
					out = append(out, "  "+l)
				}
			}
		}
	}
	if e.FirstStep != "" {
		out = append(out, "", s.Bold.Render("First step"))
		out = append(out, wrap(clean(e.FirstStep), w)...)
	}
	if errText != "" {
		out = append(out, "", s.Dim.Render("error: ")+trunc(clean(errText), w-7))
		if r.Detail != "" {
			out = append(out, s.Dim.Render("detail: "+trunc(clean(r.Detail), w-8)))
		}
	}
	return append(out, d.reproduceLines(r, w)...)
}

func (d *Detail) incidents(w int) []string {
	s := d.sty
	if d.hist == nil {
		if d.histOff {
			return []string{s.Dim.Render("needs history (history is off)")}
		}
		return []string{s.Dim.Render("loading…")}
	}
	in := d.hist.incidents
	if len(in) == 0 {
		return []string{s.Good.Render("none")}
	}
	var out []string
	loc := d.now.Location()
	for i := len(in) - 1; i >= 0 && len(in)-1-i < 8; i-- {
		inc := &in[i]
		var codes []string
		for _, c := range inc.Codes {
			codes = append(codes, strconv.Itoa(c))
		}
		for _, c := range inc.Classes {
			if !strings.HasPrefix(c, "http_") {
				codes = append(codes, clean(c))
			}
		}
		state := "resolved"
		st := s.Dim
		switch {
		case inc.End.IsZero():
			state, st = "open", s.Bad
		case inc.Paused:
			state = "paused" // while down: no recovery seen
		}
		if inc.Acked {
			state += ", acked"
		}
		if inc.Flapping {
			state += ", flapping"
		}
		line := s.Dim.Render(inc.ID()) + " " + inc.Start.In(loc).Format("Jan 02 15:04") + " " + fitRight(fmtDurLong(inc.Duration(d.now)), 7) + "  " +
			fit(strings.Join(codes, ","), 9) + " " + st.Render(state)
		out = append(out, trunc(line, w))
		most := 2 // the open incident's notes matter most now
		if inc.End.IsZero() {
			most = 5
		}
		out = append(out, d.noteLines(inc, w, most)...)
	}
	if len(in) > 8 {
		out = append(out, s.Dim.Render(fmt.Sprintf("… and %d more", len(in)-8)))
	}
	return out
}

// dates lists certificate and domain expiry from this monitor and from the
// monitors relatedStates finds, each of those named.
func (d *Detail) dates() []string {
	s := d.sty
	var out []string
	seen := map[string]bool{}
	add := func(st *monitor.State, own bool) {
		r := &st.Last
		if r.CertExpiry.IsZero() {
			return
		}
		what := "certificate"
		if st.Monitor.Kind == monitor.KindDomain || r.Registrar != "" {
			what = "domain"
		}
		days := monitor.DaysLeft(r.CertExpiry, d.now)
		line := fmt.Sprintf("%-11s expires %s (%s)", what, r.CertExpiry.In(d.now.Location()).Format("2006-01-02"),
			daysLabel(days, !r.CertExpiry.After(d.now)))
		var by string
		if r.CertIssuer != "" {
			by = "issuer " + clean(r.CertIssuer)
		}
		if r.Registrar != "" {
			by = "registrar " + clean(r.Registrar)
		}
		if seen[line+by] {
			return
		}
		seen[line+by] = true
		if !own { // whose it is: another monitor watches it
			if by != "" {
				by += " · "
			}
			by += "from monitor " + clean(st.Monitor.Name)
		}
		switch {
		case !r.CertExpiry.After(d.now):
			line = s.Bad.Render(line)
		case st.Monitor.CertWarnDays > 0 && days < st.Monitor.CertWarnDays:
			line = s.Warn.Render(line)
		}
		out = append(out, line)
		if by != "" {
			out = append(out, s.Dim.Render(spaces(12)+by))
		}
	}
	add(&d.st, true)
	for i := range d.related {
		add(&d.related[i], false)
	}
	return out
}

// daysLabel says how far an expiry is, in the days monitor.DaysLeft counts.
func daysLabel(days int, expired bool) string {
	switch {
	case days == -1:
		return "expired 1 day ago"
	case days < 0:
		return fmt.Sprintf("expired %d days ago", -days)
	case days == 0 && expired:
		return "expired today"
	case days == 0:
		return "today"
	case days == 1:
		return "in 1 day"
	}
	return fmt.Sprintf("in %d days", days)
}

// wrap breaks plain text into lines of at most w cells. Lines break at
// spaces only: a hyphen belongs to its word (Retry-After, x-api-key), and
// ansi.Wordwrap, which always breaks after one, will not do. The spaces
// inside a line are kept as written, those at a break are dropped, and a
// word longer than a line is cut across lines.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		var line strings.Builder
		lw := 0
		for rest := para; rest != ""; {
			word := strings.TrimLeft(rest, " ")
			gap := len(rest) - len(word)
			if word == "" {
				break // trailing spaces
			}
			end := strings.IndexByte(word, ' ')
			if end < 0 {
				end = len(word)
			}
			word, rest = word[:end], word[end:]
			ww := width(word)
			switch {
			case lw+gap+ww <= w: // on this line, after its spaces
				line.WriteString(spaces(gap))
				line.WriteString(word)
				lw += gap + ww
				continue
			case lw > 0: // on a line of its own
				out = append(out, line.String())
				line.Reset()
				lw = 0
			}
			if ww > w {
				parts := strings.Split(ansi.Hardwrap(word, w, false), "\n")
				out = append(out, parts[:len(parts)-1]...)
				word = parts[len(parts)-1]
				ww = width(word)
			}
			line.WriteString(word)
			lw = ww
		}
		out = append(out, line.String())
	}
	return out
}

// endpointOf returns the host of a monitor's URL and its port, the
// scheme's default when it names none ("" when there is neither).
func endpointOf(m *monitor.Monitor) (host, port string) {
	u := m.Parsed
	if u == nil {
		var err error
		if u, err = url.Parse(m.URL); err != nil {
			return "", ""
		}
	}
	port = u.Port()
	if port == "" {
		switch u.Scheme {
		case "https", "tls", "wss":
			port = "443"
		case "http", "ws":
			port = "80"
		}
	}
	return u.Hostname(), port
}

// relatedStates returns the monitors whose dates belong in st's detail
// view: the tls monitors of the same host and port (the certificate st's
// own connections are served) and the domain monitors of its domain. A tls
// monitor of another port of the host watches another certificate.
func relatedStates(all []monitor.State, st *monitor.State) []monitor.State {
	host, port := endpointOf(st.Monitor)
	if host == "" {
		return nil
	}
	var out []monitor.State
	for i := range all {
		o := &all[i]
		if o.Monitor == nil || o.Monitor == st.Monitor || o.Monitor.Name == st.Monitor.Name {
			continue
		}
		oh, op := endpointOf(o.Monitor)
		switch o.Monitor.Kind {
		case monitor.KindTLS:
			if oh == host && op == port {
				out = append(out, *o)
			}
		case monitor.KindDomain:
			if oh == host || strings.HasSuffix(host, "."+oh) {
				out = append(out, *o)
			}
		}
	}
	return out
}
