package alert

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The events a message is about. They appear in webhook payloads.
const (
	EventDown     = "down"     // an incident opened
	EventUp       = "up"       // an incident resolved
	EventReminder = "reminder" // an incident is still open (renotify)
	EventFlapping = "flapping" // a monitor keeps changing between down and up
	EventDegraded = "degraded" // a monitor is slow, or a certificate or domain nears expiry
	EventNormal   = "normal"   // a degraded monitor is fine again
	EventNetwork  = "network"  // every monitor failed at once: upbeat's own network is suspect
	EventTest     = "test"     // upbeat alert test NAME
	EventGroup    = "group"    // several monitors in one message; see Items
	EventResend   = "resend"   // every open incident again, for channels that want it (see Resender)
	EventBurn     = "burn"     // a monitor spends its error budget too fast; see Item.Burn
	EventBurnOver = "burn_over"
)

// Message is one notification, ready for any channel: a one-line Title, a
// plain-text Text of a few lines, and the facts in Items for channels that
// send structured data.
type Message struct {
	ID     string    // unique per message, the same on every retry
	Event  string    // one of the Event* constants
	Urgent bool      // down, reminder, flapping, network: channels may ring
	Title  string    // one line
	Text   string    // plain text, several lines
	Time   time.Time // when it was composed
	Items  []Item    // the monitors it is about: one, or many when grouped
}

// Item is what a message says about one monitor: the result it is about,
// made fit to show, and what the message adds to it.
//
// Result is a copy of the check result the message is about (for an
// incident, its latest failing result; for a resolve, the good check
// that resolved it, or the latest good one known), made fit to show:
// Monitor is the monitor's name, Kind its kind (also when no result is
// known), URL its configured URL without credentials or tokens, Error
// sanitized, and Status the status when the message was composed.
type Item struct {
	monitor.Result

	Event     string            // down, up, reminder, flapping, degraded, normal
	Name      string            // what the code or class is called ("Bad Gateway")
	Meaning   string            // its one-line meaning
	FirstStep string            // the first thing to check or do
	Since     time.Time         // when the incident (or degradation) began; zero if unknown
	Duration  time.Duration     // how long the incident lasted (up) or has lasted (reminder)
	Flapping  bool              // the monitor keeps changing between down and up right now
	Flaps     int               // up: times the monitor went down during the incident, when more than once
	Incident  *monitor.Incident // the incident, for down, reminder, flapping and up
	Tags      []string          // the monitor's tags
	// Agreement is what the other locations said before the incident
	// opened ("down from 2 of 3 locations (eu-west, us-east); up from
	// ap-south"); "" without peers.
	Agreement string
	// DependsOn lists every monitor this one depends on, directly or
	// through others, sorted (the depends_on label for Alertmanager).
	DependsOn []string
	// Behind lists every monitor that depends on this one, directly or
	// through others, in the order configured.
	Behind []string
	// StillDown names, for up, the monitors behind this one (its
	// incident's Affected) that are still down when it recovered.
	StillDown []string
	// Burn is set for burn and burn_over: the objective and its burn rates.
	Burn *Burn

	codeNamed bool // Name is the name of Code itself, not of a class
	// missed: for up, the page about the incident never got through the
	// channel this message goes to, and this message tells of both.
	missed *missedPage
}

// monitors returns the names of the monitors a message is about, each
// once, in the order of its items; nil when it is about none (a test)
// or about every open incident (a resend: a routine refresh).
func (m *Message) monitors() []string {
	if m.Event == EventResend {
		return nil
	}
	var out []string
	for _, it := range m.Items {
		if it.Monitor != "" && !slices.Contains(out, it.Monitor) {
			out = append(out, it.Monitor)
		}
	}
	return out
}

// about names every monitor the message's items are about, a resend's
// included: messages about one monitor go out in the order queued.
func (m *Message) about() []string {
	var out []string
	for _, it := range m.Items {
		if it.Monitor != "" && !slices.Contains(out, it.Monitor) {
			out = append(out, it.Monitor)
		}
	}
	return out
}

