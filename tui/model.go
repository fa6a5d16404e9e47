// Package tui is upbeat's dashboard: a live Bubble Tea view of the
// monitors, a log of errors with their explanations, and a detail view per
// monitor. It reads everything through a source.Source and knows nothing else.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// Options configure the dashboard.
type Options struct {
	Mouse    bool               // report mouse events (takes away the terminal's own text selection)
	Now      func() time.Time   // the clock; nil: time.Now
	NoColor  bool               // no colour and no attributes (NO_COLOR)
	MaxFPS   int                // how often new data may redraw the screen, per second; 0: 10
	Output   io.Writer          // where the program draws; nil: stdout
	Input    io.Reader          // where keys come from; nil: stdin
	Renderer *lipgloss.Renderer // styles are built from it; nil: one for Output
	// Clipboard is the terminal `y` writes its OSC 52 sequence to (over
	// SSH, the session); nil: Output when Run starts the program, else
	// nothing can be copied.
	Clipboard io.Writer
	// ClipboardTmux wraps the sequence for tmux's passthrough as well.
	ClipboardTmux bool
	// User is who notes and acknowledgements typed here are from: the
	// local user name, or over SSH the key's name; "" lets the source
	// say (a daemon's API puts "api").
	User string
	// Attached, when set, says how many other dashboards are attached
	// to the engine this dashboard runs (upbeat attach, through the API
	// it serves): quitting stops monitoring for them as well, so q asks
	// first while any are. nil: there is no such engine (the dashboard is
	// itself attached to a daemon) or no API.
	Attached func() int
	// Home is the home directory, written ~ at the start of the paths the
	// header names (the config, the daemon's socket), as shells write
	// them; "" names them whole. Run sets it to the user's own when it is
	// not set.
	Home string
}

// The smallest terminal the dashboard draws in; below it says so.
const (
	minWidth  = 32
	minHeight = 8
)

type state int

const (
	stateTable  state = iota // the monitors table and the log
	stateDetail              // one monitor
	stateHelp                // the key list
	stateFilter              // typing a filter under the table
	stateMaint               // asking how long a maintenance lasts
	stateNote                // asking for a note, or an acknowledgement's reason (notes.go)
)

// Messages.
type (
	// eventsMsg is one batch of the source's events.
	eventsMsg struct {
		events  []source.Event
		dropped int
	}
	// subClosedMsg says the subscription ended.
	subClosedMsg struct{}
	// frameMsg is the coalescing tick: new data is drawn at most this often.
	frameMsg struct{}
	// tickMsg is the one-second tick that moves the clock and "ago" labels.
	tickMsg struct{}
	// actionMsg reports the outcome of an action on a monitor.
	actionMsg struct {
		verb, name string
		err        error
		note       string // a note's text or an ack's reason, said again when it was not saved
		ack        bool   // the action was an acknowledgement
	}
	// flashDoneMsg clears a flash message.
	flashDoneMsg struct{ id int }
)

// Model is the dashboard: the root Bubble Tea model.
type Model struct {
	src  source.Source
	opts Options
	sty  *Styles
	keys KeyMap

	// ctx ends with the dashboard (Close): actions and history queries
	// still under way for it are abandoned.
	ctx    context.Context
	cancel context.CancelFunc

	state, prev state
	w, h        int
	now         time.Time

	states   []monitor.State
	spare    []monitor.State // the slice of the refresh before; the next one fills it
	locs     where           // how each location sees each monitor, from a merged source
	info     source.Info
	evWarn   []string // warnings raised by events and not yet cleared
	warnings []string

	header *Header
	table  *Table
	log    *LogPane
	detail *Detail
	help   *Help
	input  textinput.Model
	target string // the monitor a maintenance or note prompt is about
	// noteKind is what the note prompt writes: a note, or an
	// acknowledgement's reason.
	noteKind monitor.NoteKind
	// noIncident: the prompt's monitor had no open incident when it
	// opened (see askAck).
	noIncident bool

	sub        *source.Subscription
	frameEvery time.Duration
	dataDirty  bool   // new events since the last snapshot
	frameArmed bool   // a frameMsg is on its way
	stale      bool   // the frame must be drawn again (Update does it)
	frame      string // what View returns

	flash    string
	flashBad bool
	flashID  int
	// askQuit is how many dashboards were attached when quitting was
	// asked for: the footer asks whether to quit all the same, and the
	// next key answers. 0: nothing asked.
	askQuit int

	histLoading bool
	histAt      time.Time
	histStatus  monitor.Status // the detail's monitor's status when its history was asked for

	tableTop int    // screen line of the table's column headings (for the mouse)
	laid     layout // what the components were last sized for
	logGen   uint64 // the table's generation the log pane was last filtered for
}

