package statuspage

import (
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/alert/maint"
	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// NumDays is how many days of daily uptime a page shows.
const NumDays = 90

// Page is what a status page shows at one moment. Every rendering (HTML,
// JSON, text, badges) reads it and nothing else.
type Page struct {
	Path        string
	Title       string
	Description string
	Public      bool
	Generated   time.Time
	Overall     Overall
	Sections    []Section
	Incidents   []Incident    // open now, oldest first
	Maintenance []Maintenance // open now or upcoming, soonest first
	// Live pages take updates from Path+"/events"; a static export is
	// not live.
	Live bool
}

// Section is a section of a page as shown: a heading (may be empty) and
// a row per monitor.
type Section struct {
	Name string
	Rows []*Row
}

// Overall sums up a page in one status and one sentence.
type Overall struct {
	Status monitor.Status
	Text   string
}

// Row is one monitor on a page.
type Row struct {
	Name    string
	Key     string // monitor.Key(Name): ids, badge paths
	Status  monitor.Status
	Since   time.Time     // when Status began; zero when unknown
	Latency time.Duration // of the last result; 0 when there is none
	// Uptime over 24h, 7d, 30d and 90d; Valid false when no result counts.
	Uptime [len(Periods)]monitor.Uptime
	Days   *Days // the daily bar; never nil
	// Only on pages that are not public: the monitor's URL (redacted),
	// and what its last failure means.
	URL    string
	Detail string
}

// Periods are the periods of Row.Uptime, with their names in JSON,
// badges and text.
var Periods = [...]struct {
	Name string
	D    time.Duration
}{{"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}, {"90d", NumDays * 24 * time.Hour}}

// Incident is what a page says of a monitor down or degraded now: a view
// of the live state, not history's monitor.Incident.
type Incident struct {
	Monitor string
	Key     string
	Status  monitor.Status // down, or degraded
	Start   time.Time
	Notes   []Note
}

// Note is a word from the people handling an incident.
type Note struct {
	Time   time.Time
	Author string
	Text   string
}

// Notes gives the notes of an incident: what people wrote about it and why
// they acknowledged it (the daemon reads them from the history). A page
// shows no notes without one, and a public page never shows them.
type Notes interface {
	// Notes returns the notes written about monitor's incident that
	// began at start, oldest first.
	Notes(monitor string, start time.Time) []Note
}

// Maintenance is a maintenance window open now or to come, as a page
// shows it: the monitors of the page it covers.
type Maintenance struct {
	Name       string
	Start, End time.Time // Start is zero for one started by hand
	Active     bool
	Monitors   []string
}

// UpcomingHorizon is how far ahead a page lists maintenance.
const UpcomingHorizon = 14 * 24 * time.Hour

// Inputs are what a page is built from.
type Inputs struct {
	Now    time.Time
	States []monitor.State // every monitor, in config order
	// Days by monitor name; a monitor without an entry has an empty bar.
	Days        map[string]*Days
	Maintenance []maint.Occurrence // from maint.Windows.Next
	Notes       Notes              // nil: none
	Live        bool
}

// Build makes the model of the page c from in.
func Build(c *Config, in *Inputs) *Page {
	p := &Page{Path: c.Path, Title: c.Title, Description: c.Description, Public: c.Public,
		Generated: in.Now.UTC(), Live: in.Live}
	if p.Title == "" {
		p.Title = DefaultTitle
	}
	monitors := make([]*monitor.Monitor, 0, len(in.States))
	states := make(map[string]*monitor.State, len(in.States))
	for i := range in.States {
		st := &in.States[i]
		if st.Monitor == nil {
			continue
		}
		monitors = append(monitors, st.Monitor)
		states[st.Monitor.Name] = st
	}
	rows := map[string]*Row{}
	var shown []*monitor.Monitor
	for _, s := range c.Resolve(monitors) {
		sec := Section{Name: s.Name}
		for _, m := range s.Monitors {
			r := rows[m.Name]
			if r == nil {
				days := in.Days[m.Name]
				if days == nil {
					days = NewDays(nil, nil, in.Now)
				}
				r = newRow(m, states[m.Name], days, c.Public)
				rows[m.Name] = r
				shown = append(shown, m)
			}
			sec.Rows = append(sec.Rows, r)
		}
		p.Sections = append(p.Sections, sec)
	}
	for _, m := range shown {
		r := rows[m.Name]
		if r.Status != monitor.StatusDown && r.Status != monitor.StatusDegraded {
			continue
		}
		in := Incident{Monitor: r.Name, Key: r.Key, Status: r.Status, Start: r.Since}
		p.Incidents = append(p.Incidents, in)
	}
	sortIncidents(p.Incidents)
	// The on-call's notes are written for the team, not the public: a
	// public page leaves them out (they may name hosts or people).
	if in.Notes != nil && !c.Public {
		for i := range p.Incidents {
			p.Incidents[i].Notes = in.Notes.Notes(p.Incidents[i].Monitor, p.Incidents[i].Start)
		}
	}
	for _, o := range in.Maintenance {
		w := Maintenance{Name: o.Name, Start: o.Start, End: o.End, Active: !o.Start.After(in.Now)}
		for _, m := range shown {
			if o.Covers(m) {
				w.Monitors = append(w.Monitors, m.Name)
			}
		}
		if len(w.Monitors) > 0 {
			p.Maintenance = append(p.Maintenance, w)
		}
	}
	p.Overall = overall(rows)
	return p
}

func newRow(m *monitor.Monitor, st *monitor.State, days *Days, public bool) *Row {
	r := &Row{Name: m.Name, Key: rowKey(m.Name), Days: days}
	if st != nil {
		r.Status, r.Since = st.Status, st.Since
		if !st.Last.Time.IsZero() && st.Last.Status != monitor.StatusDown {
			r.Latency = st.Last.Latency
		}
		r.Uptime[0], r.Uptime[1], r.Uptime[2] = st.Uptime24, st.Uptime7d, st.Uptime30
		if !public {
			r.URL = monitor.RedactURL(m.URL)
			if st.Last.Class != "" {
				e := kb.ForResult(st.Last.Code, st.Last.Class)
				r.Detail = e.Name
				if e.Summary != "" {
					r.Detail += ": " + e.Summary
				}
			}
		}
	}
	r.Uptime[3] = r.Days.Uptime
	return r
}

func sortIncidents(in []Incident) {
	for i := 1; i < len(in); i++ {
		for j := i; j > 0 && in[j].Start.Before(in[j-1].Start); j-- {
			in[j], in[j-1] = in[j-1], in[j]
		}
	}
}

// overall sums up the rows: the worst status, in words.
func overall(rows map[string]*Row) Overall {
	var down, degraded, maint, total int
	for _, r := range rows {
		switch r.Status {
		case monitor.StatusDown:
			down++
		case monitor.StatusDegraded:
			degraded++
		case monitor.StatusMaintenance:
			maint++
		}
		total++
	}
	switch {
	case total == 0:
		return Overall{monitor.StatusPending, "Nothing to show yet"}
	case down == total:
		return Overall{monitor.StatusDown, "Major outage"}
	case down > 0:
		return Overall{monitor.StatusDown, "Partial outage"}
	case degraded > 0:
		return Overall{monitor.StatusDegraded, "Degraded performance"}
	case maint > 0:
		return Overall{monitor.StatusMaintenance, "Under maintenance"}
	}
	return Overall{monitor.StatusUp, "All systems operational"}
}

// rowKey is monitor.Key, except that "." and ".." (which are file and path
// names of their own) become "_" and "__".
func rowKey(name string) string {
	k := monitor.Key(name)
	if k == "." || k == ".." {
		return strings.Repeat("_", len(k))
	}
	return k
}
