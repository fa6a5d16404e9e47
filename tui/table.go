package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// SortMode orders the monitors table.
type SortMode int

// Sort orders, in the order the s key cycles through them.
const (
	SortStatus  SortMode = iota // worst first: down, degraded, pending, maintenance, paused, up
	SortName                    // by name
	SortLatency                 // slowest first
	SortUptime                  // lowest 24h uptime first
	SortChange                  // most recent status change first
	sortModes
)

func (s SortMode) String() string {
	switch s {
	case SortStatus:
		return "status"
	case SortName:
		return "name"
	case SortLatency:
		return "latency"
	case SortUptime:
		return "uptime"
	case SortChange:
		return "last change"
	}
	return "?"
}

type colID int

const (
	colStatus colID = iota
	colName
	colLoc // one per location when several daemons are merged
	colKind
	colCode
	colLatency
	colSpark
	colUp24
	colUp7
	colUp30
	colCert
	colSince
)

type column struct {
	id    colID
	title string
	w     int
	right bool
	loc   string // colLoc: the location's label
}

// Column widths and limits.
const (
	statusW    = 10 // "▲ degraded", "✕ down 1/2"
	nameMin    = 16
	nameMax    = 28
	sparkMin   = 8
	sparkMax   = 40
	sinceW     = 7  // "down 4m", or "4m" alone
	sinceWideW = 12 // "degraded 59m"
	locMin     = 9  // "✕ refused", "○ pending"
	locMax     = 12
)

// optional columns, most important first: they drop from the end when the
// terminal is narrow.
var optionalCols = []column{
	{id: colCode, title: "CODE", w: codeMinW},
	{id: colLatency, title: "LATENCY", w: 7, right: true},
	{id: colSince, title: "FOR", w: sinceW},
	{id: colUp24, title: "24H", w: 6, right: true},
	{id: colSpark, title: "RESPONSE", w: sparkMin},
	{id: colCert, title: "CERT", w: 5, right: true},
	{id: colKind, title: "KIND", w: 6},
	{id: colUp7, title: "7D", w: 6, right: true},
	{id: colUp30, title: "30D", w: 6, right: true},
}

// multiCols are the optional columns after the location columns when
// several locations are shown, most important first: the locations' cells
// already say each location's code, so CODE goes after the sparkline.
var multiCols = []colID{colLatency, colSince, colUp24, colSpark, colCode, colCert, colKind, colUp7, colUp30}

// displayOrder is where each column goes, left to right.
var displayOrder = [...]int{colStatus: 0, colName: 1, colLoc: 2, colKind: 3, colCode: 4, colLatency: 5, colSpark: 6,
	colUp24: 7, colUp7: 8, colUp30: 9, colCert: 10, colSince: 11}

// candidates returns the optional columns in order of importance: with
// several locations, one column per location comes first.
func candidates(locs []string) []column {
	if len(locs) == 0 {
		return optionalCols
	}
	out := make([]column, 0, len(locs)+len(optionalCols))
	for _, l := range locs {
		out = append(out, column{id: colLoc, title: clean(l), w: max(locMin, min(locMax, width(clean(l)))), loc: l})
	}
	for _, id := range multiCols {
		for _, c := range optionalCols {
			if c.id == id {
				out = append(out, c)
			}
		}
	}
	return out
}