// layout is how the screen is divided: the terminal's size, the header's
// height and the table's and log pane's shares of the body. The table's
// share follows the rows the filter and grouping leave, so it changes
// with more than the terminal's size: see fit.
type layout struct {
	w, h, header   int
	tw, th, lw, lh int
}

// New returns the dashboard reading src. It subscribes to src's events at
// once; Close ends the subscription.
func New(src source.Source, opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxFPS <= 0 {
		opts.MaxFPS = 10
	}
	sty := NewStyles(opts.Renderer, opts.NoColor)
	keys := DefaultKeyMap()
	m := &Model{
		src:        src,
		opts:       opts,
		sty:        sty,
		keys:       keys,
		now:        opts.Now(),
		header:     NewHeader(sty),
		table:      NewTable(sty, keys),
		log:        NewLogPane(sty),
		detail:     NewDetail(sty, keys),
		help:       NewHelp(sty, keys),
		frameEvery: time.Second / time.Duration(opts.MaxFPS),
		stale:      true,
	}
	m.header.SetHome(opts.Home)
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.input = textinput.New()
	m.input.Prompt = ""
	m.input.CharLimit = monitor.MaxNoteLen
	m.input.PromptStyle = sty.R.NewStyle()
	m.input.TextStyle = sty.R.NewStyle()
	m.input.PlaceholderStyle = sty.Dim
	m.input.Cursor.Style = sty.R.NewStyle()
	m.input.Cursor.TextStyle = sty.R.NewStyle()
	m.input.Cursor.SetMode(cursor.CursorStatic) // no blinking: no redraw twice a second
	// The log of a source that keeps a journal is built from its events,
	// from the problems in force when it began on, as the log of a viewer
	// that watched all along was built: the same lines in the same order.
	// Without one, it begins with the problems in force now.
	var past []source.Event
	j, journaled := src.(source.Journaled)
	if journaled {
		past, m.sub = j.SubscribeJournal()
	} else {
		m.sub = src.Subscribe()
	}
	m.log.SetLocation(m.now.Location())
	m.table.SetNow(m.now)
	m.refresh()
	if journaled {
		m.log.Add(past)
	} else {
		m.log.Seed(m.states, m.locs)
	}
	m.draw()
	return m
}

// Close ends the event subscription and abandons what is under way.
func (m *Model) Close() {
	m.cancel()
	if m.sub != nil {
		m.sub.Close()
	}
}

// Init starts listening for events and the one-second tick.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(waitForActivity(m.sub), tick())
}

// waitForActivity waits for the subscription to have events and returns
// them as one batch; the model re-arms it after every batch.
func waitForActivity(sub *source.Subscription) tea.Cmd {
	if sub == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case <-sub.Ready():
		case <-sub.Done():
			return subClosedMsg{}
		}
		evs, dropped := sub.Drain()
		return eventsMsg{events: evs, dropped: dropped}
	}
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}

// armFrame schedules a frame if none is on its way: however many batches
// arrive, the screen is redrawn for new data at most MaxFPS times a second.
func (m *Model) armFrame() tea.Cmd {
	if m.frameArmed {
		return nil
	}
	m.frameArmed = true
	return tea.Tick(m.frameEvery, func(time.Time) tea.Msg { return frameMsg{} })
}

