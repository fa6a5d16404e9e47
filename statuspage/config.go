package statuspage

import (
	"slices"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Config is one [[status_page]] of the config file.
type Config struct {
	// Path is where the daemon serves the page ("/status"); its JSON is at
	// Path+".json", its text at Path+".txt", its badges under
	// Path+"/badge/", its live updates at Path+"/events".
	Path        string
	Title       string
	Description string
	// Public pages are served to anyone, with monitor names and figures
	// only; the others need the API's token where the API does.
	Public bool
	// Groups are the sections of the page, in order. A group without a
	// name is shown without a heading. No group at all shows every
	// monitor.
	Groups []Group
}

// Group is one section of a page: the monitors it names, then those with
// one of its tags, in the order of the config file.
type Group struct {
	Name     string
	Monitors []string
	Tags     []string
}

// DefaultTitle is a page's title when the config gives none.
const DefaultTitle = "Status"

// Selected is a group resolved against the monitors in force.
type Selected struct {
	Name     string
	Monitors []*monitor.Monitor
}

// Resolve returns the page's sections with the monitors they show, in
// order: named monitors in the order named, then tagged ones in config
// order, each at most once per section. Names that match no monitor are
// left out (the config loader reports them). A page with no group shows
// every monitor in one section without a heading; sections left empty
// are dropped.
func (c *Config) Resolve(monitors []*monitor.Monitor) []Selected {
	if len(c.Groups) == 0 {
		return []Selected{{Monitors: slices.Clone(monitors)}}
	}
	byName := make(map[string]*monitor.Monitor, len(monitors))
	for _, m := range monitors {
		byName[m.Name] = m
	}
	var out []Selected
	for _, g := range c.Groups {
		s := Selected{Name: g.Name}
		seen := map[string]bool{}
		add := func(m *monitor.Monitor) {
			if m != nil && !seen[m.Name] {
				seen[m.Name] = true
				s.Monitors = append(s.Monitors, m)
			}
		}
		for _, n := range g.Monitors {
			add(byName[n])
		}
		if len(g.Tags) > 0 {
			for _, m := range monitors {
				for _, t := range m.Tags {
					if slices.Contains(g.Tags, t) {
						add(m)
						break
					}
				}
			}
		}
		if len(s.Monitors) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// Names returns the names of every monitor a page shows, each once, in
// the order the page shows them first.
func (c *Config) Names(monitors []*monitor.Monitor) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range c.Resolve(monitors) {
		for _, m := range s.Monitors {
			if !seen[m.Name] {
				seen[m.Name] = true
				out = append(out, m.Name)
			}
		}
	}
	return out
}