// layoutColumns chooses the columns that fit in w cells and their widths,
// in display order; locs are the locations that get a column each (none
// for a single daemon), code is the width the longest code or class
// shown would take. A one-cell selection marker comes before them.
func layoutColumns(w int, locs []string, code int) []column {
	cols := []column{{id: colStatus, title: "STATUS", w: statusW}}
	avail := w - 1 - statusW - 1 // marker, status, gap before the name
	if avail < 1 {
		return cols
	}
	var chosen []column
	least := nameMin
	if w < 60 {
		least = 10 // a narrow pane: code and latency matter more than a whole name
	}
	for _, c := range candidates(locs) {
		if c.id == colSince && w >= 120 {
			c.w, c.title = sinceWideW, "SINCE"
		}
		if avail-(c.w+1) >= least {
			chosen = append(chosen, c)
			avail -= c.w + 1
		} else if c.id == colLoc {
			break // a location that does not fit: no less important column takes its place
		}
	}
	// the room left goes to the name, then to the sparkline, in turns
	name := min(least, avail)
	extra := avail - name
	grow := func(limit int, w *int) {
		g := max(0, min(extra, limit-*w))
		*w += g
		extra -= g
	}
	sp, cd := -1, -1
	for i := range chosen {
		switch chosen[i].id {
		case colSpark:
			sp = i
		case colCode:
			cd = i
		}
	}
	grow(20, &name)
	if want := min(code, codeMaxW); cd >= 0 && extra >= want-chosen[cd].w {
		grow(want, &chosen[cd].w) // whole class names where there is room for them; else short labels
	}
	if sp >= 0 {
		grow(30, &chosen[sp].w)
	}
	grow(nameMax, &name)
	if sp >= 0 {
		grow(sparkMax, &chosen[sp].w)
	}
	name += extra
	cols = append(cols, column{id: colName, title: "NAME", w: name})
	slices.SortStableFunc(chosen, func(a, b column) int { return displayOrder[a.id] - displayOrder[b.id] })
	return append(cols, chosen...)
}

// idealTableWidth is the width at which the table shows every column, a
// whole name, every code and class whole and a 30-cell sparkline; beside
// the log pane it takes no more.
func idealTableWidth(locs []string, code int) int {
	w := 1 + statusW + 1 + nameMax
	for _, c := range candidates(locs) {
		switch c.id {
		case colSince:
			c.w = sinceWideW
		case colSpark:
			c.w = 30
		case colCode:
			c.w = max(c.w, min(code, codeMaxW))
		}
		w += c.w + 1
	}
	return w
}

type tableItem struct {
	st    *monitor.State // nil for a group heading
	group string
	count int
	ord   int // 1-based position among monitor rows
}

// Table is the monitors table: one row per monitor, sorted, filtered and
// optionally grouped by tag. Only the rows on screen are rendered.
type Table struct {
	sty    *Styles
	keys   KeyMap
	w, h   int
	now    time.Time
	all    []monitor.State
	items  []tableItem
	rows   int // monitor rows among items
	cursor int // index into items of the selected monitor; -1 when none
	offset int // first item on screen
	// prior is the offset before the last rebuild scrolled to keep the
	// selection on screen, -1 once the person has moved since: that
	// rebuild scrolled for the height the table had, and a filter that
	// gives rows back is followed by a taller one (SetSize scrolls from
	// prior again).
	prior  int
	sortBy SortMode
	group  bool
	filter filter
	// sel is the name of the selected monitor: the selection follows it
	// whatever moves the rows (new data, a sort, a filter, a snapshot), so
	// that a key meant for it never lands on the monitor that took its
	// row. It is kept while no row is shown.
	sel string
	// order is the names in display order at the last rebuild: when the
	// selected monitor is no longer shown, where its neighbours were.
	order  []string
	cols   []column
	locs   []string       // locations with a column each; none for one daemon
	where  where          // how each location sees each monitor (SetLocations)
	codeW  int            // cells the longest code or class of the monitors takes
	sparks sparkCache     // drawn sparklines: a cache, not state (View fills it; what it draws does not depend on it)
	plain  bool           // no selection (the plain table printed without a terminal)
	gen    uint64         // counts the rebuilds of the rows: what shows them may compare it
	behind map[string]int // monitors folded under each monitor (depends_on), by its name
	folded int            // monitors folded away
}

// NewTable returns an empty table sorted by status.
func NewTable(sty *Styles, keys KeyMap) *Table {
	return &Table{sty: sty, keys: keys, cursor: -1, prior: -1}
}

// SetSize sets the table's size; h counts the column heading line.
func (t *Table) SetSize(w, h int) {
	t.w, t.h = max(w, 0), max(h, 0)
	t.cols = layoutColumns(t.w, t.locs, t.codeW)
	if t.prior >= 0 {
		t.offset = t.prior
	}
	t.scroll()
}

