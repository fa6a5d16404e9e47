package tui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// logCap is how many entries the log pane keeps.
const logCap = 1000

// logRepeatsLegend explains the count after an entry, in the help and
// in the log's title.
const logRepeatsLegend = "×12 after an entry means the same failure 12 times in a row"

// logEntry is one line of the log pane.
type logEntry struct {
	kind     monitor.EventKind
	time     time.Time // first occurrence: entries are kept in this order
	location string    // where it was seen, when several daemons are merged
	last     time.Time // latest occurrence (repeats are counted, not listed)
	count    int
	monitor  string
	status   monitor.Status // of the result
	from, to monitor.Status
	code     int
	class    string
	errText  string
	rtime    time.Time     // time of the result this entry describes
	after    time.Duration // a recovery: how long the problem lasted
	alert    *monitor.AlertEvent
	note     *monitor.Note // a note or an acknowledgement's reason
	message  string
	clear    bool
	// seed marks a problem that was already there when the dashboard
	// started, or when the journal it replayed began (the daemon
	// started): its time is when the problem began, and its repeats are
	// not counted (count stays 1), since the checks made before are not
	// known.
	seed bool
}

func (e *logEntry) sameFailure(r *monitor.Result) bool {
	return e.code == r.Code && e.class == r.Class && e.status == r.Status
}

// LogPane lists error codes, state changes, alert deliveries and warnings,
// newest first, each error with its one-line explanation. A failure that
// repeats on the same monitor is counted on its line ("×12"), not listed
// again. With several daemons merged, each entry about a monitor names the
// location that saw it, and repeats are counted per location.
//
// Entries are ordered by the time each shows, not by arrival: an event's
// time is when its check started, so a slow check that started earlier
// arrives after a quick one that started later, and goes below it.
type LogPane struct {
	sty      *Styles
	w, h     int
	entries  []logEntry             // oldest first, by time
	lastFail map[logKey]int         // index of each monitor's current failure entry
	badSince map[logKey]time.Time   // when each monitor's current problem began
	resumed  source.Resumes[logKey] // which changes are news: see there
	wrap     bool                   // long entries take up to three lines
	// shown, when set, holds the monitors the table's filter leaves: the
	// entries about others are not drawn (those about upbeat itself are).
	shown map[string]bool
	loc   *time.Location // the times shown are in it; nil: each time's own
}

// logKey is a monitor as seen from one location ("" for a single daemon).
type logKey struct{ monitor, location string }

// NewLogPane returns an empty log pane.
func NewLogPane(sty *Styles) *LogPane {
	return &LogPane{sty: sty, lastFail: make(map[logKey]int), badSince: make(map[logKey]time.Time)}
}

// SetSize sets the pane's size.
func (l *LogPane) SetSize(w, h int) { l.w, l.h = max(w, 0), max(h, 0) }

// SetLocation sets the time zone the entries' times are shown in: the
// dashboard clock's, whatever zone a time came from (history or a daemon).
func (l *LogPane) SetLocation(loc *time.Location) { l.loc = loc }

// SetWrap lets long entries wrap onto more lines (when the pane is beside
// the table and has the height for it).
func (l *LogPane) SetWrap(on bool) { l.wrap = on }

