package history

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Only a recovery ends an incident: stretches of downtime that a
// maintenance window, a pause or a stall alone split are one incident
// (as the alerting has them), from the first failure, with the break in
// it; an outage that began after a recovery, or in a window the monitor
// entered up, is a new one. A monitor paused while down and not checked
// since ends its incident at the pause.
func TestJoinerJoinsWhatOnlyABreakSplit(t *testing.T) {
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	const (
		up, down, maint, paused, pending = monitor.StatusUp, monitor.StatusDown, monitor.StatusMaintenance, monitor.StatusPaused, monitor.StatusPending
	)
	tr := func(from, to monitor.Status, since, t int, codes ...int) Transition {
		return Transition{Monitor: "a", From: from, To: to, Since: at(since), Time: at(t), Codes: codes}
	}
	stall := tr(down, paused, 0, 10, 500)
	stall.Class = monitor.ClassStalled
	now := func(st monitor.Status, since int) snapshot {
		return snapshot{known: true, info: MonitorInfo{Name: "a", Status: st, Since: at(since)}}
	}
	brk := func(from, to int, st monitor.Status) monitor.Break {
		b := monitor.Break{Start: at(from), Status: st}
		if to >= 0 {
			b.End = at(to)
		}
		return b
	}
	inc := func(start, end int, codes []int, bs ...monitor.Break) monitor.Incident {
		in := monitor.Incident{Monitor: "a", Start: at(start), Codes: codes, Breaks: bs}
		if end >= 0 {
			in.End = at(end)
		}
		return in
	}
	for _, c := range []struct {
		name  string
		trans []Transition
		now   snapshot
		want  []monitor.Incident
	}{
		{"one window", []Transition{tr(pending, down, 0, 0), tr(down, maint, 0, 10, 500), tr(maint, down, 10, 20), tr(down, up, 20, 30, 502)},
			now(up, 30), []monitor.Incident{inc(0, 30, []int{500, 502}, brk(10, 20, maint))}},
		{"two windows", []Transition{tr(up, down, 0, 5), tr(down, maint, 5, 10, 500), tr(maint, down, 10, 20),
			tr(down, maint, 20, 30, 503), tr(maint, down, 30, 40), tr(down, up, 40, 50, 502)},
			now(up, 50), []monitor.Incident{inc(5, 50, []int{500, 503, 502}, brk(10, 20, maint), brk(30, 40, maint))}},
		{"up before the window", []Transition{tr(down, up, 0, 5, 500), tr(up, maint, 5, 10), tr(maint, down, 10, 20), tr(down, up, 20, 30, 502)},
			now(up, 30), []monitor.Incident{inc(0, 5, []int{500}), inc(20, 30, []int{502})}},
		{"a recovery between", []Transition{tr(up, down, 0, 5), tr(down, up, 5, 10, 500), tr(up, down, 10, 20), tr(down, up, 20, 30, 502)},
			now(up, 30), []monitor.Incident{inc(5, 10, []int{500}), inc(20, 30, []int{502})}},
		{"back when the window ended", []Transition{tr(up, down, 0, 0), tr(down, maint, 0, 10, 500), tr(maint, up, 10, 20)},
			now(up, 20), []monitor.Incident{inc(0, 20, []int{500}, brk(10, 20, maint))}},
		{"paused, fixed, resumed", []Transition{tr(up, down, 0, 0), tr(down, paused, 0, 10, 500), tr(paused, up, 10, 20)},
			now(up, 20), []monitor.Incident{inc(0, 20, []int{500}, brk(10, 20, paused))}},
		{"paused in a window", []Transition{tr(up, down, 0, 0), tr(down, maint, 0, 10, 500), tr(maint, paused, 10, 15), tr(paused, down, 15, 20),
			tr(down, up, 20, 30, 502)},
			now(up, 30), []monitor.Incident{inc(0, 30, []int{500, 502}, brk(10, 15, maint), brk(15, 20, paused))}},
		{"stalled", []Transition{tr(up, down, 0, 0), stall, tr(paused, down, 10, 12), tr(down, up, 12, 20, 502)},
			now(up, 20), []monitor.Incident{inc(0, 20, []int{500, 502}, monitor.Break{Start: at(10), End: at(12), Status: paused, Stalled: true})}},
		{"in the window now", []Transition{tr(up, down, 0, 0), tr(down, maint, 0, 10, 500)},
			now(maint, 10), []monitor.Incident{inc(0, -1, []int{500}, brk(10, -1, maint))}},
		{"down again after the window", []Transition{tr(up, down, 0, 0), tr(down, maint, 0, 10, 500), tr(maint, down, 10, 20)},
			now(down, 20), []monitor.Incident{inc(0, -1, []int{500}, brk(10, 20, maint))}},
		{"paused now", []Transition{tr(up, down, 0, 0), tr(down, paused, 0, 10, 500)},
			now(paused, 10), []monitor.Incident{func() monitor.Incident { in := inc(0, 10, []int{500}); in.Paused = true; return in }()}},
	} {
		j := joiner{name: "a"}
		for i := range c.trans {
			j.add(&c.trans[i])
		}
		j.finish(c.now)
		if !reflect.DeepEqual(j.out, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, j.out, c.want)
		}
	}
}

// An outage that a window split across the turn of a month is found
// whole from a query of the new month: the transitions are kept a month a
// file, and the incident must start where its people were paged.
func TestIncidentAcrossAMonthKeepsItsStart(t *testing.T) {
	start := time.Date(2026, 1, 31, 23, 40, 0, 0, time.UTC)
	c := newClock(start)
	dir := t.TempDir()
	l := mustOpen(t, dir, testOptions(t, c))
	for i, st := range []struct {
		min    int
		status monitor.Status
	}{{-5, monitor.StatusUp}, {0, monitor.StatusDown}, {10, monitor.StatusMaintenance}, {30, monitor.StatusMaintenance},
		{40, monitor.StatusDown}, {80, monitor.StatusDown}, {90, monitor.StatusUp}} {
		at := start.Add(time.Duration(st.min) * time.Minute)
		c.Set(at)
		r := httpRecord("api", at, i)
		r.Status = st.status
		if err := l.Append(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	check := func(l *DB) {
		t.Helper()
		feb := time.Date(2026, 2, 1, 0, 30, 0, 0, time.UTC)
		incs, err := l.Incidents("api", feb, feb.Add(24*time.Hour))
		if err != nil || len(incs) != 1 || !incs[0].Start.Equal(start) || !incs[0].End.Equal(start.Add(90*time.Minute)) ||
			len(incs[0].Breaks) != 1 {
			t.Errorf("incidents from February: %s, %v; want one from %s, with the window", fmt.Sprint(incs), err, start)
		}
	}
	check(l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	c.Set(start.Add(3 * time.Hour))
	l = mustOpen(t, dir, testOptions(t, c))
	defer l.Close()
	check(l)
}