// SetNow sets the time "since" labels are measured from.
func (t *Table) SetNow(now time.Time) { t.now = now }

// SetLocations says how each location sees each monitor, by name, for a
// source that merges several daemons (nil for one daemon); the next
// SetData takes it into account.
func (t *Table) SetLocations(locs map[string][]source.LocationState) { t.where = locs }

// SetData replaces the monitors shown; the table keeps and reads states.
func (t *Table) SetData(states []monitor.State) {
	t.all = states
	code := codeMinW
	for i := range states {
		code = max(code, width(codeLabel(&states[i].Last)))
	}
	if locs := locationLabels(states, t.where); !slices.Equal(locs, t.locs) || code != t.codeW {
		t.locs, t.codeW = locs, code
		t.cols = layoutColumns(t.w, t.locs, t.codeW)
	}
	t.rebuild()
}

// Locations returns the locations that have a column each, in order;
// none unless some monitor is seen from more than one location.
func (t *Table) Locations() []string { return t.locs }

// IdealWidth is the width at which the table shows everything it has.
func (t *Table) IdealWidth() int { return idealTableWidth(t.locs, t.codeW) }

// SetPlain draws no selection, for the table printed once without a
// terminal.
func (t *Table) SetPlain(on bool) { t.plain = on }

// SetSort sets the sort order.
func (t *Table) SetSort(s SortMode) {
	t.sortBy = s
	t.rebuild()
}

// CycleSort moves to the next sort order and returns it.
func (t *Table) CycleSort() SortMode {
	t.SetSort((t.sortBy + 1) % sortModes)
	return t.sortBy
}

// Sort returns the sort order.
func (t *Table) Sort() SortMode { return t.sortBy }

// Grouped reports whether the monitors are grouped by tag.
func (t *Table) Grouped() bool { return t.group }

// ToggleGroup turns grouping by tag on or off and returns the new setting.
func (t *Table) ToggleGroup() bool {
	t.group = !t.group
	t.rebuild()
	return t.group
}

// SetFilter sets the filter text (see filter for its syntax).
func (t *Table) SetFilter(s string) {
	t.filter = parseFilter(s)
	t.rebuild()
}

// Filter returns the filter text.
func (t *Table) Filter() string { return t.filter.raw }

// Selected returns the selected monitor, or nil.
func (t *Table) Selected() *monitor.State {
	if t.cursor < 0 || t.cursor >= len(t.items) {
		return nil
	}
	return t.items[t.cursor].st
}

// Len returns the number of monitors shown (after the filter and
// folding) and the total.
func (t *Table) Len() (shown, total int) { return t.rows, len(t.all) }

// Folded returns how many monitors are folded under a monitor they
// depend on that is down, and under which, when it is one alone.
func (t *Table) Folded() (n int, under string) {
	if len(t.behind) == 1 {
		for r := range t.behind {
			under = r
		}
	}
	return t.folded, under
}

// Names returns the names of the monitors in display order (for tests and
// for whoever wants the order the person sees).
func (t *Table) Names() []string {
	out := make([]string, 0, t.rows)
	for _, it := range t.items {
		if it.st != nil {
			out = append(out, it.st.Monitor.Name)
		}
	}
	return out
}

// Counter returns "12-20 of 57" when the rows do not all fit, else "".
func (t *Table) Counter() string {
	vis := t.visibleRows()
	if len(t.items) <= vis || t.rows == 0 {
		return ""
	}
	first, last := 0, 0
	for i := t.offset; i < len(t.items) && i < t.offset+vis; i++ {
		if o := t.items[i].ord; o > 0 {
			if first == 0 {
				first = o
			}
			last = o
		}
	}
	if first == 0 {
		return ""
	}
	return fmt.Sprintf("%d-%d of %d", first, last, t.rows)
}

func (t *Table) visibleRows() int { return max(t.h-1, 0) }

// Generation changes whenever the rows are rebuilt (new data, a filter,
// a sort): the monitors shown may have changed.
func (t *Table) Generation() uint64 { return t.gen }