// refresh reads the snapshot and hands it to the components.
func (m *Model) refresh() {
	m.dataDirty = false
	// Two slices in turn: the one read before this refresh is referred to
	// by nothing once the components have this one.
	m.states, m.spare = m.src.AppendSnapshot(m.spare[:0]), m.states
	m.locs = source.LocationsOf(m.src)
	info := m.src.Info()
	m.evWarn = dropRetired(m.evWarn, m.info.Warnings, info.Warnings)
	m.info = info
	m.warnings = mergeWarnings(m.info.Warnings, m.evWarn)
	m.header.SetData(m.states, m.info, m.warnings, m.now)
	m.table.SetLocations(m.locs)
	m.table.SetData(m.states) // rows may come or go under a filter: fit lays the screen out again
	if m.state == stateDetail || m.prev == stateDetail {
		if st := m.find(m.detail.Name()); st != nil {
			m.detail.SetState(*st, relatedStates(m.states, st))
			m.detail.SetLocations(m.locs.of(st))
			m.detail.SetBehind(downBehind(m.states, st.Monitor.Name))
		}
	}
}

// dropRetired removes from the warnings kept from events those the
// source reported before (was) and no longer reports (now): they are
// over, though no event said so, as when the daemon attached to restarted
// without them or the event that cleared one was dropped.
func dropRetired(evWarn, was, now []string) []string {
	return slices.DeleteFunc(evWarn, func(w string) bool {
		return slices.Contains(was, w) && !slices.Contains(now, w)
	})
}

func mergeWarnings(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := slices.Clone(a)
	for _, w := range b {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func (m *Model) find(name string) *monitor.State {
	for i := range m.states {
		if m.states[i].Monitor != nil && m.states[i].Monitor.Name == name {
			return &m.states[i]
		}
	}
	return nil
}

// Update handles one message, lays the screen out again when what it
// shows needs another layout, and draws the frame when something on it
// changed: View only returns the frame drawn here.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.step(msg)
	m.draw()
	return m, cmd
}

// step handles one message and lays the screen out again after it.
func (m *Model) step(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyRunes && len(k.Runes) > 1 && !k.Paste {
		cmd = m.keysTogether(k)
	} else {
		cmd = m.update(msg)
	}
	m.fit()
	m.filterLog()
	return cmd
}

// filterLog filters the log pane as the table is filtered, whenever the
// rows the filter leaves may have changed.
func (m *Model) filterLog() {
	if m.table.Filter() == "" {
		if m.log.Filtered() {
			m.log.SetShown(nil)
			m.stale = true
		}
		return
	}
	if g := m.table.Generation(); g != m.logGen || !m.log.Filtered() {
		m.logGen = g
		m.log.SetShown(m.table.Names())
		m.stale = true
	}
}

// keysTogether handles keys that arrive in one read (fast typing, or an
// SSH connection that batches them): they come as one message of several
// runes, and "/down" is "/" then "down", so each rune is a key of its own.
// A paste is kept whole (step never passes one here).
func (m *Model) keysTogether(k tea.KeyMsg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(k.Runes))
	for _, r := range k.Runes {
		cmds = append(cmds, m.step(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: k.Alt}))
	}
	return tea.Batch(cmds...)
}

// draw renders the frame when it is stale. The frame is state, not a
// cache of the model: new data reaches the log at once but is drawn at
// most MaxFPS times a second (see frameMsg), so between frames the frame
// shows less than the model holds.
func (m *Model) draw() {
	if m.stale {
		m.frame = m.render()
		m.stale = false
	}
}

