package tui

import (
	"slices"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/upbeat-monitor/upbeat/engine"
)

// logCap is how many entries the log pane keeps.
const logCap = 1000

// logEntry is one line of the log pane.
type logEntry struct {
	kind     engine.EventKind
	time     time.Time // first occurrence
	last     time.Time // latest occurrence (repeats are counted, not listed)
	count    int
	monitor  string
	status   engine.Status // of the result
	from, to engine.Status
	code     int
	class    string
	errText  string
	rtime    time.Time     // time of the result this entry describes
	after    time.Duration // a recovery: how long the problem lasted
	alert    *engine.AlertEvent
	message  string
	clear    bool
	seed     bool // a problem that was already there when the dashboard started
}

func (e *logEntry) sameFailure(r *engine.Result) bool {
	return e.code == r.Code && e.class == r.Class && e.status == r.Status
}

// LogPane lists error codes, state changes, alert deliveries and warnings,
// newest first, each error with its one-line explanation. A failure that
// repeats on the same monitor is counted on its line ("×12"), not listed
// again.
type LogPane struct {
	sty      *Styles
	w, h     int
	entries  []logEntry           // oldest first
	lastFail map[string]int       // monitor → index of its current failure entry
	badSince map[string]time.Time // monitor → when its current problem began
	wrap     bool                 // long entries take up to three lines
}

// NewLogPane returns an empty log pane.
func NewLogPane(sty *Styles) *LogPane {
	return &LogPane{sty: sty, lastFail: make(map[string]int), badSince: make(map[string]time.Time)}
}

// SetSize sets the pane's size.
func (l *LogPane) SetSize(w, h int) { l.w, l.h = max(w, 0), max(h, 0) }

// SetWrap lets long entries wrap onto more lines (when the pane is beside
// the table and has the height for it).
func (l *LogPane) SetWrap(on bool) { l.wrap = on }

// Seed lists the problems already there when the dashboard starts, so that
// the log explains them from the first frame: every monitor down or
// degraded, oldest change first.
func (l *LogPane) Seed(states []engine.MonitorState) {
	var seeds []logEntry
	for i := range states {
		st := &states[i]
		if st.Monitor == nil || (st.Status != engine.StatusDown && st.Status != engine.StatusDegraded) {
			continue
		}
		r := &st.Last
		t := st.Since
		if t.IsZero() {
			t = r.Time
		}
		e := logEntry{kind: engine.EventChange, time: t, last: t, count: 1, monitor: st.Monitor.Name,
			status: st.Status, from: st.Status, to: st.Status, code: r.Code, class: r.Class, errText: r.Error,
			rtime: r.Time, seed: true}
		seeds = append(seeds, e)
	}
	slices.SortStableFunc(seeds, func(a, b logEntry) int { return a.time.Compare(b.time) })
	for _, e := range seeds {
		l.entries = append(l.entries, e)
		l.lastFail[e.monitor] = len(l.entries) - 1
		l.badSince[e.monitor] = e.time
	}
}

// Len returns the number of entries kept.
func (l *LogPane) Len() int { return len(l.entries) }

// Update does nothing: the pane is fed with Add.
func (l *LogPane) Update(tea.Msg) (*LogPane, tea.Cmd) { return l, nil }