// newID returns a random identifier for a message.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// explain fills the knowledge-base fields of it from its code and class.
func (it *Item) explain() {
	if it.Code == 0 && it.Class == "" {
		return
	}
	e := kb.ForResult(it.Code, it.Class)
	it.Name, it.Meaning, it.FirstStep = e.Name, e.Summary, e.FirstStep
	it.codeNamed = e.Code != 0 && e.Code == it.Code
}

// label is how an item's failure is named in a title: "502 Bad Gateway",
// "Connection timed out", or the class.
func (it *Item) label() string {
	switch {
	case it.codeNamed && !strings.Contains(it.Name, strconv.Itoa(it.Code)):
		return fmt.Sprintf("%d %s", it.Code, it.Name)
	case it.Name != "":
		return it.Name
	case it.Code > 0 && it.Event != EventUp && it.Event != EventNormal:
		return strconv.Itoa(it.Code)
	case it.Class != "":
		return it.Class
	}
	return "no reason given"
}

// itemFrom builds an item about monitor m (named name) from the result
// r, which may be nil: a copy of r with its URLs shown without secrets
// and its error sanitized (see resultItem), explained by the knowledge
// base.
func itemFrom(event string, m *monitor.Monitor, name string, r *monitor.Result) Item {
	it := resultItem(event, m, name, r)
	it.explain()
	return it
}

// resultItem builds an item about monitor m (named name) from the result
// r, which may be nil: a copy of r with its URLs shown without secrets
// and its error sanitized; the monitor's kind when r has none.
func resultItem(event string, m *monitor.Monitor, name string, r *monitor.Result) Item {
	it := Item{Event: event}
	if r != nil {
		it.Result = *r
		it.Answers = slices.Clone(r.Answers)
		it.Error = engine.Sanitize(r.Error, 300)
		it.FinalURL = displayURL(r.FinalURL)
	}
	it.Monitor, it.URL = name, ""
	if m != nil {
		it.URL = displayURL(m.URL)
		it.Tags = m.Tags
	}
	if it.URL == "" && r != nil {
		it.URL = displayURL(r.URL)
	}
	if it.Kind == "" && m != nil {
		it.Kind = m.Kind
	}
	return it
}

// displayURL returns a URL fit to show (see monitor.RedactURL).
func displayURL(raw string) string {
	return engine.Sanitize(monitor.RedactURL(raw), 300)
}

// timeText formats a time for a message.
func timeText(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "an unknown time"
	}
	return t.In(loc).Format("2006-01-02 15:04:05 MST")
}

// human formats a duration for a person: "3m 20s", "2h 5m", "1d 4h".
func human(d time.Duration) string {
	d = d.Truncate(time.Second) // as the report, the dashboard and the postmortem count
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return trimZero(fmt.Sprintf("%dm %ds", int(d/time.Minute), int(d%time.Minute/time.Second)))
	case d < 24*time.Hour:
		return trimZero(fmt.Sprintf("%dh %dm", int(d/time.Hour), int(d%time.Hour/time.Minute)))
	}
	return trimZero(fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)))
}

func trimZero(s string) string {
	for _, z := range []string{" 0s", " 0m", " 0h"} {
		s = strings.TrimSuffix(s, z)
	}
	return s
}

// glyphs mark each event in grouped lists, with a word beside them.
var glyphs = map[string]string{
	EventDown: "✕", EventReminder: "✕", EventFlapping: "≈", EventUp: "●",
	EventDegraded: "▲", EventNormal: "●", EventBurn: "▲", EventBurnOver: "●",
}

// urgent reports whether an event may wake someone.
func urgent(event string) bool {
	switch event {
	case EventDown, EventReminder, EventFlapping, EventNetwork:
		return true
	}
	return false
}

// itemUrgent reports whether an item may wake someone: its event is
// urgent, or it is a burn that pages.
func itemUrgent(it *Item) bool {
	return urgent(it.Event) || (it.Event == EventBurn && it.Burn != nil && it.Burn.Severity == BurnPage)
}

// composer writes messages; loc is the zone times are shown in.
type composer struct {
	loc *time.Location
}

