package demo

import (
	"slices"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// pastEnd is when the simulated past ends in these tests: mid-afternoon,
// so that the last 24 hours hold a night.
var pastEnd = time.Date(2026, 11, 24, 15, 4, 5, 0, time.UTC)

// writePast writes the simulated week into a new history and opens it as
// the engine would.
func writePast(t testing.TB, o *Origin) *history.DB {
	t.Helper()
	dir := t.TempDir()
	if _, err := o.WritePast(dir, pastEnd, PastSpan); err != nil {
		t.Fatal(err)
	}
	db, err := history.Open(dir, history.Options{Now: func() time.Time { return pastEnd }, SyncInterval: -1, OpenFile: history.OpenFileNoSync})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// The simulated week is what the live demo would have recorded: every
// monitor checked all week long, in the classes and codes of the live
// checks, each result known to the knowledge base; the same seed gives the
// same week; and it ends as the live story begins (everything up but the
// expiring certificate), with no incident left open.
func TestPastIsAWeekOfTheDemo(t *testing.T) {
	t.Parallel() // overlaps with TestHTTPScenarios, which waits on real time
	h := newHarness(t, Options{Speed: 1, Seed: 42})
	past := h.o.Past(pastEnd, PastSpan)
	if len(past) < 10*(6*24*12+24*60)*99/100 {
		t.Fatalf("%d results for a week of ten monitors", len(past))
	}
	if again := h.o.Past(pastEnd, PastSpan); !slices.EqualFunc(past, again, func(a, b monitor.Result) bool {
		return a.Time.Equal(b.Time) && a.Latency == b.Latency && a.Status == b.Status && a.Code == b.Code
	}) {
		t.Error("the same seed gave two different weeks")
	}
	last := map[string]monitor.Result{}
	first := map[string]time.Time{}
	classes := map[string]bool{}
	for i, r := range past {
		if i > 0 && r.Time.Before(past[i-1].Time) {
			t.Fatalf("result %d at %v comes before the one at %v", i, r.Time, past[i-1].Time)
		}
		if !r.Time.Before(pastEnd) || r.Time.Before(pastEnd.Add(-PastSpan)) {
			t.Fatalf("result at %v is outside the week", r.Time)
		}
		if _, ok := first[r.Monitor]; !ok {
			first[r.Monitor] = r.Time
		}
		last[r.Monitor] = r
		if r.Class != "" {
			classes[r.Class] = true
			if _, ok := kb.Lookup(r.Class); !ok {
				t.Errorf("class %q is not in the knowledge base", r.Class)
			}
		}
	}
	for _, s := range Scenarios() {
		f, l := first[string(s)], last[string(s)]
		if f.Sub(pastEnd.Add(-PastSpan)) > oldStep || pastEnd.Sub(l.Time) > pastStep {
			t.Errorf("%s: results from %v to %v, want the whole week", s, f, l.Time)
		}
		want := monitor.StatusUp
		if s == AuthTLS {
			want = monitor.StatusDegraded
		}
		if l.Status != want {
			t.Errorf("%s ends the week %s (%s), want %s as the story begins", s, l.Status, l.Error, want)
		}
	}
	for _, c := range []string{"http_500", "http_502", "http_503", "http_504", "http_520", "http_522", "json_assertion", "refused", "slow", "tls_expiring"} {
		if !classes[c] {
			t.Errorf("the week has no %s", c)
		}
	}
}

// Written through the history, the week answers the questions the
// dashboard asks: uptime below 100% where things failed, rolled up hour by
// hour over the whole week (so that a week's uptime is not a day's),
// incidents (all resolved), and errors by hour of day with the 502s of the
// payments upstream's nightly restart at 03:00 and the legacy port's at
// 04:00.
func TestPastInHistory(t *testing.T) {
	t.Parallel() // overlaps with TestHTTPScenarios, which waits on real time
	h := newHarness(t, Options{Speed: 1, Seed: 7})
	db := writePast(t, h.o)
	from := pastEnd.Add(-PastSpan)
	hours, err := db.Rollups(string(Payments), time.Hour, from, pastEnd)
	if err != nil {
		t.Fatal(err)
	}
	if len(hours) < 7*24-2 {
		t.Errorf("%d hourly rollups of payments in a week", len(hours))
	}
	if day, week := db.Uptime(string(Payments), 24*time.Hour, pastEnd), db.Uptime(string(Payments), PastSpan, pastEnd); day == week {
		t.Errorf("payments: uptime over a day and a week are both %v", day)
	}
	for s, hour := range map[Scenario]int{Payments: 3, LegacyPort: 4} {
		byHour, err := db.ErrorsByHour(string(s), from, pastEnd)
		if err != nil {
			t.Fatal(err)
		}
		peak := 0
		for i, n := range byHour {
			if n > byHour[peak] {
				peak = i
			}
		}
		if peak != hour {
			t.Errorf("%s: most errors at %02d:00, want %02d:00 (%v)", s, peak, hour, byHour)
		}
		incs, err := db.Incidents(string(s), from, pastEnd)
		if err != nil {
			t.Fatal(err)
		}
		if len(incs) < 6 {
			t.Errorf("%s: %d incidents in the week, want one a night", s, len(incs))
		}
		for _, in := range incs {
			if in.End.IsZero() {
				t.Errorf("%s: incident from %v still open", s, in.Start)
			}
		}
	}
	for _, s := range Scenarios() {
		u := db.Uptime(string(s), PastSpan, pastEnd)
		if !u.Valid {
			t.Errorf("%s: no uptime over the week", s)
			continue
		}
		switch s {
		case Shop, AuthTLS, Reports:
			if u.Ratio != 1 {
				t.Errorf("%s: uptime %.4f, want 100%% (never down)", s, u.Ratio)
			}
		default:
			if u.Ratio >= 1 || u.Ratio < 0.98 {
				t.Errorf("%s: uptime %.4f, want a little under 100%%", s, u.Ratio)
			}
		}
	}
}

// BenchmarkWritePast writes the demo's simulated week into a new history,
// beside starting the origin alone: the week must not make the demo start
// noticeably later.
//
//	go test ./demo -run '^$' -bench WritePast
func BenchmarkWritePast(b *testing.B) {
	b.Run("origin", func(b *testing.B) {
		for b.Loop() {
			o, err := Start(b.Context(), Options{Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			_ = o.Close()
		}
	})
	b.Run("origin+week", func(b *testing.B) {
		n := 0
		for b.Loop() {
			o, err := Start(b.Context(), Options{Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			n, err = o.WritePast(b.TempDir(), time.Now(), PastSpan)
			if err != nil {
				b.Fatal(err)
			}
			_ = o.Close()
		}
		b.ReportMetric(float64(n), "results")
	})
}
