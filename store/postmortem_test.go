package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The incidents of "api" (see fill) are listed newest first with their
// IDs; one is found by its ID or a prefix; its postmortem tells the story
// in order: the first failure, the change from 502 to 504, the alert, the
// acknowledgement and the note, the resolve; with the cost.
func TestPostmortem(t *testing.T) {
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
	if got := fmtDuration(72600 * time.Millisecond); got != "1m 12s" {
		t.Errorf("72.6s reads %q, want 1m 12s", got)
	}
}

// A maintenance window that begins during an outage ends its stretch in
// the history but not the outage: the list says "maintenance", not
// "resolved", and the postmortem says the window began, not that it
// resolved.
func TestWindowEndsAStretchNotTheOutage(t *testing.T) {
	c := &clock{}
	s := openStore(t, t.TempDir(), c, nil)
	defer s.Close()
	down, window, again, up := t0, t0.Add(time.Minute), t0.Add(31*time.Minute), t0.Add(40*time.Minute)
	for _, r := range []monitor.Result{
		{Monitor: "api", Time: down.Add(-time.Minute), Status: monitor.StatusUp, Code: 200},
		{Monitor: "api", Time: down, Status: monitor.StatusDown, Code: 502, Class: "http_502"},
		{Monitor: "api", Time: window, Status: monitor.StatusMaintenance, Code: 502, Class: "http_502"},
		{Monitor: "api", Time: again, Status: monitor.StatusDown, Code: 502, Class: "http_502"},
		{Monitor: "api", Time: up, Status: monitor.StatusUp, Code: 200},
	} {
		if err := s.Record(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	now := up.Add(time.Hour)
	ins, err := ListIncidents(s, nil, t0.Add(-time.Hour), now)
	if err != nil || len(ins) != 2 || !ins[1].IntoWindow || ins[0].IntoWindow {
		t.Fatalf("incidents %+v, %v: want two stretches, the first ended by the window", ins, err)
	}
	var list bytes.Buffer
	WriteIncidents(&list, ins, now)
	lines := strings.Split(list.String(), "\n")
	if !strings.Contains(lines[1], "resolved") || !strings.Contains(lines[2], "maintenance") || strings.Contains(lines[2], "resolved") {
		t.Errorf("list:\n%s", list.String())
	}
	pm, err := BuildPostmortem(s, ins[1], now, 0)
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := pm.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if out := md.String(); !strings.Contains(out, "a maintenance window began after 1m") || strings.Contains(out, "resolved after") ||
		!strings.Contains(out, "no: a maintenance window began") {
		t.Errorf("the first stretch's postmortem:\n%s", out)
	}
}

// A failed check reads as its code, then its class (in brackets only
// beside a code), the attempts and the error: never "(refused)" alone.
func TestFailureText(t *testing.T) {
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