func (t *Table) rebuild() {
	t.gen++
	idx := t.fold(t.sorted(t.shown()))
	t.items = t.items[:0]
	t.rows = len(idx)
	head := -1
	for n, i := range idx {
		if t.group {
			g := t.groupOf(i)
			if n == 0 || t.groupOf(idx[n-1]) != g {
				head = len(t.items)
				t.items = append(t.items, tableItem{group: g})
			}
			t.items[head].count++
		}
		t.items = append(t.items, tableItem{st: &t.all[i], ord: n + 1})
	}
	t.cursor = t.find(t.sel)
	if t.cursor < 0 && len(t.items) > 0 {
		t.cursor = t.neighbour()
		t.sel = t.items[t.cursor].st.Monitor.Name
	}
	t.prior = t.offset
	if t.rows > 0 { // with none shown, where they were is kept for when some are again
		t.order = t.order[:0]
		for _, it := range t.items {
			if it.st != nil {
				t.order = append(t.order, it.st.Monitor.Name)
			}
		}
	}
	t.scroll()
}

// find returns the item of the monitor called name, or -1.
func (t *Table) find(name string) int {
	if name == "" {
		return -1
	}
	for i := range t.items {
		if st := t.items[i].st; st != nil && st.Monitor.Name == name {
			return i
		}
	}
	return -1
}

// neighbour is the item to select when the selected monitor is no longer
// shown (filtered out, removed by a reload): the nearest monitor after it
// in the order shown before that is still shown, else the nearest before
// it; the top row when there was no selection. There is at least one
// item.
func (t *Table) neighbour() int {
	top := t.nextMonitor(0, 1)
	at := slices.Index(t.order, t.sel)
	if at < 0 {
		return top
	}
	shown := make(map[string]int, t.rows)
	for i := range t.items {
		if st := t.items[i].st; st != nil {
			shown[st.Monitor.Name] = i
		}
	}
	for j := at + 1; j < len(t.order); j++ {
		if i, ok := shown[t.order[j]]; ok {
			return i
		}
	}
	for j := at - 1; j >= 0; j-- {
		if i, ok := shown[t.order[j]]; ok {
			return i
		}
	}
	return top
}

// shown is the index in t.all of every monitor the filter lets through.
func (t *Table) shown() []int {
	idx := make([]int, 0, len(t.all))
	for i := range t.all {
		if t.all[i].Monitor == nil {
			continue
		}
		if t.filter.active() && !t.filter.match(&t.all[i]) {
			continue
		}
		idx = append(idx, i)
	}
	return idx
}

// groupOf is the group of t.all[i]: its first tag, "" for none.
func (t *Table) groupOf(i int) string {
	if tags := t.all[i].Monitor.Tags; len(tags) > 0 {
		return tags[0]
	}
	return ""
}

// sorted orders idx by the sort chosen, within groups when grouping
// (monitors without a tag last).
func (t *Table) sorted(idx []int) []int {
	less := t.lessFunc()
	slices.SortStableFunc(idx, func(a, b int) int {
		if t.group {
			if ga, gb := t.groupOf(a), t.groupOf(b); ga != gb {
				switch {
				case ga == "":
					return 1
				case gb == "":
					return -1
				}
				return strings.Compare(ga, gb)
			}
		}
		return less(a, b)
	})
	return idx
}

// fold takes out of idx the monitors down behind a monitor that is down:
// they are folded under it (t.behind counts them), unless a filter asks
// for monitors by themselves.
func (t *Table) fold(idx []int) []int {
	var roots map[string]string
	if !t.filter.active() {
		roots = foldRoots(t.all)
	}
	t.behind, t.folded = map[string]int{}, len(roots)
	for _, r := range roots {
		t.behind[r]++
	}
	if len(roots) == 0 {
		return idx
	}
	kept := idx[:0]
	for _, i := range idx {
		if _, ok := roots[t.all[i].Monitor.Name]; !ok {
			kept = append(kept, i)
		}
	}
	return kept
}

