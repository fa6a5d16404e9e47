package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Binding is one key of the key map with everything the dashboard says
// about it: the keys it answers to and, in Help(), the key as the help
// screen names it and the sentence it gives; Hint is the footer's shorter
// version. A key's text is written here once: the help screen, the footers
// and the prompts all read it from the key map.
type Binding struct {
	key.Binding
	// Hint is what the footer shows: Key is the key as named there when
	// it differs from Help().Key ("q" where the help screen says
	// "q/ctrl+c"), Desc a word or two. An empty Desc: never in a footer.
	Hint key.Help
}

// Matches reports whether k is one of the binding's keys.
func (b Binding) Matches(k tea.KeyMsg) bool { return key.Matches(k, b.Binding) }

// hint returns the key and the word the footer shows for b.
func (b Binding) hint() (k, desc string) {
	k = b.Hint.Key
	if k == "" {
		k = b.Help().Key
	}
	return k, b.Hint.Desc
}

// KeyMap holds every key the dashboard answers to, and all it says about
// them: the help screen, the footer of each screen and the prompts are
// built from here, so a key and its help text never disagree.
type KeyMap struct {
	Up       Binding
	Down     Binding
	PageUp   Binding
	PageDown Binding
	Top      Binding
	Bottom   Binding
	Scroll   Binding // what Up and Down do in the detail view, as its footer and position line name it
	Enter    Binding
	Back     Binding
	Filter   Binding
	Sort     Binding
	Group    Binding
	Check    Binding
	Pause    Binding
	Ack      Binding
	Note     Binding
	Maint    Binding
	WarRoom  Binding // start or end a war room on the monitor
	Copy     Binding // detail view: copy the command that reproduces the check
	Help     Binding
	Quit     Binding

	CloseHelp Binding // on the help screen
	ForceQuit Binding // anywhere, even where q is text or closes the help

	KeepFilter  Binding // in the filter prompt
	ClearFilter Binding
	StartMaint  Binding // in the maintenance prompt
	EndMaint    Binding // 0 typed as the duration: it has no key of its own
	CancelMaint Binding
	SaveNote    Binding // in the note prompt
	SendAck     Binding // in the acknowledgement prompt
	CancelNote  Binding // in either
}

// DefaultKeyMap returns the standard key bindings.
func DefaultKeyMap() KeyMap {
	// b makes a binding from the help screen's key and sentence, the
	// footer's word ("" for a key no footer names) and the keys
	b := func(help, desc, word string, keys ...string) Binding {
		return Binding{
			Binding: key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc)),
			Hint:    key.Help{Desc: word},
		}
	}
	quit := b("q/ctrl+c", "quit (asks if others are attached)", "quit", "q", "ctrl+c")
	quit.Hint.Key = "q" // ctrl+c is for where q does something else
	return KeyMap{
		Up:       b("↑/k", "move up", "", "up", "k"),
		Down:     b("↓/j", "move down", "", "down", "j"),
		PageUp:   b("pgup/ctrl+b", "page up", "", "pgup", "ctrl+b", "ctrl+u"),
		PageDown: b("pgdn/ctrl+f", "page down", "", "pgdown", "ctrl+f", "ctrl+d", " "),
		Top:      b("g/home", "go to the top", "", "g", "home"),
		Bottom:   b("G/end", "go to the bottom", "", "G", "end"),
		Scroll:   b("j/k", "scroll", "scroll", "j", "k", "down", "up"),
		Enter:    b("enter", "open the detail view", "detail", "enter"),
		Back:     b("esc", "back; clear the filter", "back", "esc", "backspace"),
		Filter:   b("/", "filter by name, tag, status or code", "filter", "/"),
		Sort:     b("s", "cycle the sort order", "sort", "s"),
		Group:    b("t", "group by tag", "group", "t"),
		Check:    b("c", "check the monitor now", "check", "c"),
		Pause:    b("p", "pause or resume the monitor", "pause", "p"),
		Ack:      b("a", "acknowledge; a reason is optional", "ack", "a"),
		Note:     b("n", "write a note on the open incident", "note", "n"),
		Maint:    b("m", "maintenance for a while (0 ends it)", "maint", "m"),
		WarRoom:  b("w", "war room: check every few seconds", "war room", "w"),
		Copy:     b("y", "in the detail view: copy its curl", "copy curl", "y"),
		Help:     b("?", "show or hide this help", "help", "?"),
		Quit:     quit,

		CloseHelp: b("?/esc", "close the help", "close help", "?", "esc", "backspace", "q"),
		ForceQuit: b("ctrl+c", "quit", "quit", "ctrl+c"),

		KeepFilter:  b("enter", "keeps the filter", "keep", "enter"),
		ClearFilter: b("esc", "clears it", "clear", "esc"),
		StartMaint:  b("enter", "starts the maintenance", "start", "enter"),
		EndMaint:    b("0", "ends the maintenance", "ends it"),
		CancelMaint: b("esc", "cancels", "cancel", "esc"),
		SaveNote:    b("enter", "saves the note", "save", "enter"),
		SendAck:     b("enter", "acknowledges (the reason may be empty)", "acknowledge", "enter"),
		CancelNote:  b("esc", "cancels", "cancel", "esc"),
	}
}

// helpGroup is a titled group of keys on the help screen.
type helpGroup struct {
	title    string
	bindings []Binding
}

// helpGroups lists the bindings by theme for the help screen.
func (k KeyMap) helpGroups() []helpGroup {
	return []helpGroup{
		{"Move", []Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}},
		{"View", []Binding{k.Enter, k.Back, k.Filter, k.Sort, k.Group, k.Help, k.Quit}},
		{"Act on the selected monitor", []Binding{k.Check, k.Pause, k.Ack, k.Note, k.Maint, k.WarRoom, k.Copy}},
	}
}

// hint is a binding named in a footer.
type hint struct {
	b    Binding
	rank rank
}

// rank orders the hints of a footer that is short of room.
type rank int

const (
	rankKeep      rank = iota // always there: what a newcomer needs to get around (help, quit, back)
	rankEssential             // next: what the person on call does most (open, filter, check, ack)
	rankMore                  // then the others, while they fit
)

// The keys named at the bottom of each screen, in the order shown. When
// they do not all fit, the first rank comes first, then each rank in turn
// while it fits: at 60 columns the table still names check and ack.

func (k KeyMap) tableHints() []hint {
	return []hint{{k.Enter, rankEssential}, {k.Filter, rankEssential}, {k.Sort, rankMore}, {k.Group, rankMore},
		{k.Check, rankEssential}, {k.Pause, rankMore}, {k.Ack, rankEssential}, {k.Note, rankMore}, {k.Maint, rankMore}, {k.WarRoom, rankMore}, {k.Help, rankKeep}, {k.Quit, rankKeep}}
}

func (k KeyMap) detailHints() []hint {
	return []hint{{k.Back, rankKeep}, {k.Scroll, rankEssential}, {k.Check, rankEssential}, {k.Pause, rankMore},
		{k.Ack, rankEssential}, {k.Note, rankEssential}, {k.Maint, rankMore}, {k.WarRoom, rankMore}, {k.Copy, rankMore}, {k.Help, rankKeep}, {k.Quit, rankKeep}}
}

// helpHints are the help screen's; scroll says the help is taller than
// the screen.
func (k KeyMap) helpHints(scroll bool) []hint {
	if scroll {
		return []hint{{k.CloseHelp, rankKeep}, {k.Scroll, rankKeep}, {k.ForceQuit, rankKeep}}
	}
	return []hint{{k.CloseHelp, rankKeep}, {k.ForceQuit, rankKeep}}
}
