package tui_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/upbeat-monitor/upbeat/tui"
)

// Every hint in a footer or a prompt is a binding of the key map, and
// names keys that binding answers to: the footers are built from the key
// map, never written beside it.
func TestFootersComeFromTheKeyMap(t *testing.T) {
	t.Parallel()
	km := tui.DefaultKeyMap()
	var bindings []tui.Binding
	v := reflect.ValueOf(km)
	for i := 0; i < v.NumField(); i++ {
		bindings = append(bindings, v.Field(i).Interface().(tui.Binding))
	}
	for _, c := range []struct {
		name string
		keys []tea.KeyMsg
		sep  string
		n    int // hints
	}{
		{"table", nil, "  ", 12},
		{"detail", []tea.KeyMsg{{Type: tea.KeyEnter}}, "  ", 11},
		{"help", []tea.KeyMsg{keyRunes("?")}, "  ", 2},
		{"filter", []tea.KeyMsg{keyRunes("/")}, " · ", 2},
		{"maintenance", []tea.KeyMsg{keyRunes("m")}, " · ", 3},
		{"note", []tea.KeyMsg{keyRunes("n")}, " · ", 2},
		{"acknowledge", []tea.KeyMsg{keyRunes("a")}, " · ", 2},
	} {
		m := tui.New(newSource(), testOptions())
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 40})
		for _, k := range c.keys {
			m.Update(k)
		}
		lines := strings.Split(m.View(), "\n")
		m.Close()
		footer := lines[len(lines)-1]
		if c.sep == " · " {
			footer = footer[strings.LastIndex(footer, "  ")+2:] // after the prompt
		}
		items := strings.Split(footer, c.sep)
		if len(items) != c.n {
			t.Fatalf("%s: footer %q, want %d hints", c.name, footer, c.n)
		}
		for _, it := range items {
			k, desc, _ := strings.Cut(strings.TrimSpace(it), " ")
			i := slices.IndexFunc(bindings, func(b tui.Binding) bool {
				return (b.Hint.Key == k || b.Hint.Key == "" && b.Help().Key == k) && b.Hint.Desc == desc
			})
			if i < 0 {
				t.Errorf("%s: %q %q in the footer is no binding's hint", c.name, k, desc)
				continue
			}
			named := strings.Split(k, "/")
			if k == "/" {
				named = []string{"/"}
			}
			for _, n := range named {
				if b := bindings[i]; len(b.Keys()) > 0 && !slices.Contains(b.Keys(), n) {
					t.Errorf("%s: the footer says %q %s, but %q is not one of its keys %q", c.name, k, desc, n, b.Keys())
				}
			}
		}
	}
}
