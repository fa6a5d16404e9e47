package statuspage

import (
	"encoding/json"
	"io"
	"net/url"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Wire returns the page as its JSON shape.
func (p *Page) Wire() *wire.StatusPage {
	out := &wire.StatusPage{Path: p.Path, Title: p.Title, Description: p.Description, Public: p.Public,
		Generated: p.Generated.UTC(), Status: p.Overall.Status, Summary: p.Overall.Text,
		Groups: []wire.PageGroup{}, Incidents: []wire.PageIncident{}, Maintenance: []wire.PageMaintenance{}}
	for _, s := range p.Sections {
		g := wire.PageGroup{Name: s.Name, Monitors: make([]wire.PageMonitor, 0, len(s.Rows))}
		for _, r := range s.Rows {
			g.Monitors = append(g.Monitors, p.wireRow(r))
		}
		out.Groups = append(out.Groups, g)
	}
	for _, in := range p.Incidents {
		w := wire.PageIncident{Monitor: in.Monitor, Status: in.Status, Start: utc(in.Start)}
		for _, n := range in.Notes {
			w.Notes = append(w.Notes, wire.PageNote{Time: utc(n.Time), Author: n.Author, Text: n.Text})
		}
		out.Incidents = append(out.Incidents, w)
	}
	for _, m := range p.Maintenance {
		out.Maintenance = append(out.Maintenance, wire.PageMaintenance{Name: m.Name, Active: m.Active,
			Start: utc(m.Start), End: utc(m.End), Monitors: m.Monitors})
	}
	return out
}

func (p *Page) wireRow(r *Row) wire.PageMonitor {
	m := wire.PageMonitor{Name: r.Name, Key: r.Key, Status: r.Status, Since: utc(r.Since),
		Uptime: wire.PageUptime{H24: ratio(r.Uptime[0]), D7: ratio(r.Uptime[1]), D30: ratio(r.Uptime[2]), D90: ratio(r.Uptime[3])},
		Days:   make([]wire.PageDay, len(r.Days.Days)),
		URL:    r.URL, Detail: r.Detail}
	if r.Latency > 0 {
		v := float64(r.Latency.Microseconds()) / 1000
		m.LatencyMS = &v
	}
	for i := range r.Days.Days {
		d := &r.Days.Days[i]
		m.Days[i] = wire.PageDay{Date: d.Date.Format(time.DateOnly), Uptime: ratio(d.Uptime()), Checks: d.Counted,
			Down: d.Down, Incidents: d.Incidents, DownMS: float64(d.DownFor.Milliseconds())}
	}
	m.Badges = wire.PageBadges{Status: BadgePath(p.Path, r.Key, "status"), Response: BadgePath(p.Path, r.Key, "response"),
		Uptime: map[string]string{}}
	for _, w := range Periods {
		m.Badges.Uptime[w.Name] = BadgePath(p.Path, r.Key, "uptime-"+w.Name)
	}
	return m
}

// BadgePath is where the daemon serves a badge of a monitor of the page
// at page: kind is "status", "response" or "uptime-" and a period.
func BadgePath(page, key, kind string) string {
	return page + "/badge/" + url.PathEscape(key) + "/" + kind + ".svg"
}

func ratio(u monitor.Uptime) *float64 {
	if !u.Valid {
		return nil
	}
	r := u.Ratio
	return &r
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// WriteJSON writes the page's JSON.
func (p *Page) WriteJSON(w io.Writer) error {
	return json.NewEncoder(w).Encode(p.Wire())
}