func (t *Table) lessFunc() func(a, b int) int {
	all := t.all
	switch t.sortBy {
	case SortName:
		return func(a, b int) int {
			return strings.Compare(strings.ToLower(all[a].Monitor.Name), strings.ToLower(all[b].Monitor.Name))
		}
	case SortLatency:
		return func(a, b int) int {
			la, lb := latencyKey(&all[a]), latencyKey(&all[b])
			switch {
			case la > lb:
				return -1
			case la < lb:
				return 1
			}
			return 0
		}
	case SortUptime:
		return func(a, b int) int {
			ua, ub := uptimeKey(&all[a]), uptimeKey(&all[b])
			switch {
			case ua < ub:
				return -1
			case ua > ub:
				return 1
			}
			return 0
		}
	case SortChange:
		return func(a, b int) int { return all[b].Since.Compare(all[a].Since) }
	}
	return func(a, b int) int {
		if d := all[a].Status.Severity() - all[b].Status.Severity(); d != 0 {
			return d
		}
		// seen so from more of its locations first: down everywhere before down from one
		na, ta := statusShare(&all[a], t.where.of(&all[a]))
		nb, tb := statusShare(&all[b], t.where.of(&all[b]))
		if ta > 0 && tb > 0 {
			return nb*ta - na*tb
		}
		return 0
	}
}

func latencyKey(st *monitor.State) time.Duration {
	if st.Last.Time.IsZero() || st.Last.StopRecord() {
		return -1
	}
	return st.Last.Latency
}

func uptimeKey(st *monitor.State) float64 {
	if !st.Uptime24.Valid {
		return 2
	}
	return st.Uptime24.Ratio
}

// nextMonitor returns the first monitor item from i going in direction dir,
// or -1.
func (t *Table) nextMonitor(i, dir int) int {
	for ; i >= 0 && i < len(t.items); i += dir {
		if t.items[i].st != nil {
			return i
		}
	}
	return -1
}

// moveTo selects the monitor nearest to item i.
func (t *Table) moveTo(i int, dir int) {
	if len(t.items) == 0 {
		t.cursor = -1
		return
	}
	i = max(0, min(i, len(t.items)-1))
	c := t.nextMonitor(i, dir)
	if c < 0 {
		c = t.nextMonitor(i, -dir)
	}
	if c >= 0 {
		t.cursor = c
		t.sel = t.items[c].st.Monitor.Name
	}
	t.scroll()
	t.prior = -1
}

// scroll keeps the cursor on screen.
func (t *Table) scroll() {
	vis := t.visibleRows()
	if vis <= 0 {
		t.offset = 0
		return
	}
	if t.cursor >= 0 {
		if t.cursor < t.offset {
			t.offset = t.cursor
			if t.offset > 0 && t.items[t.offset-1].st == nil {
				t.offset-- // show the group heading above
			}
		}
		if t.cursor >= t.offset+vis {
			t.offset = t.cursor - vis + 1
		}
	}
	t.offset = max(0, min(t.offset, len(t.items)-vis))
}

// Update moves the selection on navigation keys and mouse wheel.
func (t *Table) Update(msg tea.Msg) (*Table, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		vis := max(t.visibleRows(), 1)
		switch {
		case t.keys.Down.Matches(msg):
			t.moveTo(t.cursor+1, 1)
		case t.keys.Up.Matches(msg):
			t.moveTo(t.cursor-1, -1)
		case t.keys.PageDown.Matches(msg):
			t.offset += vis
			t.moveTo(t.cursor+vis, 1)
		case t.keys.PageUp.Matches(msg):
			t.offset -= vis
			t.moveTo(t.cursor-vis, -1)
		case t.keys.Top.Matches(msg):
			t.moveTo(0, 1)
		case t.keys.Bottom.Matches(msg):
			t.moveTo(len(t.items)-1, -1)
		}
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelDown:
			t.moveTo(t.cursor+1, 1)
		case tea.MouseButtonWheelUp:
			t.moveTo(t.cursor-1, -1)
		}
	}
	return t, nil
}