// update handles one message; step lays the screen out again after it.
func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return nil
	case eventsMsg:
		// cheap bookkeeping only: the screen is redrawn on the next frame
		m.log.Add(msg.events)
		m.detail.AddEvents(msg.events)
		m.detail.AddNotes(msg.events)
		m.noteWarnings(msg.events)
		m.dataDirty = true
		return tea.Batch(waitForActivity(m.sub), m.armFrame())
	case subClosedMsg:
		return nil
	case frameMsg:
		m.frameArmed = false
		if m.dataDirty {
			m.refresh()
			m.stale = true
		}
		return nil
	case tickMsg:
		m.setNow(m.opts.Now())
		var cmd tea.Cmd
		if m.state == stateDetail && !m.histLoading && m.src.Query() != nil && (m.now.Sub(m.histAt) >= 30*time.Second || m.detailChanged()) {
			cmd = m.loadHistory()
		}
		return tea.Batch(tick(), cmd)
	case historyMsg:
		m.histLoading = false
		m.detail.SetHistory(msg.data)
		m.stale = true
		return nil
	case actionMsg:
		m.stale = true
		if msg.err != nil {
			return m.setFlash(m.failed(msg), true)
		}
		m.refresh() // at once: the next key may act on what this one changed
		return m.setFlash(msg.verb+" "+msg.name+": done", false)
	case flashDoneMsg:
		if msg.id == m.flashID && m.flash != "" {
			m.flash = ""
			m.stale = true
		}
		return nil
	case tea.KeyMsg:
		m.stale = true
		return m.onKey(msg)
	case tea.MouseMsg:
		return m.onMouse(msg)
	}
	if m.state == stateFilter || m.prompting() {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	}
	return nil
}

func (m *Model) setNow(now time.Time) {
	if now.Equal(m.now) {
		return
	}
	m.now = now
	m.header.SetNow(now)
	m.table.SetNow(now)
	m.detail.SetNow(now)
	m.stale = true
}

// noteWarnings keeps the warnings raised and cleared by events.
func (m *Model) noteWarnings(evs []source.Event) {
	changed := false
	for i := range evs {
		ev := &evs[i]
		if ev.Kind != monitor.EventWarning || ev.Message == "" {
			continue
		}
		j := slices.Index(m.evWarn, ev.Message)
		switch {
		case ev.Clear && j >= 0:
			m.evWarn = slices.Delete(m.evWarn, j, j+1)
			changed = true
		case !ev.Clear && j < 0:
			m.evWarn = append(m.evWarn, ev.Message)
			changed = true
		}
	}
	if changed {
		m.warnings = mergeWarnings(m.info.Warnings, m.evWarn)
		m.header.SetData(m.states, m.info, m.warnings, m.now) // its height may change: fit follows it
	}
}

func (m *Model) setFlash(s string, bad bool) tea.Cmd {
	m.flashID++
	m.flash, m.flashBad = s, bad
	m.stale = true
	id := m.flashID
	return tea.Tick(4*time.Second, func(time.Time) tea.Msg { return flashDoneMsg{id: id} })
}

// onKey handles a key: the answer to "quit?", ctrl+c anywhere, then the
// keys of the screen shown.
func (m *Model) onKey(k tea.KeyMsg) tea.Cmd {
	if m.askQuit > 0 {
		m.askQuit = 0
		if m.keys.Quit.Matches(k) || m.keys.ForceQuit.Matches(k) {
			return tea.Quit
		}
		return nil // any other key stays, and does nothing else
	}
	if m.keys.ForceQuit.Matches(k) {
		return m.quit()
	}
	switch m.state {
	case stateHelp:
		if m.keys.CloseHelp.Matches(k) {
			m.state = m.prev
		} else {
			m.help.Update(k) // it scrolls when the screen is short
		}
		return nil
	case stateFilter:
		return m.filterKey(k)
	case stateMaint:
		return m.maintKey(k)
	case stateNote:
		return m.noteKey(k)
	}
	if cmd, ok := m.commonKey(k); ok {
		return cmd
	}
	if m.state == stateDetail {
		if m.keys.Back.Matches(k) {
			m.state = stateTable
			return nil
		}
		m.detail.Update(k)
		return nil
	}
	return m.tableKey(k)
}