// Seed lists the problems already there when the dashboard starts, so that
// the log explains them from the first frame: every monitor down or
// degraded, oldest change first. locs says how each location sees each
// monitor when the source merges several daemons (nil otherwise). A
// dashboard on a source that keeps a journal replays it instead (see
// source.Journaled): the journal begins with the problems in force when
// it began, each read as Seed reads one here.
func (l *LogPane) Seed(states []monitor.State, locs map[string][]source.LocationState) {
	w := where(locs)
	type seed struct {
		e    logEntry
		locs []string // the locations that see it (none for a single daemon)
	}
	var seeds []seed
	for i := range states {
		st := &states[i]
		if st.Monitor == nil || (st.Status != monitor.StatusDown && st.Status != monitor.StatusDegraded) {
			continue
		}
		r := &st.Last
		if len(w.of(st)) < 2 {
			if ev, ok := source.InForce(st); ok {
				l.addChange(&ev) // as a journal tells of it
			}
			continue
		}
		// one line per problem, naming the locations that see it
		first := len(seeds)
	next:
		for _, loc := range w.of(st) {
			if loc.Status != monitor.StatusDown && loc.Status != monitor.StatusDegraded {
				continue
			}
			t := loc.Since
			if t.IsZero() {
				t = r.Time
			}
			for j := first; j < len(seeds); j++ {
				if e := &seeds[j].e; e.status == loc.Status && e.code == loc.Code && e.class == loc.Class && e.time.Equal(t) {
					seeds[j].locs = append(seeds[j].locs, loc.Location)
					continue next
				}
			}
			seeds = append(seeds, seed{e: logEntry{kind: monitor.EventChange, time: t, last: t, count: 1, monitor: st.Monitor.Name,
				status: loc.Status, from: loc.Status, to: loc.Status, code: loc.Code, class: loc.Class, rtime: r.Time, seed: true},
				locs: []string{loc.Location}})
		}
	}
	for _, sd := range seeds {
		sd.e.location = strings.Join(sd.locs, ", ")
		i := l.insert(sd.e)
		if len(sd.locs) == 0 {
			sd.locs = []string{""}
		}
		for _, loc := range sd.locs { // repeats seen from each location count on this line
			k := logKey{sd.e.monitor, loc}
			l.lastFail[k] = i
			l.badSince[k] = sd.e.time
		}
	}
}

func (e *logEntry) key() logKey { return logKey{e.monitor, e.location} }

// insert puts e among the entries by its time, after any of the same
// time (so that events of one instant keep their order), and returns
// where it went. Events nearly always come in order: the search starts
// from the end.
func (l *LogPane) insert(e logEntry) int {
	i := len(l.entries)
	for i > 0 && l.entries[i-1].time.After(e.time) {
		i--
	}
	l.entries = slices.Insert(l.entries, i, e)
	if i < len(l.entries)-1 {
		for k, j := range l.lastFail {
			if j >= i {
				l.lastFail[k] = j + 1
			}
		}
	}
	return i
}

// SetShown filters the pane as the table is filtered: only the entries
// about the monitors named (and those about upbeat itself) are drawn. nil
// draws every entry.
func (l *LogPane) SetShown(names []string) {
	if names == nil {
		l.shown = nil
		return
	}
	l.shown = make(map[string]bool, len(names))
	for _, n := range names {
		l.shown[n] = true
	}
}

// Filtered reports whether the pane draws only some monitors' entries.
func (l *LogPane) Filtered() bool { return l.shown != nil }

func (l *LogPane) visible(e *logEntry) bool {
	return l.shown == nil || e.monitor == "" || l.shown[e.monitor]
}

// onScreen returns the entries drawn, newest first: at most one per line.
func (l *LogPane) onScreen() []*logEntry {
	out := make([]*logEntry, 0, l.h)
	for i := len(l.entries) - 1; i >= 0 && len(out) < l.h; i-- {
		if e := &l.entries[i]; l.visible(e) {
			out = append(out, e)
		}
	}
	return out
}

// Repeats reports whether an entry on screen counts repeats ("×12"),
// which the pane's title then explains.
func (l *LogPane) Repeats() bool {
	for _, e := range l.onScreen() {
		if e.count > 1 {
			return true
		}
	}
	return false
}

// Len returns the number of entries kept.
func (l *LogPane) Len() int { return len(l.entries) }

// Update does nothing: the pane is fed with Add.
func (l *LogPane) Update(tea.Msg) (*LogPane, tea.Cmd) { return l, nil }

// Add records the events worth a line; it reports whether anything changed.
func (l *LogPane) Add(evs []source.Event) bool {
	changed := false
	for i := range evs {
		if l.add(&evs[i]) {
			changed = true
		}
	}
	if len(l.entries) > 2*logCap {
		drop := len(l.entries) - logCap
		l.entries = append(l.entries[:0:0], l.entries[drop:]...)
		for m, i := range l.lastFail {
			if i < drop {
				delete(l.lastFail, m)
			} else {
				l.lastFail[m] = i - drop
			}
		}
	}
	return changed
}