// single writes the message about one item.
func (c composer) single(it Item, now time.Time) Message {
	m := Message{ID: newID(), Event: it.Event, Urgent: itemUrgent(&it), Time: now, Items: []Item{it}}
	var b strings.Builder
	switch it.Event {
	case EventDown:
		m.Title = fmt.Sprintf("%s is DOWN: %s", it.Monitor, it.label()) + behindTitle(it)
		fmt.Fprintf(&b, "%s is down since %s.\n", it.Monitor, timeText(it.Since, c.loc))
		c.details(&b, it)
		behindText(&b, it)
	case EventReminder:
		state := "DOWN"
		if it.Flapping {
			state = "FLAPPING"
		}
		if it.Since.IsZero() {
			m.Title = fmt.Sprintf("%s is still %s: %s", it.Monitor, state, it.label())
			fmt.Fprintf(&b, "%s has been %s since before upbeat started.\n", it.Monitor, strings.ToLower(state))
		} else {
			m.Title = fmt.Sprintf("%s is still %s after %s: %s", it.Monitor, state, human(it.Duration), it.label())
			fmt.Fprintf(&b, "%s has been %s since %s (%s).\n", it.Monitor, strings.ToLower(state), timeText(it.Since, c.loc), human(it.Duration))
		}
		m.Title += behindTitle(it)
		c.details(&b, it)
		behindText(&b, it)
		c.notesText(&b, it.Incident)
		if it.Incident == nil || !it.Incident.Acked {
			b.WriteString("Acknowledge it (key a in the dashboard) to stop these reminders.\n")
		}
	case EventFlapping:
		m.Title = fmt.Sprintf("%s is FLAPPING between down and up", it.Monitor)
		fmt.Fprintf(&b, "%s keeps going down and coming back (since %s). upbeat holds further messages until it settles.\n",
			it.Monitor, timeText(it.Since, c.loc))
		c.details(&b, it)
	case EventUp:
		m.Title = c.up(&b, it)
	case EventDegraded:
		m.Title = fmt.Sprintf("%s is degraded: %s", it.Monitor, it.label())
		fmt.Fprintf(&b, "%s still answers but is degraded since %s.\n", it.Monitor, timeText(it.Since, c.loc))
		c.details(&b, it)
	case EventNormal:
		m.Title = fmt.Sprintf("%s is no longer degraded", it.Monitor)
		fmt.Fprintf(&b, "%s is back to normal.\n", it.Monitor)
	case EventBurn, EventBurnOver:
		if it.Burn == nil {
			m.Title = fmt.Sprintf("%s: %s", it.Monitor, it.Event)
			break
		}
		m.Title = burnTitle(it)
		burnText(&b, it)
	default:
		m.Title = fmt.Sprintf("%s: %s", it.Monitor, it.Event)
	}
	m.Text = b.String()
	return m
}

// up writes the text of a resolve into b and returns its title: how long
// it lasted, what was seen, how it flapped, the monitors behind it still
// down, the notes.
func (c composer) up(b *strings.Builder, it Item) string {
	title := fmt.Sprintf("%s is UP again", it.Monitor)
	if it.Duration > 0 {
		title += " after " + human(it.Duration)
	}
	if it.Incident != nil && !it.Incident.Start.IsZero() {
		fmt.Fprintf(b, "%s recovered at %s; it was down from %s (%s).\n",
			it.Monitor, timeText(it.Incident.End, c.loc), timeText(it.Incident.Start, c.loc), human(it.Duration))
	} else {
		fmt.Fprintf(b, "%s recovered; it was down before upbeat started.\n", it.Monitor)
	}
	switch m := it.missed; {
	case m != nil && m.dropped:
		fmt.Fprintf(b, "The page that %s was down (composed %s) never got through this alert: its queue was full "+
			"(the channel failing, pages waiting) and dropped it. This message tells of both.\n",
			it.Monitor, timeText(m.at, c.loc))
	case m != nil:
		fmt.Fprintf(b, "The page that %s was down (composed %s) never got through this alert (%d %s failed; the last: %s). "+
			"It is not sent now that %s is up again; this message tells of both.\n",
			it.Monitor, timeText(m.at, c.loc), m.attempts, plural(m.attempts, "attempt"), m.err, it.Monitor)
	}
	if it.Incident != nil {
		if seen := seenText(it.Incident); seen != "" {
			fmt.Fprintf(b, "Seen during the incident: %s.\n", seen)
		}
		switch {
		case it.Incident.Flapping && it.Flaps > 1:
			fmt.Fprintf(b, "It flapped %d times (down and back up) before it settled; it has now been steady for a while.\n", it.Flaps)
		case it.Incident.Flapping:
			b.WriteString("It was flapping; it has now been steady for a while.\n")
		case it.Flaps > 1:
			fmt.Fprintf(b, "It went down %d times before it stayed up.\n", it.Flaps)
		}
	}
	if it.Incident != nil && len(it.Incident.Affected) > 0 {
		n := len(it.Incident.Affected)
		fmt.Fprintf(b, "%d %s behind it failed with it", n, plural(n, "monitor"))
		if len(it.StillDown) == 0 {
			b.WriteString("; all are up again.\n")
		} else {
			fmt.Fprintf(b, "; still down: %s (each pages on its own if it stays down past a short grace).\n", listNames(it.StillDown))
		}
	}
	c.notesText(b, it.Incident)
	if it.URL != "" {
		fmt.Fprintf(b, "URL: %s\n", it.URL)
	}
	return title
}