// filterKey handles a key typed in the filter prompt.
func (m *Model) filterKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case m.keys.KeepFilter.Matches(k):
		m.state = stateTable
		m.input.Blur()
		return nil
	case m.keys.ClearFilter.Matches(k):
		m.state = stateTable
		m.input.Blur()
		m.table.SetFilter("")
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	m.table.SetFilter(m.input.Value())
	return cmd
}

// maintKey handles a key typed in the maintenance prompt.
func (m *Model) maintKey(k tea.KeyMsg) tea.Cmd {
	return m.promptKey(k, m.keys.StartMaint, m.keys.CancelMaint, m.startMaint)
}

// promptKey handles a key typed in a one-line prompt: ok closes it and
// runs done, cancel closes it, any other key edits the line.
func (m *Model) promptKey(k tea.KeyMsg, ok, cancel Binding, done func() tea.Cmd) tea.Cmd {
	switch {
	case ok.Matches(k):
		m.state = m.prev
		m.input.Blur()
		return done()
	case cancel.Matches(k):
		m.state = m.prev
		m.input.Blur()
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	return cmd
}

// startMaint starts (or ends) the maintenance the prompt asked for.
func (m *Model) startMaint() tea.Cmd {
	d, err := ParseMaintDuration(m.input.Value())
	if err != nil {
		return m.setFlash(err.Error(), true)
	}
	name, src, ctx := m.target, m.src, m.ctx
	if d == 0 {
		return tea.Batch(m.setFlash("ending maintenance for "+name+"…", false), func() tea.Msg {
			return actionMsg{verb: "end maintenance for", name: name, err: src.Maintain(ctx, name, 0)}
		})
	}
	return tea.Batch(m.setFlash(fmt.Sprintf("maintenance for %s, %s…", name, humanize.Setting(d)), false), func() tea.Msg {
		return actionMsg{verb: "maintenance " + humanize.Setting(d) + " for", name: name, err: src.Maintain(ctx, name, d)}
	})
}

// commonKey handles the keys the table and the detail view share; it
// reports whether k was one of them.
func (m *Model) commonKey(k tea.KeyMsg) (tea.Cmd, bool) {
	switch {
	case m.keys.Quit.Matches(k):
		return m.quit(), true
	case m.keys.Help.Matches(k):
		m.prev, m.state = m.state, stateHelp
		return nil, true
	case m.keys.Check.Matches(k):
		if st := m.current(); st != nil && (st.Paused || st.Status == monitor.StatusPaused) {
			return m.setFlash(st.Monitor.Name+" is paused: p resumes it, and it is checked then", false), true
		}
		return m.act("check", func(ctx context.Context, src source.Source, name string) error {
			return src.CheckNow(ctx, name)
		}), true
	case m.keys.Pause.Matches(k):
		return m.pause(), true
	case m.keys.Ack.Matches(k):
		return m.askAck(), true
	case m.keys.Note.Matches(k):
		return m.askNote(), true
	case m.keys.Maint.Matches(k):
		return m.askMaint(), true
	case m.keys.WarRoom.Matches(k):
		return m.warRoom(), true
	case m.keys.Copy.Matches(k) && m.state == stateDetail:
		return m.copyReproduce(), true
	}
	return nil, false
}

// quit ends the dashboard. When other dashboards are attached to the
// engine it runs, quitting ends their monitoring too (checks and alerts
// stop): it asks first, and the next key answers (see onKey).
func (m *Model) quit() tea.Cmd {
	if m.opts.Attached != nil {
		if n := m.opts.Attached(); n > 0 {
			m.askQuit = n
			return nil
		}
	}
	return tea.Quit
}

// pause pauses the current monitor, or resumes it.
func (m *Model) pause() tea.Cmd {
	st := m.current()
	if st == nil {
		return m.setFlash("no monitor selected", true)
	}
	paused := st.Paused || st.Status == monitor.StatusPaused
	verb := "pause"
	if paused {
		verb = "resume"
	}
	return m.act(verb, func(ctx context.Context, src source.Source, name string) error {
		return src.SetPaused(ctx, name, !paused)
	})
}

// askMaint opens the prompt for how long the current monitor's
// maintenance lasts.
func (m *Model) askMaint() tea.Cmd {
	st := m.current()
	if st == nil {
		return m.setFlash("no monitor selected", true)
	}
	m.target = st.Monitor.Name
	m.prev, m.state = m.state, stateMaint
	// empty, with the default as a placeholder: what is typed replaces it,
	// so 0 ends the maintenance (never "30m0"), and enter alone takes 30m
	m.input.Placeholder = "30m"
	m.input.SetValue("")
	return m.input.Focus()
}

// tableKey handles a key on the monitors table.
func (m *Model) tableKey(k tea.KeyMsg) tea.Cmd {
	switch {
	case m.keys.Enter.Matches(k):
		return m.openDetail()
	case m.keys.Back.Matches(k):
		if m.table.Filter() != "" {
			m.table.SetFilter("")
			m.input.SetValue("")
			return nil
		}
		return nil // not a war room: it runs for every attached dashboard, and esc is pressed by reflex
	case m.keys.Filter.Matches(k):
		m.state = stateFilter
		m.input.Placeholder = "name, tag, status or code"
		m.input.SetValue(m.table.Filter())
		m.input.CursorEnd()
		return m.input.Focus()
	case m.keys.Sort.Matches(k):
		m.table.CycleSort()
		return nil
	case m.keys.Group.Matches(k):
		m.table.ToggleGroup()
		return nil
	}
	m.table.Update(k)
	return nil
}

// ParseMaintDuration reads the maintenance prompt (and the DURATION of
// `upbeat maintain`, so that both take the same): a Go duration ("90m",
// "2h"), a whole number of minutes ("45"), or 0, "off" or "end", which
// end the maintenance started from here (0 is returned for them); empty
// is the prompt's default, 30m.
func ParseMaintDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return 30 * time.Minute, nil
	case "off", "end", "stop", "none":
		return 0, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return time.Duration(n) * time.Minute, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("maintenance: %q is not a duration (try 30m or 2h, or 0 to end it)", s)
	}
	return d, nil
}