// add records one event if it is worth a line; it reports whether
// anything changed.
func (l *LogPane) add(ev *source.Event) bool {
	switch ev.Kind {
	case monitor.EventResult:
		return l.addResult(ev)
	case monitor.EventChange:
		return l.addChange(ev)
	case monitor.EventAlert:
		if ev.Alert == nil {
			return false
		}
		a := *ev.Alert
		if e := l.retried(ev); e != nil {
			e.alert, e.last = &a, ev.Time // the same message, tried again: one line
			return true
		}
		l.insert(logEntry{kind: monitor.EventAlert, time: ev.Time, last: ev.Time, count: 1,
			monitor: ev.Monitor, location: ev.Location, alert: &a})
		return true
	case monitor.EventNote:
		if ev.Note == nil {
			return false
		}
		n := *ev.Note
		l.insert(logEntry{kind: monitor.EventNote, time: ev.Time, last: ev.Time, count: 1,
			monitor: ev.Monitor, location: ev.Location, note: &n})
		return true
	case monitor.EventWarning, monitor.EventReload, monitor.EventWarRoom:
		if ev.Kind == monitor.EventWarning && !ev.Clear && l.replaces(&ev.Event) {
			return true
		}
		l.insert(logEntry{kind: ev.Kind, time: ev.Time, last: ev.Time, count: 1,
			monitor: ev.Monitor, message: ev.Message, clear: ev.Clear})
		return true
	}
	return false
}

// retried returns the line of the message that ev is a later attempt at:
// the newest line of the same channel, location and subject whose last
// attempt failed and was to be retried. nil when there is none.
func (l *LogPane) retried(ev *source.Event) *logEntry {
	a := ev.Alert
	if a.Attempts < 2 {
		return nil
	}
	for i := len(l.entries) - 1; i >= 0; i-- {
		e := &l.entries[i]
		if e.kind != monitor.EventAlert || e.alert.Channel != a.Channel || e.location != ev.Location {
			continue
		}
		if e.alert.Subject == a.Subject && !e.alert.OK && !e.alert.GaveUp && e.alert.Attempts < a.Attempts {
			return e
		}
	}
	return nil
}

// addResult records a failed check: a new line, or one more on the line
// of the same failure.
func (l *LogPane) addResult(ev *source.Event) bool {
	r := ev.Result
	if r == nil {
		return false
	}
	m := ev.Monitor
	if m == "" {
		m = r.Monitor
	}
	k := logKey{m, ev.Location}
	if !source.HasError(r) || r.Status == monitor.StatusMaintenance || r.Status == monitor.StatusPaused {
		// maintenance is not an outage: its 503s are expected
		delete(l.lastFail, k)
		return false
	}
	if i, ok := l.lastFail[k]; ok {
		e := &l.entries[i]
		switch {
		case !e.sameFailure(r):
		case e.rtime.Equal(r.Time):
			return true // the result of that line again
		case e.kind == monitor.EventResult || e.seed:
			if !e.seed { // a seed counts nothing (see logEntry.seed)
				e.count += max(ev.Repeats, 1)
			}
			e.last = ev.Time
			e.rtime = r.Time
			return true
		}
		// A change of status is one line, never counted: "up → down ×3"
		// would read as three outages. The failures after it are counted
		// on a line of their own.
	}
	l.lastFail[k] = l.insert(logEntry{kind: monitor.EventResult, time: ev.Time, last: ev.Time, count: max(ev.Repeats, 1),
		monitor: m, location: ev.Location, status: r.Status, code: r.Code, class: r.Class, errText: r.Error, rtime: r.Time})
	return true
}