// details writes what broke, what it means and the first step.
func (c composer) details(b *strings.Builder, it Item) {
	if it.URL != "" {
		fmt.Fprintf(b, "What broke: %s: %s.\n", it.URL, it.label())
	} else {
		fmt.Fprintf(b, "What broke: %s.\n", it.label())
	}
	if it.Meaning != "" {
		fmt.Fprintf(b, "Meaning: %s\n", sentence(it.Meaning))
	}
	if it.Error != "" {
		fmt.Fprintf(b, "Error: %s\n", it.Error)
	}
	if it.RetryAfter > 0 && !strings.Contains(it.Error, "Retry-After") {
		fmt.Fprintf(b, "Retry-After: %s (when the server says to try again)\n", humanize.RetryAfter(it.RetryAfter))
	}
	if it.FirstStep != "" {
		fmt.Fprintf(b, "First step: %s\n", sentence(it.FirstStep))
	}
	if it.Agreement != "" {
		fmt.Fprintf(b, "Locations: %s.\n", it.Agreement)
	}
}

// behindTitle is "; 12 monitors behind it affected" for a monitor that
// others depend on, else "".
func behindTitle(it Item) string {
	if n := len(it.Behind); n > 0 {
		return fmt.Sprintf("; %d %s behind it affected", n, plural(n, "monitor"))
	}
	return ""
}

// behindText names the monitors behind an incident's monitor that failed
// with it so far.
func behindText(b *strings.Builder, it Item) {
	if len(it.Behind) == 0 {
		return
	}
	fmt.Fprintf(b, "Behind it (depends_on): %d %s. ", len(it.Behind), plural(len(it.Behind), "monitor"))
	if it.Incident == nil || len(it.Incident.Affected) == 0 {
		b.WriteString("None of them has failed so far; while it is down, their failures send nothing of their own.\n")
		return
	}
	fmt.Fprintf(b, "Failing with it so far: %s. They send nothing of their own while it is down, and resolve with it.\n",
		listNames(it.Incident.Affected))
}

// listNames joins names, at most maxListed of them.
func listNames(names []string) string {
	if len(names) <= maxListed {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:maxListed], ", ") + fmt.Sprintf(" and %d more", len(names)-maxListed)
}

// plural is word for n of one thing, else its plural: the word with an
// s, or the form given.
func plural(n int, word string, pl ...string) string {
	switch {
	case n == 1:
		return word
	case len(pl) > 0:
		return pl[0]
	}
	return word + "s"
}

// sentence ends s with a full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// seenText lists the codes and classes of an incident: "502, 504 (http_502, timeout)".
func seenText(in *monitor.Incident) string {
	var codes []string
	for _, c := range in.Codes {
		codes = append(codes, strconv.Itoa(c))
	}
	s := strings.Join(codes, ", ")
	if len(in.Classes) > 0 {
		if s != "" {
			s += " "
		}
		s += "(" + strings.Join(in.Classes, ", ") + ")"
	}
	return s
}