// failed says what went wrong with an action: the source's error, or
// plainly that an acknowledgement or a note found no incident open (the
// monitor recovered while it was typed), with the note's words, which
// are not lost from sight.
func (m *Model) failed(msg actionMsg) string {
	if errors.Is(msg.err, source.ErrNoIncident) {
		why := msg.name + " has no open incident"
		if st := m.find(msg.name); st != nil && st.Status != monitor.StatusDown {
			why += " (it is " + st.Status.Phrase() + ")"
		}
		switch {
		case msg.ack && msg.note != "":
			return "nothing to acknowledge: " + why + "; the reason said: " + clean(msg.note)
		case msg.ack:
			return "nothing to acknowledge: " + why
		}
		return "note not saved: " + why + "; it said: " + clean(msg.note)
	}
	return fmt.Sprintf("%s %s failed: %s", msg.verb, msg.name, clean(msg.err.Error()))
}

// current is the monitor the actions apply to: the one in the detail view,
// else the selected row.
func (m *Model) current() *monitor.State {
	if m.state == stateDetail || (m.prompting() && m.prev == stateDetail) {
		return m.find(m.detail.Name())
	}
	return m.table.Selected()
}

// act runs an action on the current monitor off the UI goroutine.
func (m *Model) act(verb string, f func(context.Context, source.Source, string) error) tea.Cmd {
	st := m.current()
	if st == nil {
		return m.setFlash("no monitor selected", true)
	}
	name, src, ctx := st.Monitor.Name, m.src, m.ctx
	return tea.Batch(m.setFlash(verb+" "+name+"…", false), func() tea.Msg {
		return actionMsg{verb: verb, name: name, err: f(ctx, src, name)}
	})
}

func (m *Model) openDetail() tea.Cmd {
	st := m.table.Selected()
	if st == nil {
		return nil
	}
	q := m.src.Query()
	m.detail.Open(*st, relatedStates(m.states, st), q == nil)
	m.detail.SetLocations(m.locs.of(st))
	m.detail.SetBehind(downBehind(m.states, st.Monitor.Name))
	m.detail.SetNow(m.now)
	m.state = stateDetail
	if q == nil {
		return nil
	}
	return m.loadHistory()
}