// addChange records a change of status, with how long the problem lasted
// when it is a recovery.
func (l *LogPane) addChange(ev *source.Event) bool {
	e := logEntry{kind: monitor.EventChange, time: ev.Time, last: ev.Time, count: 1,
		monitor: ev.Monitor, location: ev.Location, from: ev.From, to: ev.To, status: ev.To}
	if e.monitor == "" && ev.Result != nil {
		e.monitor = ev.Result.Monitor
	}
	k := e.key()
	if !l.resumed.News(k, ev.From, ev.To) {
		return false
	}
	bad := ev.To == monitor.StatusDown || ev.To == monitor.StatusDegraded
	if bad && ev.From == ev.To {
		l.inForce(e, ev.Result)
		return true
	}
	if t, ok := l.badSince[k]; ok && !bad {
		e.after = ev.Time.Sub(t)
		delete(l.badSince, k)
	} else if bad && !ok {
		l.badSince[k] = ev.Time
	}
	if r := ev.Result; r != nil {
		e.code, e.class, e.errText, e.rtime, e.status = r.Code, r.Class, r.Error, r.Time, r.Status
		if l.becomesChange(k, ev, bad) {
			return true
		}
	}
	i := l.insert(e)
	if bad {
		l.lastFail[k] = i
	} else {
		delete(l.lastFail, k)
	}
	return true
}

// inForce records a problem already there when the dashboard started, or
// when the journal it replays began (see source.InForce): e, a change from
// its status to itself at the time the problem began, with r the last
// result then.
func (l *LogPane) inForce(e logEntry, r *monitor.Result) {
	if r != nil {
		e.code, e.class, e.errText, e.rtime = r.Code, r.Class, r.Error, r.Time
	}
	e.seed = true
	i := l.insert(e)
	l.lastFail[e.key()] = i
	l.badSince[e.key()] = e.time
}

// becomesChange turns the line of the failing result that caused a change
// of status into the line of that change, when the result has a line of
// its own; it reports whether it did.
func (l *LogPane) becomesChange(k logKey, ev *source.Event, bad bool) bool {
	i, ok := l.lastFail[k]
	if !ok {
		return false
	}
	old := &l.entries[i]
	if old.kind != monitor.EventResult || old.count != 1 || !old.sameFailure(ev.Result) || !old.rtime.Equal(ev.Result.Time) {
		return false
	}
	old.kind, old.from, old.to = monitor.EventChange, ev.From, ev.To
	if !bad {
		delete(l.lastFail, k)
	}
	return true
}

// replaces handles a warning that takes the place of one cleared at the
// same instant about the same thing (the engine retires a warning's old
// text and raises the new one together; "config not reloaded: A" then
// "config not reloaded: B"): the cleared line becomes the new warning,
// so that the log never says the config was accepted when it was
// refused again. It reports whether it did.
func (l *LogPane) replaces(ev *monitor.Event) bool {
	subject := warningSubject(ev.Message)
	for i := len(l.entries) - 1; i >= 0 && !l.entries[i].time.Before(ev.Time); i-- {
		e := &l.entries[i]
		if e.kind == monitor.EventWarning && e.clear && e.time.Equal(ev.Time) && warningSubject(e.message) == subject {
			e.message, e.clear, e.monitor = ev.Message, false, ev.Monitor
			return true
		}
	}
	return false
}

// refusedPrefix starts the warning the daemon raises when it refuses to
// reload a config that does not load; it names the mistakes, one after
// the other, as "file:line: key: what is wrong" joined with "; ".
const refusedPrefix = "config not reloaded: "

// warningSubject is what a warning is about: its text up to the first
// colon ("config not reloaded", "history").
func warningSubject(msg string) string {
	subject, _, _ := strings.Cut(msg, ":")
	return subject
}