// groupNotes writes, after a grouped message's lines, the latest notes of
// each incident resolved or reminded of, as their single messages do: a
// few each, cut short, so that channels that cut a long text cut notes,
// never the monitors' lines.
func (c *composer) groupNotes(b *strings.Builder, items []Item) {
	for i, it := range items {
		if i == maxListed {
			break
		}
		if (it.Event != EventUp && it.Event != EventReminder) || it.Incident == nil || len(it.Incident.Notes) == 0 {
			continue
		}
		notes := it.Incident.Notes
		if len(notes) > maxGroupNotes {
			fmt.Fprintf(b, "\nNotes on %s (the latest %d of %d):\n", it.Monitor, maxGroupNotes, len(notes))
			notes = notes[len(notes)-maxGroupNotes:]
		} else {
			fmt.Fprintf(b, "\nNotes on %s:\n", it.Monitor)
		}
		for _, n := range notes {
			fmt.Fprintf(b, "- %s %s\n", timeText(n.Time, c.loc), cutText(NoteLine(n), maxGroupNoteLen))
		}
	}
}

// maxGroupNotes and maxGroupNoteLen bound what a grouped message quotes
// of each incident's notes.
const (
	maxGroupNotes   = 3
	maxGroupNoteLen = 200
)

// cutText cuts s to at most n bytes, at a rune, ending in "…" when cut.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// maxListed is how many monitors a grouped message lists by name.
const maxListed = 40

// group writes one message about several items; note is an extra
// paragraph (about the network) or "".
func (c composer) group(items []Item, note string, now time.Time) Message {
	m := Message{ID: newID(), Event: EventGroup, Time: now, Items: items}
	causes := commonCauses(items)
	shared := map[int]bool{}
	var titles []string
	for i := range causes {
		titles = append(titles, causes[i].title(items))
		for _, j := range causes[i].items {
			shared[j] = true
		}
	}
	counts := map[string]int{}
	for i, it := range items {
		if !shared[i] {
			counts[it.Event]++
		}
		m.Urgent = m.Urgent || itemUrgent(&items[i])
	}
	var parts []string
	for _, ev := range []string{EventDown, EventFlapping, EventReminder, EventDegraded, EventUp, EventNormal, EventBurn, EventBurnOver} {
		if n := counts[ev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, groupWord(ev, n)))
		}
	}
	if rest := strings.Join(parts, ", "); rest != "" {
		titles = append(titles, rest)
	}
	m.Title = strings.Join(titles, "; ")
	var b strings.Builder
	if note != "" {
		b.WriteString(note)
		b.WriteString("\n\n")
	}
	for i := range causes {
		b.WriteString(causes[i].paragraph(items))
		b.WriteString("\n\n")
	}
	for i, it := range items {
		if i == maxListed {
			fmt.Fprintf(&b, "… and %d more.\n", len(items)-maxListed)
			break
		}
		fmt.Fprintf(&b, "%s %s %s", glyphs[it.Event], it.Monitor, lineWord(it.Event))
		switch it.Event {
		case EventUp:
			upLine(&b, it)
		case EventNormal:
		case EventBurn, EventBurnOver:
			if it.Burn != nil {
				fmt.Fprintf(&b, ": %s over %s, %s over %s (SLO %s)", rateText(it.Burn.LongRate), human(it.Burn.Long),
					rateText(it.Burn.ShortRate), human(it.Burn.Short), monitor.FormatObjective(it.Burn.Objective))
			}
		default:
			fmt.Fprintf(&b, ": %s", it.label())
			if !it.Since.IsZero() {
				fmt.Fprintf(&b, ", since %s", timeText(it.Since, c.loc))
			}
			if it.Meaning != "" {
				fmt.Fprintf(&b, " — %s", strings.TrimSuffix(it.Meaning, "."))
			}
			b.WriteString(behindTitle(it))
		}
		b.WriteString("\n")
	}
	if step := commonStep(items); step != "" {
		fmt.Fprintf(&b, "First step: %s\n", sentence(step))
	}
	c.groupNotes(&b, items)
	m.Text = b.String()
	return m
}

// upLine ends the line of a resolve in a grouped list: how long the
// incident lasted, how it flapped, and whether its page got through.
func upLine(b *strings.Builder, it Item) {
	if it.Duration > 0 {
		fmt.Fprintf(b, " after %s", human(it.Duration))
	}
	if it.Flaps > 1 && it.Incident != nil && it.Incident.Flapping {
		fmt.Fprintf(b, " (flapped %d times)", it.Flaps)
	}
	if it.missed != nil {
		b.WriteString(" (its DOWN never got through this alert)")
	}
}

