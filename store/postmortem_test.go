package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The incidents of "api" (see fill) are listed newest first with their
// IDs; one is found by its ID or a prefix; its postmortem tells the story
// in order: the first failure, the change from 502 to 504, the alert, the
// acknowledgement and the note, the resolve; with the cost.
func TestPostmortem(t *testing.T) {
	t.Parallel()
	c := &clock{}
	s := openStore(t, t.TempDir(), c, nil)
	defer s.Close()
	end := fill(t, s, c)
	i1 := t0.Add(5 * time.Hour)
	for _, n := range []monitor.Note{
		{Monitor: "api", Time: i1.Add(30 * time.Second), Kind: monitor.NoteAlert, Author: "pager", Text: "api is DOWN: 502", OK: true},
		{Monitor: "api", Time: i1.Add(3 * time.Minute), Kind: monitor.NoteAck, Author: "bob", Text: "looking"},
		{Monitor: "api", Time: i1.Add(12 * time.Minute), Kind: monitor.NoteText, Author: "alice", Text: "upstream | pool <full>"},
		{Monitor: "api", Time: t0.Add(30*time.Hour + time.Minute), Kind: monitor.NoteText, Author: "carol", Text: "another day"},
	} {
		if err := s.AddNote(&n); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}

	ins, err := ListIncidents(s, nil, t0, end)
	if err != nil || len(ins) < 4 {
		t.Fatalf("list: %d incidents, %v", len(ins), err)
	}
	for i := 1; i < len(ins); i++ {
		if ins[i].Start.After(ins[i-1].Start) {
			t.Fatalf("not newest first: %v after %v", ins[i].Start, ins[i-1].Start)
		}
	}
	var first monitor.Incident
	for _, in := range ins {
		if in.Monitor == "api" && in.Start.Equal(i1) {
			first = in
		}
	}
	if len(first.Notes) != 2 || first.Notes[0].Author != "bob" || first.Notes[1].Author != "alice" {
		t.Fatalf("first incident's notes: %+v (alert deliveries are not notes)", first.Notes)
	}
	var out bytes.Buffer
	if err := WriteIncidents(&out, ins, end); err != nil || !strings.Contains(out.String(), first.ID()+"  api") {
		t.Errorf("list text lacks %s:\n%s", first.ID(), out.String())
	}

	for _, id := range []string{first.ID(), first.ID()[:4], strings.ToUpper(first.ID())} {
		if got, err := FindIncident(s, id, end); err != nil || !got.Start.Equal(i1) {
			t.Errorf("FindIncident(%q): %+v, %v", id, got, err)
		}
	}
	if _, err := FindIncident(s, "abc", end); !errors.Is(err, ErrNoSuchIncident) {
		t.Errorf("a 3-character ID: %v", err)
	}
	if _, err := FindIncident(s, "zzzzzzzz", end); !errors.Is(err, ErrNoSuchIncident) {
		t.Errorf("an unknown ID: %v", err)
	}

	pm, err := BuildPostmortem(s, first, end, 120)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range pm.Timeline {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, ","); got != "failed,alert,ack,changed,note,resolved" {
		t.Errorf("timeline %s", got)
	}
	if pm.Duration != 30*time.Minute || pm.Cost != 60 || pm.Checks != 30 || len(pm.Seen) != 2 || pm.Seen[0].Code != 502 ||
		pm.Seen[0].Checks != 10 || pm.Seen[1].Code != 504 {
		t.Errorf("postmortem: duration %v cost %v checks %d seen %+v", pm.Duration, pm.Cost, pm.Checks, pm.Seen)
	}
	out.Reset()
	if err := pm.WriteMarkdown(&out); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	for _, want := range []string{"# Incident " + first.ID() + ": api down for 30m", "| Downtime cost | 60.00 (at 120.00 per hour) |",
		"first failed check: 502 (http_502)", "now failing: 504 (http_504)", "alert pager delivered: api is DOWN: 502",
		"bob acknowledged: looking", `alice noted: upstream \| pool &lt;full&gt;`, "resolved after 30m: up, 200", "| 504 | http_504 | 20 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "another day") {
		t.Errorf("markdown has a note of another incident:\n%s", md)
	}
	out.Reset()
	if err := pm.WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	var w wire.Postmortem
	if err := json.Unmarshal(out.Bytes(), &w); err != nil || w.Incident.ID != first.ID() || w.DurationMS != 1800000 ||
		len(w.Timeline) != 6 || len(w.Alerts) != 1 || w.Alerts[0].OK == nil || !*w.Alerts[0].OK {
		t.Errorf("JSON: %+v, %v", w, err)
	}
	out.Reset()
	if err := pm.WriteText(&out); err != nil || !strings.Contains(out.String(), "timeline (UTC):") {
		t.Errorf("text: %v\n%s", err, out.String())
	}
}