// Add records the events worth a line; it reports whether anything changed.
func (l *LogPane) Add(evs []engine.Event) bool {
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

func (l *LogPane) add(ev *engine.Event) bool {
	switch ev.Kind {
	case engine.EventResult:
		r := ev.Result
		if r == nil {
			return false
		}
		m := ev.Monitor
		if m == "" {
			m = r.Monitor
		}
		if !hasError(r) || r.Status == engine.StatusMaintenance || r.Status == engine.StatusPaused {
			// maintenance is not an outage: its 503s are expected
			delete(l.lastFail, m)
			return false
		}
		if i, ok := l.lastFail[m]; ok {
			e := &l.entries[i]
			if e.sameFailure(r) {
				if !e.rtime.Equal(r.Time) {
					e.count++
					e.last = ev.Time
					e.rtime = r.Time
				}
				return true
			}
		}
		l.entries = append(l.entries, logEntry{kind: engine.EventResult, time: ev.Time, last: ev.Time, count: 1,
			monitor: m, status: r.Status, code: r.Code, class: r.Class, errText: r.Error, rtime: r.Time})
		l.lastFail[m] = len(l.entries) - 1
		return true
	case engine.EventChange:
		if ev.From == engine.StatusPending && ev.To == engine.StatusUp {
			return false // a first good check is not news
		}
		e := logEntry{kind: engine.EventChange, time: ev.Time, last: ev.Time, count: 1,
			monitor: ev.Monitor, from: ev.From, to: ev.To, status: ev.To}
		if e.monitor == "" && ev.Result != nil {
			e.monitor = ev.Result.Monitor
		}
		bad := ev.To == engine.StatusDown || ev.To == engine.StatusDegraded
		if t, ok := l.badSince[e.monitor]; ok && !bad {
			e.after = ev.Time.Sub(t)
			delete(l.badSince, e.monitor)
		} else if bad && !ok {
			l.badSince[e.monitor] = ev.Time
		}
		if r := ev.Result; r != nil {
			e.code, e.class, e.errText, e.rtime, e.status = r.Code, r.Class, r.Error, r.Time, r.Status
			if e.monitor == "" {
				e.monitor = r.Monitor
			}
			// the failing result of this change may already have a line: make it this one
			if i, ok := l.lastFail[e.monitor]; ok {
				old := &l.entries[i]
				if old.kind == engine.EventResult && old.count == 1 && old.sameFailure(r) && old.rtime.Equal(r.Time) {
					old.kind, old.from, old.to = engine.EventChange, ev.From, ev.To
					if ev.To != engine.StatusDown && ev.To != engine.StatusDegraded {
						delete(l.lastFail, e.monitor)
					}
					return true
				}
			}
		}
		l.entries = append(l.entries, e)
		if ev.To == engine.StatusDown || ev.To == engine.StatusDegraded {
			l.lastFail[e.monitor] = len(l.entries) - 1
		} else {
			delete(l.lastFail, e.monitor)
		}
		return true
	case engine.EventAlert:
		if ev.Alert == nil {
			return false
		}
		a := *ev.Alert
		l.entries = append(l.entries, logEntry{kind: engine.EventAlert, time: ev.Time, last: ev.Time, count: 1,
			monitor: ev.Monitor, alert: &a})
		return true
	case engine.EventWarning, engine.EventReload:
		l.entries = append(l.entries, logEntry{kind: ev.Kind, time: ev.Time, last: ev.Time, count: 1,
			monitor: ev.Monitor, message: ev.Message, clear: ev.Clear})
		return true
	}
	return false
}

// View renders the newest entries that fit, newest first.
func (l *LogPane) View() string {
	if l.w <= 0 || l.h <= 0 {
		return ""
	}
	if len(l.entries) == 0 {
		return l.sty.Dim.Render(trunc("  nothing yet: errors, status changes and alerts show here", l.w))
	}
	n := min(l.h, len(l.entries))
	nameW := 0
	for i := 0; i < n; i++ {
		nameW = max(nameW, width(clean(l.entries[len(l.entries)-1-i].monitor)))
	}
	nameW = min(nameW, 20)
	lines := make([]string, 0, l.h)
	for i := 0; i < len(l.entries) && len(lines) < l.h; i++ {
		e := &l.entries[len(l.entries)-1-i]
		head, text := l.line(e, nameW)
		tw := l.w - width(head)
		if !l.wrap || width(text) <= tw || tw < 20 {
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
	ts := e.time.Format(layout) // when it began: the order of the lines
	var glyph string
	style := s.Plain
	name := fit(clean(e.monitor), nameW)
	switch e.kind {
	case engine.EventResult:
		glyph, style = Glyph(e.status), s.status(e.status)
		text = name + "  " + l.explain(e)
	case engine.EventChange:
		glyph, style = Glyph(e.to), s.status(e.to)
		text = name + "  " + e.from.String() + " → " + e.to.String()
		if e.after > 0 {
			text += " after " + fmtDurLong(e.after)
		}
		if e.seed {
			// already so when the dashboard started; the time is when it began
			text = name
			if !e.rtime.IsZero() && e.rtime.Sub(e.time) >= 20*time.Hour {
				text += "  since " + e.time.Format("Jan 2")
			}
		}
		if e.to == engine.StatusDown || e.to == engine.StatusDegraded {
			text += "  " + l.explain(e)
		}
	case engine.EventAlert:
		a := e.alert
		glyph = "»"
		what := "alert " + clean(a.Channel)
		if a.Kind != "" {
			what += " (" + clean(a.Kind) + ")"
		}
		if a.Subject != "" {
			what += ": " + clean(a.Subject)
		}
		if a.OK {
			style = s.Good
			text = what + " — sent"
		} else {
			style = s.Bad
			text = what + " — failed"
			if a.Error != "" {
				text += ": " + clean(a.Error)
			}
		}
		if a.Attempts > 1 {
			text += " (" + strconv.Itoa(a.Attempts) + " attempts)"
		}
	case engine.EventWarning:
		if e.clear {
			glyph, style, text = "✓", s.Good, "resolved: "+clean(e.message)
		} else {
			glyph, style, text = "!", s.Warn, clean(e.message)
		}
	case engine.EventReload:
		glyph, text = "↻", "config reloaded: "+clean(e.message)
	}
	if e.count > 1 {
		text += "  ×" + strconv.Itoa(e.count)
	}
	return s.Dim.Render(ts) + " " + style.Render(glyph) + " ", text
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
