package statuspage

import (
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/alert/maint"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

type notes map[string][]Note

func (n notes) Notes(monitor string, start time.Time) []Note { return n[monitor] }

func TestBuild(t *testing.T) {
	states := secretMonitors()
	w, err := maint.New([]*maint.Config{
		{Name: "edge work", Monitors: []string{"edge"}, Start: now.Add(-time.Hour), End: now.Add(time.Hour)},
		{Name: "db upgrade", Tags: []string{"infra"}, Start: now.Add(24 * time.Hour), End: now.Add(25 * time.Hour)},
		{Name: "elsewhere", Monitors: []string{"not-on-page"}, Start: now.Add(time.Hour), End: now.Add(2 * time.Hour)},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &Config{Path: "/s", Groups: []Group{{Name: "Web", Tags: []string{"web"}}, {Name: "Both", Monitors: []string{"shop", "db"}}}}
	p := Build(c, &Inputs{Now: now, States: states, Maintenance: w.Next(now, now.Add(UpcomingHorizon)),
		Notes: notes{"checkout-api": {{Time: now, Author: "ana", Text: "rolling back the deploy"}}}})
	if p.Title != DefaultTitle || len(p.Sections) != 2 || p.Sections[1].Rows[0] != p.Sections[0].Rows[0] {
		t.Fatalf("sections = %+v", p.Sections)
	}
	// Incidents: the monitors on the page that are down or degraded.
	if len(p.Incidents) != 2 || p.Incidents[0].Monitor != "checkout-api" || p.Incidents[1].Monitor != "db" ||
		len(p.Incidents[0].Notes) != 1 {
		t.Errorf("incidents = %+v", p.Incidents)
	}
	// Maintenance: only windows that cover a monitor of the page, with those monitors.
	if len(p.Maintenance) != 1 || p.Maintenance[0].Name != "db upgrade" || p.Maintenance[0].Active ||
		strings.Join(p.Maintenance[0].Monitors, ",") != "db" {
		t.Errorf("maintenance = %+v", p.Maintenance)
	}
	if p.Overall != (Overall{monitor.StatusDown, "Partial outage"}) {
		t.Errorf("overall = %+v", p.Overall)
	}
	var html strings.Builder
	p.WriteHTML(&html)
	if !strings.Contains(html.String(), "rolling back the deploy") || !strings.Contains(html.String(), "db upgrade") {
		t.Error("the notes or the maintenance are not on the page")
	}
	public := *c
	public.Public = true
	pp := Build(&public, &Inputs{Now: now, States: states, Notes: notes{"checkout-api": {{Time: now, Author: "ana", Text: "rolling back the deploy"}}}})
	html.Reset()
	pp.WriteHTML(&html)
	if len(pp.Incidents) != 2 || len(pp.Incidents[0].Notes) != 0 || strings.Contains(html.String(), "rolling back") {
		t.Errorf("a public page shows the on-call's notes: %+v", pp.Incidents)
	}

	for _, c := range []struct {
		statuses []monitor.Status
		want     string
	}{
		{[]monitor.Status{monitor.StatusUp, monitor.StatusUp}, "All systems operational"},
		{[]monitor.Status{monitor.StatusUp, monitor.StatusMaintenance}, "Under maintenance"},
		{[]monitor.Status{monitor.StatusDegraded, monitor.StatusMaintenance}, "Degraded performance"},
		{[]monitor.Status{monitor.StatusDown, monitor.StatusDown}, "Major outage"},
		{nil, "Nothing to show yet"},
	} {
		var sts []monitor.State
		for i, st := range c.statuses {
			sts = append(sts, monitor.State{Monitor: &monitor.Monitor{Name: string(rune('a' + i))}, Status: st})
		}
		if got := Build(&Config{Path: "/s"}, &Inputs{Now: now, States: sts}).Overall.Text; got != c.want {
			t.Errorf("%v: %q, want %q", c.statuses, got, c.want)
		}
	}
}

func TestDays(t *testing.T) {
	counts := []history.DayCount{{Counted: 100}, {Counted: 100, Down: 1}, {Counted: 100, Down: 3}, {Counted: 100, Down: 50}, {}}
	start := now.Truncate(24 * time.Hour).Add(-24*time.Hour + 23*time.Hour) // yesterday 23:00
	window := []monitor.Break{{Start: start.Add(10 * time.Minute), End: start.Add(20 * time.Minute), Status: monitor.StatusMaintenance}}
	d := NewDays(counts, []monitor.Incident{{Start: start, End: start.Add(90 * time.Minute), Breaks: window}, {Start: now.Add(-time.Minute)}}, now)
	if len(d.Days) != NumDays || !d.Days[NumDays-1].Date.Equal(now.Truncate(24*time.Hour)) {
		t.Fatalf("days %d, last %v", len(d.Days), d.Days[NumDays-1].Date)
	}
	var levels []string
	for _, day := range d.Days[NumDays-5:] {
		levels = append(levels, day.Level())
	}
	if strings.Join(levels, "") != "umpdn" {
		t.Errorf("levels %v", levels)
	}
	if d.Uptime.Ratio != 346.0/400 {
		t.Errorf("uptime %v", d.Uptime)
	}
	// The incident over midnight counts on both days, with its time on
	// each, less the maintenance window in it.
	y, td := d.Days[NumDays-2], d.Days[NumDays-1]
	if y.Incidents != 1 || y.DownFor != 50*time.Minute || td.Incidents != 2 || td.DownFor != 31*time.Minute {
		t.Errorf("yesterday %+v, today %+v", y, td)
	}
	if got := td.Label(); got != "12 Mar 2026: no data, 2 incidents (31m down)" {
		t.Errorf("label %q", got)
	}
	if got := d.Days[NumDays-4].Label(); got != "9 Mar 2026: 99.00% up" {
		t.Errorf("label %q", got)
	}
	for r, want := range map[float64]string{1: "100%", 0.99999: "99.99%", 0.5: "50.00%", 0: "0.00%"} {
		if got := Percent(r); got != want {
			t.Errorf("Percent(%v) = %q, want %q", r, got, want)
		}
	}
}