// A channel that was down when an incident ended delivers its messages
// about it when it works again, however late (the page is kept, see
// engine/alert/kept.go): the postmortem tells that story to its end,
// and nothing of what the channel sent about the next incident, nor
// the late messages of a channel that had delivered.
func TestPostmortemTellsALateDelivery(t *testing.T) {
	t.Parallel()
	c := &clock{}
	s := openStore(t, t.TempDir(), c, nil)
	defer s.Close()
	i1, i2, end := t0.Add(5*time.Hour), t0.Add(30*time.Hour), t0.Add(48*time.Hour) // 30 minutes; the next one
	for _, r := range []monitor.Result{
		result("api", t0, monitor.StatusUp, 200), result("api", i1, monitor.StatusDown, 502),
		result("api", i1.Add(30*time.Minute), monitor.StatusUp, 200), result("api", i2, monitor.StatusDown, 503),
		result("api", i2.Add(10*time.Minute), monitor.StatusUp, 200),
	} {
		c.Set(r.Time)
		if err := s.Record(&r); err != nil {
			t.Fatal(err)
		}
	}
	c.Set(end)
	for _, n := range []monitor.Note{
		{Monitor: "api", Time: i1.Add(30 * time.Second), Kind: monitor.NoteAlert, Author: "mail", Text: "api is DOWN: 502", OK: true},
		{Monitor: "api", Time: i1.Add(31 * time.Minute), Kind: monitor.NoteAlert, Author: "pager",
			Text: "api is DOWN: 502 (after 7 attempts: 503; not sent: its incident ended before the channel worked again, and the resolve tells of it)"},
		{Monitor: "api", Time: i1.Add(31 * time.Minute), Kind: monitor.NoteAlert, Author: "mail", Text: "api is UP again after 30m", OK: true},
		{Monitor: "api", Time: i1.Add(3 * time.Hour), Kind: monitor.NoteAlert, Author: "pager", Text: "api is UP again after 30m (on attempt 12)", OK: true},
		{Monitor: "api", Time: i1.Add(4 * time.Hour), Kind: monitor.NoteAlert, Author: "mail", Text: "api is degraded", OK: true},
		{Monitor: "api", Time: i2.Add(time.Minute), Kind: monitor.NoteAlert, Author: "pager", Text: "api is DOWN: 503", OK: true},
	} {
		if err := s.AddNote(&n); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	first, err := FindIncident(s, monitor.IncidentID("api", i1), end)
	if err != nil {
		t.Fatal(err)
	}
	pm, err := BuildPostmortem(s, first, end, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range pm.Alerts {
		got = append(got, alertLine(n))
	}
	want := []string{
		"alert mail delivered: api is DOWN: 502",
		"alert pager FAILED: api is DOWN: 502 (after 7 attempts: 503; not sent: its incident ended before the channel worked again, and the resolve tells of it)",
		"alert mail delivered: api is UP again after 30m",
		"alert pager delivered: api is UP again after 30m (on attempt 12)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the deliveries:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A postmortem counts whole seconds as the report and the dashboard do:
// an incident of 72.6s lasted 1m 12s everywhere, never 1m 13s here.
func TestPostmortemDurationTruncates(t *testing.T) {
	t.Parallel()
	if got := fmtDuration(72600 * time.Millisecond); got != "1m 12s" {
		t.Errorf("72.6s reads %q, want 1m 12s", got)
	}
}

// outageStory records four outages and returns the history and a time
// after them. billing went down and was paged, a maintenance window
// began, it was still down when the window ended, someone wrote a note,
// it came back after 12m 24s. shop was paused while down and came back
// when resumed; cache was paused while down and still is; db is in a
// window since it went down.
func outageStory(t *testing.T) (*history.DB, time.Time) {
	t.Helper()
	c := &clock{}
	s := openStore(t, t.TempDir(), c, nil)
	t.Cleanup(func() { s.Close() })
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	record := func(mon string, n int, st monitor.Status, code int) {
		t.Helper()
		c.Set(sec(n))
		r := result(mon, sec(n), st, code)
		if err := s.Record(&r); err != nil {
			t.Fatal(err)
		}
	}
	for _, mon := range []string{"billing", "shop", "cache", "db"} {
		record(mon, -60, monitor.StatusUp, 200)
		record(mon, 0, monitor.StatusDown, 502)
	}
	record("billing", 17, monitor.StatusMaintenance, 502) // the window begins
	record("billing", 257, monitor.StatusDown, 504)       // and ends 4m later, still down
	record("billing", 744, monitor.StatusUp, 200)         // back after 12m 24s
	record("shop", 11, monitor.StatusPaused, 0)           // paused, fixed, resumed
	record("shop", 20, monitor.StatusUp, 200)
	record("cache", 11, monitor.StatusPaused, 0) // and still paused
	record("db", 30, monitor.StatusMaintenance, 502)
	for _, n := range []monitor.Note{
		{Monitor: "billing", Time: sec(1), Kind: monitor.NoteAlert, Author: "pager", Text: "billing is DOWN: 502", OK: true},
		{Monitor: "billing", Time: sec(400), Kind: monitor.NoteText, Author: "alice", Text: "restarted the pool"},
		{Monitor: "billing", Time: sec(745), Kind: monitor.NoteAlert, Author: "pager", Text: "billing is UP again after 12m 24s", OK: true},
	} {
		if err := s.AddNote(&n); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	return s, sec(3600)
}

// An outage that a maintenance window interrupted is one incident, as
// its alerts had it (see outageStory): under the ID it was paged with,
// with the note written after the window, lasting from the first failure
// to the recovery, its downtime without the window. A pause in an outage
// is a break alike (shop); a monitor paused while down and not checked
// since ends its incident at the pause (cache); one in a window now is
// open (db).
func TestAWindowDoesNotSplitTheIncident(t *testing.T) {
	t.Parallel()
	s, now := outageStory(t)
	paged := monitor.IncidentID("billing", t0)
	ins, err := ListIncidents(s, nil, t0.Add(-time.Hour), now)
	if err != nil || len(ins) != 4 {
		t.Fatalf("incidents %+v, %v: want one a monitor", ins, err)
	}
	byName := map[string]monitor.Incident{}
	for _, in := range ins {
		byName[in.Monitor] = in
	}
	billing := byName["billing"]
	if billing.ID() != paged || !billing.End.Equal(t0.Add(744*time.Second)) || len(billing.Notes) != 1 || len(billing.Breaks) != 1 ||
		billing.Downtime(t0, now) != 504*time.Second {
		t.Errorf("billing's incident %+v: want %s, to the recovery, with the note and the window", billing, paged)
	}
	if shop := byName["shop"]; !shop.End.Equal(t0.Add(20*time.Second)) || shop.Paused || len(shop.Breaks) != 1 {
		t.Errorf("shop's incident %+v: want it resolved when it came back after the pause", shop)
	}
	if cache := byName["cache"]; !cache.End.Equal(t0.Add(11*time.Second)) || !cache.Paused {
		t.Errorf("cache's incident %+v: want it ended by the pause", cache)
	}
	if db := byName["db"]; !db.End.IsZero() || !db.InWindow() {
		t.Errorf("db's incident %+v: want it open, in the window", db)
	}
	var list bytes.Buffer
	if err := WriteIncidents(&list, ins, now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(paged + `\s+billing\s.*12m 24s\s+resolved\s+\S+\s+1\n`),
		regexp.MustCompile(`shop\s.*20s\s+resolved`), regexp.MustCompile(`cache\s.*11s\s+paused`),
		regexp.MustCompile(`db\s.*1h\s+open`),
	} {
		if !want.MatchString(list.String()) {
			t.Errorf("list lacks %s:\n%s", want, list.String())
		}
	}
}

// The ID billing was paged with (see outageStory) finds the whole story:
// the window, the note, the resolve, one duration from the first failure
// to the recovery, the downtime (and its cost) without the window. An
// incident open in a window says it is open, not how long it lasted.
func TestPostmortemAcrossAWindow(t *testing.T) {
	t.Parallel()
	s, now := outageStory(t)
	show := func(id string) string {
		t.Helper()
		in, err := FindIncident(s, id, now)
		if err != nil {
			t.Fatal(err)
		}
		pm, err := BuildPostmortem(s, in, now, 60)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := pm.WriteText(&out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	paged := monitor.IncidentID("billing", t0)
	out := show(paged)
	for _, want := range []string{"billing down for 12m 24s on 2026-03-02, across a maintenance window",
		"Resolved:       2026-03-02 10:12:24 UTC", "Duration:       12m 24s", "Downtime:       8m 24s (4m in a maintenance window is not downtime)",
		"Downtime cost:  8.40", "a maintenance window began", "the window ended: still down", "alice noted: restarted the pool",
		"resolved after 12m 24s", "billing is UP again after 12m 24s"} {
		if !strings.Contains(out, want) {
			t.Errorf("incident show %s lacks %q:\n%s", paged, want, out)
		}
	}
	if out := show(monitor.IncidentID("db", t0)); !strings.Contains(out, "db down since") || strings.Contains(out, "down for") {
		t.Errorf("the postmortem of an incident open in a window:\n%s", out)
	}
	if out := show(monitor.IncidentID("cache", t0)); !strings.Contains(out, "Resolved:       no: paused") {
		t.Errorf("the postmortem of an incident ended by a pause:\n%s", out)
	}
}

// The report counts an incident a window or a pause interrupted once (see
// outageStory), its MTTR and longest outage from the first failure to the
// recovery, its downtime without the break; an incident ended by a pause
// has no time to repair.
func TestReportCountsAnIncidentAcrossAWindowOnce(t *testing.T) {
	t.Parallel()
	s, now := outageStory(t)
	rep, err := BuildReport(s, ReportOptions{From: t0.Add(-time.Hour), To: now, Monitors: []string{"billing", "shop", "cache"}})
	if err != nil || len(rep.Monitors) != 3 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	for _, m := range rep.Monitors {
		// the MTTR (0: none), the longest and the downtime
		want := map[string][3]time.Duration{"billing": {744 * time.Second, 744 * time.Second, 504 * time.Second},
			"shop": {20 * time.Second, 20 * time.Second, 11 * time.Second}, "cache": {0, 11 * time.Second, 11 * time.Second}}[m.Monitor]
		mttr := time.Duration(0)
		if m.MTTR != nil {
			mttr = time.Duration(*m.MTTR)
		}
		if m.Incidents != 1 || m.Open != 0 || mttr != want[0] || time.Duration(m.Longest) != want[1] || time.Duration(m.Downtime) != want[2] {
			t.Errorf("%s in the report: %d incidents (%d open), MTTR %v, longest %v, downtime %v; want 1 (0), %v, %v, %v",
				m.Monitor, m.Incidents, m.Open, mttr, time.Duration(m.Longest), time.Duration(m.Downtime), want[0], want[1], want[2])
		}
	}
}

func TestFailureText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		r    monitor.Result
		want string
	}{
		{monitor.Result{Code: 502, Class: "http_502", Attempts: 3, Error: "bad gateway"}, "502 (http_502) after 3 attempts: bad gateway"},
		{monitor.Result{Class: "refused", Error: "connect: connection refused"}, "refused: connect: connection refused"},
		{monitor.Result{}, "down"},
	} {
		if got := failureText(&c.r); got != c.want {
			t.Errorf("failureText(%+v) = %q, want %q", c.r, got, c.want)
		}
	}
}
