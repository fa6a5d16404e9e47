package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds every key the dashboard answers to. The help screen lists
// them all from here, so a key and its help text never disagree.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Enter    key.Binding
	Back     key.Binding
	Filter   key.Binding
	Sort     key.Binding
	Group    key.Binding
	Check    key.Binding
	Pause    key.Binding
	Ack      key.Binding
	Maint    key.Binding
	Help     key.Binding
	Quit     key.Binding
}

// DefaultKeyMap returns the standard key bindings.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "move up", "up", "k"),
		Down:     b("↓/j", "move down", "down", "j"),
		PageUp:   b("pgup/ctrl+b", "page up", "pgup", "ctrl+b", "ctrl+u"),
		PageDown: b("pgdn/ctrl+f", "page down", "pgdown", "ctrl+f", "ctrl+d", " "),
		Top:      b("g/home", "go to the top", "g", "home"),
		Bottom:   b("G/end", "go to the bottom", "G", "end"),
		Enter:    b("enter", "open the detail view", "enter"),
		Back:     b("esc", "back; clear the filter", "esc", "backspace"),
		Filter:   b("/", "filter by name, tag, status or code", "/"),
		Sort:     b("s", "cycle the sort order", "s"),
		Group:    b("t", "group by tag", "t"),
		Check:    b("c", "check the monitor now", "c"),
		Pause:    b("p", "pause or resume the monitor", "p"),
		Ack:      b("a", "acknowledge the open incident", "a"),
		Maint:    b("m", "maintenance for a while (0 ends it)", "m"),
		Help:     b("?", "show or hide this help", "?"),
		Quit:     b("q/ctrl+c", "quit", "q", "ctrl+c"),
	}
}

// helpGroups lists the bindings by theme for the help screen.
func (k KeyMap) helpGroups() []struct {
	title    string
	bindings []key.Binding
} {
	return []struct {
		title    string
		bindings []key.Binding
	}{
		{"Move", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Enter, k.Back}},
		{"View", []key.Binding{k.Filter, k.Sort, k.Group, k.Help, k.Quit}},
		{"Act on the selected monitor", []key.Binding{k.Check, k.Pause, k.Ack, k.Maint}},
	}
}