// ClickRow selects the monitor on line y of the table's view (0 is the
// column headings); it reports whether a monitor was there.
func (t *Table) ClickRow(y int) bool {
	i := t.offset + y - 1
	if y < 1 || i >= len(t.items) || t.items[i].st == nil {
		return false
	}
	t.cursor = i
	t.sel = t.items[i].st.Monitor.Name
	t.prior = -1
	return true
}

// View renders the column headings and the rows on screen.
func (t *Table) View() string {
	if t.w <= 0 || t.h <= 0 {
		return ""
	}
	t.sparks.sweep()
	var b strings.Builder
	b.Grow((t.h + 1) * (t.w + 32))
	b.WriteString(t.headingLine())
	vis := t.visibleRows()
	if len(t.items) == 0 && vis > 0 {
		msg := "no monitors configured"
		if t.filter.active() {
			msg = "no monitor matches the filter " + strconv.Quote(t.filter.raw) + " (esc clears it)"
		}
		b.WriteString("\n")
		b.WriteString(t.sty.Dim.Render(trunc("  "+msg, t.w)))
		return b.String()
	}
	for i := t.offset; i < len(t.items) && i < t.offset+vis; i++ {
		b.WriteByte('\n')
		it := &t.items[i]
		if it.st == nil {
			b.WriteString(t.groupLine(it))
			continue
		}
		b.WriteString(t.rowLine(it.st, i == t.cursor && !t.plain))
	}
	return b.String()
}

func (t *Table) headingLine() string {
	var b strings.Builder
	b.WriteString(" ")
	for i, c := range t.cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		if c.right {
			b.WriteString(fitRight(c.title, c.w))
		} else {
			b.WriteString(fit(c.title, c.w))
		}
	}
	return t.sty.ColHead.Render(trimRight(trunc(b.String(), t.w)))
}

func (t *Table) groupLine(it *tableItem) string {
	name := it.group
	if name == "" {
		name = "untagged"
	}
	return t.sty.Group.Render(trunc(fmt.Sprintf("▾ %s (%d)", clean(name), it.count), t.w))
}

// rowLine renders one monitor. The selected row is drawn as plain text in
// reverse video as a whole (and marked with ›, which reads without colour).
func (t *Table) rowLine(st *monitor.State, sel bool) string {
	var b strings.Builder
	if sel {
		b.WriteString("›")
	} else {
		b.WriteString(" ")
	}
	for i, c := range t.cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		txt, style := t.cell(st, c, sel)
		if c.id == colSpark {
			b.WriteString(txt) // already exactly c.w cells, styled per cell
			continue
		}
		if c.right {
			txt = fitRight(txt, c.w)
		} else {
			txt = fit(txt, c.w)
		}
		if sel || style == nil {
			b.WriteString(txt)
		} else {
			b.WriteString(style.Render(txt))
		}
	}
	line := b.String()
	if sel {
		return t.sty.Selected.Render(fit(line, t.w))
	}
	return trunc(trimRight(line), t.w)
}

// trimRight drops trailing spaces (fewer bytes to the terminal).
func trimRight(s string) string { return strings.TrimRight(s, " ") }