func (m *Model) loadHistory() tea.Cmd {
	q := m.src.Query()
	if q == nil {
		return nil
	}
	m.histLoading = true
	m.histAt = m.now
	if st := m.find(m.detail.Name()); st != nil {
		m.histStatus = st.Status
	}
	return loadHistory(m.ctx, q, m.detail.Name(), m.now)
}

// detailChanged reports whether the detail's monitor changed status since
// its history was asked for: the incident that just ended (or began) is
// shown so at the next tick, not up to 30 s later.
func (m *Model) detailChanged() bool {
	st := m.find(m.detail.Name())
	return st != nil && st.Status != m.histStatus
}

func (m *Model) onMouse(msg tea.MouseMsg) tea.Cmd {
	switch m.state {
	case stateTable:
		if msg.Action == tea.MouseActionPress && msg.Button == tea.MouseButtonLeft {
			prev := m.table.Selected()
			if m.table.ClickRow(msg.Y - m.tableTop) {
				m.stale = true
				if prev != nil && prev == m.table.Selected() {
					return m.openDetail()
				}
			}
			return nil
		}
		m.table.Update(msg)
		m.stale = true
	case stateDetail:
		m.detail.Update(msg)
		m.stale = true
	case stateHelp:
		m.help.Update(msg)
		m.stale = true
	}
	return nil
}

// resize lays the components out for a w×h terminal.
func (m *Model) resize(w, h int) {
	m.w, m.h = max(w, 0), max(h, 0)
	m.stale = true
	m.apply(m.layout())
}

// layout divides the screen as what it shows now needs.
func (m *Model) layout() layout {
	hh := m.header.Height()
	tw, th, lw, lh := m.split(m.h - hh - 1) // the footer takes the last line
	return layout{w: m.w, h: m.h, header: hh, tw: tw, th: th, lw: lw, lh: lh}
}

// fit lays the screen out again when the layout it needs is no longer
// the one the components were sized for: a filter or grouping changed the
// number of rows (either way), new data changed what a filter matches,
// a warning came or went in the header, location columns came or went.
// It also sizes a prompt's text field, which grows with what is typed.
// Update calls it after every message, so no key or event has to know
// which of these it may have changed.
func (m *Model) fit() {
	if l := m.layout(); l != m.laid {
		m.apply(l)
		if !m.frameArmed {
			m.stale = true // else the frame on its way draws it
		}
	}
	if m.state == stateFilter || m.prompting() {
		m.input.Width = m.inputWidth()
	}
}

// apply sizes the components for l.
func (m *Model) apply(l layout) {
	m.laid = l
	m.header.SetSize(l.w, l.header)
	m.tableTop = l.header + 1 // below the header and the table's rule
	body := l.h - l.header - 1
	m.help.SetSize(l.w, l.h-1)
	m.detail.SetSize(l.w, max(body, 0))
	m.table.SetSize(l.tw, max(l.th-1, 0)) // a rule line above it
	m.log.SetSize(l.lw, max(l.lh-1, 0))
	m.log.SetWrap(m.sideBySide())
}

// sideBySide reports whether the log pane goes beside the table.
func (m *Model) sideBySide() bool { return m.w >= 160 }

// split divides the body between the table and the log pane; heights
// include each one's rule line.
func (m *Model) split(body int) (tw, th, lw, lh int) {
	if body <= 0 {
		return m.w, 0, 0, 0
	}
	if m.sideBySide() {
		tw = min(m.w-51, m.table.IdealWidth())
		return tw, body, m.w - tw - 1, body
	}
	if body < 10 {
		return m.w, body, 0, 0
	}
	lh = max(4, min(12, body*2/5))
	th = body - lh
	shown, _ := m.table.Len()
	need := shown + 2 // rule and headings
	if m.table.Grouped() {
		need += shown // at most one heading per monitor; enough for an estimate
	}
	if need < th {
		lh += th - need
		th = need
	}
	return m.w, th, m.w, lh
}