// warningText is how a warning about upbeat itself reads on one line. A
// refused config lists every mistake with the file's full path, which a
// line cut at 80 columns would show only the start of: it reads as "config
// not reloaded, 2 mistakes (see upbeat validate): upbeat.toml:3: …", the
// count and the hint first, and the file without its directory.
func warningText(msg string) string {
	msg = clean(msg)
	rest, ok := strings.CutPrefix(msg, refusedPrefix)
	if !ok {
		return msg
	}
	parts := strings.Split(rest, "; ")
	file, _, _ := strings.Cut(parts[0], ":")
	if file == "" || strings.ContainsAny(file, " \t") || !strings.ContainsAny(file, "./\\") {
		// not a list of mistakes in a file (the file unreadable, say)
		return "config not reloaded (see upbeat validate): " + rest
	}
	base := file[strings.LastIndexAny(file, "/\\")+1:]
	n := 0
	for i, p := range parts {
		if after, ok := strings.CutPrefix(p, file+":"); ok {
			parts[i] = base + ":" + after
			n++
		}
	}
	count := strconv.Itoa(n)
	if strings.HasSuffix(rest, "…") {
		count += "+" // the daemon cut the list: there may be more
	}
	noun := " mistakes"
	if n == 1 && count == "1" {
		noun = " mistake"
	}
	return "config not reloaded, " + count + noun + " (see upbeat validate): " + strings.Join(parts, "; ")
}

// clearedText is how a warning that no longer holds reads: "no longer:"
// and its text, never the bare text behind a tick, which reads as the
// problem itself. A refused config that is cleared was accepted since
// (a refusal replaced by another never shows as cleared: see replaces); a
// lost connection that is cleared is a reconnection.
func clearedText(msg string) string {
	if strings.HasPrefix(clean(msg), refusedPrefix) {
		return "config accepted: the mistakes that stopped a reload are fixed"
	}
	if txt, ok := monitor.Reconnected(clean(msg)); ok {
		return txt // "reconnected to …", never "no longer: lost connection"
	}
	return "no longer: " + clean(msg)
}

// reloadText is how a reload reads: the engine's message already starts
// with "config reloaded" and is shown as it is; any other gets the prefix.
func reloadText(msg string) string {
	msg = clean(msg)
	switch {
	case strings.HasPrefix(msg, "config reloaded"):
		return msg
	case msg == "":
		return "config reloaded"
	}
	return "config reloaded: " + msg
}

// View renders the newest entries that fit, newest first.
func (l *LogPane) View() string {
	if l.w <= 0 || l.h <= 0 {
		return ""
	}
	shown := l.onScreen()
	if len(shown) == 0 {
		msg := "  nothing yet: errors, status changes and alerts show here"
		if l.shown != nil && len(l.entries) > 0 {
			msg = "  nothing about the monitors the filter leaves"
		}
		return l.sty.Dim.Render(trunc(msg, l.w))
	}
	nameW := 0
	for _, e := range shown {
		nameW = max(nameW, width(clean(e.monitor)))
	}
	nameW = min(nameW, 20)
	lines := make([]string, 0, l.h)
	for _, e := range shown {
		if len(lines) >= l.h {
			break
		}
		head, text := l.line(e, nameW)
		tw := l.w - width(head)
		if !l.wrap || width(text) <= tw || tw < 20 {
			if width(text) > tw && e.count > 1 && tw >= 30 {
				// cut the explanation, not the count
				n := "  ×" + strconv.Itoa(e.count)
				text = trunc(strings.TrimSuffix(text, n), tw-width(n)+1) + n[1:]
			}
			lines = append(lines, trunc(head+trunc(text, tw), l.w))
			continue
		}
		parts := wrap(text, tw)
		if len(parts) > 3 {
			parts = parts[:3]
			parts[2] = trunc(parts[2]+" …", tw)
		}
		for j, p := range parts {
			if len(lines) == l.h {
				break
			}
			if j == 0 {
				lines = append(lines, head+p)
			} else {
				lines = append(lines, spaces(width(head))+p)
			}
		}
	}
	return strings.Join(lines, "\n")
}

