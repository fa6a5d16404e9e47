package store

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Wire returns the postmortem as `upbeat incident show --json` prints it.
func (pm *Postmortem) Wire() wire.Postmortem {
	out := wire.Postmortem{Incident: wire.FromIncident(&pm.Incident), DurationMS: wire.Milliseconds(pm.Duration),
		DowntimeMS:  wire.Milliseconds(pm.Downtime),
		CostPerHour: pm.CostPerHour, Cost: pm.Cost, Checks: pm.Checks, Retried: pm.Retried,
		Timeline: make([]wire.TimelineEntry, len(pm.Timeline)), Seen: make([]wire.Seen, len(pm.Seen)),
		Alerts: wire.FromNotes(pm.Alerts)}
	if out.Alerts == nil {
		out.Alerts = []wire.Note{}
	}
	for i, e := range pm.Timeline {
		out.Timeline[i] = wire.TimelineEntry{Time: e.Time.UTC(), Kind: e.Kind, Text: e.Text}
		if e.Phases != nil {
			out.Timeline[i].Phases = wire.PhasesOf(*e.Phases)
		}
	}
	for i, s := range pm.Seen {
		out.Seen[i] = wire.Seen{Code: s.Code, Class: s.Class, Error: s.Error, Checks: s.Checks, First: s.First.UTC(),
			Last: s.Last.UTC(), Phases: wire.PhasesOf(s.Phases)}
	}
	return out
}

// WriteJSON writes the postmortem as one JSON object.
func (pm *Postmortem) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(pm.Wire())
}

// title is the postmortem's one-line title.
func (pm *Postmortem) title() string {
	in := &pm.Incident
	switch {
	case in.End.IsZero() && in.InWindow():
		return fmt.Sprintf("%s down since %s (open, silenced by a maintenance window, %s so far)", in.Monitor,
			in.Start.UTC().Format("2006-01-02 15:04 UTC"), fmtDuration(pm.Duration))
	case in.End.IsZero():
		return fmt.Sprintf("%s down since %s (open, %s so far)", in.Monitor, in.Start.UTC().Format("2006-01-02 15:04 UTC"), fmtDuration(pm.Duration))
	}
	t := fmt.Sprintf("%s down for %s on %s", in.Monitor, fmtDuration(pm.Duration), in.Start.UTC().Format("2006-01-02"))
	if len(in.Breaks) > 0 {
		t += ", across " + breaksText(in.Breaks)
	}
	if in.Paused {
		t += ", until it was paused"
	}
	return t
}