// View returns the frame Update drew last and changes nothing. Update
// draws again only when something on screen changed, and new data at most
// MaxFPS times a second.
func (m *Model) View() string { return m.frame }

func (m *Model) render() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	if m.w < minWidth || m.h < minHeight {
		return tooSmall(m.w, m.h)
	}
	lines := make([]string, 0, m.h)
	if m.state == stateHelp {
		lines = append(lines, m.help.View())
		return m.finish(lines, m.footer())
	}
	lines = append(lines, m.header.View())
	body := m.h - m.header.Height() - 1
	if m.state == stateDetail || (m.prompting() && m.prev == stateDetail) {
		lines = append(lines, m.detail.View())
		return m.finish(lines, m.footer())
	}
	tw, th, lw, lh := m.split(body)
	left := m.tableBlock(tw, th)
	if m.sideBySide() {
		right := m.logBlock(lw, lh)
		sep := m.sty.Dim.Render("│")
		for i := 0; i < body; i++ {
			var l, r string
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			lines = append(lines, l+spaces(tw-width(l))+sep+r)
		}
		return m.finish(lines, m.footer())
	}
	lines = append(lines, left...)
	if lh > 0 {
		lines = append(lines, m.logBlock(lw, lh)...)
	}
	return m.finish(lines, m.footer())
}

// finish pads the body so that the footer sits on the last line, and cuts
// everything to the terminal: never more lines than it has.
func (m *Model) finish(blocks []string, footer string) string {
	body := strings.Split(strings.Join(blocks, "\n"), "\n")
	if len(body) > m.h-1 {
		body = body[:max(m.h-1, 0)]
	}
	for len(body) < m.h-1 {
		body = append(body, "")
	}
	return strings.Join(append(body, footer), "\n")
}

func (m *Model) rule(title string, w int) string {
	t := "── " + title + " "
	return m.sty.Rule.Render(trunc(t+repeat("─", w-width(t)), w))
}

func (m *Model) tableBlock(w, h int) []string {
	if h <= 0 {
		return nil
	}
	title := "Monitors"
	shown, total := m.table.Len()
	folded, under := m.table.Folded()
	if c := m.table.Counter(); c != "" {
		title += " " + c
	} else if shown+folded != total {
		title += fmt.Sprintf(" %d of %d", shown+folded, total)
	}
	switch {
	case folded > 0 && under != "":
		title += fmt.Sprintf(" · %d folded under %s", folded, clean(under))
	case folded > 0:
		title += fmt.Sprintf(" · %d folded (depends_on)", folded)
	}
	title += " · sort " + m.table.Sort().String()
	if m.table.Grouped() {
		title += " · by tag"
	}
	if f := m.table.Filter(); f != "" {
		title += " · filter " + strconv.Quote(f)
	}
	out := []string{m.rule(title, w)}
	if h > 1 {
		out = append(out, strings.Split(m.table.View(), "\n")...)
	}
	return out
}

func (m *Model) logBlock(w, h int) []string {
	if h <= 0 {
		return nil
	}
	title := "Log · newest first"
	if f := m.table.Filter(); f != "" {
		title += " · filter " + strconv.Quote(f)
	}
	if m.log.Repeats() {
		title += " · ×N: N times in a row"
	}
	out := []string{m.rule(title, w)}
	if h > 1 {
		out = append(out, strings.Split(m.log.View(), "\n")...)
	}
	return out
}

// tooSmall is the whole screen when the terminal is below the minimum.
func tooSmall(w, h int) string {
	msg := []string{"terminal too small", fmt.Sprintf("need %d×%d, have %d×%d", minWidth, minHeight, w, h)}
	out := make([]string, 0, h)
	for i := 0; i < len(msg) && i < h; i++ {
		out = append(out, trunc(msg[i], w))
	}
	return strings.Join(out, "\n")
}