// line renders one entry: a styled head (time and glyph) and its text.
func (l *LogPane) line(e *logEntry, nameW int) (head, text string) {
	s := l.sty
	layout := "15:04:05"
	if l.w < 100 {
		layout = "15:04"
	}
	t := e.time
	if l.loc != nil {
		t = t.In(l.loc)
	}
	ts := t.Format(layout) // when it began: the order of the lines
	if e.seed && !e.rtime.IsZero() && e.rtime.Sub(e.time) >= 20*time.Hour {
		// began days before the dashboard started: its day, not a time of
		// day that reads as today's (or as one still to come)
		ts = t.Format("Jan02")
		if len(layout) > 5 {
			ts = t.Format("Jan 02") + "  "
		}
	}
	var glyph string
	style := s.Plain
	name := fit(cutMiddle(clean(e.monitor), nameW), nameW)
	where := "" // "eu-west: ", when several daemons are merged
	if e.location != "" {
		where = clean(e.location) + ": "
	}
	switch e.kind {
	case monitor.EventResult:
		glyph, style = Glyph(e.status), s.status(e.status)
		text = name + "  " + where + l.explain(e)
	case monitor.EventChange:
		glyph, style = Glyph(e.to), s.status(e.to)
		text = l.changeText(e, name, where)
	case monitor.EventAlert:
		glyph = "»"
		style, text = l.alertText(e, where)
	case monitor.EventWarning:
		if e.clear {
			glyph, style, text = "✓", s.Good, clearedText(e.message)
		} else {
			glyph, style, text = "!", s.Warn, warningText(e.message)
		}
	case monitor.EventReload:
		glyph, text = "↻", reloadText(e.message)
	case monitor.EventWarRoom:
		glyph, style, text = "◉", s.Warn, clean(e.message)
	case monitor.EventNote:
		glyph, text = "✎", name+"  "+where+clean(noteText(*e.note))
		if e.note.Kind == monitor.NoteAck {
			glyph = "✓"
		}
	}
	if e.count > 1 {
		text += "  ×" + strconv.Itoa(e.count)
	}
	return s.Dim.Render(ts) + " " + style.Render(glyph) + " ", text
}

// changeText is a status change: "api  up → down after 3s  502 Bad
// Gateway — …". A change the dashboard found already made when it
// started reads as the state it is.
func (l *LogPane) changeText(e *logEntry, name, where string) string {
	text := name + "  " + where + e.from.String() + " → " + e.to.String()
	if e.after > 0 {
		text += " after " + fmtDurLong(e.after)
	}
	if e.seed {
		// already so when the dashboard started; the time is when it began
		text = name
		if where != "" {
			text += "  " + where + e.to.String()
		}
	}
	if e.to == monitor.StatusDown || e.to == monitor.StatusDegraded {
		text += "  " + l.explain(e)
	}
	return text
}

// alertText is one message of an alert: the channel, the outcome, then
// what it said, so that a line cut at 80 columns still tells whether it
// went out: "alert hook (webhook) FAILED after 6 attempts: api is down —
// HTTP 501". The attempts of one message share its line (see retried).
func (l *LogPane) alertText(e *logEntry, where string) (lipgloss.Style, string) {
	a := e.alert
	what := where + "alert " + clean(a.Channel)
	if a.Kind != "" {
		what += " (" + clean(a.Kind) + ")"
	}
	style := l.sty.Bad
	var outcome string
	switch {
	case a.OK && a.Attempts > 1:
		style, outcome = l.sty.Good, "sent on attempt "+strconv.Itoa(a.Attempts)
	case a.OK:
		style, outcome = l.sty.Good, "sent"
	case a.Attempts == 0:
		outcome = "FAILED, not sent"
	case a.GaveUp && a.Attempts > 1:
		outcome = "FAILED after " + strconv.Itoa(a.Attempts) + " attempts"
	case a.GaveUp:
		outcome = "FAILED"
	default:
		style, outcome = l.sty.Warn, "failing, retrying (attempt "+strconv.Itoa(a.Attempts)+")"
	}
	text := what + " " + outcome
	if a.Subject != "" {
		text += ": " + clean(a.Subject)
	}
	if !a.OK && a.Error != "" {
		text += " — " + clean(a.Error)
	}
	return style, text
}

// explain is the one-line explanation of an entry's failure.
func (l *LogPane) explain(e *logEntry) string {
	if e.code == 0 && e.class == "" {
		if e.errText != "" {
			return clean(e.errText)
		}
		return e.status.String()
	}
	return explainLine(e.code, e.class)
}