// cell returns the text of one cell and its style (nil: unstyled).
func (t *Table) cell(st *monitor.State, c column, sel bool) (string, *lipgloss.Style) {
	s := t.sty
	switch c.id {
	case colStatus:
		style := s.status(st.Status)
		return statusLabel(st, t.where.of(st)), &style
	case colLoc:
		return t.locationCell(st, c.loc)
	case colName:
		var suffix string
		if n := t.behind[st.Monitor.Name]; n > 0 {
			suffix += fmt.Sprintf(" +%d behind", n)
		}
		if st.Monitor.Insecure {
			suffix += " (insecure)"
		}
		return cutMiddle(clean(st.Monitor.Name), max(c.w-width(suffix), min(c.w, 8))) + suffix, nil
	case colKind:
		k := string(st.Monitor.Kind)
		switch st.Monitor.Kind {
		case monitor.KindHTTP:
			if strings.HasPrefix(st.Monitor.URL, "https:") {
				k = "https"
			}
		case monitor.KindGRPC, monitor.KindWS, monitor.KindRedis, monitor.KindSMTP:
			if u := st.Monitor.Parsed; u != nil && strings.HasSuffix(u.Scheme, "s") {
				k = u.Scheme // grpcs, wss, rediss, smtps: the TLS variant, as https
			}
		case monitor.KindPostgres:
			k = "pg" // the column is as wide as "https"
		}
		return k, &s.Dim
	case colCode:
		return t.codeCell(&st.Last, c.w)
	case colLatency:
		return t.latencyCell(st)
	case colSpark:
		return t.sparks.get(s, st.Monitor.Name, st.Recent, c.w, sel, st.Monitor.Kind == monitor.KindPush), nil
	case colUp24:
		return t.uptimeCell(st.Uptime24)
	case colUp7:
		return t.uptimeCell(st.Uptime7d)
	case colUp30:
		return t.uptimeCell(st.Uptime30)
	case colCert:
		return t.certCell(st)
	case colSince:
		return t.sinceCell(st, c.w)
	}
	return "", nil
}

// locationCell is what one location sees of a monitor.
func (t *Table) locationCell(st *monitor.State, loc string) (string, *lipgloss.Style) {
	l, ok := locationOf(st, t.where.of(st), loc)
	if !ok {
		return "—", &t.sty.Dim // not watched from there
	}
	style := t.sty.status(l.Status)
	return locationCell(l), &style
}

func (t *Table) codeCell(r *monitor.Result, w int) (string, *lipgloss.Style) {
	s := t.sty
	txt := codeFor(codeLabel(r), w)
	switch {
	case r.Time.IsZero():
		return txt, &s.Dim
	case r.Status == monitor.StatusDown || r.Code >= 500:
		return txt, &s.Bad
	case r.Status == monitor.StatusDegraded || r.Code >= 400:
		return txt, &s.Warn
	}
	return txt, nil
}

func (t *Table) latencyCell(st *monitor.State) (string, *lipgloss.Style) {
	r := &st.Last
	// a push monitor has beats, not latency; the record of a pause (the
	// last result of a monitor restored paused) measured nothing
	if r.Time.IsZero() || st.Monitor.Kind == monitor.KindPush || r.StopRecord() {
		return "—", &t.sty.Dim
	}
	if m := st.Monitor.MaxLatency; m > 0 && r.Latency > m {
		return humanize.Latency(r.Latency), &t.sty.Warn
	}
	return humanize.Latency(r.Latency), nil
}

func (t *Table) uptimeCell(u monitor.Uptime) (string, *lipgloss.Style) {
	s := t.sty
	switch {
	case !u.Valid:
		return "—", &s.Dim
	case u.Ratio < 0.95:
		return fmtUptime(u), &s.Bad
	case u.Ratio < 0.99:
		return fmtUptime(u), &s.Warn
	}
	return fmtUptime(u), nil
}

func (t *Table) certCell(st *monitor.State) (string, *lipgloss.Style) {
	r := &st.Last
	if r.CertExpiry.IsZero() {
		return "", nil
	}
	days := monitor.DaysLeft(r.CertExpiry, t.now) // as the detail view and check count them
	switch {
	case !r.CertExpiry.After(t.now):
		return "exp", &t.sty.Bad
	case st.Monitor.CertWarnDays > 0 && days < st.Monitor.CertWarnDays:
		return strconv.Itoa(days) + "d", &t.sty.Warn
	}
	return strconv.Itoa(days) + "d", nil
}

// sinceCell is how long the monitor has been in its status; a wide
// column names the status too.
func (t *Table) sinceCell(st *monitor.State, w int) (string, *lipgloss.Style) {
	if st.Since.IsZero() {
		return "—", &t.sty.Dim
	}
	d := fmtDur(t.now.Sub(st.Since))
	txt := d
	if w >= sinceWideW {
		txt = shortWord(st.Status) + " " + d
	}
	if st.Acked && st.Status == monitor.StatusDown && width(txt)+4 <= w {
		txt += " ack"
	}
	return txt, &t.sty.Dim
}