// facts are the postmortem's key facts, in order.
func (pm *Postmortem) facts() [][2]string {
	in := &pm.Incident
	f := [][2]string{{"Incident", in.ID()}, {"Monitor", in.Monitor}, {"Started", stamp(in.Start)}}
	switch {
	case in.InWindow():
		f = append(f, [2]string{"Resolved", "not yet (open, silenced by a maintenance window since " +
			stamp(in.Breaks[len(in.Breaks)-1].Start) + ")"})
	case in.End.IsZero():
		f = append(f, [2]string{"Resolved", "not yet (open)"})
	case in.Paused:
		f = append(f, [2]string{"Resolved", "no: paused " + stamp(in.End) + " while down, not checked since"})
	default:
		f = append(f, [2]string{"Resolved", stamp(in.End)})
	}
	f = append(f, [2]string{"Duration", fmtDuration(pm.Duration)})
	if len(in.Breaks) > 0 {
		// As upbeat report counts it: a window or a pause is neither up nor down.
		f[len(f)-1][1] += " (from the first failure, " + breaksText(in.Breaks) + " in it)"
		f = append(f, [2]string{"Downtime", fmtDuration(pm.Downtime) + " (" + fmtDuration(pm.Duration-pm.Downtime) +
			" in " + breaksText(in.Breaks) + " is not downtime)"})
	}
	if pm.CostPerHour > 0 {
		f = append(f, [2]string{"Downtime cost", fmt.Sprintf("%.2f (at %.2f per hour)", pm.Cost, pm.CostPerHour)})
	}
	checks := strconv.Itoa(pm.Checks)
	if pm.Retried > 0 {
		checks += fmt.Sprintf(" (%s retried before it counted as failed)", humanize.Count(pm.Retried, "check was", "checks were"))
	}
	f = append(f, [2]string{"Failed checks", checks})
	if len(in.Codes) > 0 {
		codes := make([]string, len(in.Codes))
		for i, c := range in.Codes {
			codes[i] = strconv.Itoa(c)
		}
		f = append(f, [2]string{"Codes", strings.Join(codes, ", ")})
	}
	if len(in.Classes) > 0 {
		f = append(f, [2]string{"Classes", strings.Join(in.Classes, ", ")})
	}
	if len(in.Affected) > 0 {
		f = append(f, [2]string{"Behind it", strings.Join(in.Affected, ", ")})
	}
	delivered, failed := 0, 0
	for _, a := range pm.Alerts {
		if a.OK {
			delivered++
		} else {
			failed++
		}
	}
	if delivered+failed > 0 {
		f = append(f, [2]string{"Alerts", fmt.Sprintf("%d delivered, %d failed", delivered, failed)})
	}
	return f
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// WriteMarkdown writes the postmortem as Markdown, ready to paste: a
// title, the facts, the timeline (UTC), what was seen and the notes.
func (pm *Postmortem) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Incident %s: %s\n\n", pm.Incident.ID(), md(pm.title()))
	b.WriteString("| | |\n|---|---|\n")
	for _, f := range pm.facts() {
		fmt.Fprintf(&b, "| %s | %s |\n", f[0], md(f[1]))
	}
	b.WriteString("\n## Timeline (UTC)\n\n| Time | Event | Details |\n|---|---|---|\n")
	for _, e := range pm.Timeline {
		details := ""
		if e.Phases != nil {
			details = PhasesText(*e.Phases)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", e.Time.UTC().Format("15:04:05"), md(e.Text), md(details))
	}
	if len(pm.Seen) > 0 {
		b.WriteString("\n## Seen during the incident\n\n| Code | Class | Checks | First | Last | Phases (median) |\n|---|---|---|---|---|---|\n")
		for _, s := range pm.Seen {
			code := ""
			if s.Code != 0 {
				code = strconv.Itoa(s.Code)
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s |\n", code, md(s.Class), s.Checks,
				s.First.UTC().Format("15:04:05"), s.Last.UTC().Format("15:04:05"), md(PhasesText(s.Phases)))
		}
	}
	b.WriteString("\n## Notes\n\n")
	if len(pm.Incident.Notes) == 0 {
		b.WriteString("None were written.\n")
	}
	for _, n := range pm.Incident.Notes {
		fmt.Fprintf(&b, "- %s %s\n", n.Time.UTC().Format("15:04:05"), md(noteLine(n)))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// md makes text safe in a Markdown table cell.
func md(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// WriteText writes the postmortem for a terminal.
func (pm *Postmortem) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\n\n", pm.title())
	for _, f := range pm.facts() {
		fmt.Fprintf(tw, "%s:\t%s\n", f[0], f[1])
	}
	fmt.Fprintf(tw, "\ntimeline (UTC):\n")
	for _, e := range pm.Timeline {
		fmt.Fprintf(tw, "  %s\t%s\n", e.Time.UTC().Format("15:04:05"), e.Text)
		if e.Phases != nil {
			if p := PhasesText(*e.Phases); p != "" {
				fmt.Fprintf(tw, "  \t  %s\n", p)
			}
		}
	}
	if len(pm.Seen) > 0 {
		fmt.Fprintf(tw, "\nseen:\n")
		for _, s := range pm.Seen {
			what := s.Class
			if s.Code != 0 {
				what = strconv.Itoa(s.Code) + " " + s.Class
			}
			fmt.Fprintf(tw, "  %s\t%d checks\t%s–%s\t%s\n", strings.TrimSpace(what), s.Checks,
				s.First.UTC().Format("15:04:05"), s.Last.UTC().Format("15:04:05"), PhasesText(s.Phases))
		}
	}
	return tw.Flush()
}

// WriteIncidents writes a list of incidents as `upbeat incident list`
// prints it: one line each, newest first.
func WriteIncidents(w io.Writer, ins []monitor.Incident, now time.Time) error {
	if len(ins) == 0 {
		_, err := fmt.Fprintln(w, "no incidents in the period")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tMONITOR\tSTARTED (UTC)\tDURATION\tSTATE\tSEEN\tNOTES")
	for i := range ins {
		in := &ins[i]
		state := "resolved"
		switch {
		case in.End.IsZero():
			state = "open" // in a window or not: the same incident goes on
		case in.Paused:
			state = "paused" // while down: no recovery seen
		}
		var seen []string
		for _, c := range in.Codes {
			seen = append(seen, strconv.Itoa(c))
		}
		for _, c := range in.Classes {
			if !strings.HasPrefix(c, "http_") {
				seen = append(seen, c)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", in.ID(), in.Monitor, in.Start.UTC().Format("2006-01-02 15:04"),
			fmtDuration(in.Duration(now)), state, strings.Join(seen, ","), len(in.Notes))
	}
	return tw.Flush()
}

// WriteIncidentsJSON writes a list of incidents as JSON (the API's shape).
func WriteIncidentsJSON(w io.Writer, ins []monitor.Incident) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(wire.FromIncidents(ins))
}