// groupWord names an event in a grouped title.
func groupWord(ev string, n int) string {
	s := ""
	if n > 1 {
		s = "s"
	}
	switch ev {
	case EventDown:
		return "monitor" + s + " down"
	case EventFlapping:
		return "flapping"
	case EventReminder:
		return "still down"
	case EventDegraded:
		return "degraded"
	case EventUp:
		return "recovered"
	case EventNormal:
		return "no longer degraded"
	case EventBurn:
		return "burning " + plural(n, "its", "their") + " error budget"
	case EventBurnOver:
		return "no longer burning " + plural(n, "its", "their") + " error budget"
	}
	return ev
}

// lineWord is the word beside the glyph in a grouped list.
func lineWord(ev string) string {
	switch ev {
	case EventDown:
		return "DOWN"
	case EventReminder:
		return "STILL DOWN"
	case EventFlapping:
		return "FLAPPING"
	case EventUp:
		return "UP"
	case EventDegraded:
		return "DEGRADED"
	case EventNormal:
		return "NORMAL"
	case EventBurn:
		return "BURNING"
	case EventBurnOver:
		return "BURN OVER"
	}
	return ev
}

// commonStep is the first step shared by every failing item, if they all
// failed the same way.
func commonStep(items []Item) string {
	step := ""
	for _, it := range items {
		if it.Event == EventUp || it.Event == EventNormal {
			continue
		}
		if it.FirstStep == "" || (step != "" && it.FirstStep != step) {
			return ""
		}
		step = it.FirstStep
	}
	return step
}

// network writes the message sent instead of paging for each monitor when
// every monitor failed at once and the connectivity check failed too.
// elsewhere names the monitors that failed with items but are told of in
// another message: the part of this one held back behind an earlier
// message about them, or sent ahead of it (see outlet.split).
func (c composer) network(items []Item, elsewhere []string, checkErr error, target string, now time.Time) Message {
	m := Message{ID: newID(), Event: EventNetwork, Urgent: true, Time: now, Items: items}
	m.Title = fmt.Sprintf("upbeat's own network looks down: all %d monitors failed at once", len(items)+len(elsewhere))
	var b strings.Builder
	fmt.Fprintf(&b, "Every monitor failed within a few seconds, and the connectivity check")
	if target != "" {
		fmt.Fprintf(&b, " (%s)", target)
	}
	fmt.Fprintf(&b, " failed as well: %v.\n", checkErr)
	one := "this one message"
	if len(elsewhere) > 0 {
		one = "this message"
	}
	b.WriteString("That usually means the machine running upbeat lost its network, not that every site is down. " +
		"upbeat sends " + one + " instead of one per monitor, and a single message when checks recover.\n")
	b.WriteString("First step: check this machine's network link, DNS resolver, proxy and firewall.\n")
	names := make([]string, 0, min(len(items), maxListed))
	for i, it := range items {
		if i == maxListed {
			names = append(names, fmt.Sprintf("and %d more", len(items)-maxListed))
			break
		}
		names = append(names, it.Monitor)
	}
	fmt.Fprintf(&b, "Failing: %s", strings.Join(names, ", "))
	if len(elsewhere) > 0 {
		fmt.Fprintf(&b, " (and %s, in another message)", listNames(elsewhere))
	}
	b.WriteString(".\n")
	m.Text = b.String()
	return m
}

// resend writes the message that repeats every open incident to a
// channel that wants them (a Resender).
func (c composer) resend(items []Item, now time.Time) Message {
	s := "s"
	if len(items) == 1 {
		s = ""
	}
	return Message{
		ID: newID(), Event: EventResend, Time: now, Items: items,
		Title: fmt.Sprintf("%d incident%s still open", len(items), s),
	}
}

// test writes the message of upbeat alert test.
func (c composer) test(channel string, now time.Time) Message {
	return Message{
		ID: newID(), Event: EventTest, Time: now,
		Title: "upbeat test alert",
		Text: fmt.Sprintf("This is a test of the alert %q, sent at %s. If you can read it, the channel works.\n",
			channel, timeText(now, c.loc)),
	}
}
